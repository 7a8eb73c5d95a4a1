import Contracts
import Foundation
import Harness
import Testing

/// Typing indicators, read receipts and ratings, through real processes.
@Suite("Live feel: typing, read receipts, ratings", .serialized)
struct LiveFeelTests {
    /// Reading positions a visitor may post in a minute, as the handbook gives it.
    static let readsPerMinute = 60

    /// A typing frame as a client sends it.
    static func typing(_ conversation: String) -> String { #"{"type":"typing","conversation_id":"\#(conversation)"}"# }

    /// The next `typing` frame on `stream`, whichever conversation it is about.
    static func nextTyping(_ stream: LiveStream, timeout: Duration = .seconds(15)) async throws -> [String: Any] {
        let frame = try await stream.next("typing", timeout: timeout) { $0["type"] as? String == "typing" }
        return try #require(frame["data"] as? [String: Any])
    }

    static func author(_ data: [String: Any]) -> (kind: String?, name: String?) {
        let author = data["author"] as? [String: Any]
        return (author?["kind"] as? String, author?["name"] as? String)
    }

    /// How many rows every table of every schema holds, by table.
    static func rowCounts(_ stack: Stack) async throws -> [String: Int] {
        let tables = try await stack.rows(
            """
            SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """
        ).compactMap { $0["name"] }
        #expect(tables.contains("platform.events") && tables.contains("conversation.messages"), "\(tables)")
        let union = tables.map { "SELECT '\($0)' AS name, count(*)::text AS rows FROM \($0)" }.joined(separator: " UNION ALL ")
        var counts: [String: Int] = [:]
        for row in try await stack.rows(union) { counts[row["name"] ?? ""] = Int(row["rows"] ?? "") ?? -1 }
        return counts
    }

    @Test(
        "typing crosses gateways both ways, reaches only the conversation's visitor and the operators (never the typist), and is never stored"
    )
    func typingAcrossGateways() async throws {
        try await TeamDesk.with(gateways: 2) { desk in
            let (a, b) = (desk.gateways[0], desk.gateways[1])
            let can = try await desk.newOperator("Can Öztürk")
            let ece = try await desk.newOperator("Ece Yılmaz")
            try await desk.available(can.token, ["available": true])
            let ayse = try await desk.chat("Ayşe")
            let mehmet = try await desk.chat("Mehmet")
            for chat in [ayse.id, mehmet.id] {
                let taken = try await desk.json("POST", "/api/v1/pool/\(chat)/take", token: can.token)
                #expect(taken.status == 200, "\(taken.object)")
            }
            // Ayşe and Mehmet on gateway A, Can on B, his colleague Ece on A.
            let ayseStream = try await LiveStream.open(port: a, visitor: true, token: ayse.visitor)
            let mehmetStream = try await LiveStream.open(port: a, visitor: true, token: mehmet.visitor)
            let canStream = try await LiveStream.open(port: b, token: can.token)
            let eceStream = try await LiveStream.open(port: a, token: ece.token)
            let before = try await Self.rowCounts(desk.stack)

            // Frames that must go nowhere: Ayşe typing in Mehmet's chat, Ece in a chat she does not
            // hold, a frame too long, one that is not JSON, one of another type.
            ayseStream.socket.send(Self.typing(mehmet.id))
            eceStream.socket.send(Self.typing(ayse.id))
            ayseStream.socket.send(#"{"type":"typing","conversation_id":"\#(ayse.id)","padding":"\#(String(repeating: "x", count: 300))"}"#)
            ayseStream.socket.send("not json")
            ayseStream.socket.send(#"{"type":"hello","conversation_id":"\#(ayse.id)"}"#)

            // The customer types on A: the operators see it on B and on A; Mehmet does not.
            ayseStream.socket.send(Self.typing(ayse.id))
            let seenByCan = try await Self.nextTyping(canStream)
            #expect(seenByCan["conversation_id"] as? String == ayse.id)
            #expect(Self.author(seenByCan).kind == "customer" && Self.author(seenByCan).name == "Ayşe", "\(seenByCan)")
            let seenByEce = try await Self.nextTyping(eceStream)
            #expect(seenByEce["conversation_id"] as? String == ayse.id && Self.author(seenByEce).kind == "customer")

            // Can answers-types on B: Ayşe sees it on A, and so does Ece; Can does not see himself.
            canStream.socket.send(Self.typing(ayse.id))
            let seenByAyse = try await Self.nextTyping(ayseStream)
            #expect(seenByAyse["conversation_id"] as? String == ayse.id)
            #expect(Self.author(seenByAyse).kind == "operator" && Self.author(seenByAyse).name == "Can Öztürk", "\(seenByAyse)")
            let colleague = try await Self.nextTyping(eceStream)
            #expect(colleague["conversation_id"] as? String == ayse.id && Self.author(colleague).kind == "operator")

            // Can types in Mehmet's chat: the first typing Mehmet's stream ever shows is that one,
            // so nothing of Ayşe's chat reached him (one channel, in order).
            canStream.socket.send(Self.typing(mehmet.id))
            let seenByMehmet = try await Self.nextTyping(mehmetStream)
            #expect(seenByMehmet["conversation_id"] as? String == mehmet.id, "\(mehmetStream.types)")
            #expect(Self.author(seenByMehmet).kind == "operator", "\(seenByMehmet)")
            #expect(mehmetStream.all("typing").count == 1)
            // Mehmet types: the next typing on Can's stream is his, not Can's own.
            mehmetStream.socket.send(Self.typing(mehmet.id))
            let next = try await Self.nextTyping(canStream)
            #expect(next["conversation_id"] as? String == mehmet.id && Self.author(next).kind == "customer", "\(canStream.types)")
            #expect(canStream.all("typing").count == 2, "\(canStream.types)")
            // Ece saw Ayşe, Can in Ayşe's chat, Can in Mehmet's, Mehmet: none of the refused frames.
            _ = try await Self.nextTyping(eceStream)
            let last = try await Self.nextTyping(eceStream)
            #expect(last["conversation_id"] as? String == mehmet.id && Self.author(last).kind == "customer", "\(eceStream.types)")
            #expect(eceStream.all("typing").count == 4, "\(eceStream.types)")
            #expect(ayseStream.all("typing").count == 1, "\(ayseStream.types)")

            // Nothing of it was written anywhere: every table holds the rows it held.
            let after = try await Self.rowCounts(desk.stack)
            #expect(after == before, "rows changed: \(after.filter { before[$0.key] != $0.value })")
            let stored = try await desk.stack.rows("SELECT count(*) AS n FROM platform.events WHERE type LIKE '%typing%'")
            #expect(stored.first?["n"] == "0")
            for stream in [ayseStream, mehmetStream, canStream, eceStream] { stream.close() }
        }
    }

    @Test("a flood of typing frames relays a bounded number and the stream goes on working")
    func typingFlood() async throws {
        try await TeamDesk.with { desk in
            let can = try await desk.newOperator("Can Öztürk")
            try await desk.available(can.token, ["available": true])
            let ayse = try await desk.chat("Ayşe")
            #expect(try await desk.json("POST", "/api/v1/pool/\(ayse.id)/take", token: can.token).status == 200)
            let ayseStream = try await LiveStream.open(port: desk.port, visitor: true, token: ayse.visitor)
            let canStream = try await LiveStream.open(port: desk.port, token: can.token)

            let started = ContinuousClock.now
            for _ in 0..<500 { ayseStream.socket.send(Self.typing(ayse.id)) }
            // Then a message: it arrives after the flood on both streams.
            let posted = try await desk.json(
                "POST", "/api/v1/visitor/conversations/\(ayse.id)/messages", token: ayse.visitor,
                body: ["body": "after the flood", "client_message_id": "flood-1"])
            #expect(posted.status == 201)
            try await canStream.next("the message after the flood") {
                ($0["data"] as? [String: Any])?["body"] as? String == "after the flood"
            }
            try await ayseStream.next("the message after the flood") {
                ($0["data"] as? [String: Any])?["body"] as? String == "after the flood"
            }
            // A burst of 3, then one every half second, over however long that took.
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            let relayed = canStream.all("typing").count
            #expect(relayed >= 1 && Double(relayed) <= 4 + seconds * 2, "\(relayed) relayed in \(seconds) s")
            #expect(relayed < 100, "\(relayed) of 500 relayed")

            // The stream still carries typing once the flood is over.
            let seen = relayed
            try await Poll.until("a typing frame after the flood") {
                ayseStream.socket.send(Self.typing(ayse.id))
                return (try? await canStream.next("typing", timeout: .seconds(1)) { $0["type"] as? String == "typing" }) != nil
                    && canStream.all("typing").count > seen
            }
            ayseStream.close()
            canStream.close()
        }
    }

    @Test("read receipts both ways: the customer's position never moves back and is range-checked; the desk's is the furthest operator's")
    func readReceipts() async throws {
        try await TeamDesk.with { desk in
            let can = try await desk.newOperator("Can Öztürk")
            try await desk.available(can.token, ["available": true])
            let ayse = try await desk.chat("Ayşe")
            let mehmet = try await desk.chat("Mehmet")
            #expect(try await desk.json("POST", "/api/v1/pool/\(ayse.id)/take", token: can.token).status == 200)
            let ayseStream = try await LiveStream.open(port: desk.port, visitor: true, token: ayse.visitor)
            let canStream = try await LiveStream.open(port: desk.port, token: can.token)
            let reply = try await desk.json(
                "POST", "/api/v1/conversations/\(ayse.id)/messages", token: can.token,
                body: ["body": "Merhaba Ayşe", "client_message_id": "r-1"])
            #expect(reply.status == 201)
            let last = try #require(reply.object["seq"] as? Int)  // 3: greeting, "Merhaba", Can's reply
            let path = "/api/v1/visitor/conversations/\(ayse.id)/read"

            // Refusals change nothing.
            for (body, field) in [
                (["seq": 0] as [String: Any], "seq"), (["seq": last + 1], "seq"), (["seq": -4], "seq"), (["seq": "two"], "seq"),
            ] {
                let refused = try await desk.json("POST", path, token: ayse.visitor, body: body)
                #expect(refused.status == 422 && errorField(refused.object) == field, "\(body): \(refused.status) \(refused.object)")
            }
            #expect(try await desk.json("POST", path, token: mehmet.visitor, body: ["seq": 1]).status == 404)
            #expect(try await desk.json("POST", path, body: ["seq": 1]).status == 401)
            #expect(try await desk.json("POST", path, token: can.token, body: ["seq": 1]).status == 401)
            #expect(try await desk.conversation(ayse.id)["customer_read_seq"] as? Int == 0)

            // The customer reads to the end: the operator sees it live and on the conversation.
            #expect(try await desk.json("POST", path, token: ayse.visitor, body: ["seq": last]).status == 204)
            let receipt = try await canStream.next("conversation.read", conversation: ayse.id)
            let data = try #require(receipt["data"] as? [String: Any])
            #expect(data["side"] as? String == "customer" && data["seq"] as? Int == last)
            #expect(try await desk.conversation(ayse.id)["customer_read_seq"] as? Int == last)
            // Never back: an older position is accepted and changes nothing.
            #expect(try await desk.json("POST", path, token: ayse.visitor, body: ["seq": 1]).status == 204)
            #expect(try await desk.conversation(ayse.id)["customer_read_seq"] as? Int == last)
            let messages = try await desk.json("GET", "/api/v1/messages", token: can.token).reply.items
            #expect(messages.first { $0["id"] as? String == ayse.id }?["customer_read_seq"] as? Int == last)

            // The desk reads: the customer sees the furthest any operator read, live and on the view.
            let visitorView = "/api/v1/visitor/conversations/\(ayse.id)"
            #expect(try await desk.json("GET", visitorView, token: ayse.visitor).object["operator_read_seq"] as? Int == 0)
            #expect(try await desk.json("POST", "/api/v1/conversations/\(ayse.id)/read", token: can.token, body: ["seq": 2]).status == 204)
            // (The customer's stream showed her own position first; the desk's follows.)
            let desks = try await ayseStream.next("the desk's conversation.read") {
                $0["type"] as? String == "conversation.read" && ($0["data"] as? [String: Any])?["side"] as? String == "operator"
            }
            #expect((desks["data"] as? [String: Any])?["side"] as? String == "operator")
            #expect((desks["data"] as? [String: Any])?["seq"] as? Int == 2)
            #expect(try await desk.json("GET", visitorView, token: ayse.visitor).object["operator_read_seq"] as? Int == 2)
            // An operator's position past the last message stops at it; the admin reading less moves nothing.
            #expect(
                try await desk.json("POST", "/api/v1/conversations/\(ayse.id)/read", token: can.token, body: ["seq": 999]).status == 204)
            #expect(try await desk.json("POST", "/api/v1/conversations/\(ayse.id)/read", token: desk.admin, body: ["seq": 1]).status == 204)
            try await Poll.until("the desk's position at the last message") {
                try await desk.json("GET", visitorView, token: ayse.visitor).object["operator_read_seq"] as? Int == last
            }
            // Mehmet's conversation was read by nobody.
            #expect(
                try await desk.json("GET", "/api/v1/visitor/conversations/\(mehmet.id)", token: mehmet.visitor).object[
                    "operator_read_seq"] as? Int == 0)
            ayseStream.close()
            canStream.close()
        }
    }

    @Test(
        "a rating is given once after the close (409 before and again, 422 out of range), shown on the conversation, the Archive and the report"
    )
    func rating() async throws {
        try await TeamDesk.with { desk in
            let can = try await desk.newOperator("Can Öztürk")
            try await desk.available(can.token, ["available": true])
            let ayse = try await desk.chat("Ayşe")
            let mehmet = try await desk.chat("Mehmet")
            #expect(try await desk.json("POST", "/api/v1/pool/\(ayse.id)/take", token: can.token).status == 200)
            let canStream = try await LiveStream.open(port: desk.port, token: can.token)
            let path = "/api/v1/visitor/conversations/\(ayse.id)/rating"

            let early = try await desk.json("POST", path, token: ayse.visitor, body: ["score": 5])
            #expect(early.status == 409 && errorCode(early.object) == "not_closed", "\(early.object)")
            #expect(try await desk.json("POST", "/api/v1/conversations/\(ayse.id)/close", token: can.token).status == 200)

            let long = String(repeating: "ç", count: 1001)
            for (body, field) in [
                (["score": 0] as [String: Any], "score"), (["score": 6], "score"), (["score": "five"], "score"), ([:], "score"),
                (["score": 4, "comment": long], "comment"), (["score": 4, "comment": "bell\u{7}"], "comment"),
            ] {
                let refused = try await desk.json("POST", path, token: ayse.visitor, body: body)
                #expect(refused.status == 422 && errorField(refused.object) == field, "\(body): \(refused.status) \(refused.object)")
            }
            #expect(try await desk.json("POST", path, token: mehmet.visitor, body: ["score": 1]).status == 404)
            #expect(try await desk.json("POST", path, token: can.token, body: ["score": 1]).status == 401)
            #expect(try await desk.conversation(ayse.id)["rating"] == nil)

            let given = try await desk.json("POST", path, token: ayse.visitor, body: ["score": 4, "comment": "  Çok iyi, teşekkürler  "])
            #expect(given.status == 201, "\(given.object)")
            #expect(given.object["score"] as? Int == 4 && given.object["comment"] as? String == "Çok iyi, teşekkürler")
            let again = try await desk.json("POST", path, token: ayse.visitor, body: ["score": 1])
            #expect(again.status == 409 && errorCode(again.object) == "already_rated", "\(again.object)")

            // Live, on the conversation, in the Archive, on the customer's own view.
            let rated = try await canStream.next("conversation.rated", conversation: ayse.id)
            #expect(((rated["data"] as? [String: Any])?["rating"] as? [String: Any])?["score"] as? Int == 4)
            let shown = try #require(try await desk.conversation(ayse.id)["rating"] as? [String: Any])
            #expect(shown["score"] as? Int == 4 && shown["comment"] as? String == "Çok iyi, teşekkürler" && shown["created_at"] is String)
            let archive = try await desk.json("GET", "/api/v1/archive", token: can.token).reply.items
            #expect((archive.first { $0["id"] as? String == ayse.id }?["rating"] as? [String: Any])?["score"] as? Int == 4)
            let own = try await desk.json("GET", "/api/v1/visitor/conversations/\(ayse.id)", token: ayse.visitor).object
            #expect((own["rating"] as? [String: Any])?["score"] as? Int == 4)

            // The report: one rating of 4; none in a range after it; a bad instant is 422.
            let report = try await desk.json("GET", "/api/v1/reports/ratings", token: can.token).object
            #expect(report["count"] as? Int == 1 && report["average"] as? Double == 4, "\(report)")
            let items = try #require(report["items"] as? [[String: Any]])
            #expect(items.first?["conversation_id"] as? String == ayse.id && items.first?["score"] as? Int == 4)
            #expect((items.first?["closed_by"] as? [String: Any])?["name"] as? String == "Can Öztürk")
            let later = try await desk.json("GET", "/api/v1/reports/ratings?from=2999-01-01T00:00:00Z", token: can.token).object
            #expect(later["count"] as? Int == 0 && (later["items"] as? [Any])?.isEmpty == true)
            let bad = try await desk.json("GET", "/api/v1/reports/ratings?from=yesterday", token: can.token)
            #expect(bad.status == 422 && errorField(bad.object) == "from")
            #expect(try await desk.json("GET", "/api/v1/reports/ratings", token: ayse.visitor).status == 401)
            canStream.close()
        }
    }

    @Test("reading positions and ratings are rate limited per visitor; refused ratings count too, and a limit refuses with Retry-After")
    func limits() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let environment = Stack.adminEnvironment.merging(["SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE": "3"]) { $1 }
            let port = try #require(try await stack.start(.gateway, environment: environment).httpPort)
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)

            // Sixty reading positions a minute, then 429.
            var statuses: [Int] = []
            for _ in 0..<(Self.readsPerMinute + 1) {
                statuses.append(
                    try await stack.json("POST", "/api/v1/visitor/conversations/\(id)/read", port: port, token: visitor, body: ["seq": 1])
                        .status)
            }
            #expect(statuses.dropLast().allSatisfy { $0 == 204 } && statuses.last == 429, "\(statuses)")

            // Closing is one write of the three; two refused ratings are the others; the fourth write waits.
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations/\(id)/close", port: port, token: visitor).status == 200)
            for score in [0, 9] {
                let refused = try await stack.json(
                    "POST", "/api/v1/visitor/conversations/\(id)/rating", port: port, token: visitor, body: ["score": score])
                #expect(refused.status == 422)
            }
            let limited = try await stack.json(
                "POST", "/api/v1/visitor/conversations/\(id)/rating", port: port, token: visitor, body: ["score": 5])
            #expect(limited.status == 429 && errorCode(limited.object) == "rate_limited", "\(limited.object)")
            #expect(limited.reply.headers["retry-after"] != nil)
            let view = try await stack.json("GET", "/api/v1/visitor/conversations/\(id)", port: port, token: visitor).object
            #expect(view["rating"] == nil, "a refused rating stores nothing")
        }
    }
}
