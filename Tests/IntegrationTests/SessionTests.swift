import Contracts
import Foundation
import Harness
import Logging
import Storage
import Testing

/// Runs one statement against the stack's database, as an operator with psql would.
private func sql(_ stack: Stack, _ statement: String) async throws {
    let database = Database(url: stack.databaseURL, size: 1, logger: Logger(label: "test"))
    try await withRunning(database) { _ = try await database.query(SQL(unescaped: statement)) }
}

@Suite("Sessions and streams: expiry, logout, caps, RFC 6455", .serialized)
struct SessionTests {
    @Test(
        "logout on one gateway closes that session's streams on both at once (long before a heartbeat would); another session's stream lives on"
    )
    func logoutClosesStreams() async throws {
        try await Stack.with { stack in
            let one = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let two = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let token = try await stack.adminToken(port: one)
            let other = try await stack.adminToken(port: two)
            let streams = [try await LiveStream.open(port: one, token: token), try await LiveStream.open(port: two, token: token)]
            let untouched = try await LiveStream.open(port: two, token: other)
            #expect(
                try await stack.http("POST", "/api/v1/auth/logout", port: one, headers: ["Authorization": "Bearer \(token)"]).status == 204)
            for stream in streams {
                // The heartbeat comes every 25 s: an end within 10 s is the logout's.
                let frame = try await stream.next("the session's end", timeout: .seconds(10)) { $0["type"] as? String == "error" }
                #expect(((frame["data"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "unauthorized")
                let closing = try await stream.socket.next(timeout: .seconds(10))
                #expect(closing == .close(code: 1008))
            }
            #expect(try await stack.json("GET", "/api/v1/me", port: two, token: token).status == 401)
            #expect(try await stack.json("GET", "/api/v1/me", port: two, token: other).status == 200)
            untouched.socket.send("ping")
            #expect(!untouched.socket.isClosed)
        }
    }

    @Test(
        "one token holds at most SWITCHBOARD_STREAMS_PER_TOKEN streams; the next is refused with too_many_streams; closing one makes room")
    func streamsPerToken() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(.gateway, environment: Stack.adminEnvironment.merging(["SWITCHBOARD_STREAMS_PER_TOKEN": "3"]) { $1 })
                    .httpPort)
            let admin = try await stack.adminToken(port: port)
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            for (token, isVisitor) in [(admin, false), (visitor, true)] {
                var open = [LiveStream]()
                for _ in 0..<3 { open.append(try await LiveStream.open(port: port, visitor: isVisitor, token: token)) }
                let socket = try await WebSocketClient.connect(port: port, path: isVisitor ? "/api/v1/visitor/stream" : "/api/v1/stream")
                socket.send(#"{"token":"\#(token)"}"#)
                let refused = try #require(try await socket.nextJSON())
                #expect(((refused["data"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "too_many_streams")
                #expect(try await socket.next() == .close(code: 1008))
                open[0].socket.close()
                try await Poll.until("room for another stream") {
                    (try? await LiveStream.open(port: port, visitor: isVisitor, token: token)) != nil
                }
            }
        }
    }

    @Test(
        "a session ends at its lifetime and when unused past the idle timeout; use keeps it; a visitor token unused past its days expires")
    func expiry() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            // The clock is the database's: the tests move the recorded instants back instead of waiting.
            let idle = try await stack.adminToken(port: port)
            try await sql(stack, "UPDATE identity.sessions SET last_used_at = now() - interval '61 minutes'")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: idle).status == 401)

            let used = try await stack.adminToken(port: port)
            try await sql(stack, "UPDATE identity.sessions SET last_used_at = now() - interval '59 minutes'")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: used).status == 200)
            // That use counted: 59 more minutes pass and it still lives.
            try await sql(stack, "UPDATE identity.sessions SET last_used_at = last_used_at - interval '59 minutes'")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: used).status == 200)
            try await sql(stack, "UPDATE identity.sessions SET expires_at = now() - interval '1 second'")
            #expect(try await stack.json("GET", "/api/v1/me", port: port, token: used).status == 401)

            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            try await sql(stack, "UPDATE identity.visitors SET last_used_at = now() - interval '29 days'")
            #expect(try await stack.json("GET", "/api/v1/visitor/conversations", port: port, token: visitor).status == 200)
            try await sql(stack, "UPDATE identity.visitors SET last_used_at = now() - interval '31 days'")
            // A gateway keeps a token it found valid for a few seconds (`KnownVisitors`): the
            // expiry shows once that has passed.
            try await Poll.until("the expired visitor token is refused", timeout: .seconds(60), every: .milliseconds(250)) {
                try await stack.json("GET", "/api/v1/visitor/conversations", port: port, token: visitor).status == 401
            }
        }
    }

    @Test("a client frame that is not masked closes the stream with 1002; a text frame that is not UTF-8 with 1007; the gateway serves on")
    func frameRules() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            for (bytes, masked, code) in [(Array(#"{"token":"x"}"#.utf8), false, 1002), ([0xC3, 0x28, 0xFF], true, 1007)]
                as [([UInt8], Bool, Int)]
            {
                let stream = try await LiveStream.open(port: port, token: admin, inHeader: true)
                stream.socket.sendText(bytes: bytes, masked: masked)
                // Whatever frames were on their way, the last is the close.
                var closing: WebSocketClient.Frame?
                var seen: [WebSocketClient.Frame] = []
                while let frame = try await stream.socket.next(timeout: .seconds(10)) {
                    seen.append(frame)
                    if case .close = frame {
                        closing = frame
                        break
                    }
                }
                #expect(closing == .close(code: code), "\(bytes) masked \(masked): \(seen)")
            }
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
            _ = try await LiveStream.open(port: port, token: admin)
        }
    }
}
