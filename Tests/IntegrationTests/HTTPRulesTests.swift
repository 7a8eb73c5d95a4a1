import Contracts
import Foundation
import Harness
import Testing

@Suite("HTTP rules: methods, framing, query text", .serialized)
struct HTTPRulesTests {
    @Test("a known path with another method is 405 naming the allowed ones in Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let id = UUID().uuidString
            let cases: [(String, String, String)] = [
                ("DELETE", "/api/v1/pool", "GET"), ("PUT", "/api/v1/conversations/\(id)/messages", "GET, POST"),
                ("GET", "/api/v1/auth/login", "POST"), ("POST", "/api/v1/stream", "GET"),
                ("PATCH", "/api/v1/archive/\(id)/hide", "POST, DELETE"), ("DELETE", "/api/v1/settings", "GET, PUT"),
            ]
            for (method, path, allow) in cases {
                let reply = try await stack.http(method, path, port: port, headers: ["Authorization": "Bearer \(admin)"])
                #expect(reply.status == 405, "\(method) \(path): \(reply.status)")
                #expect(reply.headers["allow"] == allow, "\(method) \(path): \(reply.headers["allow"] ?? "none")")
                #expect(reply.text.contains("method_not_allowed"))
            }
            #expect(try await stack.http("GET", "/api/v1/nothing-here", port: port).status == 404)
            #expect(try await stack.http("GET", "/api/v1/conversations/\(id)/nothing", port: port).status == 404)
        }
    }

    @Test("a transfer coding other than chunked is 501 and the connection closes; nothing is stored; chunked works")
    func transferCodings() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let body = #"{"name":"Smuggled"}"#
            for coding in ["gzip", "gzip, chunked", "identity", "x-custom"] {
                let connection = try TCPConnection(port: port)
                connection.send(
                    "POST /api/v1/visitor/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: \(coding)\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                try await Poll.until("an answer to \(coding)") {
                    _ = connection.text; return connection.isClosedByPeer
                }
                let status = connection.status
                #expect(status == 501 || status == 400, "\(coding): \(connection.text)")
                // What followed the refused head is never served as a request of its own.
                #expect(!connection.text.contains("HTTP/1.1 200"), "smuggled: \(connection.text.debugDescription)")
            }
            let chunked = try TCPConnection(port: port)
            let size = String(body.utf8.count, radix: 16)
            chunked.send(
                "POST /api/v1/visitor/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n\(size)\r\n\(body)\r\n0\r\n\r\n")
            try await Poll.until("the chunked start answered") { chunked.status != nil }
            #expect(chunked.status == 201)
            try await Poll.until("only the chunked chat in the Pool") {
                let pool = try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(admin)"])
                return pool.page?.total == 1
            }
        }
    }

    @Test("control characters in query parameters are 422 naming the parameter; malformed numbers too")
    func queryText() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let id = UUID().uuidString
            let cases: [(String, String)] = [
                ("/api/v1/archive?q=a%00b", "q"), ("/api/v1/archive?q=%1B%5B2J", "q"), ("/api/v1/pool?cursor=%00", "cursor"),
                ("/api/v1/pool?limit=1e9", "limit"), ("/api/v1/pool?limit=-1", "limit"),
                ("/api/v1/pool?limit=99999999999999999999999", "limit"),
                ("/api/v1/conversations/\(id)/messages?after_seq=-5", "after_seq"),
                ("/api/v1/conversations/\(id)/messages?before_seq=0", "before_seq"),
                ("/api/v1/conversations/\(id)/messages?after_seq=9223372036854775808", "after_seq"),
                ("/api/v1/conversations/\(id)/messages?after_seq=2&before_seq=9", "before_seq"),
                ("/api/v1/tickets?filter=everything", "filter"),
            ]
            for (path, field) in cases {
                let reply = try await stack.json("GET", path, port: port, token: admin)
                #expect(reply.status == 422 && errorField(reply.object) == field, "\(path): \(reply.status) \(reply.object)")
            }
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
        }
    }
}
