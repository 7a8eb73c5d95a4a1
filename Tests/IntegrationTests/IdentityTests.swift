import Contracts
import Foundation
import Harness
import Testing

/// JSON helpers for the public API.
extension Stack {
    func json(
        _ method: String, _ path: String, port: Int, token: String? = nil, body: [String: Any]? = nil, raw: Data? = nil
    ) async throws -> (status: Int, object: [String: Any], reply: HTTPReply) {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let data = try raw ?? body.map { try JSONSerialization.data(withJSONObject: $0) }
        let reply = try await http(method, path, port: port, body: data, headers: headers)
        let object = (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:]
        return (reply.status, object, reply)
    }
}

func errorCode(_ object: [String: Any]) -> String? { (object["error"] as? [String: Any])?["code"] as? String }
func errorField(_ object: [String: Any]) -> String? {
    ((object["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String
}

@Suite("Operators, sessions and logins", .serialized)
struct IdentityTests {
    static let admin = ["SWITCHBOARD_ADMIN_EMAIL": "Admin@Example.com", "SWITCHBOARD_ADMIN_PASSWORD": "correct horse battery"]

    func login(_ stack: Stack, port: Int, email: String, password: String) async throws -> String {
        let (status, object, _) = try await stack.json(
            "POST", "/api/v1/auth/login", port: port, body: ["email": email, "password": password])
        #expect(status == 200)
        return try #require(object["token"] as? String)
    }

    @Test("the first admin logs in, creates an operator, and sessions end at logout")
    func story() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            let adminToken = try await login(stack, port: port, email: "admin@example.com", password: "correct horse battery")
            let me = try await stack.json("GET", "/api/v1/me", port: port, token: adminToken)
            #expect(me.status == 200)
            #expect(me.object["role"] as? String == "admin")
            #expect(me.object["email"] as? String == "admin@example.com")

            let created = try await stack.json(
                "POST", "/api/v1/operators", port: port, token: adminToken,
                body: ["name": "Nazlıcan", "email": "nazlican@example.com", "password": "şifre-12345", "role": "operator"]
            )
            #expect(created.status == 201)
            #expect(created.object["name"] as? String == "Nazlıcan")
            #expect(created.object["password"] == nil)
            let again = try await stack.json(
                "POST", "/api/v1/operators", port: port, token: adminToken,
                body: ["name": "Other", "email": "NAZLICAN@example.com", "password": "another-pass", "role": "operator"]
            )
            #expect(again.status == 409)

            let operatorToken = try await login(stack, port: port, email: "nazlican@example.com", password: "şifre-12345")
            let list = try await stack.http("GET", "/api/v1/operators", port: port, headers: ["Authorization": "Bearer \(adminToken)"])
            let names = list.items.compactMap { $0["name"] as? String }
            #expect(names == ["Admin", "Nazlıcan"])

            #expect(try await stack.json("POST", "/api/v1/auth/logout", port: port, token: operatorToken).status == 204)
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: operatorToken).status == 401)
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: adminToken).status == 200)
        }
    }

    @Test("an unknown e-mail and a wrong password get the very same 401")
    func sameRefusal() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            let unknown = try await stack.json(
                "POST", "/api/v1/auth/login", port: port, body: ["email": "nobody@example.com", "password": "whatever123"])
            let wrong = try await stack.json(
                "POST", "/api/v1/auth/login", port: port, body: ["email": "admin@example.com", "password": "whatever123"])
            #expect(unknown.status == 401)
            #expect(wrong.status == 401)
            #expect(unknown.reply.body == wrong.reply.body)
        }
    }

    @Test("bad input is refused with the right status and changes nothing")
    func badInput() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            let admin = try await login(stack, port: port, email: "admin@example.com", password: "correct horse battery")
            let good: [String: Any] = ["name": "Ayşe Yılmaz", "email": "ayse@example.com", "password": "long enough", "role": "operator"]
            func with(_ key: String, _ value: Any?) -> [String: Any] {
                var body = good
                body[key] = value
                return body
            }
            let cases: [(body: [String: Any]?, raw: Data?, status: Int, field: String?)] = [
                (nil, Data("{not json".utf8), 400, nil),
                (nil, Data("[1,2]".utf8), 422, "body"),
                (with("name", nil), nil, 422, "name"),
                (with("name", "   "), nil, 422, "name"),
                (with("email", "not-an-address"), nil, 422, "email"),
                (with("password", "short"), nil, 422, "password"),
                (with("password", String(repeating: "ş", count: 40)), nil, 422, "password"),
                (with("role", "superuser"), nil, 422, "role"),
                (with("name", 42), nil, 422, "name"),
                (nil, Data(("{\"name\":\"" + String(repeating: "x", count: (1 << 20) + 10) + "\"}").utf8), 413, nil),
            ]
            for item in cases {
                let reply = try await stack.json("POST", "/api/v1/operators", port: port, token: admin, body: item.body, raw: item.raw)
                #expect(reply.status == item.status, "\(item.field ?? "") \(item.status)")
                if let field = item.field { #expect(errorField(reply.object) == field) }
            }
            let list = try await stack.http("GET", "/api/v1/operators", port: port, headers: ["Authorization": "Bearer \(admin)"])
            #expect(list.items.count == 1)

            for token in [nil, "", "garbage", String(repeating: "a", count: 500)] as [String?] {
                #expect(try await stack.json("GET", "/api/v1/me", port: port, token: token).status == 401)
            }
        }
    }

    @Test("an operator is refused admin routes with 403, before the body is even looked at")
    func authorizationFirst() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            let admin = try await login(stack, port: port, email: "admin@example.com", password: "correct horse battery")
            _ = try await stack.json(
                "POST", "/api/v1/operators", port: port, token: admin,
                body: ["name": "Op", "email": "op@example.com", "password": "op-password", "role": "operator"]
            )
            let op = try await login(stack, port: port, email: "op@example.com", password: "op-password")
            #expect(try await stack.json("GET", "/api/v1/settings", port: port, token: op).status == 403)
            // Colleagues are listed for everyone (to hand work on); creating them is the admin's.
            #expect(try await stack.json("GET", "/api/v1/operators", port: port, token: op).status == 200)
            #expect(try await stack.json("POST", "/api/v1/operators", port: port, token: op, raw: Data("{broken".utf8)).status == 403)
            #expect(try await stack.json("POST", "/api/v1/operators", port: port, raw: Data("{broken".utf8)).status == 401)
        }
    }

    @Test("failed logins are limited per e-mail across two gateways, with Retry-After")
    func rateLimit() async throws {
        try await Stack.with { stack in
            let first = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            let second = try #require(try await stack.start(.gateway, environment: Self.admin).httpPort)
            for attempt in 0..<IdentityRoutesLimits.perEmail {
                let port = attempt % 2 == 0 ? first : second
                let reply = try await stack.json(
                    "POST", "/api/v1/auth/login", port: port, body: ["email": "admin@example.com", "password": "wrong-\(attempt)"])
                #expect(reply.status == 401)
            }
            let limited = try await stack.json(
                "POST", "/api/v1/auth/login", port: second, body: ["email": "admin@example.com", "password": "correct horse battery"])
            #expect(limited.status == 429)
            #expect(Int(limited.reply.headers["retry-after"] ?? "") ?? 0 > 0)
            // Another account from the same address is still served: ordinary use is never limited.
            let other = try await stack.json(
                "POST", "/api/v1/auth/login", port: first, body: ["email": "someone@example.com", "password": "wrong-password"])
            #expect(other.status == 401)
        }
    }

    @Test("two gateways starting at once make exactly one first admin")
    func oneAdmin() async throws {
        try await Stack.with { stack in
            async let a = stack.start(.gateway, environment: Self.admin)
            async let b = stack.start(.gateway, environment: Self.admin)
            let port = try #require(try await a.httpPort)
            _ = try await b
            let token = try await login(stack, port: port, email: "admin@example.com", password: "correct horse battery")
            let list = try await stack.http("GET", "/api/v1/operators", port: port, headers: ["Authorization": "Bearer \(token)"])
            #expect(list.items.count == 1)
        }
    }
}

/// The limits API.md promises (mirrored here so the test reads on its own).
enum IdentityRoutesLimits {
    static let perEmail = 10
}
