import Foundation
import Harness
import Testing

@Suite("A chat's transcript mailed to the customer", .serialized)
struct TranscriptTests {
    /// Starts a chat as a new visitor; its visitor token and conversation id.
    static func chat(_ desk: MailDesk, name: String, first: String) async throws -> (token: String, id: String) {
        let started = try await desk.json(
            "POST", "/api/v1/visitor/conversations", body: ["name": name, "email": "ayse@example.org", "message": first])
        #expect(started.status == 201, "\(started.object)")
        let token = try #require(started.object["visitor_token"] as? String)
        let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
        return (token, id)
    }

    @Test(
        "asked for after the chat, the transcript arrives once per address in plain text and HTML with every message in order; the same ask again is 409"
    )
    func transcript() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            let (visitor, id) = try await Self.chat(desk, name: "Ayşe Yılmaz", first: "Siparişim <nerede>?")
            try await desk.take(id, token: can)
            let answer = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/messages", token: can, body: ["body": "Kargoda & yolda.", "client_message_id": "a1"])
            #expect(answer.status == 201)
            let note = try await desk.json(
                "POST", "/api/v1/conversations/\(id)/notes", token: can, body: ["body": "Internal: a VIP customer"])
            #expect(note.status == 201, "\(note.object)")
            #expect(try await desk.json("POST", "/api/v1/visitor/conversations/\(id)/close", token: visitor).status == 200)

            let asked = try await desk.json(
                "POST", "/api/v1/visitor/conversations/\(id)/transcript", token: visitor, body: ["email": "copy@example.org"])
            #expect(asked.status == 202, "\(asked.object)")
            #expect(asked.object["email"] as? String == "copy@example.org")
            let mail = try #require(try await desk.sink.waitFor(1, "the transcript").first)
            #expect(mail.recipients == ["copy@example.org"])
            #expect(mail["subject"] == "Your conversation with Destek Ekibi")
            #expect(mail["auto_submitted"] == "auto-generated")
            #expect(mail["content_type"] == "multipart/alternative")
            let body = mail["body"]
            let greeting = try #require(body.range(of: "Ayşe Yılmaz ("))
            let reply = try #require(body.range(of: "Can Öztürk ("))
            #expect(greeting.lowerBound < reply.lowerBound)
            #expect(body.contains("Siparişim <nerede>?") && body.contains("Kargoda & yolda."))
            #expect(mail["html"].contains("Siparişim &lt;nerede&gt;?") && mail["html"].contains("Kargoda &amp; yolda."))
            // The desk's note stays with the desk.
            #expect(!mail["raw"].contains("VIP") && !body.contains("VIP") && !mail["html"].contains("VIP"))

            let again = try await desk.json(
                "POST", "/api/v1/visitor/conversations/\(id)/transcript", token: visitor, body: ["email": "COPY@example.org"])
            #expect(again.status == 409 && errorCode(again.object) == "already_sent", "\(again.object)")
            // Another address may have it too.
            let other = try await desk.json(
                "POST", "/api/v1/visitor/conversations/\(id)/transcript", token: visitor, body: ["email": "ayse@example.org"])
            #expect(other.status == 202)
            _ = try await desk.sink.waitFor(2, "the second transcript")
            #expect(try await desk.stack.rows("SELECT id FROM ticketing.mails WHERE key LIKE 'transcript-request:%'").count == 2)
        }
    }

    @Test(
        "refused: no token 401, someone else's chat 404, a bad address 422, an e-mail ticket 409 not_a_chat; a fourth transcript to one address within the hour is 429; nothing is queued for any of them"
    )
    func refusals() async throws {
        try await MailDesk.with { desk in
            let (visitor, id) = try await Self.chat(desk, name: "Ayşe", first: "hello")
            let (stranger, strangers) = try await Self.chat(desk, name: "Mallory", first: "hi")
            let path = "/api/v1/visitor/conversations/\(id)/transcript"
            #expect(try await desk.json("POST", path, body: ["email": "a@example.org"]).status == 401)
            #expect(try await desk.json("POST", path, token: stranger, body: ["email": "a@example.org"]).status == 404)
            for bad in [["email": "not-an-address"], [:], ["email": 42]] as [[String: Any]] {
                let refused = try await desk.json("POST", path, token: visitor, body: bad)
                #expect(refused.status == 422, "\(bad) \(refused.object)")
            }
            let filed = try await desk.json(
                "POST", "/api/v1/visitor/offline-messages", token: visitor,
                body: ["name": "Ayşe", "email": "ayse@example.org", "message": "by mail"])
            #expect(filed.status == 201)
            let ticket = try #require((filed.object["ticket"] as? [String: Any])?["conversation_id"] as? String)
            let notChat = try await desk.json(
                "POST", "/api/v1/visitor/conversations/\(ticket)/transcript", token: visitor, body: ["email": "a@example.org"])
            #expect(notChat.status == 409 && errorCode(notChat.object) == "not_a_chat", "\(notChat.object)")
            #expect(try await desk.stack.rows("SELECT id FROM ticketing.mails WHERE key LIKE 'transcript-request:%'").isEmpty)

            // One address gets at most three transcripts an hour, whoever asks. (Chats from this
            // address are closed as they go: at most three may wait at once.)
            #expect(try await desk.json("POST", "/api/v1/visitor/conversations/\(id)/close", token: visitor).status == 200)
            #expect(try await desk.json("POST", "/api/v1/visitor/conversations/\(strangers)/close", token: stranger).status == 200)
            var statuses: [Int] = []
            for round in 0..<4 {
                let (token, chat) = try await Self.chat(desk, name: "Visitor \(round)", first: "message \(round)")
                statuses.append(
                    try await desk.json(
                        "POST", "/api/v1/visitor/conversations/\(chat)/transcript", token: token, body: ["email": "flood@example.org"]
                    ).status)
                #expect(try await desk.json("POST", "/api/v1/visitor/conversations/\(chat)/close", token: token).status == 200)
            }
            #expect(statuses == [202, 202, 202, 429])
            #expect(try await desk.stack.rows("SELECT id FROM ticketing.mails WHERE key LIKE 'transcript-request:%'").count == 3)
        }
    }
}
