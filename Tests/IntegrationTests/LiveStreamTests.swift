import Contracts
import Foundation
import Harness
import Testing

@Suite("Live streams over WebSocket", .serialized)
struct LiveStreamTests {
    /// The gateway's port after starting what the streams need.
    func startDesk(_ stack: Stack, notification: Int = 1) async throws -> Int {
        try await stack.start(.conversation)
        try await stack.start(.pool)
        for _ in 0..<notification { try await stack.start(.notification) }
        return try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
    }

    @Test("two operators and a visitor: Pool, take, race, messages both ways, the bell, close, Archive, hide — all live")
    func story() async throws {
        try await Stack.with { stack in
            let port = try await startDesk(stack)
            let admin = try await stack.adminToken(port: port)
            let nazlican = try await stack.newOperator(port: port, admin: admin, name: "Nazlıcan", email: "nazlican@example.com")
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            // One operator's console authenticates in the header, the other the browser's way.
            let nazlicanStream = try await LiveStream.open(port: port, token: nazlican, inHeader: true)
            let canStream = try await LiveStream.open(port: port, token: can)

            // The customer starts a chat; both Pools change at once.
            let start = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe Yılmaz", "message": "Merhaba"])
            let visitor = try #require(start.object["visitor_token"] as? String)
            let id = try #require((start.object["conversation"] as? [String: Any])?["id"] as? String)
            let visitorStream = try await LiveStream.open(port: port, visitor: true, token: visitor)
            try await nazlicanStream.next("pool.changed", conversation: id)
            try await canStream.next("pool.changed", conversation: id)

            // Both click "Take it on me" at once: one wins, the other is told who.
            async let first = stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: nazlican)
            async let second = stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: can)
            let replies = try await [first, second]
            #expect(replies.map(\.status).sorted() == [200, 409])
            let winner = replies[0].status == 200 ? (token: nazlican, stream: nazlicanStream) : (token: can, stream: canStream)
            let loser = replies[0].status == 200 ? (token: can, stream: canStream) : (token: nazlican, stream: nazlicanStream)
            let assigned = try await loser.stream.next("conversation.assigned", conversation: id)
            let holder = try #require((assigned["data"] as? [String: Any])?["to"] as? [String: Any])
            #expect(replies.first { $0.status == 409 }.map { errorCode($0.object) } == "already_taken")
            try await winner.stream.next("conversation.assigned", conversation: id)
            try await loser.stream.next("pool.changed", conversation: id)
            try await visitorStream.next("conversation.assigned", conversation: id)
            // The bell rings for the winner only. (A notifier running behind may first tell the new
            // holder of the customer's opening message, so look for the assignment's.)
            try await winner.stream.next("the winner's bell") {
                $0["type"] as? String == "notification.created" && ($0["data"] as? [String: Any])?["kind"] as? String == "assigned"
            }

            // Messages both ways arrive live, with their seq.
            let reply = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/messages", port: port, token: winner.token,
                body: ["body": "Nasıl yardımcı olabilirim?", "client_message_id": "o-1"])
            #expect(reply.status == 201)
            let seen = try await visitorStream.next("message.created", conversation: id)
            #expect((seen["data"] as? [String: Any])?["body"] as? String == "Nasıl yardımcı olabilirim?")
            #expect(((seen["data"] as? [String: Any])?["author"] as? [String: Any])?["name"] as? String == holder["name"] as? String)
            _ = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: visitor,
                body: ["body": "<img src=x onerror=alert(1)>", "client_message_id": "w-2"])
            let incoming = try await winner.stream.next("message.created") {
                ($0["data"] as? [String: Any])?["body"] as? String == "<img src=x onerror=alert(1)>"
            }
            #expect((incoming["data"] as? [String: Any])?["seq"] as? Int == 4)
            let ring = try await winner.stream.next("notification.created") {
                $0["type"] as? String == "notification.created" && ($0["data"] as? [String: Any])?["kind"] as? String == "message"
            }
            #expect(((ring["data"] as? [String: Any])?["text"] as? String)?.hasPrefix("Ayşe Yılmaz:") == true)

            // The holder closes: the visitor and the colleague see it, and it is in everyone's Archive.
            #expect(try await stack.json("POST", "/api/v1/conversations/\(id)/close", port: port, token: winner.token).status == 200)
            let closed = try await visitorStream.next("conversation.closed", conversation: id)
            #expect((closed["data"] as? [String: Any])?["closed_at"] is String)
            try await loser.stream.next("conversation.closed", conversation: id)
            func archive(_ token: String, hidden: Bool = false) async throws -> [String] {
                let page = try await stack.json("GET", "/api/v1/archive\(hidden ? "?include_hidden=true" : "")", port: port, token: token)
                return (page.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await archive(loser.token) == [id])
            #expect(try await stack.json("POST", "/api/v1/archive/\(id)/hide", port: port, token: loser.token).status == 204)
            #expect(try await archive(loser.token) == [])
            #expect(try await archive(loser.token, hidden: true) == [id])
            #expect(try await archive(winner.token) == [id])

            // Nobody saw what was not theirs: the loser's bell stayed quiet, the visitor saw no Pool.
            #expect(loser.stream.all("notification.created").isEmpty)
            #expect(visitorStream.all("pool.changed").isEmpty && visitorStream.all("notification.created").isEmpty)

            // A second visitor's stream sees none of the first one's conversation.
            let other = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Başka"])
            let otherToken = try #require(other.object["visitor_token"] as? String)
            let otherID = try #require((other.object["conversation"] as? [String: Any])?["id"] as? String)
            let otherStream = try await LiveStream.open(port: port, visitor: true, token: otherToken, inHeader: true)
            // The chat reaches the Pool a moment after it starts: take it once it is there.
            try await Poll.until("the second chat taken") {
                try await stack.json("POST", "/api/v1/pool/\(otherID)/take", port: port, token: loser.token).status == 200
            }
            try await otherStream.next("conversation.assigned", conversation: otherID)
            #expect(otherStream.frames.allSatisfy { frame in (frame["data"] as? [String: Any])?["conversation_id"] as? String != id })
        }
    }

    /// Posts `count` customer messages to `id` one after another, each retried until acknowledged.
    func send(_ count: Int, to id: String, visitor: String, port: Int, stack: Stack, prefix: String) async throws {
        for number in 1...count {
            try await Poll.until("message \(number) acknowledged", timeout: .seconds(30), every: .milliseconds(20)) {
                let reply = try? await stack.json(
                    "POST", "/api/v1/visitor/conversations/\(id)/messages", port: port, token: visitor,
                    body: ["body": "\(prefix) \(number)", "client_message_id": "\(prefix)-\(number)"])
                return reply.map { [200, 201].contains($0.status) } ?? false
            }
        }
    }

    @Test("a stream cut while 100 messages are sent resumes from its cursor with all 100, once each, in order")
    func resume() async throws {
        try await Stack.with { stack in
            let port = try await startDesk(stack)
            let admin = try await stack.adminToken(port: port)
            let operatorToken = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let start = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(start.object["visitor_token"] as? String)
            let id = try #require((start.object["conversation"] as? [String: Any])?["id"] as? String)

            for (label, visitorSide) in [("operator", false), ("visitor", true)] {
                let token = visitorSide ? visitor : operatorToken
                let first = try await LiveStream.open(port: port, visitor: visitorSide, token: token)
                let prefix = "\(label) m"
                async let sending: Void = send(100, to: id, visitor: visitor, port: port, stack: stack, prefix: prefix)
                // Read some, then the network drops mid-stream.
                try await first.next("the 10th message") { ($0["data"] as? [String: Any])?["body"] as? String == "\(prefix) 10" }
                first.socket.cut()
                let cursor = try #require(first.cursor)
                let resumed = try await LiveStream.open(port: port, visitor: visitorSide, token: token, cursor: cursor)
                // 100 sends take seconds alone, far longer beside the browser tests on two cores.
                try await resumed.next("the 100th message", timeout: .seconds(90)) {
                    ($0["data"] as? [String: Any])?["body"] as? String == "\(prefix) 100"
                }
                try await sending
                let all = first.bodies(prefix: prefix) + resumed.bodies(prefix: prefix)
                #expect(all == (1...100).map { "\(prefix) \($0)" }, "\(label): \(all.count) bodies")
                resumed.close()
            }
        }
    }

    @Test("bad cursors, bad tokens and plain HTTP get clear refusals; nothing crashes")
    func refusals() async throws {
        try await Stack.with { stack in
            let port = try await startDesk(stack)
            let admin = try await stack.adminToken(port: port)
            let start = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(start.object["visitor_token"] as? String)

            // Over plain HTTP: 401 without a live token, 422 for a cursor no frame carried, else 426.
            for path in ["/api/v1/stream", "/api/v1/visitor/stream"] {
                let good = path.contains("visitor") ? visitor : admin
                #expect(try await stack.json("GET", path, port: port).status == 401)
                #expect(try await stack.json("GET", path, port: port, token: "nonsense").status == 401)
                #expect(try await stack.json("GET", path, port: port, token: path.contains("visitor") ? admin : visitor).status == 401)
                let badCursor = try await stack.json("GET", path + "?cursor=12-x", port: port, token: good)
                #expect(badCursor.status == 422)
                #expect(errorField(badCursor.object) == "cursor")
                #expect(try await stack.json("GET", path, port: port, token: good).status == 426)
            }

            // Over WebSocket: an error frame naming the problem, then close 1008.
            func refusal(_ path: String, headers: [String: String] = [:], first: String?) async throws -> (code: String?, close: Int?) {
                let socket = try await WebSocketClient.connect(port: port, path: path, headers: headers)
                if let first { socket.send(first) }
                let frame = try await socket.nextJSON()
                let closing = try await socket.next()
                guard case .close(let code) = closing else { return (nil, nil) }
                return (((frame?["data"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String, code)
            }
            for first in ["not json", #"{"token": 42}"#, #"{"token":"nonsense"}"#, #"{"token":"\#(visitor)"}"#, "[]", ""] {
                let refused = try await refusal("/api/v1/stream", first: first)
                #expect(refused.code == "unauthorized" && refused.close == 1008, "first frame \(first)")
            }
            #expect(
                try await refusal("/api/v1/visitor/stream", headers: ["Authorization": "Bearer \(admin)"], first: nil).code
                    == "unauthorized")
            #expect(try await refusal("/api/v1/stream?cursor=nope", first: #"{"token":"\#(admin)"}"#).code == "invalid")

            // After all that, a good stream still works and the gateway is fine.
            let stream = try await LiveStream.open(port: port, token: admin)
            let second = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Can"])
            let id = try #require((second.object["conversation"] as? [String: Any])?["id"] as? String)
            try await stream.next("pool.changed", conversation: id)
            #expect(stack.all.allSatisfy { $0.isRunning })
        }
    }

    @Test("two gateways and two notification instances: killing the one a gateway follows loses and repeats nothing")
    func failover() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            let notifications = [try await stack.start(.notification), try await stack.start(.notification)]
            let ports = [
                try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort),
                try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort),
            ]
            let admin = try await stack.adminToken(port: ports[0])
            let start = try await stack.json("POST", "/api/v1/visitor/conversations", port: ports[1], body: ["name": "Ayşe"])
            let visitor = try #require(start.object["visitor_token"] as? String)
            let id = try #require((start.object["conversation"] as? [String: Any])?["id"] as? String)
            let streams = [
                try await LiveStream.open(port: ports[0], token: admin),
                try await LiveStream.open(port: ports[1], visitor: true, token: visitor),
            ]

            async let sending: Void = send(60, to: id, visitor: visitor, port: ports[0], stack: stack, prefix: "f")
            try await streams[0].next("the 20th message") { ($0["data"] as? [String: Any])?["body"] as? String == "f 20" }
            // Kill both notification instances in turn, starting a fresh one each time.
            for victim in notifications {
                victim.send(SIGKILL)
                _ = try await victim.waitForExit()
                try await stack.start(.notification)
            }
            try await sending
            for stream in streams {
                try await stream.next("the 60th message") { ($0["data"] as? [String: Any])?["body"] as? String == "f 60" }
                #expect(stream.bodies(prefix: "f ") == (1...60).map { "f \($0)" })
            }
        }
    }
}
