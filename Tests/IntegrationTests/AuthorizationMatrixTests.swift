import Contracts
import Foundation
import Harness
import Testing

/// Every documented route × every kind of caller, each with the one status it must get.
@Suite("The authorization matrix", .serialized)
struct AuthorizationMatrixTests {
    /// The callers: nobody, the conversation's visitor, another visitor, its holder (Can), a
    /// colleague (Nazlıcan) and the admin, who holds nothing.
    enum Caller: String, CaseIterable {
        case nobody, visitor, otherVisitor, holder, colleague, admin
    }

    /// One row: a call, and who gets what, in the order the calls are made.
    struct Row {
        var method: String
        var path: String
        var body: [String: Any]?
        var expected: [(Caller, Int)]
        /// A raw PNG for the body instead of JSON (uploads).
        var file = false
    }

    /// The same status for every caller of a group.
    static func visitors(_ status: Int) -> [(Caller, Int)] { [(.visitor, status), (.otherVisitor, status)] }
    static func operators(_ status: Int) -> [(Caller, Int)] { [(.holder, status), (.colleague, status), (.admin, status)] }
    static func everyone(_ status: Int) -> [(Caller, Int)] { [(.nobody, status)] + visitors(status) + operators(status) }
    /// Operator routes: 401 for anyone without a session.
    static func staff(_ status: Int) -> [(Caller, Int)] { [(.nobody, 401)] + visitors(401) + operators(status) }

    @Test("each caller gets exactly the status the rules give, on every route of the OpenAPI document")
    func matrix() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let nazlican = try await stack.newOperator(port: port, admin: admin, name: "Nazlıcan", email: "nazlican@example.com")
            let nazlicanID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: nazlican).object["id"] as? String)
            let canID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: can).object["id"] as? String)
            // Deniz is only edited and given passwords by the rows (their sessions are nobody's).
            let deniz = try await stack.newOperator(port: port, admin: admin, name: "Deniz", email: "deniz@example.com")
            let denizID = try #require(try await stack.json("GET", "/api/v1/me", port: port, token: deniz).object["id"] as? String)

            // C: the visitor's chat, held by Can. D: another visitor's chat, waiting in the Pool.
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let c = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            let customer = try #require(
                ((started.object["conversation"] as? [String: Any])?["customer"] as? [String: Any])?["id"] as? String)
            let other = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Mehmet"])
            let otherVisitor = try #require(other.object["visitor_token"] as? String)
            let d = try #require((other.object["conversation"] as? [String: Any])?["id"] as? String)
            // E: Mehmet's second chat, waiting: dismissed as spam (without a block) by the first operator to try.
            let third = try await stack.json(
                "POST", "/api/v1/visitor/conversations", port: port, token: otherVisitor, body: ["name": "Mehmet"])
            let e = try #require((third.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("both chats in the Pool") {
                let pool = try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(can)"])
                let ids = pool.items.compactMap {
                    $0["id"] as? String
                }
                return ids.contains(c) && ids.contains(d) && ids.contains(e)
            }
            #expect(try await stack.json("POST", "/api/v1/pool/\(c)/take", port: port, token: can).status == 200)
            let settings = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            // F: a file the visitor uploaded in C.
            let png = Data(Samples.png)
            let uploaded = try await stack.http(
                "POST", "/api/v1/visitor/conversations/\(c)/attachments?filename=a.png", port: port, body: png,
                headers: ["Authorization": "Bearer \(visitor)", "Content-Type": "image/png"])
            let f = try #require((try JSONSerialization.jsonObject(with: uploaded.body) as? [String: Any])?["id"] as? String)
            let tokens: [Caller: String] = [
                .visitor: visitor, .otherVisitor: otherVisitor, .holder: can, .colleague: nazlican, .admin: admin,
            ]
            // K: a desk canned response (the admin's to manage); P: Can's personal one.
            let k = try #require(
                try await stack.json(
                    "POST", "/api/v1/canned-responses", port: port, token: admin,
                    body: ["shortcut": "hello", "title": "Hello", "body": "Hello {{customer.name}}", "scope": "desk"]
                ).object["id"] as? String)
            let p = try #require(
                try await stack.json(
                    "POST", "/api/v1/canned-responses", port: port, token: can,
                    body: ["shortcut": "mine", "title": "Mine", "body": "Can here", "scope": "personal"]
                ).object["id"] as? String)
            var serial = 0
            func canned(_ scope: String) -> [String: Any] {
                serial += 1
                return ["shortcut": "c\(serial)", "title": "Canned \(serial)", "body": "Text \(serial)", "scope": scope]
            }
            func message() -> [String: Any] {
                serial += 1
                return ["body": "message \(serial)", "client_message_id": "m-\(serial)"]
            }

            let rows: [Row] = [
                .init(method: "GET", path: "/healthz", expected: Self.everyone(200)),
                .init(method: "GET", path: "/readyz", expected: Self.everyone(200)),
                .init(method: "GET", path: "/metrics", expected: Self.everyone(200)),
                .init(method: "GET", path: "/api/openapi.json", expected: Self.everyone(200)),
                .init(method: "GET", path: "/api/v1/widget/status", expected: Self.everyone(200)),
                .init(method: "POST", path: "/api/v1/visitor/conversations", body: ["name": "Yeni"], expected: Self.everyone(201)),
                .init(
                    method: "POST", path: "/api/v1/visitor/offline-messages",
                    body: ["name": "Ayşe", "email": "ayse@example.com", "message": "Siparişim nerede?"], expected: Self.everyone(201)),
                .init(
                    method: "GET", path: "/api/v1/visitor/conversations",
                    expected: [(.nobody, 401)] + Self.visitors(200) + Self.operators(401)),
                .init(
                    method: "GET", path: "/api/v1/visitor/conversations/\(c)",
                    expected: [(.nobody, 401), (.visitor, 200), (.otherVisitor, 404)] + Self.operators(401)),
                .init(
                    method: "GET", path: "/api/v1/visitor/conversations/\(c)/messages",
                    expected: [(.nobody, 401), (.visitor, 200), (.otherVisitor, 404)] + Self.operators(401)),
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(c)/messages", body: message(),
                    expected: [(.nobody, 401), (.otherVisitor, 404), (.visitor, 201)] + Self.operators(401)),
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(c)/transcript", body: ["email": "copy@example.org"],
                    expected: [(.nobody, 401), (.otherVisitor, 404), (.visitor, 202)] + Self.operators(401)),
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(c)/read", body: ["seq": 1],
                    expected: [(.nobody, 401), (.otherVisitor, 404), (.visitor, 204)] + Self.operators(401)),
                .init(method: "GET", path: "/api/v1/visitor/stream", expected: [(.nobody, 401)] + Self.visitors(426) + Self.operators(401)),
                .init(
                    method: "POST", path: "/api/v1/auth/login", body: ["email": "can@example.com", "password": "wrong password"],
                    expected: Self.everyone(401)),
                .init(method: "GET", path: "/api/v1/me", expected: Self.staff(200)),
                .init(method: "PUT", path: "/api/v1/me/availability", body: ["available": true], expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/operators", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/tickets", expected: Self.staff(200)),
                .init(
                    method: "POST", path: "/api/v1/operators",
                    body: ["name": "Elif", "email": "elif@example.com", "password": "password-123", "role": "operator"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 201)]),
                .init(
                    method: "PATCH", path: "/api/v1/operators/\(denizID)", body: ["name": "Deniz"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                .init(
                    method: "POST", path: "/api/v1/operators/\(denizID)/password", body: ["password": "password-456"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 204)]),
                // A wrong current password changes nothing: refused for every operator.
                .init(
                    method: "PUT", path: "/api/v1/me/password",
                    body: ["current_password": "wrong password", "new_password": "password-456"],
                    expected: Self.staff(403)),
                // Anyone may ask; three mails an hour per e-mail, so the later callers are told to wait.
                .init(
                    method: "POST", path: "/api/v1/auth/password-reset", body: ["email": "nobody@example.com"],
                    expected: [(.nobody, 202), (.visitor, 202), (.otherVisitor, 202), (.holder, 429), (.colleague, 429), (.admin, 429)]),
                .init(
                    method: "POST", path: "/api/v1/auth/password-reset/confirm",
                    body: ["token": "unknown", "new_password": "password-456"],
                    expected: Self.everyone(410)),
                .init(method: "GET", path: "/api/v1/pool", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/messages", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/conversations/\(c)", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/conversations/\(c)/messages", expected: Self.staff(200)),
                .init(
                    method: "POST", path: "/api/v1/conversations/\(c)/messages", body: message(),
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 403), (.admin, 403), (.holder, 201)]),
                .init(method: "POST", path: "/api/v1/conversations/\(c)/read", body: ["seq": 1], expected: Self.staff(204)),
                // Any operator of the desk writes internal notes.
                .init(method: "POST", path: "/api/v1/conversations/\(c)/notes", body: ["body": "a note"], expected: Self.staff(201)),
                .init(method: "GET", path: "/api/v1/canned-responses", expected: Self.staff(200)),
                .init(method: "POST", path: "/api/v1/canned-responses", body: canned("personal"), expected: Self.staff(201)),
                .init(
                    method: "POST", path: "/api/v1/canned-responses", body: canned("desk"),
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 201)]),
                .init(
                    method: "PUT", path: "/api/v1/canned-responses/\(k)",
                    body: ["shortcut": "hello", "title": "Hello", "body": "Hi {{customer.first_name}}", "scope": "desk"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                // A personal one is its owner's alone: to anyone else it does not exist.
                .init(
                    method: "PUT", path: "/api/v1/canned-responses/\(p)",
                    body: ["shortcut": "mine", "title": "Mine", "body": "Can here again", "scope": "personal"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 200), (.colleague, 404), (.admin, 404)]),
                .init(
                    method: "GET", path: "/api/v1/canned-responses/\(p)/render?conversation_id=\(c)",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 200), (.colleague, 404), (.admin, 404)]),
                .init(
                    method: "DELETE", path: "/api/v1/canned-responses/\(p)",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 404), (.admin, 404), (.holder, 204)]),
                .init(
                    method: "DELETE", path: "/api/v1/canned-responses/\(k)",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 204)]),
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(c)/attachments?filename=a.png",
                    expected: [(.nobody, 401), (.otherVisitor, 404), (.visitor, 201)] + Self.operators(401), file: true),
                .init(method: "POST", path: "/api/v1/conversations/\(c)/attachments?filename=a.png", expected: Self.staff(201), file: true),
                .init(
                    method: "GET", path: "/api/v1/attachments/\(f)",
                    expected: [(.nobody, 401), (.visitor, 200), (.otherVisitor, 404)] + Self.operators(200)),
                .init(method: "GET", path: "/api/v1/customers/\(customer)/conversations", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/customers/\(customer)", expected: Self.staff(200)),
                .init(
                    method: "POST", path: "/api/v1/pool/\(e)/dismiss", body: ["block": false],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 200), (.holder, 200), (.admin, 200)]),
                .init(
                    method: "GET", path: "/api/v1/blocks",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                .init(
                    method: "DELETE", path: "/api/v1/blocks/\(e)",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 404)]),
                .init(method: "GET", path: "/api/v1/notifications", expected: Self.staff(200)),
                .init(method: "POST", path: "/api/v1/notifications/read-all", expected: Self.staff(204)),
                .init(method: "POST", path: "/api/v1/notifications/\(UUID())/read", expected: Self.staff(404)),
                .init(method: "GET", path: "/api/v1/archive", expected: Self.staff(200)),
                .init(method: "GET", path: "/api/v1/stream", expected: Self.staff(426)),
                .init(
                    method: "GET", path: "/api/v1/settings",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                .init(
                    method: "PUT", path: "/api/v1/settings", body: settings,
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                // D waits: the first operator to take it wins, the others are told it is taken.
                .init(
                    method: "POST", path: "/api/v1/pool/\(d)/take",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 200), (.holder, 409), (.admin, 409)]),
                // Any operator may take a colleague's job.
                .init(
                    method: "POST", path: "/api/v1/conversations/\(d)/take",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 200), (.admin, 200), (.colleague, 200)]),
                // Only the holder makes C a ticket; then it goes on by mail (nowhere, here: mails stay queued).
                .init(
                    method: "POST", path: "/api/v1/conversations/\(c)/ticket", body: ["email": "ayse@example.com"],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 403), (.admin, 403), (.holder, 201)]),
                // C is a ticket now: any operator may give it to an available colleague (to Can, who keeps it).
                .init(
                    method: "POST", path: "/api/v1/tickets/\(c)/assign", body: ["operator_id": canID],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.admin, 200), (.colleague, 200), (.holder, 200)]),
                // Mail comes in with the inbound secret only, which no caller has.
                .init(method: "POST", path: "/api/v1/inbound/email", expected: Self.everyone(401)),
                // The colleague holds D now: they, or an admin, give it back to the Pool.
                .init(
                    method: "POST", path: "/api/v1/conversations/\(d)/return",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 200), (.admin, 200)]),
                // Only the holder, or an admin, hands C on or closes it.
                .init(
                    method: "POST", path: "/api/v1/conversations/\(c)/transfer", body: ["operator_id": nazlicanID],
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.colleague, 403), (.holder, 200), (.admin, 200)]),
                .init(
                    method: "POST", path: "/api/v1/conversations/\(c)/close",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.admin, 200), (.colleague, 200)]),
                // C is closed now: only its own visitor rates it, once.
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(c)/rating", body: ["score": 5],
                    expected: [(.nobody, 401), (.otherVisitor, 404), (.visitor, 201)] + Self.operators(401)),
                .init(method: "GET", path: "/api/v1/reports/ratings", expected: Self.staff(200)),
                .init(
                    method: "GET", path: "/api/v1/team",
                    expected: [(.nobody, 401)] + Self.visitors(401) + [(.holder, 403), (.colleague, 403), (.admin, 200)]),
                .init(method: "POST", path: "/api/v1/archive/\(c)/hide", expected: Self.staff(204)),
                // D is back in the Pool: only its own visitor ends it.
                .init(
                    method: "POST", path: "/api/v1/visitor/conversations/\(d)/close",
                    expected: [(.nobody, 401), (.visitor, 404)] + Self.operators(401) + [(.otherVisitor, 200)]),
                .init(method: "DELETE", path: "/api/v1/archive/\(c)/hide", expected: Self.staff(204)),
                .init(method: "POST", path: "/api/v1/auth/logout", expected: Self.staff(204)),
            ]

            // Every documented operation has a row, so a new route cannot skip the matrix.
            let document = try JSONSerialization.jsonObject(with: try await stack.http("GET", "/api/openapi.json", port: port).body)
            let paths = try #require((document as? [String: Any])?["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
            let ids = [c, d, e, customer, denizID, k, p, f]
            let covered = Set(
                rows.map { row in
                    var path = String(row.path.prefix { $0 != "?" })
                    for id in ids { path = path.replacingOccurrences(of: id, with: "{id}") }
                    if path.hasPrefix("/api/v1/notifications/"), path.hasSuffix("/read"), !path.contains("read-all") {
                        path = "/api/v1/notifications/{id}/read"
                    }
                    return "\(row.method) \(path)"
                })
            #expect(documented.subtracting(covered).sorted() == [], "documented routes without a row")

            for row in rows {
                #expect(Set(row.expected.map(\.0)) == Set(Caller.allCases), "\(row.method) \(row.path) names every caller")
                for (caller, status) in row.expected {
                    var headers = ["Content-Type": "image/png"]
                    if let token = tokens[caller] { headers["Authorization"] = "Bearer \(token)" }
                    let reply =
                        row.file
                        ? try await stack.http(row.method, row.path, port: port, body: png, headers: headers)
                        : try await stack.json(row.method, row.path, port: port, token: tokens[caller], body: row.body).reply
                    #expect(reply.status == status, "\(row.method) \(row.path) as \(caller.rawValue): \(reply.status) \(reply.text)")
                }
            }
        }
    }
}
