import Contracts
import Foundation
import Harness
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Operators managed by admins: edit, deactivate, the last admin", .serialized)
struct OperatorAdminTests {
    @Test("an admin edits name, e-mail and role, audited; refused callers, bad input, unknown ids and a taken e-mail change nothing")
    func edit() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            _ = try await stack.newOperator(port: port, admin: admin, name: "Nazlıcan", email: "nazlican@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            let path = "/api/v1/operators/\(canID)"

            let edited = try await stack.json(
                "PATCH", path, port: port, token: admin, body: ["name": " Can Yılmaz ", "email": "Can.Yilmaz@Example.com", "role": "admin"])
            #expect(edited.status == 200, "\(edited.object)")
            #expect(edited.object["name"] as? String == "Can Yılmaz")
            #expect(edited.object["email"] as? String == "can.yilmaz@example.com")
            #expect(edited.object["role"] as? String == "admin")
            #expect(edited.object["active"] as? Bool == true)
            // The session lives on, and now it is an admin's (past the admin check, the broken body is what is refused).
            #expect(try await stack.json("POST", "/api/v1/operators", port: port, token: can, raw: Data("{broken".utf8)).status == 400)
            #expect(try await stack.login(port: port, "can.yilmaz@example.com").isEmpty == false)
            #expect(
                try await stack.operatorChanges(canID) == [
                    "name Can→Can Yılmaz by admin", "email can@example.com→can.yilmaz@example.com by admin", "role operator→admin by admin",
                ])
            // The same values again change nothing and write nothing.
            #expect(try await stack.json("PATCH", path, port: port, token: admin, body: ["role": "admin"]).status == 200)
            #expect(try await stack.operatorChanges(canID).count == 3)
            #expect(try await stack.json("PATCH", path, port: port, token: admin, body: ["role": "operator"]).status == 200)

            let before = try await stack.operatorsByEmail(port: port, token: admin).keys.sorted()
            let taken = try await stack.json("PATCH", path, port: port, token: admin, body: ["email": "NAZLICAN@example.com"])
            #expect(taken.status == 409)
            #expect(errorCode(taken.object) == "email_taken")
            #expect(errorField(taken.object) == "email")
            let cases: [(body: [String: Any]?, raw: Data?, status: Int, field: String?)] = [
                (nil, Data("{not json".utf8), 400, nil),
                (nil, Data("[1]".utf8), 422, "body"),
                ([:], nil, 422, "body"),
                (["name": "   "], nil, 422, "name"),
                (["name": String(repeating: "x", count: 201)], nil, 422, "name"),
                (["name": "a\u{7}b"], nil, 422, "name"),
                (["email": "not-an-address"], nil, 422, "email"),
                (["role": "superuser"], nil, 422, "role"),
                (["active": "no"], nil, 422, "active"),
                (["name": 42], nil, 422, "name"),
            ]
            for item in cases {
                let reply = try await stack.json("PATCH", path, port: port, token: admin, body: item.body, raw: item.raw)
                #expect(reply.status == item.status, "\(item.body ?? [:]): \(reply.status) \(reply.object)")
                if let field = item.field { #expect(errorField(reply.object) == field, "\(item.body ?? [:])") }
            }
            #expect(
                try await stack.json("PATCH", "/api/v1/operators/\(UUID())", port: port, token: admin, body: ["name": "X"]).status == 404)
            #expect(
                try await stack.json("PATCH", "/api/v1/operators/not-an-id", port: port, token: admin, body: ["name": "X"]).status == 404)
            // Refused callers, before the body is looked at.
            #expect(try await stack.json("PATCH", path, port: port, token: can, raw: Data("{broken".utf8)).status == 403)
            #expect(try await stack.json("PATCH", path, port: port, raw: Data("{broken".utf8)).status == 401)
            #expect(try await stack.json("PATCH", path, port: port, token: "garbage", body: ["name": "X"]).status == 401)
            #expect(try await stack.operatorsByEmail(port: port, token: admin).keys.sorted() == before)
            #expect(try await stack.operatorChanges(canID).count == 4)
        }
    }

    @Test(
        "deactivation under an open stream: the stream gets its error frame and closes, the token and the password are refused, the chat goes back to the Pool audited, the list marks them; reactivation lets them in again"
    )
    func deactivation() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            let second = try await stack.login(port: port, "can@example.com")
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: can, body: ["available": true]).status == 200)
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let chat = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("the chat in the Pool") {
                try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(can)"]).items
                    .contains { $0["id"] as? String == chat }
            }
            #expect(try await stack.json("POST", "/api/v1/pool/\(chat)/take", port: port, token: can).status == 200)
            let streams = [try await LiveStream.open(port: port, token: can), try await LiveStream.open(port: port, token: second)]

            let deactivated = try await stack.json("PATCH", "/api/v1/operators/\(canID)", port: port, token: admin, body: ["active": false])
            #expect(deactivated.status == 200, "\(deactivated.object)")
            #expect(deactivated.object["active"] as? Bool == false)
            for stream in streams {
                // The heartbeat comes every 25 s: an end within 10 s is the deactivation's.
                let frame = try await stream.next("the session's end", timeout: .seconds(10)) { $0["type"] as? String == "error" }
                #expect(((frame["data"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "unauthorized")
                #expect(try await stream.socket.next(timeout: .seconds(10)) == .close(code: 1008))
            }
            for token in [can, second] {
                #expect(try await stack.json("GET", "/api/v1/me", port: port, token: token).status == 401)
            }
            // Their password is refused exactly as a wrong one is.
            let refused = try await stack.json(
                "POST", "/api/v1/auth/login", port: port, body: ["email": "can@example.com", "password": "password-123"])
            let wrong = try await stack.json(
                "POST", "/api/v1/auth/login", port: port, body: ["email": "can@example.com", "password": "wrong-password"])
            #expect(refused.status == 401)
            #expect(refused.reply.body == wrong.reply.body)
            // The chat waits in the Pool again, audited as the admin's return for deactivation.
            let view = try await stack.json("GET", "/api/v1/conversations/\(chat)", port: port, token: admin).object
            #expect(view["status"] as? String == "waiting")
            let returned = (view["audit"] as? [[String: Any]] ?? []).last
            #expect(returned?["how"] as? String == "returned")
            #expect(returned?["reason"] as? String == "deactivated")
            #expect((returned?["by"] as? [String: Any])?["name"] as? String == "admin")
            let listed = try #require(try await stack.operatorsByEmail(port: port, token: admin)["can@example.com"])
            #expect(listed["active"] as? Bool == false)
            let availability = listed["availability"] as? [String: Any]
            #expect(availability?["chats"] as? Bool == false && availability?["tickets"] as? Bool == false)
            // Deactivating again sends the release again and changes nothing else.
            #expect(
                try await stack.json("PATCH", "/api/v1/operators/\(canID)", port: port, token: admin, body: ["active": false]).status == 200
            )
            #expect(try await stack.operatorChanges(canID) == ["deactivated by admin"])

            let back = try await stack.json("PATCH", "/api/v1/operators/\(canID)", port: port, token: admin, body: ["active": true])
            #expect(back.status == 200)
            #expect(back.object["active"] as? Bool == true)
            let again = try await stack.login(port: port, "can@example.com")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: again).status == 200)
            #expect(try await stack.operatorChanges(canID) == ["deactivated by admin", "reactivated by admin"])
        }
    }

    @Test("with the pool away a deactivation takes effect but answers 503; sending it again once the pool is back returns their chat")
    func poolAway() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let canID = try await stack.operatorID(port: port, token: can)
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: can, body: ["available": true]).status == 200)
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let chat = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("the chat in the Pool") {
                try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(can)"]).items
                    .contains { $0["id"] as? String == chat }
            }
            #expect(try await stack.json("POST", "/api/v1/pool/\(chat)/take", port: port, token: can).status == 200)

            let pool = try #require(stack.all.first { $0.service == .pool })
            pool.send(SIGTERM)
            try await pool.waitForExit()
            let failed = try await stack.json("PATCH", "/api/v1/operators/\(canID)", port: port, token: admin, body: ["active": false])
            #expect(failed.status == 503, "\(failed.object)")
            #expect(Int(failed.reply.headers["retry-after"] ?? "") ?? 0 > 0)
            // Identity went first: they can do nothing any more.
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: can).status == 401)

            try pool.restart()
            try await stack.waitUntilReady(pool)
            try await Poll.until("the deactivation to go through with the pool back") {
                try await stack.json("PATCH", "/api/v1/operators/\(canID)", port: port, token: admin, body: ["active": false]).status == 200
            }
            let view = try await stack.json("GET", "/api/v1/conversations/\(chat)", port: port, token: admin).object
            #expect(view["status"] as? String == "waiting")
            #expect((view["audit"] as? [[String: Any]] ?? []).last?["reason"] as? String == "deactivated")
        }
    }

    @Test("the last active admin can be neither demoted nor deactivated; of two admins demoting each other at once one wins")
    func lastAdmin() async throws {
        try await Stack.with { stack in
            // The pool takes back a deactivated admin's work.
            try await stack.start(.pool)
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let adminID = try await stack.operatorID(port: port, token: admin)
            for body in [["role": "operator"], ["active": false]] as [[String: Any]] {
                let refused = try await stack.json("PATCH", "/api/v1/operators/\(adminID)", port: port, token: admin, body: body)
                #expect(refused.status == 409, "\(body)")
                #expect(errorCode(refused.object) == "last_admin")
            }
            #expect(try await stack.json("POST", "/api/v1/operators", port: port, token: admin, raw: Data("{broken".utf8)).status == 400)
            #expect(try await stack.operatorChanges(adminID) == [])

            let created = try await stack.json(
                "POST", "/api/v1/operators", port: port, token: admin,
                body: ["name": "Elif", "email": "elif@example.com", "password": "password-123", "role": "admin"])
            #expect(created.status == 201)
            let elifID = try await stack.operatorID(port: port, token: try await stack.login(port: port, "elif@example.com"))
            // A deactivated admin is no admin: the one left active cannot go.
            for round in 0..<6 {
                // Fresh sessions each round: a deactivation ended the loser's.
                let admin = try await stack.adminToken(port: port)
                let elif = try await stack.login(port: port, "elif@example.com")
                // Even rounds demote, odd ones deactivate (the bodies are made in each task).
                let demote = round % 2 == 0
                async let one = stack.json(
                    "PATCH", "/api/v1/operators/\(elifID)", port: port, token: admin,
                    body: demote ? ["role": "operator"] : ["active": false])
                async let two = stack.json(
                    "PATCH", "/api/v1/operators/\(adminID)", port: port, token: elif,
                    body: demote ? ["role": "operator"] : ["active": false])
                let statuses = [try await one.status, try await two.status].sorted()
                // The loser meets last_admin under the lock, or, when the winner committed before the
                // loser's request was even authenticated, is no admin any more (403) or has no session (401).
                #expect([[200, 409], [200, 403], [200, 401]].contains(statuses), "round \(round): \(statuses)")
                let admins = try await stack.rows("SELECT id FROM identity.operators WHERE role = 'admin' AND active")
                #expect(admins.count == 1, "round \(round)")
                // Put both back as admins for the next round, as whichever admin is left.
                let left = try #require(admins.first?["id"]).lowercased() == adminID.lowercased()
                let token = left ? admin : elif
                let other = left ? elifID : adminID
                let restored = try await stack.json(
                    "PATCH", "/api/v1/operators/\(other)", port: port, token: token, body: ["role": "admin", "active": true])
                #expect(restored.status == 200)
            }
        }
    }
}
