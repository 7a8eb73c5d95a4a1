import Contracts
import Foundation
import Harness
import Testing

/// Requests in flight at once, and what each answered.
private func concurrently(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> Int) async throws -> [Int] {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for index in 0..<count { group.addTask { try await request(index) } }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

/// A widget request from `client` (named by X-Forwarded-For through a trusted proxy: the test's
/// loopback peer).
private func visitor(
    _ stack: Stack, _ method: String, _ path: String, port: Int, client: String, token: String? = nil, body: [String: Any]
) async throws -> (status: Int, object: [String: Any], reply: HTTPReply) {
    var headers = ["Content-Type": "application/json", "X-Forwarded-For": client]
    if let token { headers["Authorization"] = "Bearer \(token)" }
    let reply = try await stack.http(method, path, port: port, body: try JSONSerialization.data(withJSONObject: body), headers: headers)
    return (reply.status, (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:], reply)
}

/// The Pool as the operator with `token` reads it.
private func pool(_ stack: Stack, port: Int, token: String) async throws -> [[String: Any]] {
    let reply = try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(token)"])
    return reply.items
}

@Suite("Abuse: limits counted atomically, the desk served throughout", .serialized)
struct AbuseTests {
    static func environment(_ limits: [String: String]) -> [String: String] {
        Stack.adminEnvironment.merging(limits) { $1 }.merging(["SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.1/32,::1/128"]) { $1 }
    }

    @Test(
        "60 concurrent chat starts from one address against a limit of 10: exactly 10 start, the rest 429 with Retry-After; other addresses and operators are served"
    )
    func chatStartFlood() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(
                    .gateway,
                    environment: Self.environment(["SWITCHBOARD_CHAT_STARTS_PER_ADDRESS": "10", "SWITCHBOARD_WAITING_PER_ADDRESS": "1000"])
                ).httpPort)
            let admin = try await stack.adminToken(port: port)
            let replies = try await concurrently(60) { index in
                let reply = try await visitor(
                    stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.7", body: ["name": "Flood \(index)"])
                if reply.status == 429 {
                    #expect(errorCode(reply.object) == "rate_limited")
                    #expect((Int(reply.reply.headers["retry-after"] ?? "") ?? 0) >= 1)
                }
                return reply.status
            }
            #expect(replies.filter { $0 == 201 }.count == 10, "\(replies)")
            #expect(replies.filter { $0 == 429 }.count == 50)
            // Another customer, and the operators, are served.
            let other = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "198.51.100.20", body: ["name": "Ayşe"])
            #expect(other.status == 201)
            try await Poll.until("the Pool holds the 11 chats") { try await pool(stack, port: port, token: admin).count == 11 }
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
        }
    }

    @Test("at most 3 chats from one address wait at once, counted atomically; taking one makes room")
    func waitingPerAddress() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(.gateway, environment: Self.environment(["SWITCHBOARD_WAITING_PER_ADDRESS": "3"])).httpPort)
            let admin = try await stack.adminToken(port: port)
            let replies = try await concurrently(20) { index in
                try await visitor(
                    stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.8", body: ["name": "Wait \(index)"]
                ).status
            }
            #expect(replies.filter { $0 == 201 }.count == 3, "\(replies)")
            #expect(replies.filter { $0 == 429 }.count == 17)
            // Refused starts stored nothing.
            var waiting: [[String: Any]] = []
            try await Poll.until("3 chats wait") {
                waiting = try await pool(stack, port: port, token: admin)
                return waiting.count == 3
            }
            let id = try #require(waiting.first?["conversation_id"] as? String)
            #expect(try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: admin).status == 200)
            let next = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.8", body: ["name": "Next"])
            #expect(next.status == 201, "\(next.object)")
            let over = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.8", body: ["name": "Over"])
            #expect(over.status == 429)
        }
    }

    @Test("refused starts count against the start limit, so a flood soon costs one read each; room in the Pool does not reopen it")
    func refusedStartsCount() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(
                    .gateway,
                    environment: Self.environment(["SWITCHBOARD_CHAT_STARTS_PER_ADDRESS": "5", "SWITCHBOARD_WAITING_PER_ADDRESS": "1"])
                ).httpPort)
            let admin = try await stack.adminToken(port: port)
            var messages: [String] = []
            for index in 0..<5 {
                let reply = try await visitor(
                    stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.10", body: ["name": "Try \(index)"])
                #expect(reply.status == (index == 0 ? 201 : 429))
                messages.append(((reply.object["error"] as? [String: Any])?["message"] as? String) ?? "")
            }
            #expect(messages.dropFirst().allSatisfy { $0.contains("waiting") }, "\(messages)")
            var waiting: [[String: Any]] = []
            try await Poll.until("one chat waits") {
                waiting = try await pool(stack, port: port, token: admin)
                return waiting.count == 1
            }
            let id = try #require(waiting.first?["conversation_id"] as? String)
            #expect(try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: admin).status == 200)
            let sixth = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.10", body: ["name": "Sixth"])
            #expect(sixth.status == 429)
            let sixthMessage = (sixth.object["error"] as? [String: Any])?["message"] as? String
            #expect(sixthMessage?.contains("too many chats started") == true)
            // Another address is untouched.
            let other = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "198.51.100.21", body: ["name": "Ayşe"])
            #expect(other.status == 201)
        }
    }

    @Test("a visitor's retries of a stored message are not counted; 25 concurrent messages then fill the 8 a minute exactly, the rest 429")
    func visitorMessages() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(.gateway, environment: Self.environment(["SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE": "8"])).httpPort)
            let started = try await visitor(
                stack, "POST", "/api/v1/visitor/conversations", port: port, client: "203.0.113.9", body: ["name": "Ayşe"])
            let token = try #require(started.object["visitor_token"] as? String)
            let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            let path = "/api/v1/visitor/conversations/\(id)/messages"
            @Sendable func send(_ clientID: String) async throws -> Int {
                try await visitor(
                    stack, "POST", path, port: port, client: "203.0.113.9", token: token,
                    body: ["body": clientID, "client_message_id": clientID]
                ).status
            }
            #expect(try await send("first") == 201)
            // A retry of a stored message (its reply lost, say) is the same message, and not one more.
            for _ in 0..<10 { #expect(try await send("first") == 200) }
            let replies = try await concurrently(25) { index in try await send("burst-\(index)") }
            #expect(replies.filter { $0 == 201 }.count == 7, "\(replies)")
            #expect(replies.filter { $0 == 429 }.count == 18)
            let read = try await stack.http("GET", path + "?after_seq=0", port: port, headers: ["Authorization": "Bearer \(token)"])
            let messages = read.items
            #expect(messages.filter { ($0["author"] as? [String: Any])?["kind"] as? String == "customer" }.count == 8)
        }
    }

    @Test("50 concurrent wrong logins: at most 10 are checked (401), the rest 429; the owner logs in from an address that has not failed")
    func loginBurst() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Self.environment([:])).httpPort)
            let replies = try await concurrently(50) { index in
                try await visitor(
                    stack, "POST", "/api/v1/auth/login", port: port, client: "203.0.113.66",
                    body: ["email": "admin@example.com", "password": "guess-\(index)"]
                ).status
            }
            #expect(replies.filter { $0 == 401 }.count == 10, "\(replies)")
            #expect(replies.filter { $0 == 429 }.count == 40)
            // The guesser is slowed even with the right password; the owner elsewhere is not.
            let guesser = try await visitor(
                stack, "POST", "/api/v1/auth/login", port: port, client: "203.0.113.66",
                body: ["email": "admin@example.com", "password": "correct horse battery"])
            #expect(guesser.status == 429)
            let owner = try await visitor(
                stack, "POST", "/api/v1/auth/login", port: port, client: "198.51.100.1",
                body: ["email": "admin@example.com", "password": "correct horse battery"])
            #expect(owner.status == 200, "\(owner.object)")
        }
    }

    @Test("30 concurrent offline messages to one recipient against a limit of 10: exactly 10 filed")
    func offlineBurst() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(.gateway, environment: Self.environment(["SWITCHBOARD_OFFLINE_PER_RECIPIENT": "10"])).httpPort)
            let admin = try await stack.adminToken(port: port)
            let replies = try await concurrently(30) { index in
                try await visitor(
                    stack, "POST", "/api/v1/visitor/offline-messages", port: port, client: "203.0.113.\(index + 1)",
                    body: ["name": "Spam \(index)", "email": "victim@example.com", "message": "buy now \(index)"]
                ).status
            }
            #expect(replies.filter { $0 == 201 }.count == 10, "\(replies)")
            #expect(replies.filter { $0 == 429 }.count == 20)
            try await Poll.until("10 tickets wait") { try await pool(stack, port: port, token: admin).count == 10 }
        }
    }

    @Test("NUL and other controls in any text are 422 naming the field, and store nothing")
    func controls() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Self.environment([:])).httpPort)
            let admin = try await stack.adminToken(port: port)
            let cases: [(String, [String: Any], String)] = [
                ("/api/v1/visitor/conversations", ["name": "\u{0}"], "name"),
                ("/api/v1/visitor/conversations", ["name": "Ayşe", "message": "hi\u{1B}[2J"], "message"),
                ("/api/v1/visitor/offline-messages", ["name": "Ayşe", "email": "a\u{0}@example.com", "message": "?"], "email"),
                ("/api/v1/auth/login", ["email": "admin@example.com\u{0}", "password": "correct horse battery"], "email"),
            ]
            for (path, body, field) in cases {
                let reply = try await stack.json("POST", path, port: port, body: body)
                #expect(reply.status == 422 && errorField(reply.object) == field, "\(path) \(field): \(reply.status) \(reply.object)")
            }
            #expect(try await pool(stack, port: port, token: admin).isEmpty)
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
        }
    }
}
