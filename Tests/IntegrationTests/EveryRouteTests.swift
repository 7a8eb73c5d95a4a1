import Contracts
import Foundation
import Harness
import Testing

/// Walks every operation of the published OpenAPI document: each refuses the wrong caller and
/// bad input with the documented status, and none of it changes anything.
@Suite("Every route, from the OpenAPI document", .serialized)
struct EveryRouteTests {
    struct Operation {
        var method: String
        var path: String
        var access: String
        var hasBody: Bool
    }

    @Test("wrong callers get 401 or 403; bodies that are not JSON get 400, too large 413; unknown ids 404; nothing changes")
    func everyRoute() async throws {
        try await Stack.with { stack in
            for service in [ServiceName.conversation, .pool, .notification] { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let document = try #require(
                try JSONSerialization.jsonObject(with: try await stack.http("GET", "/api/openapi.json", port: port).body) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            let operations = paths.flatMap { path, methods in
                methods.map {
                    Operation(
                        method: $0.key.uppercased(), path: path, access: $0.value["x-switchboard-access"] as? String ?? "",
                        hasBody: $0.value["requestBody"] != nil)
                }
            }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
            #expect(operations.count > 30)

            let admin = try await stack.adminToken(port: port)
            let op = try await stack.newOperator(port: port, admin: admin, name: "Op", email: "op@example.com")
            let visitor = try #require(
                try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"]).object["visitor_token"]
                    as? String)
            func snapshot() async throws -> String {
                let operators = try await stack.http("GET", "/api/v1/operators", port: port, headers: ["Authorization": "Bearer \(admin)"])
                    .text
                let settings = try await stack.http("GET", "/api/v1/settings", port: port, headers: ["Authorization": "Bearer \(admin)"])
                    .text
                return operators + settings
            }
            let before = try await snapshot()

            let huge = Data(("{\"body\":\"" + String(repeating: "x", count: (1 << 20) + 10) + "\"}").utf8)
            for operation in operations {
                let path = operation.path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                let label = "\(operation.method) \(operation.path)"
                func status(_ token: String?, _ raw: Data? = nil) async throws -> Int {
                    try await stack.json(
                        operation.method, path, port: port, token: token, raw: raw ?? (operation.hasBody ? Data("{}".utf8) : nil)
                    ).status
                }
                switch operation.access {
                case "operator", "admin":
                    #expect(try await status(nil) == 401, "\(label) without a token")
                    #expect(try await status("not-a-token") == 401, "\(label) with a bad token")
                    #expect(try await status(visitor) == 401, "\(label) with a visitor's token")
                    if operation.access == "admin" {
                        #expect(try await status(op, Data("{broken".utf8)) == 403, "\(label) as an operator")
                    }
                case "visitor":
                    #expect(try await status(nil) == 401, "\(label) without a token")
                    #expect(try await status(op) == 401, "\(label) with an operator's token")
                case "participant":
                    // The conversation's visitor or any operator (an attachment): both tokens are tried below.
                    #expect(try await status(nil) == 401, "\(label) without a token")
                    #expect(try await status("not-a-token") == 401, "\(label) with a bad token")
                    #expect(try await status(visitor) == 404, "\(label) with a visitor's token and an unknown id")
                case "mail":
                    // Mail bodies are raw mail, not JSON: their refusals are TicketStoryTests' `badMail`.
                    #expect(try await status(nil) == 401, "\(label) without the secret")
                    #expect(try await status("not-the-secret") == 401, "\(label) with a wrong secret")
                    continue
                default:
                    break
                }
                let caller =
                    operation.access == "admin"
                    ? admin : ["operator", "participant"].contains(operation.access) ? op : operation.access == "visitor" ? visitor : nil
                if operation.hasBody {
                    let idRoute = operation.path.contains("{id}")
                    let malformed = try await status(caller, Data("{not json".utf8))
                    #expect(malformed == 400 || (idRoute && malformed == 404), "\(label) with a body that is not JSON: \(malformed)")
                    let tooLarge = try await status(caller, huge)
                    #expect(tooLarge == 413 || (idRoute && tooLarge == 404), "\(label) with a body over 1 MiB: \(tooLarge)")
                    if !idRoute && operation.path != "/api/v1/auth/logout" {
                        #expect(try await status(caller, Data("{}".utf8)) == 422, "\(label) with missing fields")
                    }
                } else if operation.path.contains("{id}") {
                    let unknown = try await status(caller)
                    #expect(unknown == 404, "\(label) with an unknown id: \(unknown)")
                }
            }
            #expect(try await snapshot() == before)
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: op).status == 200)
        }
    }
}
