import Foundation
import Harness
import Testing

@Suite("Tickets by e-mail", .serialized)
struct TicketStoryTests {
    @Test(
        "closed hours → offline message → acknowledgement → Pool → take → reply by mail → the customer's reply lands in the ticket → close → Archive → a later reply reopens it"
    )
    func story() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            try await desk.closeDesk(admin: admin)
            let chat = try await desk.json("POST", "/api/v1/visitor/conversations", body: ["name": "Ayşe"])
            #expect(chat.status == 409 && errorCode(chat.object) == "offline")

            let question = "Siparişim nerede? " + String(repeating: "Çok uzun bir satır. ", count: 100)
            let (number, id) = try await desk.leave(name: "Ayşe Yılmaz", email: "ayse@example.org", message: question)
            #expect(number == 1001)

            // The acknowledgement: to the customer by name, numbered, with a reply address carrying the token.
            let ack = try #require(try await desk.sink.waitFor(1, "acknowledgement").first)
            #expect(ack.recipients == ["ayse@example.org"])
            #expect(ack["to"] == "Ayşe Yılmaz <ayse@example.org>")
            #expect(ack["from"] == "Destek Ekibi <support@example.com>")
            #expect(ack["subject"].hasPrefix("[#1001] Siparişim nerede?"))
            #expect(ack["reply_to"].contains("support+t1001-"))
            #expect(ack["auto_submitted"] == "auto-replied")
            // Plain text and HTML, the same words in both (as Python's parser decoded them).
            #expect(ack["content_type"] == "multipart/alternative")
            #expect(ack["body"].contains("Thank you for your message"))
            #expect(ack["body"].contains("> Siparişim nerede? Çok uzun bir satır."))
            #expect(ack["html"].contains("Thank you for your message"))
            #expect(ack["html"].contains("<strong style=\"color:#111827;\">#1001</strong>"))
            #expect(ack["html"].contains("<blockquote") && ack["html"].contains("Siparişim nerede?"))
            #expect(Int(ack["longest_line"]) ?? 999 <= 78)

            // The ticket waits in the Pool; taking it needs availability.
            try await Poll.until("the ticket in the Pool") {
                try await desk.array("/api/v1/pool", token: can).contains { $0["id"] as? String == id && $0["kind"] as? String == "ticket" }
            }
            let refused = try await desk.json("POST", "/api/v1/pool/\(id)/take", token: can)
            #expect(refused.status == 403 && errorCode(refused.object) == "unavailable")
            try await desk.take(id, token: can)
            let view = try await desk.json("GET", "/api/v1/conversations/\(id)", token: can).object
            #expect((view["ticket"] as? [String: Any])?["number"] as? Int == 1001)

            // The reply goes out threaded under the acknowledgement, and its delivery shows on the message.
            let answer = "Kargonuz yolda, yarın elinizde. " + String(repeating: "ğüşiöç ", count: 400)
            let posted = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/messages", token: can, body: ["body": answer, "client_message_id": "r1"])
            #expect(posted.status == 201)
            let reply = try #require(try await desk.sink.waitFor(2, "mails").last)
            #expect(reply["subject"].hasPrefix("Re: [#1001] "))
            #expect(reply["in_reply_to"] == ack["message_id"])
            #expect(reply["references"] == ack["message_id"])
            #expect(reply["reply_to"] == ack["reply_to"])
            #expect(reply["body"].contains("Kargonuz yolda") && reply["body"].contains("Can Öztürk"))
            #expect(reply["html"].contains("Kargonuz yolda") && reply["html"].contains("— Can Öztürk"))
            #expect(Int(reply["longest_line"]) ?? 999 <= 78)
            try await Poll.until("the reply's delivery to show as sent") {
                let mine = try await desk.messages(id, token: can).last
                return (mine?["delivery"] as? [String: Any])?["status"] as? String == "sent"
            }

            // The customer answers from their mail program: quoted-printable, the quote below.
            let replyAddress = try #require(reply["reply_to"].split(separator: "<").last?.dropLast())
            let customerMail = """
                From: =?UTF-8?B?QXnFn2UgWcSxbG1heg==?= <ayse@example.org>
                To: Destek <\(replyAddress)>
                Subject: Re: [#1001] =?UTF-8?Q?Sipari=C5=9Fim?=
                Message-ID: <customer-1@example.org>
                In-Reply-To: \(reply["message_id"])
                References: \(ack["message_id"]) \(reply["message_id"])
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: quoted-printable

                Te=C5=9Fekk=C3=BCrler, geldi!

                On Thu, 26 Nov 2026 at 10:00, Destek <support@example.com> wrote:
                > Kargonuz yolda
                """
            let appended = try await desk.inbound(customerMail)
            #expect(appended.status == 201, "\(appended.object)")
            #expect(appended.object["outcome"] as? String == "appended")
            #expect((appended.object["ticket"] as? [String: Any])?["number"] as? Int == 1001)
            let afterReply = try await desk.messages(id, token: can)
            let last = try #require(afterReply.last)
            #expect(last["body"] as? String == "Teşekkürler, geldi!")
            #expect((last["author"] as? [String: Any])?["name"] as? String == "Ayşe Yılmaz")

            // The same mail delivered twice is stored once.
            let again = try await desk.inbound(customerMail)
            #expect(again.status == 200 && again.object["outcome"] as? String == "duplicate")
            #expect(try await desk.messages(id, token: can).count == afterReply.count)

            // Close → Archive; a reply found by References alone reopens it, back with Can (available).
            #expect(try await desk.json("POST", "/api/v1/conversations/\(id)/close", token: can).status == 200)
            let archive = try await desk.json("GET", "/api/v1/archive", token: can).object
            #expect((archive["items"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
            let later = """
                From: ayse@example.org
                To: support@example.com
                Subject: one more thing
                Message-ID: <customer-2@example.org>
                References: \(reply["message_id"])

                Faturayı da gönderir misiniz?
                """
            #expect(try await desk.inbound(later).object["outcome"] as? String == "appended")
            try await Poll.until("the ticket back with Can") {
                let conversation = try await desk.json("GET", "/api/v1/conversations/\(id)", token: can).object
                return conversation["status"] as? String == "assigned"
                    && (conversation["assignee"] as? [String: Any])?["name"] as? String == "Can Öztürk"
            }
            #expect(try await desk.messages(id, token: can).last?["body"] as? String == "Faturayı da gönderir misiniz?")

            // A mail from an unknown thread is a new ticket, acknowledged; an automatic one is not acknowledged.
            let fresh = try await desk.inbound(
                """
                From: Mehmet Demir <mehmet@example.net>
                To: support@example.com
                Subject: =?ISO-8859-9?Q?=DDade?=
                Message-ID: <new-1@example.net>
                Content-Type: multipart/alternative; boundary="b"

                --b
                Content-Type: text/plain; charset=iso-8859-9
                Content-Transfer-Encoding: quoted-printable

                =DCr=FCn=FC iade etmek istiyorum.
                --b
                Content-Type: text/html

                <p>ignored</p>
                --b--
                """)
            #expect(fresh.status == 201 && fresh.object["outcome"] as? String == "created")
            #expect((fresh.object["ticket"] as? [String: Any])?["number"] as? Int == 1002)
            let freshAck = try #require(
                try await desk.sink.waitFor(1, "acknowledgement of #1002") { $0["subject"].contains("#1002") }.first)
            #expect(freshAck["subject"] == "[#1002] İade")
            #expect(freshAck["body"].contains("> Ürünü iade etmek istiyorum."))
            try await Poll.until("#1002 in the Pool") {
                try await desk.array("/api/v1/pool", token: can).contains { $0["preview"] as? String == "Ürünü iade etmek istiyorum." }
            }
            let automatic = try await desk.inbound(
                "From: mailer-daemon@example.net\nAuto-Submitted: auto-replied\nMessage-ID: <auto-1@example.net>\n\nI am away.\n")
            #expect(automatic.object["outcome"] as? String == "created")
            let mailsNow = desk.sink.mails().count
            #expect(mailsNow == 3, "the ack, the reply and #1002's ack; none for the automatic mail")
        }
    }

    @Test("bad mail gets a clear error and changes nothing")
    func badMail() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let good = "From: a@example.org\nMessage-ID: <ok@example.org>\n\nhello\n"
            let cases: [(raw: String, secret: String?, type: String, status: Int, code: String)] = [
                (good, nil, "message/rfc822", 401, "unauthorized"),
                (good, "wrong", "message/rfc822", 401, "unauthorized"),
                (good, MailDesk.secret, "application/json", 400, "malformed"),
                ("", MailDesk.secret, "message/rfc822", 400, "malformed"),
                ("no headers at all, just words\n", MailDesk.secret, "message/rfc822", 422, "invalid"),
                ("Subject: hi\n\nno sender\n", MailDesk.secret, "message/rfc822", 422, "invalid"),
                ("From: a@example.org\nContent-Type: multipart/mixed\n\nbroken\n", MailDesk.secret, "message/rfc822", 422, "invalid"),
                (
                    "From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n--y\n\nwrong boundary\n", MailDesk.secret,
                    "message/rfc822", 422, "invalid"
                ),
                ("From: a@example.org\n\n" + String(repeating: "x", count: 25 << 20), MailDesk.secret, "message/rfc822", 413, "too_large"),
            ]
            for item in cases {
                let reply = try await desk.inbound(item.raw, secret: item.secret, type: item.type)
                #expect(reply.status == item.status, "\(item.raw.prefix(40)): \(reply.object)")
                #expect(errorCode(reply.object) == item.code)
                if item.status == 422 {
                    let message = (reply.object["error"] as? [String: Any])?["message"] as? String ?? ""
                    #expect(!message.isEmpty && message != "invalid", "a reason: \(message)")
                }
            }
            // Nothing was filed: the Pool is empty, no mail went out; the good mail still works afterwards.
            #expect(try await desk.array("/api/v1/pool", token: admin).isEmpty)
            #expect(try await desk.inbound(good).status == 201)
            try await desk.sink.waitFor(1, "the acknowledgement of the one good mail")
        }
    }
}
