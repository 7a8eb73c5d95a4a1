import Contracts
import Foundation
import Harness
import Logging
import Storage
import Testing

/// Runs statements against the test's database.
private func sql(_ stack: Stack, _ statements: String...) async throws {
    let database = Database(url: stack.databaseURL, size: 1, logger: Logger(label: "test"))
    try await withRunning(database) {
        for statement in statements {
            _ = try await database.transaction { try $0.query(SQL(unescaped: statement)) }
        }
    }
}

/// Reads one column of the first row, as text.
private func value(_ stack: Stack, _ query: String) async throws -> [String?] {
    let database = Database(url: stack.databaseURL, size: 1, logger: Logger(label: "test"))
    return try await withRunning(database) {
        try await database.transaction { try $0.query(SQL(unescaped: query)).map { try $0.decode("value", as: String?.self) } }
    }
}

private func object(_ any: Any?) -> [String: Any] { any as? [String: Any] ?? [:] }

/// The customer panel, the customer's own close, spam dismissal with blocks, the idle close, and
/// notifications settling when read.
@Suite("Customers, the customer's close, blocks and idle chats", .serialized)
struct CustomerPanelTests {
    /// A gateway on every back service, with an admin and one operator (available).
    func desk(
        _ stack: Stack, gateway extra: [String: String] = [:]
    ) async throws -> (port: Int, admin: String, op: String) {
        for service in ServiceName.back { try await stack.start(service) }
        let port = try #require(
            try await stack.start(.gateway, environment: Stack.adminEnvironment.merging(extra) { $1 }).httpPort)
        let admin = try await stack.adminToken(port: port)
        let op = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
        #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: op, body: ["available": true]).status == 200)
        return (port, admin, op)
    }

    /// Starts a chat as a new visitor (or `token`'s); returns the token and the conversation.
    func chat(
        _ stack: Stack, port: Int, name: String, email: String? = nil, message: String? = nil, token: String? = nil
    ) async throws -> (token: String, conversation: [String: Any]) {
        var body: [String: Any] = ["name": name]
        if let email { body["email"] = email }
        if let message { body["message"] = message }
        let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, token: token, body: body)
        #expect(started.status == 201, "\(started.object)")
        return (try #require(started.object["visitor_token"] as? String), object(started.object["conversation"]))
    }

    func inPool(_ stack: Stack, port: Int, token: String, _ id: String) async throws {
        try await Poll.until("\(id) in the Pool") {
            try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(token)"]).items.contains {
                $0["id"] as? String == id
            }
        }
    }

    @Test(
        "mail from one address is one customer, however many arrive at once; the panel lists their tickets and, unverified, the chat customer with that e-mail"
    )
    func customerPanel() async throws {
        try await MailDesk.with { desk in
            let stack = desk.stack, port = desk.port
            let admin = try await stack.adminToken(port: port)
            let op = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            // Four mails from one new address at once, its case changing: each a new ticket, one customer.
            let outcomes = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        let from = index % 2 == 0 ? "Elif.Kaya@Example.org" : "elif.kaya@example.org"
                        return try await desk.inbound(
                            """
                            From: Elif Kaya <\(from)>
                            To: support@example.com
                            Subject: Question \(index)
                            Message-ID: <elif-\(index)@example.org>

                            Question number \(index).
                            """
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes == [201, 201, 201, 201])
            var tickets: [[String: Any]] = []
            try await Poll.until("four tickets with their conversations") {
                tickets = try await desk.array("/api/v1/tickets", token: op)
                return tickets.count == 4
            }
            var customers = Set<String>()
            for ticket in tickets {
                let id = try #require(ticket["id"] as? String)
                let conversation = try await desk.json("GET", "/api/v1/conversations/\(id)", token: op).object
                customers.insert(try #require(object(conversation["customer"])["id"] as? String))
            }
            #expect(customers.count == 1, "one customer for one address")
            let mailCustomer = try #require(customers.first)

            // A widget chat giving the same address is someone else until proven: listed, not merged.
            let (_, chat) = try await chat(stack, port: port, name: "Elif", email: "ELIF.KAYA@example.org", message: "Merhaba")
            let chatCustomer = try #require(object(chat["customer"])["id"] as? String)
            #expect(chatCustomer != mailCustomer)

            let panel = try await desk.json("GET", "/api/v1/customers/\(mailCustomer)", token: op)
            #expect(panel.status == 200, "\(panel.object)")
            #expect(panel.object["email"] as? String == "elif.kaya@example.org")
            let conversations = try #require(panel.object["conversations"] as? [[String: Any]])
            #expect(conversations.count == 4)
            #expect(conversations.allSatisfy { $0["channel"] as? String == "email" && object($0["ticket"])["number"] is Int })
            let created = conversations.compactMap { $0["created_at"] as? String }
            #expect(created == created.sorted(by: >), "newest first")
            #expect(panel.object.keys.contains("next_cursor") && panel.object["next_cursor"] is NSNull)
            let same = try #require(panel.object["same_email"] as? [[String: Any]])
            #expect(same.map { $0["id"] as? String } == [chatCustomer])
            #expect(same.first?["verified"] as? Bool == false)

            let other = try await desk.json("GET", "/api/v1/customers/\(chatCustomer)", token: op).object
            #expect((other["conversations"] as? [[String: Any]])?.map { $0["id"] as? String } == [chat["id"] as? String])
            #expect((other["same_email"] as? [[String: Any]])?.map { $0["id"] as? String } == [mailCustomer])

            // Anyone without a session gets nothing; an unknown customer is 404.
            #expect(try await desk.json("GET", "/api/v1/customers/\(mailCustomer)").status == 401)
            #expect(try await desk.json("GET", "/api/v1/customers/\(UUID())", token: op).status == 404)
            #expect(try await desk.json("GET", "/api/v1/customers/not-an-id", token: op).status == 404)

            // A later mail from the address (a new thread) joins the same customer.
            let later = try await desk.inbound(
                "From: elif.kaya@example.org\nTo: support@example.com\nSubject: Again\nMessage-ID: <elif-9@example.org>\n\nOne more.\n")
            #expect(later.object["outcome"] as? String == "created")
            try await Poll.until("the fifth ticket on the same customer") {
                let page = try await desk.json("GET", "/api/v1/customers/\(mailCustomer)", token: op).object
                return (page["conversations"] as? [[String: Any]])?.count == 5
            }
        }
    }

    @Test("the migration merges the address's mail-only customers into the oldest; visitors' customers stay apart")
    func migrationMerges() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            // Back to the schema before the merge, with the duplicates it was written for.
            let (first, second, third, visitor) = (UUID(), UUID(), UUID(), UUID())
            try await sql(
                stack,
                "DROP INDEX conversation.customers_email_only",
                "DROP INDEX conversation.customers_email",
                "DELETE FROM platform.migrations WHERE schema_name = 'conversation' AND version = 6",
                """
                INSERT INTO conversation.customers (id, name, email, visitor_id, created_at) VALUES
                    ('\(second)', 'Ali', 'ali@example.com', NULL, now() - interval '1 day'),
                    ('\(first)', 'Ali V.', 'Ali@Example.com', NULL, now() - interval '2 days'),
                    ('\(third)', 'A.', 'ali@example.com', NULL, now()),
                    ('\(visitor)', 'Ali (chat)', 'ali@example.com', '\(UUID())', now())
                """,
                """
                INSERT INTO conversation.conversations (id, channel, customer_id) VALUES
                    ('\(UUID())', 'email', '\(first)'), ('\(UUID())', 'email', '\(second)'),
                    ('\(UUID())', 'email', '\(third)'), ('\(UUID())', 'chat', '\(visitor)')
                """
            )
            // Another instance starting applies the migration.
            try await stack.start(.conversation)
            let owners = try await value(
                stack, "SELECT customer_id::text AS value FROM conversation.conversations ORDER BY customer_id = '\(visitor)', customer_id")
            #expect(
                owners == [
                    first.uuidString.lowercased(), first.uuidString.lowercased(), first.uuidString.lowercased(),
                    visitor.uuidString.lowercased(),
                ])
            let left = try await value(
                stack, "SELECT id::text || ' ' || email AS value FROM conversation.customers ORDER BY visitor_id NULLS FIRST")
            #expect(left == ["\(first.uuidString.lowercased()) ali@example.com", "\(visitor.uuidString.lowercased()) ali@example.com"])
            // The index holds from now on.
            await #expect(throws: (any Error).self) {
                try await sql(stack, "INSERT INTO conversation.customers (id, name, email) VALUES ('\(UUID())', 'x', 'ALI@example.com')")
            }
        }
    }

    @Test("the customer ends the chat: closed by the customer, in the Archive; again is 200; others cannot; the queue place while waiting")
    func customerCloses() async throws {
        try await Stack.with { stack in
            let (port, _, op) = try await desk(stack)
            let (ayse, first) = try await chat(stack, port: port, name: "Ayşe", message: "Merhaba")
            let (mehmet, second) = try await chat(stack, port: port, name: "Mehmet", message: "Selam")
            let a = try #require(first["id"] as? String), b = try #require(second["id"] as? String)
            try await inPool(stack, port: port, token: op, b)
            let mine = try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port, token: mehmet)
            #expect(mine.status == 200)
            #expect(object(mine.object["queue"])["position"] as? Int == 2)
            #expect(object(mine.object["queue"]).keys.contains("estimated_wait_seconds"))
            // Only its own visitor sees or closes it.
            #expect(try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port, token: ayse).status == 404)
            #expect(try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port).status == 401)
            #expect(try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port, token: op).status == 401)
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations/\(a)/close", port: port, token: mehmet).status == 404)
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations/\(a)/close", port: port, token: op).status == 401)
            #expect(
                try await stack.json("GET", "/api/v1/conversations/\(a)", port: port, token: op).object["status"] as? String == "waiting")

            let closed = try await stack.json("POST", "/api/v1/visitor/conversations/\(a)/close", port: port, token: ayse)
            #expect(closed.status == 200, "\(closed.object)")
            #expect(closed.object["status"] as? String == "closed")
            #expect(closed.object["closed_reason"] as? String == "customer")
            #expect(closed.object["queue"] is NSNull)
            let again = try await stack.json("POST", "/api/v1/visitor/conversations/\(a)/close", port: port, token: ayse)
            #expect(again.status == 200 && again.object["closed_at"] as? String == closed.object["closed_at"] as? String)
            let write = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(a)/messages", port: port, token: ayse,
                body: ["body": "hâlâ orada mısınız?", "client_message_id": "late"])
            #expect(write.status == 409 && errorCode(write.object) == "closed")

            // The desk sees who closed it and why; it left the Pool, and the next chat moved up.
            let seen = try await stack.json("GET", "/api/v1/conversations/\(a)", port: port, token: op).object
            #expect(seen["closed_reason"] as? String == "customer")
            let archive = try await stack.http("GET", "/api/v1/archive", port: port, headers: ["Authorization": "Bearer \(op)"]).items
            #expect(archive.first { $0["id"] as? String == a }?["closed_reason"] as? String == "customer")
            try await Poll.until("the next chat first in the queue") {
                object(try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port, token: mehmet).object["queue"])[
                    "position"] as? Int == 1
            }
            // Taken: no longer in a queue.
            #expect(try await stack.json("POST", "/api/v1/pool/\(b)/take", port: port, token: op).status == 200)
            let taken = try await stack.json("GET", "/api/v1/visitor/conversations/\(b)", port: port, token: mehmet).object
            #expect(taken["status"] as? String == "assigned" && taken["queue"] is NSNull)
        }
    }

    @Test("dismissed as spam with block: closed (dismissed), audited, the visitor refused on start and send until an admin lifts it")
    func dismissAndBlock() async throws {
        try await Stack.with { stack in
            let (port, admin, op) = try await desk(stack)
            let (spammer, first) = try await chat(stack, port: port, name: "Bedava Para", message: "buy now")
            let (_, second) = try await chat(stack, port: port, name: "Bedava Para", message: "buy now!!", token: spammer)
            let a = try #require(first["id"] as? String), b = try #require(second["id"] as? String)
            let (_, third) = try await chat(stack, port: port, name: "Zeynep", message: "Kargom nerede?")
            let c = try #require(third["id"] as? String)
            try await inPool(stack, port: port, token: op, c)

            // Bad input and refusals change nothing.
            #expect(try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, body: ["block": true]).status == 401)
            #expect(
                try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, token: spammer, body: ["block": true]).status == 401)
            let malformed = try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, token: op, raw: Data("{no".utf8))
            #expect(malformed.status == 400)
            let wrongType = try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, token: op, body: ["block": "yes"])
            #expect(wrongType.status == 422 && errorField(wrongType.object) == "block")
            #expect(try await stack.json("POST", "/api/v1/pool/\(UUID())/dismiss", port: port, token: op, body: [:]).status == 404)
            #expect(try await stack.json("POST", "/api/v1/pool/\(c)/take", port: port, token: op).status == 200)
            let taken = try await stack.json("POST", "/api/v1/pool/\(c)/dismiss", port: port, token: op, body: ["block": true])
            #expect(taken.status == 409 && errorCode(taken.object) == "already_taken")
            #expect(try await stack.json("GET", "/api/v1/blocks", port: port, token: admin).reply.items.isEmpty)

            let dismissed = try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, token: op, body: ["block": true])
            #expect(dismissed.status == 200, "\(dismissed.object)")
            let view = object(dismissed.object["conversation"])
            #expect(view["status"] as? String == "closed" && view["closed_reason"] as? String == "dismissed")
            let audit = try #require(view["audit"] as? [[String: Any]])
            #expect(audit.last?["how"] as? String == "dismissed")
            #expect(object(audit.last?["by"])["name"] as? String == "Can")
            // Dismissing again (a retry) answers the same, and audits nothing more.
            let twice = try await stack.json("POST", "/api/v1/pool/\(a)/dismiss", port: port, token: op, body: ["block": true])
            #expect(twice.status == 200 && (object(twice.object["conversation"])["audit"] as? [Any])?.count == audit.count)

            // The visitor is refused from now on: no new chat, no message in the one still open.
            let start = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, token: spammer, body: ["name": "Yeniden"])
            #expect(start.status == 403 && errorCode(start.object) == "blocked", "\(start.object)")
            let send = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(b)/messages", port: port, token: spammer,
                body: ["body": "hello?", "client_message_id": "after-block"])
            #expect(send.status == 403 && errorCode(send.object) == "blocked")

            // The admins see and lift blocks; operators may not.
            #expect(try await stack.json("GET", "/api/v1/blocks", port: port, token: op).status == 403)
            let blocks = try await stack.json("GET", "/api/v1/blocks", port: port, token: admin).reply.items
            #expect(blocks.count == 1)
            let block = try #require(blocks.first)
            #expect(object(block["customer"])["name"] as? String == "Bedava Para")
            #expect(object(block["blocked_by"])["name"] as? String == "Can")
            #expect(block["conversation_id"] as? String == a)
            let visitor = try #require(block["id"] as? String)
            #expect(try await stack.json("GET", "/api/v1/blocks?limit=0", port: port, token: admin).status == 422)
            #expect(try await stack.json("DELETE", "/api/v1/blocks/\(visitor)", port: port, token: op).status == 403)
            #expect(try await stack.json("DELETE", "/api/v1/blocks/\(visitor)", port: port, token: admin).status == 204)
            #expect(try await stack.json("DELETE", "/api/v1/blocks/\(visitor)", port: port, token: admin).status == 404)
            let back = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(b)/messages", port: port, token: spammer,
                body: ["body": "sorry", "client_message_id": "after-lift"])
            #expect(back.status == 201)

            // Without block, a dismissal blocks nobody.
            #expect(try await stack.json("POST", "/api/v1/pool/\(b)/dismiss", port: port, token: op, body: [:]).status == 200)
            #expect(try await stack.json("GET", "/api/v1/blocks", port: port, token: admin).reply.items.isEmpty)
            _ = try await chat(stack, port: port, name: "Bedava Para", token: spammer)
        }
    }

    @Test(
        "idle_close_minutes: range-checked; a chat the desk spoke last in closes once quiet that long (idle, nobody's); one the customer spoke last in waits"
    )
    func idleClose() async throws {
        try await Stack.with { stack in
            let (port, admin, op) = try await desk(stack)
            var settings = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            #expect(settings.keys.contains("idle_close_minutes") && settings["idle_close_minutes"] is NSNull)
            for bad: Any in [0, 10_081, "ten", -1] {
                settings["idle_close_minutes"] = bad
                let refused = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings)
                #expect(refused.status == 422 && errorField(refused.object) == "idle_close_minutes", "\(bad): \(refused.object)")
            }
            settings["idle_close_minutes"] = 1
            #expect(try await stack.json("PUT", "/api/v1/settings", port: port, token: op, body: settings).status == 403)
            let saved = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings)
            #expect(saved.status == 200 && saved.object["idle_close_minutes"] as? Int == 1)
            // A document without it keeps it.
            settings.removeValue(forKey: "idle_close_minutes")
            #expect(
                try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings).object["idle_close_minutes"]
                    as? Int == 1)

            let (_, quiet) = try await chat(stack, port: port, name: "Sessiz")
            let (_, asking) = try await chat(stack, port: port, name: "Soran", message: "Bir sorum var")
            let (_, answered) = try await chat(stack, port: port, name: "Cevaplanan", message: "Merhaba")
            let q = try #require(quiet["id"] as? String), s = try #require(asking["id"] as? String)
            let r = try #require(answered["id"] as? String)
            try await inPool(stack, port: port, token: op, r)
            #expect(try await stack.json("POST", "/api/v1/pool/\(r)/take", port: port, token: op).status == 200)
            #expect(
                try await stack.json(
                    "POST", "/api/v1/conversations/\(r)/messages", port: port, token: op,
                    body: ["body": "Buyrun", "client_message_id": "op-1"]
                ).status == 201)
            // Two minutes pass for these chats' messages.
            try await sql(
                stack,
                "UPDATE conversation.messages SET created_at = created_at - interval '2 minutes' WHERE conversation_id IN ('\(q)', '\(s)', '\(r)')"
            )
            for id in [q, r] {
                try await Poll.until("\(id) closed as idle") {
                    try await stack.json("GET", "/api/v1/conversations/\(id)", port: port, token: op).object["status"] as? String
                        == "closed"
                }
                let closed = try await stack.json("GET", "/api/v1/conversations/\(id)", port: port, token: op).object
                #expect(closed["closed_reason"] as? String == "idle")
            }
            let closers = try await value(
                stack, "SELECT closed_by_id::text AS value FROM conversation.conversations WHERE id IN ('\(q)', '\(r)')")
            #expect(closers == [nil, nil])
            // The customer who spoke last is waiting for the desk, not idle.
            #expect(
                try await stack.json("GET", "/api/v1/conversations/\(s)", port: port, token: op).object["status"] as? String == "waiting")
            // Its operator is free of the idle chat.
            try await Poll.until("the idle chat leaves Can's Messages") {
                try await stack.http("GET", "/api/v1/messages", port: port, headers: ["Authorization": "Bearer \(op)"]).items.isEmpty
            }
        }
    }

    @Test("reading a conversation settles that operator's notifications of it, no one else's, no other conversation's")
    func notificationsSettle() async throws {
        try await Stack.with { stack in
            let (port, admin, can) = try await desk(stack)
            let elif = try await stack.newOperator(port: port, admin: admin, name: "Elif", email: "elif@example.com")
            #expect(
                try await stack.json("PUT", "/api/v1/me/availability", port: port, token: elif, body: ["available": true]).status == 200)
            let (_, first) = try await chat(stack, port: port, name: "Ayşe", message: "Merhaba")
            let (_, second) = try await chat(stack, port: port, name: "Mehmet", message: "Selam")
            let a = try #require(first["id"] as? String), b = try #require(second["id"] as? String)
            func unread(_ token: String, _ id: String) async throws -> Int {
                try await stack.http(
                    "GET", "/api/v1/notifications?unread=true&limit=500", port: port, headers: ["Authorization": "Bearer \(token)"]
                )
                .items.filter { $0["conversation_id"] as? String == id }.count
            }
            try await Poll.until("both operators told of both chats") {
                for token in [can, elif] {
                    for id in [a, b] where try await unread(token, id) == 0 { return false }
                }
                return true
            }
            let read = try await stack.json("POST", "/api/v1/conversations/\(a)/read", port: port, token: can, body: ["seq": 2])
            #expect(read.status == 204)
            #expect(try await unread(can, a) == 0)
            #expect(try await unread(can, b) > 0)
            #expect(try await unread(elif, a) > 0)
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(a)/read", port: port, token: can, body: ["seq": -1]).status == 422)
            #expect(try await stack.json("POST", "/api/v1/conversations/\(a)/read", port: port, body: ["seq": 2]).status == 401)
        }
    }
}
