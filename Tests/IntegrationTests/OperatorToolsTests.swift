import Contracts
import Foundation
import Harness
import Logging
import Storage
import Testing

private func object(_ any: Any?) -> [String: Any] { any as? [String: Any] ?? [:] }
private func items(_ object: [String: Any]) -> [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }

/// Runs one statement against the test's database.
private func sql(_ stack: Stack, _ statement: String) async throws {
    let database = Database(url: stack.databaseURL, size: 1, logger: Logger(label: "test"))
    try await withRunning(database) {
        _ = try await database.transaction { try $0.query(SQL(unescaped: statement)) }
    }
}

/// The operators' tools: canned responses (scopes, validation, placeholders, paging, caps) and
/// internal notes (in the operators' timeline and the Archive; never on a visitor route or
/// stream, never in a mail).
@Suite("Canned responses and internal notes", .serialized)
struct OperatorToolsTests {
    @Test("canned responses: desk ones are the admins', personal ones their owner's alone; refusals change nothing")
    func cannedScopes() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            let elif = try await stack.newOperator(port: port, admin: admin, name: "Elif", email: "elif@example.com")
            func post(_ token: String, _ body: [String: Any]) async throws -> (status: Int, object: [String: Any]) {
                let reply = try await stack.json("POST", "/api/v1/canned-responses", port: port, token: token, body: body)
                return (reply.status, reply.object)
            }

            let desk = try await post(
                admin,
                [
                    "shortcut": "hello", "title": "Greeting", "body": "Hello {{customer.first_name}}, I'm {{operator.name}}.",
                    "scope": "desk",
                ])
            #expect(desk.status == 201, "\(desk.object)")
            let deskID = try #require(desk.object["id"] as? String)
            #expect(desk.object["owner_id"] == nil || desk.object["owner_id"] is NSNull, "a desk one has no owner")
            // A non-admin may not add to the desk's, even with a body that is wrong as well (403 first).
            let refused = try await post(can, ["shortcut": "BAD SHORTCUT", "title": "", "body": "x", "scope": "desk"])
            #expect(refused.status == 403 && errorCode(refused.object) == "forbidden", "\(refused.object)")
            let mine = try await post(
                can, ["shortcut": "bye", "title": "Goodbye", "body": "Bye {{ customer.name }}!", "scope": "personal"])
            #expect(mine.status == 201, "\(mine.object)")
            let mineID = try #require(mine.object["id"] as? String)
            // Elif may use the same shortcut for her own; Can may not twice, nor the desk twice.
            #expect(try await post(elif, ["shortcut": "bye", "title": "Mine", "body": "Ciao", "scope": "personal"]).status == 201)
            let twice = try await post(can, ["shortcut": "bye", "title": "Again", "body": "Bye", "scope": "personal"])
            #expect(twice.status == 409 && errorCode(twice.object) == "shortcut_taken")
            let deskTwice = try await post(admin, ["shortcut": "hello", "title": "Again", "body": "Hi", "scope": "desk"])
            #expect(deskTwice.status == 409 && errorCode(deskTwice.object) == "shortcut_taken")

            // Each sees the desk's and their own only.
            func shortcuts(_ token: String, _ query: String = "") async throws -> [String] {
                items(try await stack.json("GET", "/api/v1/canned-responses\(query)", port: port, token: token).object).compactMap {
                    "\($0["scope"] as? String ?? "?"):\($0["shortcut"] as? String ?? "?")"
                }
            }
            #expect(try await shortcuts(can) == ["desk:hello", "personal:bye"])
            #expect(try await shortcuts(elif) == ["desk:hello", "personal:bye"])
            #expect(try await shortcuts(admin) == ["desk:hello"])
            #expect(try await shortcuts(can, "?q=Goo") == ["personal:bye"], "a title prefix, any case")
            #expect(try await shortcuts(can, "?q=he") == ["desk:hello"])
            #expect(try await shortcuts(can, "?q=%25") == [], "the prefix is literal")

            // Another's personal one does not exist for them; the desk's is the admins' to change.
            let change: [String: Any] = ["shortcut": "bye", "title": "Goodbye", "body": "Changed", "scope": "personal"]
            for token in [elif, admin] {
                #expect(
                    try await stack.json("PUT", "/api/v1/canned-responses/\(mineID)", port: port, token: token, body: change).status == 404)
                #expect(try await stack.json("DELETE", "/api/v1/canned-responses/\(mineID)", port: port, token: token).status == 404)
            }
            let deskChange: [String: Any] = ["shortcut": "hello", "title": "Greeting", "body": "Changed", "scope": "desk"]
            #expect(
                try await stack.json("PUT", "/api/v1/canned-responses/\(deskID)", port: port, token: can, body: deskChange).status == 403)
            #expect(try await stack.json("DELETE", "/api/v1/canned-responses/\(deskID)", port: port, token: can).status == 403)
            let moved = try await stack.json(
                "PUT", "/api/v1/canned-responses/\(mineID)", port: port, token: can,
                body: ["shortcut": "bye", "title": "Goodbye", "body": "Bye", "scope": "desk"])
            #expect(moved.status == 422 && object(object(moved.object["error"])["details"])["field"] as? String == "scope")
            let changed = try await stack.json("PUT", "/api/v1/canned-responses/\(mineID)", port: port, token: can, body: change)
            #expect(changed.status == 200 && changed.object["body"] as? String == "Changed")

            // Validation: each refusal names its field, and nothing is stored.
            let invalid: [([String: Any], String)] = [
                (["shortcut": "Hello", "title": "T", "body": "B", "scope": "personal"], "shortcut"),
                (["shortcut": "", "title": "T", "body": "B", "scope": "personal"], "shortcut"),
                (["shortcut": String(repeating: "a", count: 33), "title": "T", "body": "B", "scope": "personal"], "shortcut"),
                (["shortcut": "ok", "title": "  ", "body": "B", "scope": "personal"], "title"),
                (["shortcut": "ok", "title": String(repeating: "t", count: 101), "body": "B", "scope": "personal"], "title"),
                (["shortcut": "ok", "title": "T", "body": String(repeating: "b", count: 5001), "scope": "personal"], "body"),
                (["shortcut": "ok", "title": "T", "body": "Dear {{customer.surname}}", "scope": "personal"], "body"),
                (["shortcut": "ok", "title": "T", "body": "B", "scope": "team"], "scope"),
                (["shortcut": "ok", "title": "T\u{1}", "body": "B", "scope": "personal"], "title"),
                (["title": "T", "body": "B", "scope": "personal"], "shortcut"),
            ]
            for (body, field) in invalid {
                let reply = try await post(can, body)
                let error = object(reply.object["error"])
                #expect(reply.status == 422 && object(error["details"])["field"] as? String == field, "\(body): \(reply.object)")
            }
            let unknown = try await post(can, ["shortcut": "ok", "title": "T", "body": "Dear {{customer.surname}}", "scope": "personal"])
            #expect((object(unknown.object["error"])["message"] as? String)?.contains("{{customer.surname}}") == true)
            #expect(try await shortcuts(can) == ["desk:hello", "personal:bye"])

            // Placeholders are filled for the conversation, by the server, for whoever uses it.
            let started = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe Yılmaz", "email": "ayse@example.org"])
            let conversation = try #require(object(started.object["conversation"])["id"] as? String)
            let rendered = try await stack.json(
                "GET", "/api/v1/canned-responses/\(deskID)/render?conversation_id=\(conversation)", port: port, token: can)
            #expect(rendered.status == 200 && rendered.object["body"] as? String == "Hello Ayşe, I'm Can Öztürk.", "\(rendered.object)")
            let bye = try await stack.json(
                "PUT", "/api/v1/canned-responses/\(mineID)", port: port, token: can,
                body: ["shortcut": "bye", "title": "Goodbye", "body": "Bye {{ customer.name }} <{{customer.email}}>", "scope": "personal"])
            #expect(bye.status == 200)
            let filled = try await stack.json(
                "GET", "/api/v1/canned-responses/\(mineID)/render?conversation_id=\(conversation)", port: port, token: can)
            #expect(filled.object["body"] as? String == "Bye Ayşe Yılmaz <ayse@example.org>")
            #expect(
                try await stack.json(
                    "GET", "/api/v1/canned-responses/\(mineID)/render?conversation_id=\(conversation)", port: port, token: elif
                )
                .status == 404)
            let noConversation = try await stack.json(
                "GET", "/api/v1/canned-responses/\(deskID)/render?conversation_id=\(UUID())", port: port, token: can)
            #expect(noConversation.status == 422, "\(noConversation.object)")
            #expect(try await stack.json("GET", "/api/v1/canned-responses/\(deskID)/render", port: port, token: can).status == 422)

            // Deleting: the owner's own, the admin the desk's.
            #expect(try await stack.json("DELETE", "/api/v1/canned-responses/\(mineID)", port: port, token: can).status == 204)
            #expect(try await stack.json("DELETE", "/api/v1/canned-responses/\(mineID)", port: port, token: can).status == 404)
            #expect(try await shortcuts(can) == ["desk:hello"])
        }
    }

    @Test("canned responses page by cursor, stop at the cap, and writes are rate limited per operator")
    func cannedBounds() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: can).object["id"] as? String)

            // 199 of Can's own already there (written straight to the table: the rate limit would
            // take minutes of writes through the API); the 200th is allowed, the 201st is not.
            try await sql(
                stack,
                """
                INSERT INTO conversation.canned_responses (id, scope, owner_id, shortcut, title, body, created_at)
                SELECT gen_random_uuid(), 'personal', '\(canID)', 'r' || n, 'Reply ' || n, 'Text ' || n, now() - (200 - n) * interval '1 second'
                FROM generate_series(1, 199) n
                """)
            let last = try await stack.json(
                "POST", "/api/v1/canned-responses", port: port, token: can,
                body: ["shortcut": "last", "title": "Last", "body": "B", "scope": "personal"])
            #expect(last.status == 201, "\(last.object)")
            let over = try await stack.json(
                "POST", "/api/v1/canned-responses", port: port, token: can,
                body: ["shortcut": "over", "title": "Over", "body": "B", "scope": "personal"])
            #expect(over.status == 409 && errorCode(over.object) == "limit_reached", "\(over.object)")
            // The desk's cap is its own: the admin still adds one.
            #expect(
                try await stack.json(
                    "POST", "/api/v1/canned-responses", port: port, token: admin,
                    body: ["shortcut": "desk", "title": "Desk", "body": "B", "scope": "desk"]
                ).status == 201)

            // Paging: 201 visible to Can, 50 at a time, each once, oldest first.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await stack.json(
                    "GET", "/api/v1/canned-responses?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""), port: port, token: can)
                #expect(page.status == 200)
                let shortcuts = items(page.object).compactMap { $0["shortcut"] as? String }
                #expect(shortcuts.count <= 50)
                seen += shortcuts
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == 201 && Set(seen).count == 201)
            #expect(Array(seen.prefix(3)) == ["r1", "r2", "r3"])
            #expect(try await stack.json("GET", "/api/v1/canned-responses?limit=501", port: port, token: can).status == 422)
            #expect(try await stack.json("GET", "/api/v1/canned-responses?cursor=nonsense", port: port, token: can).status == 422)

            // Writes: 60 a minute per operator (adding `last` was one); the 61st waits, and changes nothing.
            let id = try #require(last.object["id"] as? String)
            for n in 1...59 {
                let reply = try await stack.json(
                    "PUT", "/api/v1/canned-responses/\(id)", port: port, token: can,
                    body: ["shortcut": "last", "title": "Last", "body": "Version \(n)", "scope": "personal"])
                #expect(reply.status == 200, "write \(n): \(reply.object)")
            }
            let limited = try await stack.json(
                "PUT", "/api/v1/canned-responses/\(id)", port: port, token: can,
                body: ["shortcut": "last", "title": "Last", "body": "Version 60", "scope": "personal"])
            #expect(limited.status == 429 && errorCode(limited.object) == "rate_limited")
            let stored = items(try await stack.json("GET", "/api/v1/canned-responses?q=last", port: port, token: can).object)
            #expect(stored.first?["body"] as? String == "Version 59")
        }
    }

    @Test(
        "an internal note is in the operators' timeline and the Archive, and on no visitor route or stream; the customer's seqs skip it"
    )
    func notesInChat() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let elif = try await stack.newOperator(port: port, admin: admin, name: "Elif", email: "elif@example.com")
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: can, body: ["available": true]).status == 200)

            let started = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe", "message": "Merhaba"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let id = try #require(object(started.object["conversation"])["id"] as? String)
            let visitorStream = try await LiveStream.open(port: port, visitor: true, token: visitor)
            let operatorStream = try await LiveStream.open(port: port, token: elif)
            try await Poll.until("the chat in the Pool") {
                try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(can)"]).items.contains {
                    $0["id"] as? String == id
                }
            }
            #expect(try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: can).status == 200)
            #expect(
                try await stack.json(
                    "POST", "/api/v1/conversations/\(id)/messages", port: port, token: can,
                    body: ["body": "Nasıl yardımcı olabilirim?", "client_message_id": "m1"]
                ).status == 201)

            // A colleague (not the holder) leaves a note; a retry with its id stores it once.
            let secret = "VIP müşteri, iade onaylı zebra"
            let note = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/notes", port: port, token: elif, body: ["body": secret, "client_message_id": "n1"])
            #expect(note.status == 201, "\(note.object)")
            #expect(object(note.object["author"])["kind"] as? String == "note")
            #expect(object(note.object["author"])["name"] as? String == "Elif")
            let again = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/notes", port: port, token: elif, body: ["body": secret, "client_message_id": "n1"])
            #expect(again.status == 200 && again.object["id"] as? String == note.object["id"] as? String)
            // Bad notes are refused and change nothing.
            for body in [["body": ""], ["body": String(repeating: "x", count: 10_001)], ["text": "x"], ["body": "a\u{0}b"]]
                as [[String: Any]]
            {
                #expect(
                    try await stack.json("POST", "/api/v1/conversations/\(id)/notes", port: port, token: elif, body: body).status == 422)
            }
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(UUID())/notes", port: port, token: elif, body: ["body": "x"]).status
                    == 404)
            #expect(
                try await stack.json("POST", "/api/v1/conversations/\(id)/notes", port: port, token: visitor, body: ["body": "x"]).status
                    == 401)
            #expect(
                try await stack.json(
                    "POST", "/api/v1/conversations/\(id)/messages", port: port, token: can,
                    body: ["body": "Hemen bakıyorum.", "client_message_id": "m2"]
                ).status == 201)

            // The operators' timeline: the note in its place, between the holder's two messages.
            let timeline = try await stack.http(
                "GET", "/api/v1/conversations/\(id)/messages", port: port, headers: ["Authorization": "Bearer \(can)"]
            ).items
            #expect(
                timeline.map { object($0["author"])["kind"] as? String ?? "?" } == ["system", "customer", "operator", "note", "operator"])
            #expect(timeline.compactMap { $0["seq"] as? Int } == [1, 2, 3, 4, 5])
            try await operatorStream.next("the note's frame") { frame in
                frame["type"] as? String == "message.created" && object(frame["data"])["body"] as? String == secret
            }

            // The customer: the messages without it (seq skips 4), the frame after it but not it.
            try await visitorStream.next("the message after the note") { frame in
                frame["type"] as? String == "message.created" && object(frame["data"])["body"] as? String == "Hemen bakıyorum."
            }
            #expect(visitorStream.all("message.created").allSatisfy { object($0["data"])["body"] as? String != secret })
            #expect(visitorStream.all("message.created").allSatisfy { object(object($0["data"])["author"])["kind"] as? String != "note" })
            let seen = try await stack.http(
                "GET", "/api/v1/visitor/conversations/\(id)/messages", port: port, headers: ["Authorization": "Bearer \(visitor)"]
            ).items
            #expect(seen.compactMap { $0["seq"] as? Int } == [1, 2, 3, 5])
            #expect(!seen.contains { $0["body"] as? String == secret })
            let scrolled = try await stack.http(
                "GET", "/api/v1/visitor/conversations/\(id)/messages?before_seq=5&limit=1", port: port,
                headers: ["Authorization": "Bearer \(visitor)"]
            ).items
            #expect(scrolled.compactMap { $0["seq"] as? Int } == [3], "scrolling back skips the note too")

            // A note as the latest entry is nobody's last message, the customer's views least of all.
            let last = try await stack.json(
                "POST", "/api/v1/conversations/\(id)/notes", port: port, token: can, body: ["body": "Son not: \(secret)"])
            #expect(last.status == 201)
            let view = try await stack.json("GET", "/api/v1/visitor/conversations/\(id)", port: port, token: visitor).object
            #expect(object(view["last_message"])["body"] as? String == "Hemen bakıyorum.")
            let history = try await stack.json("GET", "/api/v1/visitor/conversations", port: port, token: visitor)
            #expect(items(history.object).first.map { object($0["last_message"])["body"] as? String } == "Hemen bakıyorum.")
            let raw = String(
                decoding: try await stack.http(
                    "GET", "/api/v1/visitor/conversations", port: port, headers: ["Authorization": "Bearer \(visitor)"]
                ).body, as: UTF8.self)
            #expect(!raw.contains("zebra"))
            // The holder's own note is not unread for them.
            let mine = items(try await stack.json("GET", "/api/v1/messages", port: port, token: can).object)
            #expect(mine.first?["unread"] as? Int == 3, "the greeting, the customer's message and Elif's note: \(mine)")

            // Closed: in the Archive, found by the note's words; the customer's stream never had it.
            #expect(try await stack.json("POST", "/api/v1/conversations/\(id)/close", port: port, token: can).status == 200)
            try await visitorStream.next("conversation.closed", conversation: id)
            #expect(!visitorStream.frames.contains { String(describing: $0).contains("zebra") })
            let found = items(try await stack.json("GET", "/api/v1/archive?q=zebra", port: port, token: elif).object)
            #expect(found.map { $0["id"] as? String } == [id])
            let archived = try await stack.http(
                "GET", "/api/v1/conversations/\(id)/messages", port: port, headers: ["Authorization": "Bearer \(elif)"]
            ).items
            #expect(archived.filter { object($0["author"])["kind"] as? String == "note" }.count == 2)
            // A closed conversation takes no more notes.
            let closed = try await stack.json("POST", "/api/v1/conversations/\(id)/notes", port: port, token: can, body: ["body": "late"])
            #expect(closed.status == 409 && errorCode(closed.object) == "closed")
            visitorStream.close()
            operatorStream.close()
        }
    }

    @Test("a note in an e-mail ticket is never mailed: the reply after it carries none of it")
    func notesNeverMailed() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            let (_, id) = try await desk.leave(name: "Ayşe Yılmaz", email: "ayse@example.org", message: "Siparişim nerede?")
            try await desk.sink.waitFor(1, "acknowledgement")
            try await desk.take(id, token: can)
            let secret = "gizli-not-kapibara"
            #expect(try await desk.json("POST", "/api/v1/conversations/\(id)/notes", token: can, body: ["body": secret]).status == 201)
            let posted = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/messages", token: can, body: ["body": "Kargonuz yolda.", "client_message_id": "r1"])
            #expect(posted.status == 201)
            let mails = try await desk.sink.waitFor(2, "the acknowledgement and the reply")
            #expect(mails.count == 2, "no mail for the note")
            let reply = try #require(mails.last)
            #expect(reply["body"].contains("Kargonuz yolda."))
            #expect(mails.allSatisfy { mail in !mail.fields.values.contains { $0.contains("kapibara") } })
            // The timeline keeps it, with no delivery of its own.
            let note = try #require(try await desk.messages(id, token: can).first { object($0["author"])["kind"] as? String == "note" })
            #expect(note["body"] as? String == secret && note["delivery"] == nil)
        }
    }
}
