import Contracts
import Foundation
import Harness
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The paces of a slow client: not a wait for a condition (those poll), the attack's own rhythm.
private func pace() async throws { try await Task.sleep(for: .milliseconds(300)) }

@Suite("Connections: slow, idle and too many clients", .serialized)
struct ConnectionTests {
    @Test(
        "300 slow clients dripping a request head are closed at the header deadline, unanswered; an idle kept-alive connection at the idle one; the desk is served throughout"
    )
    func slowClients() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(
                    .gateway,
                    environment: Stack.adminEnvironment.merging([
                        "SWITCHBOARD_HEADER_TIMEOUT_SECONDS": "2", "SWITCHBOARD_IDLE_TIMEOUT_SECONDS": "2",
                        "SWITCHBOARD_CONNECTIONS_PER_ADDRESS": "1000",
                    ]) { $1 }
                ).httpPort)
            let admin = try await stack.adminToken(port: port)
            // The kept-alive one first: behind 300 new connections on a loaded machine, its own head
            // could wait past the 2 s deadline before the gateway reads it.
            let idle = try TCPConnection(port: port)
            idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await Poll.until("the idle connection's answer") { idle.status == 200 }
            let slow = try (0..<300).map { _ in try TCPConnection(port: port) }
            for connection in slow { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n") }

            var served: [Int] = []
            try await Poll.until("every slow client closed", timeout: .seconds(60)) {
                for (index, connection) in slow.enumerated() where !connection.isClosedByPeer {
                    connection.send("X-Drip-\(index): 1\r\n")
                }
                served.append(try await stack.http("GET", "/healthz", port: port).status)
                served.append(try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(admin)"]).status)
                try await pace()
                return slow.allSatisfy { $0.text.isEmpty && $0.isClosedByPeer }
            }
            #expect(served.allSatisfy { $0 == 200 }, "\(served)")
            try await Poll.until("the idle connection closed") {
                _ = idle.text; return idle.isClosedByPeer
            }
            try await Poll.until("ready after the attack") { try await stack.http("GET", "/readyz", port: port).status == 200 }
        }
    }

    @Test("past 20 connections from one address the next is answered 503 at once; a trusted proxy is not capped; closing some makes room")
    func perAddress() async throws {
        try await Stack.with { stack in
            let port = try #require(
                try await stack.start(.gateway, environment: ["SWITCHBOARD_CONNECTIONS_PER_ADDRESS": "20"]).httpPort)
            var held = try (0..<20).map { _ in try TCPConnection(port: port) }
            for connection in held { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") }
            try await Poll.until("the 20 answered") { held.allSatisfy { $0.status == 200 } }
            let over = try TCPConnection(port: port)
            try await Poll.until("the 21st refused and closed") {
                _ = over.text; return over.isClosedByPeer
            }
            #expect(over.status == 503)
            #expect(over.text.contains("too_many_connections"))
            // The ones held are still served.
            held[0].clear()
            held[0].send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try await Poll.until("a held connection served again") { held[0].status == 200 }
            held.removeLast(5)
            try await Poll.until("room again") { try await stack.http("GET", "/healthz", port: port).status == 200 }

            let proxied = try #require(
                try await stack.start(
                    .gateway,
                    environment: ["SWITCHBOARD_CONNECTIONS_PER_ADDRESS": "5", "SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.1/32"]
                ).httpPort)
            let many = try (0..<30).map { _ in try TCPConnection(port: proxied) }
            for connection in many { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") }
            try await Poll.until("all 30 through the proxy answered") { many.allSatisfy { $0.status == 200 } }
        }
    }

    @Test(
        "at 256 file descriptors the gateway holds 192 connections: the rest wait, unanswered, while those open are served; closing some lets them in; nothing crashes"
    )
    func descriptorLimit() async throws {
        try await Stack.with { stack in
            let gateway = try await stack.start(
                .gateway, environment: ["SWITCHBOARD_CONNECTIONS_PER_ADDRESS": "100000"], fileLimit: 256)
            let port = try #require(gateway.httpPort)
            #expect(gateway.log.contains(#""fd.limit":"256""#) && gateway.log.contains(#""http.max_connections":"192""#))
            let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let all = try (0..<240).map { _ in try TCPConnection(port: port) }
            for connection in all { connection.send(request) }
            // The harness's own readiness probes may still be open, and counted, when ours
            // arrive (a loaded machine closes them late); each that closes lets one more of ours in.
            do {
                try await Poll.until("192 answered") { all.filter { $0.status == 200 }.count >= 192 }
            } catch {
                let statuses = Dictionary(grouping: all) { $0.status.map(String.init) ?? ($0.isClosedByPeer ? "closed" : "none") }
                Issue.record("answers: \(statuses.mapValues(\.count))")
                throw error
            }
            // One look at every connection: counted twice, one answered in between would count in neither.
            let statuses = all.map(\.status)
            let answered = zip(all, statuses).filter { $0.1 == 200 }.map(\.0)
            let waiting = zip(all, statuses).filter { $0.1 == nil }.map(\.0)
            // 192, and a few more while the gateway has not yet seen the harness's probes close
            // (a fresh-clone run under load once saw three): far from the 240 that came.
            #expect(answered.count <= 192 + 8)
            #expect(waiting.count == 240 - answered.count)
            #expect(waiting.allSatisfy { !$0.isClosedByPeer })
            // Those it holds are served again.
            answered[0].clear()
            answered[0].send(request)
            try await Poll.until("an open connection served at the limit") { answered[0].status == 200 }
            for connection in answered.dropFirst() { connection.close() }
            try await Poll.until("every waiting one served", timeout: .seconds(60)) { waiting.allSatisfy { $0.status == 200 } }
            #expect(gateway.isRunning)
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
        }
    }
}
