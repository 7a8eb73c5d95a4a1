import Contracts
import Foundation
import Harness
import Testing

@Suite("Passwords: set by an admin, changed, reset by a mailed link", .serialized)
struct PasswordTests {
    @Test("an admin sets an operator's password: their sessions end, the new one logs in; refused callers and bad input change nothing")
    func adminSets() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            let stream = try await LiveStream.open(port: port, token: can)
            let path = "/api/v1/operators/\(canID)/password"

            #expect(try await stack.json("POST", path, port: port, token: can, raw: Data("{broken".utf8)).status == 403)
            #expect(try await stack.json("POST", path, port: port, body: ["password": "new-password-1"]).status == 401)
            for (body, field) in [([:], "password"), (["password": "short"], "password"), (["password": 12_345_678], "password")]
                as [([String: Any], String)]
            {
                let reply = try await stack.json("POST", path, port: port, token: admin, body: body)
                #expect(reply.status == 422, "\(body)")
                #expect(errorField(reply.object) == field)
            }
            #expect(
                try await stack.json(
                    "POST", "/api/v1/operators/\(UUID())/password", port: port, token: admin, body: ["password": "long enough"]
                )
                .status == 404)
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: can).status == 200)

            #expect(try await stack.json("POST", path, port: port, token: admin, body: ["password": "new-password-1"]).status == 204)
            _ = try await stream.next("the session's end", timeout: .seconds(10)) { $0["type"] as? String == "error" }
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: can).status == 401)
            #expect(
                try await stack.json(
                    "POST", "/api/v1/auth/login", port: port, body: ["email": "can@example.com", "password": "password-123"]
                )
                .status == 401)
            _ = try await stack.login(port: port, "can@example.com", "new-password-1")
            #expect(try await stack.operatorChanges(canID) == ["password_set by admin"])
        }
    }

    @Test(
        "I change my password: the current one is required (403 wrong_password, limited like logins), my other sessions end, this one stays"
    )
    func changeMine() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            let other = try await stack.login(port: port, "can@example.com")
            let otherStream = try await LiveStream.open(port: port, token: other)

            #expect(
                try await stack.json("PUT", "/api/v1/me/password", port: port, body: ["current_password": "x", "new_password": "y"]).status
                    == 401)
            let cases: [([String: Any], Int, String?)] = [
                ([:], 422, "current_password"),
                (["current_password": "password-123"], 422, "new_password"),
                (["current_password": "password-123", "new_password": "short"], 422, "new_password"),
                (["current_password": "wrong-password", "new_password": "long enough 1"], 403, nil),
            ]
            for (body, status, field) in cases {
                let reply = try await stack.json("PUT", "/api/v1/me/password", port: port, token: can, body: body)
                #expect(reply.status == status, "\(body): \(reply.object)")
                if let field { #expect(errorField(reply.object) == field) } else { #expect(errorCode(reply.object) == "wrong_password") }
            }
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: other).status == 200)

            let changed = try await stack.json(
                "PUT", "/api/v1/me/password", port: port, token: can,
                body: ["current_password": "password-123", "new_password": "şifre-yeni-1"])
            #expect(changed.status == 204)
            _ = try await otherStream.next("the other session's end", timeout: .seconds(10)) { $0["type"] as? String == "error" }
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: other).status == 401)
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: can).status == 200)
            _ = try await stack.login(port: port, "can@example.com", "şifre-yeni-1")
            #expect(try await stack.operatorChanges(canID) == ["password_changed by Can"])

            // Wrong guesses are limited (one was made above): past the limit even the right one waits.
            for guess in 1..<10 {
                let reply = try await stack.json(
                    "PUT", "/api/v1/me/password", port: port, token: can,
                    body: ["current_password": "guess-\(guess)", "new_password": "long enough 2"])
                #expect(reply.status == 403, "guess \(guess)")
            }
            let limited = try await stack.json(
                "PUT", "/api/v1/me/password", port: port, token: can,
                body: ["current_password": "şifre-yeni-1", "new_password": "long enough 2"])
            #expect(limited.status == 429)
            #expect(Int(limited.reply.headers["retry-after"] ?? "") ?? 0 > 0)
            _ = try await stack.login(port: port, "can@example.com", "şifre-yeni-1")
        }
    }

    /// The link's token in a reset mail's body.
    static func token(in mail: SMTPSink.Mail, port: Int) throws -> String {
        let prefix = "http://localhost:\(port)/console/#reset="
        let line = try #require(
            mail["body"].split(whereSeparator: \.isNewline).first { $0.hasPrefix(prefix) }, "no link in \(mail["body"])")
        return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }

    @Test(
        "a forgotten password: the mail from the real SMTP server carries a link that works once (then 410); unknown and deactivated addresses get the same 202 and no mail; an expired link is 410"
    )
    func reset() async throws {
        try await MailDesk.with { desk in
            let stack = desk.stack, port = desk.port
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            _ = try await stack.newOperator(port: port, admin: admin, name: "Elif", email: "elif@example.com")
            let elifID = try await stack.operatorID(port: port, token: try await stack.login(port: port, "elif@example.com"))
            #expect(
                try await stack.json("PATCH", "/api/v1/operators/\(elifID)", port: port, token: admin, body: ["active": false]).status
                    == 200)

            for email in ["nobody@example.com", "elif@example.com"] {
                let reply = try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": email])
                #expect(reply.status == 202, "\(email)")
            }
            let asked = try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": " Can@Example.com "])
            #expect(asked.status == 202)
            let mail = try #require(try await desk.sink.waitFor(1, "the reset mail").first)
            #expect(mail.recipients == ["can@example.com"])
            #expect(mail["subject"] == "Reset your Switchboard password")
            let token = try Self.token(in: mail, port: port)
            // Only the hash is stored; one mail was queued, none for the unknown or deactivated address.
            #expect(
                try await stack.rows("SELECT 1 FROM identity.password_resets WHERE token_hash = sha256(convert_to('\(token)', 'UTF8'))")
                    .count == 1)
            #expect(try await stack.rows("SELECT id FROM ticketing.mails").count == 1)
            #expect(try await stack.rows("SELECT 1 FROM identity.password_resets").count == 1)

            let confirm = "/api/v1/auth/password-reset/confirm"
            let short = try await stack.json("POST", confirm, port: port, body: ["token": token, "new_password": "short"])
            #expect(short.status == 422)
            #expect(errorField(short.object) == "new_password")
            #expect(try await stack.json("POST", confirm, port: port, body: ["token": token]).status == 422)
            #expect(
                try await stack.json("POST", confirm, port: port, body: ["token": "unknown-token", "new_password": "long enough 1"]).status
                    == 410)
            let used = try await stack.json("POST", confirm, port: port, body: ["token": token, "new_password": "long enough 1"])
            #expect(used.status == 204, "\(used.object)")
            let again = try await stack.json("POST", confirm, port: port, body: ["token": token, "new_password": "long enough 2"])
            #expect(again.status == 410)
            #expect(errorCode(again.object) == "expired")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: can).status == 401)
            _ = try await stack.login(port: port, "can@example.com", "long enough 1")
            #expect(try await stack.operatorChanges(canID) == ["password_reset by Can"])

            // A link past its hour is refused, and stays usable by nobody.
            #expect(
                try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": "can@example.com"]).status == 202)
            let second = try #require(try await desk.sink.waitFor(2, "the second reset mail").last)
            let late = try Self.token(in: second, port: port)
            _ = try await stack.rows("UPDATE identity.password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
            #expect(
                try await stack.json("POST", confirm, port: port, body: ["token": late, "new_password": "long enough 3"]).status == 410)
            _ = try await stack.login(port: port, "can@example.com", "long enough 1")
            #expect(desk.sink.mails().count == 2)
        }
    }

    @Test("reset requests are limited per e-mail and per address with Retry-After; bad input is 422")
    func resetLimits() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            for body in [[:], ["email": "not-an-address"], ["email": 42]] as [[String: Any]] {
                let reply = try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: body)
                #expect(reply.status == 422, "\(body)")
                #expect(errorField(reply.object) == "email")
            }
            for _ in 0..<3 {
                #expect(
                    try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": "x@example.com"]).status == 202)
            }
            let perEmail = try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": "X@example.com"])
            #expect(perEmail.status == 429)
            #expect(Int(perEmail.reply.headers["retry-after"] ?? "") ?? 0 > 0)
            // Ten from one address in the hour (the refused one counted nothing).
            for index in 0..<7 {
                #expect(
                    try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": "y\(index)@example.com"]).status
                        == 202)
            }
            let perAddress = try await stack.json("POST", "/api/v1/auth/password-reset", port: port, body: ["email": "z@example.com"])
            #expect(perAddress.status == 429)
            #expect(Int(perAddress.reply.headers["retry-after"] ?? "") ?? 0 > 0)

            // Failed uses of links are limited per address too.
            let confirm = "/api/v1/auth/password-reset/confirm"
            for index in 0..<20 {
                #expect(
                    try await stack.json("POST", confirm, port: port, body: ["token": "guess-\(index)", "new_password": "long enough"])
                        .status
                        == 410)
            }
            #expect(
                try await stack.json("POST", confirm, port: port, body: ["token": "guess", "new_password": "long enough"]).status == 429)
            #expect(try await stack.json("POST", confirm, port: port, body: ["token": "", "new_password": "long enough"]).status == 410)
        }
    }
}
