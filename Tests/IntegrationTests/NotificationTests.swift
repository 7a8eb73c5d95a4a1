import Contracts
import Foundation
import Harness
import Testing

@Suite("The bell in the upper right corner", .serialized)
struct NotificationTests {
    @Test("a job falling into my Messages, a customer writing, a colleague taking over: each tells the right operator once")
    func bell() async throws {
        try await Stack.with { stack in
            for service in [ServiceName.conversation, .pool, .notification] { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            var tokens: [String] = []
            for email in ["a@example.com", "b@example.com"] {
                _ = try await stack.json(
                    "POST", "/api/v1/operators", port: port, token: admin,
                    body: ["name": email.prefix(1).uppercased(), "email": email, "password": "password-123", "role": "operator"])
                tokens.append(
                    try #require(
                        try await stack.json("POST", "/api/v1/auth/login", port: port, body: ["email": email, "password": "password-123"])
                            .object["token"] as? String))
            }
            func bell(_ token: String, unread: Bool = false) async throws -> [[String: Any]] {
                let reply = try await stack.http(
                    "GET", "/api/v1/notifications\(unread ? "?unread=true" : "")", port: port, headers: ["Authorization": "Bearer \(token)"]
                )
                return reply.items
            }
            let chat = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Nazlıcan"])
            let visitor = try #require(chat.object["visitor_token"] as? String)
            let id = try #require((chat.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("A takes it") {
                try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: tokens[0]).status == 200
            }
            try await Poll.until("A is told") { try await bell(tokens[0]).count == 1 }
            #expect(try await bell(tokens[0]).first?["kind"] as? String == "assigned")

            _ = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: visitor,
                body: ["body": "Merhaba?", "client_message_id": "v1"])
            try await Poll.until("A hears the customer") { try await bell(tokens[0]).count == 2 }
            #expect(try await bell(tokens[0]).first?["text"] as? String == "Nazlıcan: Merhaba?")

            #expect(try await stack.json("POST", "/api/v1/conversations/\(id)/take", port: port, token: tokens[1]).status == 200)
            try await Poll.until("both told of the take-over") {
                let a = try await bell(tokens[0]).count
                let b = try await bell(tokens[1]).count
                return a == 3 && b == 1
            }
            #expect(try await bell(tokens[0]).first?["kind"] as? String == "taken_over")
            #expect(try await bell(tokens[1]).first?["kind"] as? String == "assigned")

            // Reading: one, then all; nobody reads another's.
            let first = try #require(try await bell(tokens[0]).last?["id"] as? String)
            #expect(try await stack.json("POST", "/api/v1/notifications/\(first)/read", port: port, token: tokens[1]).status == 404)
            #expect(try await stack.json("POST", "/api/v1/notifications/\(first)/read", port: port, token: tokens[0]).status == 204)
            #expect(try await bell(tokens[0], unread: true).count == 2)
            #expect(try await stack.json("POST", "/api/v1/notifications/read-all", port: port, token: tokens[0]).status == 204)
            #expect(try await bell(tokens[0], unread: true).isEmpty)
            #expect(try await bell(tokens[1], unread: true).count == 1)
            #expect(try await stack.json("GET", "/api/v1/notifications?unread=sometimes", port: port, token: tokens[0]).status == 422)
        }
    }
}
