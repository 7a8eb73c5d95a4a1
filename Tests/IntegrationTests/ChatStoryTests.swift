import Contracts
import Foundation
import Harness
import Testing

@Suite("A live chat through the public API", .serialized)
struct ChatStoryTests {
    func array(_ reply: HTTPReply) -> [[String: Any]] {
        reply.items
    }

    @Test("visitor starts, operator takes from the Pool, they talk, the holder closes; strangers see nothing")
    func story() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            func login(_ email: String, _ password: String) async throws -> String { try await stack.login(port: port, email, password) }
            let admin = try await login("admin@example.com", "correct horse battery")
            for (name, email) in [("Nazlıcan", "nazlican@example.com"), ("Can", "can@example.com")] {
                let created = try await stack.json(
                    "POST", "/api/v1/operators", port: port, token: admin,
                    body: ["name": name, "email": email, "password": "password-123", "role": "operator"])
                #expect(created.status == 201)
            }
            let nazlican = try await login("nazlican@example.com", "password-123")
            let can = try await login("can@example.com", "password-123")

            // The customer starts a chat from the widget.
            let start = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port,
                body: ["name": "Ayşe Yılmaz", "message": "Siparişim nerede?", "client_message_id": "w-1"])
            #expect(start.status == 201)
            let visitor = try #require(start.object["visitor_token"] as? String)
            let conversation = try #require(start.object["conversation"] as? [String: Any])
            let id = try #require(conversation["id"] as? String)
            #expect(conversation["status"] as? String == "waiting")

            // It waits in the Pool; Nazlıcan takes it, Can is told who has it.
            try await Poll.until("the chat in the Pool") {
                array(try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(nazlican)"]))
                    .contains { $0["id"] as? String == id }
            }
            let taken = try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: nazlican)
            #expect(taken.status == 200)
            #expect(((taken.object["conversation"] as? [String: Any])?["assignee"] as? [String: Any])?["name"] as? String == "Nazlıcan")
            let late = try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: can)
            #expect(late.status == 409)
            #expect(errorCode(late.object) == "already_taken")
            #expect(((late.object["error"] as? [String: Any])?["details"] as? [String: Any])?["operator"] as? String == "Nazlıcan")

            // They talk; only the holder writes as an operator.
            let reply = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/messages", port: port, token: nazlican,
                body: ["body": "Hemen bakıyorum", "client_message_id": "o-1"])
            #expect(reply.status == 201)
            let again = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/messages", port: port, token: nazlican,
                body: ["body": "Hemen bakıyorum", "client_message_id": "o-1"])
            #expect(again.status == 200)
            #expect(again.object["seq"] as? Int == reply.object["seq"] as? Int)
            let intruder = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/messages", port: port, token: can, body: ["body": "ben", "client_message_id": "c-1"])
            #expect(intruder.status == 403)
            #expect(errorCode(intruder.object) == "not_assignee")

            let visitorReads = try await stack.http(
                "GET", "/api/v1/visitor/conversations/\(id)/messages?after_seq=1", port: port,
                headers: ["Authorization": "Bearer \(visitor)"])
            #expect(array(visitorReads).compactMap { $0["body"] as? String } == ["Siparişim nerede?", "Hemen bakıyorum"])
            let customerWrites = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: visitor,
                body: ["body": "Teşekkürler", "client_message_id": "w-2"])
            #expect(customerWrites.status == 201)
            #expect(customerWrites.object["seq"] as? Int == 4)

            // Another visitor, a bad token and a made-up id all find nothing.
            let stranger = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Başka"])
            let strangerToken = try #require(stranger.object["visitor_token"] as? String)
            #expect(
                try await stack.json("GET", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: strangerToken).status == 404)
            #expect(
                try await stack.json("GET", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: "nonsense").status == 401)
            #expect(try await stack.json("GET", "/api/v1/conversations/\(UUID())", port: port, token: can).status == 404)
            #expect(try await stack.json("GET", "/api/v1/conversations/not-a-uuid", port: port, token: can).status == 404)

            // Nazlıcan's Messages: the chat, with what she has not read yet; reading moves the count.
            func messages(_ token: String) async throws -> [[String: Any]] {
                array(try await stack.http("GET", "/api/v1/messages", port: port, headers: ["Authorization": "Bearer \(token)"]))
            }
            let held = try await messages(nazlican)
            #expect(held.compactMap { $0["id"] as? String } == [id])
            #expect(held.first?["unread"] as? Int == 3)  // greeting, the first question, the thanks; not her own reply
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(id)/read", port: port, token: nazlican, body: ["seq": 2]).status
                    == 204)
            #expect(try await messages(nazlican).first?["unread"] as? Int == 1)
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(id)/read", port: port, token: nazlican, body: ["seq": "x"]).status
                    == 422)
            #expect(try await messages(can).isEmpty)

            // Handing the job on: only to an available colleague, only by the holder.
            let canID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: can).object["id"] as? String)
            let nazlicanID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: nazlican).object["id"] as? String)
            let toAway = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/transfer", port: port, token: nazlican, body: ["operator_id": canID])
            #expect(toAway.status == 409)
            #expect(errorCode(toAway.object) == "colleague_unavailable")
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: can, body: ["available": true]).status == 200)
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(id)/transfer", port: port, token: can, body: ["operator_id": canID])
                    .status == 403)
            #expect(
                errorField(
                    try await stack.json(
                        "POST", "/api/v1/conversations/\(id)/transfer", port: port, token: nazlican, body: ["operator_id": "\(UUID())"]
                    )
                    .object) == "operator_id")
            let handed = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/transfer", port: port, token: nazlican, body: ["operator_id": canID])
            #expect(handed.status == 200)
            #expect(((handed.object["conversation"] as? [String: Any])?["assignee"] as? [String: Any])?["id"] as? String == canID)
            #expect(
                try await stack.json("PUT", "/api/v1/me/availability", port: port, token: nazlican, body: ["available": true]).status == 200
            )
            #expect(
                try await stack.json(
                    "POST", "/api/v1/conversations/\(id)/transfer", port: port, token: can, body: ["operator_id": nazlicanID]
                ).status == 200)

            // Only the holder closes; then nothing more is written.
            #expect(try await stack.json("POST", "/api/v1/conversations/\(id)/close", port: port, token: can).status == 403)
            let closed = try await stack.json("POST", "/api/v1/conversations/\(id)/close", port: port, token: nazlican)
            #expect(closed.status == 200)
            #expect(closed.object["status"] as? String == "closed")
            #expect((closed.object["audit"] as? [[String: Any]])?.compactMap { $0["how"] as? String } == ["take", "transfer", "transfer"])
            let afterClose = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: visitor,
                body: ["body": "?", "client_message_id": "w-3"])
            #expect(afterClose.status == 409)
            #expect(errorCode(afterClose.object) == "closed")

            // The returning visitor lists their chats, past ones included; operators see the customer's.
            let second = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port, token: visitor, body: ["name": "Ayşe Yılmaz"])
            #expect(second.object["visitor_token"] as? String == visitor)
            let secondID = try #require((second.object["conversation"] as? [String: Any])?["id"] as? String)
            let mine = array(
                try await stack.http("GET", "/api/v1/visitor/conversations", port: port, headers: ["Authorization": "Bearer \(visitor)"]))
            #expect(mine.compactMap { $0["id"] as? String } == [secondID, id])
            #expect(mine.last?["status"] as? String == "closed")
            let customerID = try #require(((closed.object["customer"] as? [String: Any])?["id"] as? String))
            let history = array(
                try await stack.http(
                    "GET", "/api/v1/customers/\(customerID)/conversations", port: port, headers: ["Authorization": "Bearer \(can)"]))
            #expect(history.count == 2)
            let theirs = array(
                try await stack.http(
                    "GET", "/api/v1/visitor/conversations", port: port, headers: ["Authorization": "Bearer \(strangerToken)"]))
            #expect(
                theirs.compactMap { $0["id"] as? String } == [
                    try #require((stranger.object["conversation"] as? [String: Any])?["id"] as? String)
                ])

            // A refused start mints no visitor and stores nothing.
            let refused = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "  "])
            #expect(refused.status == 422)
            #expect(errorField(refused.object) == "name")
        }
    }
}
