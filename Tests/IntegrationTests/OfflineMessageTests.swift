import Contracts
import Foundation
import Harness
import Testing

@Suite("Offline messages become tickets", .serialized)
struct OfflineMessageTests {
    static var leave: [String: Any] { ["name": "Ayşe Yılmaz", "email": "ayse@example.com", "message": "Siparişim nerede?"] }

    func pool(_ stack: Stack, port: Int, token: String) async throws -> [[String: Any]] {
        let reply = try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(token)"])
        return reply.items
    }

    @Test("a message left while closed is ticket #1001, waiting in the Pool as a ticket; taking it needs availability")
    func ticketInPool() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")

            let filed = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: Self.leave)
            #expect(filed.status == 201, "\(filed.object)")
            let ticket = try #require(filed.object["ticket"] as? [String: Any])
            #expect(ticket["number"] as? Int == 1001)
            let id = try #require(ticket["conversation_id"] as? String)
            let visitor = try #require(filed.object["visitor_token"] as? String)
            let second = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, token: visitor, body: Self.leave)
            #expect((second.object["ticket"] as? [String: Any])?["number"] as? Int == 1002)
            #expect(second.object["visitor_token"] as? String == visitor)

            try await Poll.until("the ticket in the Pool") {
                try await pool(stack, port: port, token: can).contains { $0["id"] as? String == id }
            }
            let item = try #require(try await pool(stack, port: port, token: can).first { $0["id"] as? String == id })
            #expect(item["kind"] as? String == "ticket")
            #expect(item["preview"] as? String == "Siparişim nerede?")
            let mine = try await stack.http(
                "GET", "/api/v1/visitor/conversations", port: port, headers: ["Authorization": "Bearer \(visitor)"])
            let conversations = mine.items
            #expect(conversations.count == 2 && conversations.allSatisfy { $0["channel"] as? String == "email" })

            let refused = try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: can)
            #expect(refused.status == 403)
            #expect(errorCode(refused.object) == "unavailable")
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: can, body: ["available": true]).status == 200)
            #expect(try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: can).status == 200)
        }
    }

    @Test("bad offline messages name the field and file nothing; one recipient gets at most 10 an hour")
    func refusals() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            for (body, field) in [
                (["name": "Ayşe", "message": "?"], "email"),
                (["name": "Ayşe", "email": "not an address", "message": "?"], "email"),
                (["name": "  ", "email": "ayse@example.com", "message": "?"], "name"),
                (["name": "Ayşe", "email": "ayse@example.com", "message": " \n "], "message"),
                (["name": "Ayşe", "email": "ayse@example.com", "message": String(repeating: "ş", count: 10_001)], "message"),
            ] {
                let reply = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: body)
                #expect(reply.status == 422 && errorField(reply.object) == field, "\(field): \(reply.status) \(reply.object)")
            }
            let broken = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, raw: Data("{broken".utf8))
            #expect(broken.status == 400)
            #expect(try await pool(stack, port: port, token: admin).isEmpty)

            var statuses: [Int] = []
            for number in 0..<11 {
                var body = Self.leave
                body["message"] = "message \(number)"
                statuses.append(try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: body).status)
            }
            #expect(statuses == Array(repeating: 201, count: 10) + [429])
            let limited = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: Self.leave)
            #expect(limited.reply.headers["retry-after"] != nil)
            var other = Self.leave
            other["email"] = "mehmet@example.com"
            #expect(try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: other).status == 201)
        }
    }

    @Test("with the conversation service away the message is kept, and the sweeper opens the ticket once it is back")
    func sweeper() async throws {
        try await Stack.with { stack in
            try await stack.start(.pool)
            try await stack.start(.ticketing, environment: ["SWITCHBOARD_RPC_TIMEOUT_MS": "500"])
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let filed = try await stack.json("POST", "/api/v1/visitor/offline-messages", port: port, body: Self.leave)
            #expect(filed.status == 201, "\(filed.object)")
            let ticket = try #require(filed.object["ticket"] as? [String: Any])
            #expect(ticket["number"] as? Int == 1001)
            #expect(ticket["conversation_id"] is NSNull)

            try await stack.start(.conversation)
            try await Poll.until("the sweeper to open the ticket", timeout: .seconds(60)) {
                try await pool(stack, port: port, token: admin).contains { $0["kind"] as? String == "ticket" }
            }
            #expect(try await pool(stack, port: port, token: admin).count == 1)
        }
    }
}
