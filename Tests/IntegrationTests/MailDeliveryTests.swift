import Contracts
import Foundation
import Harness
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Mail delivery through failures", .serialized)
struct MailDeliveryTests {
    /// Message-ID → how many copies arrived, and whether every copy of one mail is byte for byte the same.
    static func copies(_ mails: [SMTPSink.Mail]) -> (counts: [String: Int], identical: Bool) {
        var counts: [String: Int] = [:]
        var raw: [String: String] = [:]
        var identical = true
        for mail in mails {
            counts[mail["message_id"], default: 0] += 1
            if let first = raw[mail["message_id"]], first != mail["raw"] { identical = false }
            raw[mail["message_id"]] = mail["raw"]
        }
        return (counts, identical)
    }

    @Test("with the SMTP server down, mails wait (the reason shows) and each goes out exactly once when it is back")
    func serverDown() async throws {
        try await MailDesk.with(sinkRunning: false) { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            var tickets: [(number: Int, conversation: String)] = []
            for index in 1...3 {
                tickets.append(
                    try await desk.leave(name: "Müşteri \(index)", email: "customer\(index)@example.org", message: "Soru \(index)"))
            }
            try await desk.take(tickets[0].conversation, token: can)
            #expect(
                try await desk.json(
                    "POST", "/api/v1/conversations/\(tickets[0].conversation)/messages", token: can,
                    body: ["body": "Bakıyoruz.", "client_message_id": "r1"]
                ).status == 201)
            // The reply waits, and the console can say why and when the next try is.
            try await Poll.until("the reply's failed attempt to show") {
                let delivery = try await desk.messages(tickets[0].conversation, token: can).last?["delivery"] as? [String: Any]
                return delivery?["status"] as? String == "queued" && (delivery?["attempts"] as? Int ?? 0) >= 1
                    && delivery?["last_error"] as? String != nil && delivery?["next_attempt_at"] as? String != nil
            }
            try await desk.sink.start()
            let mails = try await desk.sink.waitFor(4, "three acknowledgements and a reply")
            try await Poll.until("the reply's delivery to show as sent") {
                let delivery = try await desk.messages(tickets[0].conversation, token: can).last?["delivery"] as? [String: Any]
                return delivery?["status"] as? String == "sent"
            }
            // Once every ticket shows each of its mails as sent, nothing is left to send: count.
            try await Poll.until("every mail of every ticket to show as sent") {
                var statuses: [String] = []
                for ticket in tickets {
                    let view = try await desk.json("GET", "/api/v1/conversations/\(ticket.conversation)", token: can).object
                    let deliveries = (view["ticket"] as? [String: Any])?["deliveries"] as? [[String: Any]] ?? []
                    statuses += deliveries.compactMap { $0["status"] as? String }
                }
                return statuses.count == 4 && statuses.allSatisfy { $0 == "sent" }
            }
            #expect(desk.sink.mails().count == mails.count)
            let (counts, _) = Self.copies(desk.sink.mails())
            #expect(counts.count == 4 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(Set(desk.sink.mails().flatMap(\.recipients)).count == 3)
        }
    }

    @Test("ticketing killed mid-send: after a restart the mail goes out; no mail is lost, none is a different mail")
    func killedMidSend() async throws {
        try await MailDesk.with { desk in
            desk.sink.setSlow(true)
            let filed = try await desk.leave(name: "Ayşe", email: "ayse@example.org", message: "Merhaba")
            try await Poll.until("the sink to hold the mail mid-send") { desk.sink.held >= 1 }
            let ticketing = try #require(desk.stack.all.first { $0.service == .ticketing })
            ticketing.send(SIGKILL)
            _ = try await ticketing.waitForExit()
            desk.sink.setSlow(false)
            try ticketing.restart()
            try await desk.stack.waitUntilReady(ticketing)
            // The killed sender's copy may have been accepted too: then two copies, the very same mail.
            try await desk.sink.waitFor(1, "the acknowledgement")
            let second = try await desk.leave(name: "Mehmet", email: "mehmet@example.org", message: "İkinci")
            try await desk.sink.waitFor(1, "the next mail, after the restart") { $0.recipients == ["mehmet@example.org"] }
            let (counts, identical) = Self.copies(desk.sink.mails())
            #expect(counts.count == 2, "one Message-ID per mail: \(counts)")
            #expect(identical, "a resent mail is the same mail")
            #expect(filed.number == 1001 && second.number == 1002)
        }
    }

    @Test("a recipient the server refuses for good: the mail fails with the server's reason and is not retried")
    func permanentFailure() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            let ticket = try await desk.leave(name: "Nobody", email: "bounce@example.org", message: "Hello")
            try await desk.take(ticket.conversation, token: can)
            _ = try await desk.json(
                "POST", "/api/v1/conversations/\(ticket.conversation)/messages", token: can,
                body: ["body": "Hi", "client_message_id": "r1"])
            try await Poll.until("the reply to fail") {
                let delivery = try await desk.messages(ticket.conversation, token: can).last?["delivery"] as? [String: Any]
                return delivery?["status"] as? String == "failed"
            }
            let delivery = try #require(try await desk.messages(ticket.conversation, token: can).last?["delivery"] as? [String: Any])
            #expect((delivery["last_error"] as? String)?.contains("550") == true, "\(delivery)")
            #expect(delivery["attempts"] as? Int == 1)
            #expect(desk.sink.mails().isEmpty)
        }
    }

    @Test("Ticket this chat: the holder turns a chat into ticket #1001; the customer gets the chat by mail, replies go by mail")
    func ticketThisChat() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            let nazlican = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Nazlıcan", email: "nazlican@example.com")
            let started = try await desk.json("POST", "/api/v1/visitor/conversations", body: ["name": "Ayşe", "message": "Kargom nerede?"])
            let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await desk.take(id, token: can)
            _ = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/messages", token: can, body: ["body": "Bir bakayım.", "client_message_id": "c1"])

            let refused = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/ticket", token: nazlican, body: ["email": "ayse@example.org"])
            #expect(refused.status == 403 && errorCode(refused.object) == "not_assignee")
            let invalid = try await desk.json("POST", "/api/v1/conversations/\(id)/ticket", token: can, body: ["email": "nope"])
            #expect(invalid.status == 422)
            let made = try await desk.json("POST", "/api/v1/conversations/\(id)/ticket", token: can, body: ["email": "ayse@example.org"])
            #expect(made.status == 201, "\(made.object)")
            #expect((made.object["ticket"] as? [String: Any])?["number"] as? Int == 1001)
            let again = try await desk.json("POST", "/api/v1/conversations/\(id)/ticket", token: can, body: ["email": "ayse@example.org"])
            #expect((again.object["ticket"] as? [String: Any])?["number"] as? Int == 1001)

            let transcript = try #require(try await desk.sink.waitFor(1, "the transcript").first)
            #expect(transcript["subject"] == "[#1001] Your chat with us")
            #expect(transcript["body"].contains("Kargom nerede?") && transcript["body"].contains("Bir bakayım."))
            let view = try await desk.json("GET", "/api/v1/conversations/\(id)", token: can).object
            #expect(view["channel"] as? String == "email")
            #expect((view["customer"] as? [String: Any])?["email"] as? String == "ayse@example.org")

            _ = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/messages", token: can, body: ["body": "Kargonuz yolda.", "client_message_id": "c2"])
            let reply = try #require(try await desk.sink.waitFor(2, "the transcript and a reply").last)
            #expect(reply["in_reply_to"] == transcript["message_id"])
            #expect(reply["body"].contains("Kargonuz yolda."))
            #expect(desk.sink.mails().count == 2, "the chat's earlier messages went in the transcript, not one by one")
        }
    }

    @Test("a closed ticket whose holder is unavailable reopens into the Pool when the customer writes again")
    func reopenIntoPool() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            let ticket = try await desk.leave(name: "Ayşe", email: "ayse@example.org", message: "İlk soru")
            try await desk.take(ticket.conversation, token: can)
            #expect(try await desk.json("POST", "/api/v1/conversations/\(ticket.conversation)/close", token: can).status == 200)
            #expect(try await desk.json("PUT", "/api/v1/me/availability", token: can, body: ["available": false]).status == 200)
            let ack = try #require(try await desk.sink.waitFor(1, "the acknowledgement").first)
            let again = try await desk.inbound(
                "From: ayse@example.org\nTo: \(ack["reply_to"])\nMessage-ID: <again@example.org>\nSubject: Re\n\nBir sorum daha var.\n")
            #expect(again.status == 201 && again.object["outcome"] as? String == "appended")
            try await Poll.until("the ticket back in the Pool, waiting") {
                let conversation = try await desk.json("GET", "/api/v1/conversations/\(ticket.conversation)", token: admin).object
                let pool = try await desk.array("/api/v1/pool", token: admin)
                return conversation["status"] as? String == "waiting" && conversation["assignee"] == nil
                    && pool.contains { $0["id"] as? String == ticket.conversation && $0["preview"] as? String == "Bir sorum daha var." }
            }
        }
    }
}
