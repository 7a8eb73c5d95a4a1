import Contracts
import Foundation
import Harness
import Testing

/// Files by e-mail: a received mail's attachments become the ticket's message's (larger than
/// the old 768 KiB limit and than a wire line), and an operator's reply carries its files out as
/// multipart MIME, read back from the real SMTP sink.
@Suite("Attachments by e-mail", .serialized)
struct MailAttachmentTests {
    /// `bytes` as a base64 body in lines of 76.
    static func base64(_ bytes: [UInt8]) -> String {
        let text = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var start = text.startIndex
        while start < text.endIndex {
            let end = text.index(start, offsetBy: 76, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(text[start..<end])
            start = end
        }
        return lines.joined(separator: "\n")
    }

    @Test("a mail with files opens a ticket whose message carries them; a reply with one adds it; the operator answers with a file")
    func mailFiles() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            // 2 MiB of image: over the old 768 KiB limit and the wire's line.
            var image = Samples.png
            while image.count < 2 << 20 { image.append(UInt8(truncatingIfNeeded: image.count &* 31)) }
            let pdf = Array("%PDF-1.4\n%fatura\n%%EOF\n".utf8)
            let mail = """
                From: =?UTF-8?B?QXnFn2UgWcSxbG1heg==?= <ayse@example.org>
                To: support@example.com
                Subject: Faturam
                Message-ID: <files-1@example.org>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="sinir"

                --sinir
                Content-Type: text/plain; charset=utf-8

                Faturam ve ekran görüntüsü ekte.
                --sinir
                Content-Type: image/png; name="ekran.png"
                Content-Disposition: attachment; filename="ekran.png"
                Content-Transfer-Encoding: base64

                \(Self.base64(image))
                --sinir
                Content-Type: application/pdf
                Content-Disposition: attachment; filename*=UTF-8''fatura%20%C3%BC.pdf
                Content-Transfer-Encoding: base64

                \(Self.base64(pdf))
                --sinir
                Content-Type: application/pdf; name="sahte.pdf"
                Content-Disposition: attachment; filename="../sahte.pdf"
                Content-Transfer-Encoding: base64

                \(Self.base64([0x4D, 0x5A, 0x90, 0, 3, 0]))
                --sinir--
                """
            let received = try await desk.inbound(mail)
            #expect(received.status == 201, "\(received.object)")
            let number = try #require((received.object["ticket"] as? [String: Any])?["number"] as? Int)
            var found: String?
            try await Poll.until("ticket #\(number) listed") {
                found = try await desk.array("/api/v1/tickets", token: admin).first { $0["number"] as? Int == number }?["id"] as? String
                return found != nil
            }
            let ticket = try #require(found)
            var files: [[String: Any]] = []
            try await Poll.until("the ticket's message with its files") {
                let messages = try await desk.messages(ticket, token: admin)
                files = messages.compactMap { $0["attachments"] as? [[String: Any]] }.first ?? []
                return !files.isEmpty
            }
            #expect(files.map { $0["filename"] as? String } == ["ekran.png", "fatura ü.pdf", "sahte.pdf"])
            // A file whose bytes are not its declared type is kept, as a download of unknown type.
            #expect(files.map { $0["content_type"] as? String } == ["image/png", "application/pdf", "application/octet-stream"])
            #expect(files.map { $0["size"] as? Int } == [image.count, pdf.count, 6])
            let imageID = try #require(files[0]["id"] as? String)
            let back = try await desk.stack.http(
                "GET", "/api/v1/attachments/\(imageID)", port: desk.port, headers: ["Authorization": "Bearer \(can)"])
            #expect(back.status == 200 && back.body == Data(image), "the mailed image read back byte for byte")
            let unknown = try await desk.stack.http(
                "GET", "/api/v1/attachments/\(files[2]["id"] as? String ?? "")", port: desk.port,
                headers: ["Authorization": "Bearer \(can)"])
            #expect(unknown.headers["content-type"] == "application/octet-stream")
            #expect(unknown.headers["content-disposition"]?.hasPrefix("attachment;") == true)
            // The raw mail is kept with the ticket, in storage, not in the ticket's table.
            let kept = try await desk.stack.rows("SELECT count(*) AS n FROM platform.attachments WHERE kept AND conversation_id IS NULL")
            #expect(kept.first?["n"] == "1")

            // The same mail again stores nothing more.
            let again = try await desk.inbound(mail)
            #expect(again.status == 200 && again.object["outcome"] as? String == "duplicate")
            let count = try await desk.stack.rows("SELECT count(*) AS n FROM platform.attachments")
            #expect(count.first?["n"] == "4", "three files and one raw mail: \(count)")

            // The customer writes again with one more file.
            let more = """
                From: ayse@example.org
                To: support@example.com
                Subject: Re: Faturam
                Message-ID: <files-2@example.org>
                In-Reply-To: <files-1@example.org>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/plain

                Bir de bu.
                --b
                Content-Type: text/plain; charset=utf-8; name="not.txt"
                Content-Disposition: attachment; filename="not.txt"

                seri no 42
                --b--
                """
            let appended = try await desk.inbound(more)
            #expect(appended.status == 201 && appended.object["outcome"] as? String == "appended", "\(appended.object)")
            try await Poll.until("the reply's file on its message") {
                let messages = try await desk.messages(ticket, token: admin)
                return messages.contains { ($0["attachments"] as? [[String: Any]])?.first?["filename"] as? String == "not.txt" }
            }

            // The operator answers with a file: out as multipart/mixed, read back by Python's mail parser.
            try await desk.take(ticket, token: can)
            var form = Array("%PDF-1.7\n".utf8)
            while form.count < 700_000 { form.append(UInt8(truncatingIfNeeded: form.count &* 7)) }
            let uploaded = try await desk.stack.http(
                "POST", "/api/v1/conversations/\(ticket)/attachments?filename=iade%20formu%20%C3%BC.pdf", port: desk.port,
                body: Data(form), headers: ["Authorization": "Bearer \(can)", "Content-Type": "application/pdf"])
            let formID = try #require((try JSONSerialization.jsonObject(with: uploaded.body) as? [String: Any])?["id"] as? String)
            let answered = try await desk.json(
                "POST", "/api/v1/conversations/\(ticket)/messages", token: can,
                body: ["body": "İade formu ekte.", "client_message_id": "iade", "attachment_ids": [formID]])
            #expect(answered.status == 201, "\(answered.object)")
            let reply = try #require(
                try await desk.sink.waitFor(1, "the reply with its file", where: { !$0.attachments.isEmpty }).first)
            #expect(reply["body"].contains("İade formu ekte."))
            #expect(reply.attachments.count == 1)
            #expect(reply.attachments.first?.filename == "iade formu ü.pdf")
            #expect(reply.attachments.first?.contentType == "application/pdf")
            #expect(reply.attachments.first?.bytes == Data(form), "the file went out byte for byte")
            #expect(reply["raw"].contains("multipart/mixed"))
            try await Poll.until("the reply's delivery to show as sent") {
                let mine = try await desk.messages(ticket, token: can).last
                return (mine?["delivery"] as? [String: Any])?["status"] as? String == "sent"
            }
            // What is queued is the mail without the file's bytes: they are read when it is sent.
            let queued = try await desk.stack.rows("SELECT max(octet_length(raw)) AS largest FROM ticketing.mails")
            #expect((Int(queued.first?["largest"] ?? "") ?? .max) < 100_000, "\(queued)")

            // A mail over SWITCHBOARD_INBOUND_MAX_BYTES is refused on its announced length.
            let huge = try await desk.stack.http(
                "POST", "/api/v1/inbound/email", port: desk.port, body: Data(count: (25 << 20) + 1),
                headers: ["Authorization": "Bearer \(MailDesk.secret)", "Content-Type": "message/rfc822"])
            #expect(huge.status == 413)
        }
    }

    @Test("a 16 MiB mail is read a chunk at a time: its 12 MiB file arrives byte for byte, ticketing's peak memory barely moves")
    func largeMail() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let ticketing = try #require(desk.replicas(.ticketing).first)
            var image = Samples.png
            while image.count < 1 << 20 { image.append(UInt8(truncatingIfNeeded: image.count &* 2_654_435_761 >> 7)) }
            // A first mail with a 1 MiB file, so what ticketing allocates once (its pools, its
            // code, a buffer of each kind) is counted before.
            let warm = try await desk.inbound(
                """
                From: a@example.org
                Subject: first
                Message-ID: <warm@example.org>
                Content-Type: multipart/mixed; boundary="b"

                --b

                hello
                --b
                Content-Type: image/png
                Content-Transfer-Encoding: base64

                \(Self.base64(image))
                --b--
                """)
            #expect(warm.status == 201, "\(warm.object)")
            let before = try Self.peakKiB(of: ticketing.pid)
            while image.count < 12 << 20 { image.append(UInt8(truncatingIfNeeded: image.count &* 2_654_435_761 >> 7)) }
            let mail = """
                From: buyuk@example.org
                To: support@example.com
                Subject: Kayıtlar
                Message-ID: <large-1@example.org>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="sinir"

                --sinir
                Content-Type: text/plain; charset=utf-8

                Kamera kaydı ekte.
                --sinir
                Content-Type: image/png
                Content-Disposition: attachment; filename="kayit.png"
                Content-Transfer-Encoding: base64

                \(Self.base64(image))
                --sinir--
                """
            let received = try await desk.inbound(mail)
            #expect(received.status == 201, "\(received.object)")
            let number = try #require((received.object["ticket"] as? [String: Any])?["number"] as? Int)
            var file: [String: Any]?
            try await Poll.until("ticket #\(number)'s message with its file") {
                guard let ticket = try await desk.array("/api/v1/tickets", token: admin).first(where: { $0["number"] as? Int == number }),
                    let id = ticket["id"] as? String
                else { return false }
                file = try await desk.messages(id, token: admin).compactMap { ($0["attachments"] as? [[String: Any]])?.first }.first
                return file != nil
            }
            #expect(file?["filename"] as? String == "kayit.png" && file?["size"] as? Int == image.count)
            let back = try await desk.stack.http(
                "GET", "/api/v1/attachments/\(file?["id"] as? String ?? "")", port: desk.port, headers: ["Authorization": "Bearer \(admin)"]
            )
            #expect(back.status == 200 && back.body == Data(image), "the 12 MiB file read back byte for byte")
            // Read whole, the mail alone (16 MiB) and its decoded file (12 MiB) would be 28 MiB at
            // once; read in chunks it is a few MiB whatever the mail's size (4.7 for a 2 MiB file,
            // 3.6 for 12 MiB, 4.3 for 16 MiB when this was written).
            let grown = try Self.peakKiB(of: ticketing.pid) - before
            #expect(grown < 10 << 10, "ticketing's peak memory grew by \(grown) KiB")
        }
    }

    /// A process's peak resident memory (VmHWM), in KiB.
    static func peakKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }
}
