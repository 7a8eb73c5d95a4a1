import Contracts
import Foundation
import Harness
import Logging
import Storage
import Synchronization
import Testing
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Health-check calls counted per instance, from many tasks.
final class Tally: Sendable {
    private let state = Mutex<(counts: [String: Int], failures: [String])>(([:], []))
    func success(_ instance: String) { state.withLock { $0.counts[instance, default: 0] += 1 } }
    func failure(_ error: any Error) { state.withLock { $0.failures.append("\(error)") } }
    var counts: [String: Int] { state.withLock { $0.counts } }
    var failures: [String] { state.withLock { $0.failures } }
}

@Suite("Five real processes", .serialized)
struct ProcessTests {
    @Test("with no admin and no SMTP server the desk runs, and the log and /readyz say what is missing")
    func firstRunAttention() async throws {
        try await Stack.with { stack in
            let processes = try await stack.startAll()
            let gateway = try #require(processes.first { $0.service == .gateway })
            let port = try #require(gateway.httpPort)
            func attention(_ port: Int) async throws -> [String] {
                let readiness = try await stack.http("GET", "/readyz", port: port)
                let body = try #require(try JSONSerialization.jsonObject(with: readiness.body) as? [String: Any])
                #expect(readiness.status == 200, "a missing setting does not make the desk unready")
                return ((body["attention"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }.sorted()
            }
            try await Poll.until("both reported") { try await attention(port) == ["mail_not_configured", "no_admin"] }
            let ticketing = try #require(processes.first { $0.service == .ticketing })
            try await Poll.until("the log lines") {
                gateway.log.contains("no admin exists, so nobody can log in: set SWITCHBOARD_ADMIN_EMAIL and SWITCHBOARD_ADMIN_PASSWORD")
                    && ticketing.log.contains("SWITCHBOARD_SMTP_URL is not set")
            }
            // Half the admin settings, as .env.example ships them: the one missing is named.
            let half = try await stack.start(.gateway, environment: ["SWITCHBOARD_ADMIN_EMAIL": "lead@example.com"])
            try await Poll.until("the missing password named") {
                half.log.contains("no admin exists, so nobody can log in: set SWITCHBOARD_ADMIN_PASSWORD (")
            }
            // Once a gateway makes the admin, every gateway stops reporting it.
            let whole = try await stack.start(
                .gateway, environment: ["SWITCHBOARD_ADMIN_EMAIL": "lead@example.com", "SWITCHBOARD_ADMIN_PASSWORD": "a long secret"])
            try await Poll.until("no_admin gone") { try await attention(port) == ["mail_not_configured"] }
            #expect(try await attention(try #require(whole.httpPort)) == ["mail_not_configured"])
        }
    }

    @Test("five processes start, find each other over the sockets, and the gateway is ready")
    func fiveProcesses() async throws {
        try await Stack.with { stack in
            let processes = try await stack.startAll()
            let gateway = try #require(processes.first { $0.service == .gateway }?.httpPort)
            try await Poll.until("the gateway to be ready") {
                try await stack.http("GET", "/readyz", port: gateway).status == 200
            }
            let readiness = try await stack.http("GET", "/readyz", port: gateway)
            let body = try #require(try JSONSerialization.jsonObject(with: readiness.body) as? [String: Any])
            #expect(body["database"] as? Bool == true)
            #expect((body["services"] as? [String: Any])?.count == 4)
            #expect(try await stack.http("GET", "/healthz", port: gateway).status == 200)
            // Each instance has 2 s to answer a scrape: at the start of the full suite one may not,
            // and says so (`switchboard_scrape_up … 0`); a later scrape finds every one.
            var metrics = try await stack.http("GET", "/metrics", port: gateway)
            try await Poll.until("a scrape that every instance answered") {
                metrics = try await stack.http("GET", "/metrics", port: gateway)
                let up = metrics.text.split(separator: "\n").filter { $0.hasPrefix("switchboard_scrape_up{") }
                return up.count == 4 && up.allSatisfy { $0.hasSuffix(" 1") }
            }
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("rpc_client_calls_total"))
            #expect(metrics.text.contains("method=\"system.health\""))
            // One scrape covers the cell: every back-service instance's metrics, labelled with its name.
            for process in processes where process.service != .gateway {
                let labels = "service=\"\(process.service.rawValue)\",instance=\"\(process.instance)\""
                #expect(metrics.text.contains("switchboard_scrape_up{\(labels)} 1"))
                #expect(metrics.text.contains("rpc_server_requests_total{\(labels),"))
            }
            #expect(metrics.text.components(separatedBy: "# TYPE rpc_server_requests_total ").count == 2, "one TYPE line per family")

            for process in processes where process.service != .gateway {
                try await process.waitUntilHealthy()
                let health = try await RPCClient.callOnce(SystemMethods.Health.self, Empty(), socketPath: process.socketPath)
                #expect(health.service == process.service.rawValue)
                #expect(health.instance == process.instance)
                let metrics = try await RPCClient.callOnce(SystemMethods.Metrics.self, Empty(), socketPath: process.socketPath)
                #expect(metrics.text.contains("rpc_server_requests_total"))
            }
        }
    }

    @Test("echo … | socat works: a half-closed connection to a real service gets its reply")
    func halfClosed() async throws {
        try await Stack.with { stack in
            let pool = try await stack.start(.pool)
            let socket = try RawSocket(path: pool.socketPath)
            socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system.health\"}\n")
            socket.finishWriting()
            let reply = try #require(try await socket.readJSON())
            #expect((reply["result"] as? [String: Any])?["service"] as? String == "pool")
            #expect(try await socket.readLine() == nil)
        }
    }

    @Test("bad input to a real process is answered and the process keeps serving")
    func badInput() async throws {
        try await Stack.with { stack in
            let conversation = try await stack.start(.conversation)
            let garbage = try RawSocket(path: conversation.socketPath)
            garbage.send(
                "{{{ not json\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"system.nope\"}\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"system.health\",\"params\":[]}\n"
            )
            // Replies come back in whatever order the requests finish.
            var codes: Set<Int> = []
            for _ in 0..<3 {
                let reply = try #require(try await garbage.readJSON())
                codes.insert(try #require((reply["error"] as? [String: Any])?["code"] as? Int))
            }
            #expect(codes == [-32700, -32601, -32602])
            let huge = try RawSocket(path: conversation.socketPath)
            huge.send(Array(repeating: UInt8(ascii: "x"), count: (1 << 20) + 100))
            _ = try await huge.readJSON()
            #expect(try await huge.readLine() == nil)
            let broken = try RawSocket(path: conversation.socketPath)
            broken.send([0x7B, 0xC0, 0xAF, 0x7D, 0x0A])
            _ = try await broken.readJSON()
            #expect(try await broken.readLine() == nil)
            #expect(conversation.isRunning)
            try await conversation.waitUntilHealthy()
        }
    }

    @Test("malformed numbers and frames on every service's socket are answered with errors; each service keeps serving")
    func malformedNumbers() async throws {
        try await Stack.with { stack in
            func line(_ method: String, _ params: String, extra: String = "") -> String {
                #"{"jsonrpc":"2.0","id":7,"method":"\#(method)","params":\#(params)\#(extra)}"#
            }
            let everywhere = [
                line("system.health", "{}", extra: #","deadline_ms":9300000000000"#),
                line("system.health", "{}", extra: #","deadline_ms":-5"#),
                line("system.health", "{}", extra: #","deadline_ms":1e400"#), #"{"jsonrpc":"2.0","id":1e400,"method":"system.health"}"#,
                #"{"jsonrpc":"2.0","id":-99999999999999999999999,"method":"system.health"}"#, line("system.ping", #"{"payload":7}"#),
            ]
            let own: [ServiceName: [String]] = [
                .pool: [
                    line("pool.waiting", #"{"page":{"limit":1e12}}"#), line("pool.waiting", #"{"page":{"limit":-1}}"#),
                    line("pool.waiting", #"{"page":{"limit":10,"cursor":"!!"}}"#),
                    line("pool.audit", #"{"conversation_id":"\#(UUID())","limit":99999999999}"#),
                    line("pool.admit", #"{"conversation_id":"\#(UUID())","origin":"x","limit":0}"#),
                    line("pool.staffing", #"{"operator_ids":"\#(String(repeating: "x", count: 100))"}"#),
                ],
                .conversation: [
                    line("conversation.messages", #"{"conversation_id":"\#(UUID())","after_seq":1e30,"limit":10}"#),
                    line("conversation.messages", #"{"conversation_id":"\#(UUID())","after_seq":-1,"limit":10}"#),
                    line("conversation.messages", #"{"conversation_id":"\#(UUID())","after_seq":0,"limit":9223372036854775807}"#),
                    line("conversation.messages", #"{"conversation_id":"\#(UUID())","before_seq":0,"after_seq":0,"limit":10}"#),
                    line("conversation.read", #"{"operator_id":"\#(UUID())","conversation_id":"\#(UUID())","seq":-3}"#),
                    line("conversation.history", #"{"visitor_id":"\#(UUID())","page":{"limit":501}}"#),
                ],
                .ticketing: [
                    line("ticketing.tickets", #"{"page":{"limit":0}}"#),
                    line("ticketing.tickets", #"{"page":{"limit":1,"cursor":"bm9wZQ"}}"#),
                    line(
                        "ticketing.ticket",
                        #"{"conversation_id":"\#(UUID())","message_ids":[\#((0..<501).map { _ in "\"\(UUID())\"" }.joined(separator: ","))]}"#
                    ),
                ],
                .notification: [
                    line("events.read", #"{"after":"0-0","limit":-1}"#),
                    line("events.read", #"{"after":"99999999999999999999-0","limit":10}"#),
                    line("events.read", #"{"after":"0-0","limit":1e9}"#),
                    line("notification.list", #"{"operator_id":"\#(UUID())","unread_only":false,"page":{"limit":100000}}"#),
                ],
            ]
            for service in ServiceName.back {
                let process = try await stack.start(service)
                let socket = try RawSocket(path: process.socketPath)
                let lines = everywhere + own[service, default: []]
                socket.send(lines.joined(separator: "\n") + "\n")
                for _ in lines {
                    let reply = try #require(try await socket.readJSON(), "\(service.rawValue): no reply")
                    #expect(reply["error"] is [String: Any], "\(service.rawValue): \(reply)")
                }
                #expect(process.isRunning)
                try await process.waitUntilHealthy()
            }
        }
    }

    @Test("two instances both get traffic; killing one under load fails no idempotent call; a restarted one gets traffic again")
    func killOneOfTwo() async throws {
        try await Stack.with { stack in
            let first = try await stack.start(.pool, instance: "p1")
            _ = try await stack.start(.pool, instance: "p2")
            let client = stack.client(.pool)
            try await Poll.until("both instances connected") { client.connectedInstances == ["p1", "p2"] }

            let tally = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for _ in 0..<150 {
                            do {
                                tally.success(try await client.call(SystemMethods.Health.self, Empty()).instance)
                            } catch {
                                tally.failure(error)
                            }
                        }
                        _ = worker
                    }
                }
                try await Poll.until("traffic on both") { tally.counts.count == 2 }
                first.send(SIGKILL)
                try await group.waitForAll()
            }
            #expect(tally.failures == [])
            #expect(tally.counts.values.reduce(0, +) == 1200)
            #expect(try await first.waitForExit() == 128 + SIGKILL)

            // The crash left p1's socket behind; the same name starts cleanly and gets traffic again.
            try first.restart()
            try await stack.waitUntilReady(first)
            try await Poll.until("p1 back in rotation") { client.connectedInstances == ["p1", "p2"] }
            let after = Tally()
            for _ in 0..<40 { after.success(try await client.call(SystemMethods.Health.self, Empty()).instance) }
            #expect(after.counts["p1", default: 0] > 0)
        }
    }

    @Test("a server killed mid-flight fails every pending call promptly; the client reconnects when it is back")
    func killedMidFlight() async throws {
        try await Stack.with { stack in
            let pool = try await stack.start(.pool, instance: "p1")
            let connection = try await RPCConnection.connect(socketPath: pool.socketPath)
            let outcomes = Tally()
            let calls = (0..<2000).map { _ in
                Task {
                    do {
                        outcomes.success(try await connection.call(SystemMethods.Health.self, Empty(), timeout: .seconds(60)).instance)
                    } catch {
                        outcomes.failure(error)
                    }
                }
            }
            pool.send(SIGKILL)
            // Each call either got its answer or failed with connection_lost: none waits out its 60 s.
            try await withDeadline(.seconds(20)) {
                for call in calls { await call.value }
            }
            #expect(outcomes.counts.values.reduce(0, +) + outcomes.failures.count == 2000)
            #expect(outcomes.failures.allSatisfy { $0.contains("connection") })

            let client = stack.client(.pool)
            try pool.restart()
            try await stack.waitUntilReady(pool)
            #expect(try await client.call(SystemMethods.Health.self, Empty()).instance == "p1")
        }
    }

    @Test("SIGTERM: the process drains, exits 0, and removes its socket and lock")
    func sigterm() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back + [.gateway] {
                let process = try await stack.start(service)
                process.send(SIGTERM)
                #expect(try await process.waitForExit() == 0, "\(service)")
                if service != .gateway {
                    #expect(!FileManager.default.fileExists(atPath: process.socketPath))
                    #expect(!FileManager.default.fileExists(atPath: process.socketPath.replacingOccurrences(of: ".sock", with: ".lock")))
                }
            }
        }
    }

    @Test("PostgreSQL away: the gateway answers 503 with the API's error body and says why in its log; back again, it serves")
    func databaseAway() async throws {
        let server = try await PostgresServer.startCluster()
        do {
            try await Stack.with(databaseURL: server.url) { stack in
                let gateway = try await stack.start(.gateway, environment: Stack.adminEnvironment)
                let port = try #require(gateway.httpPort)
                _ = try await stack.adminToken(port: port)
                try await server.stop()
                let login = ["email": "admin@example.com", "password": "correct horse battery"]
                let away = try await stack.json("POST", "/api/v1/auth/login", port: port, body: login)
                #expect(away.status == 503)
                #expect(errorCode(away.object) == "unavailable")
                #expect(away.reply.headers["retry-after"] != nil)
                try await Poll.until("the reason in the log") { gateway.log.contains("database unavailable") }
                try await server.start()
                try await Poll.until("logins again", timeout: .seconds(60)) {
                    try await stack.json("POST", "/api/v1/auth/login", port: port, body: login).status == 200
                }
                #expect(gateway.isRunning)
            }
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test("a live instance's name cannot be taken twice")
    func duplicateInstance() async throws {
        try await Stack.with { stack in
            let first = try await stack.start(.ticketing, instance: "t1")
            let twin = try await stack.start(.ticketing, instance: "t1", waitUntilReady: false)
            #expect(try await twin.waitForExit() == 1)
            #expect(twin.log.contains("another live process holds"))
            #expect(try await RPCClient.callOnce(SystemMethods.Health.self, Empty(), socketPath: first.socketPath).instance == "t1")
        }
    }

    @Test("processes migrating at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        try await Stack.with { stack in
            let runs = ServiceName.back + [.gateway] + ServiceName.back + [.gateway]
            let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
                for (index, service) in runs.enumerated() {
                    group.addTask {
                        try await ServiceProcess.runOnce(
                            executable: stack.executable(service), arguments: ["migrate"],
                            environment: stack.environment(instance: "m\(index)"), logPath: "\(stack.root)/migrate-\(index).log"
                        )
                    }
                }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 0 })
            let database = Database(url: stack.databaseURL, size: 1, logger: .init(label: "test"))
            let rows = try await withRunning(database) {
                try await database.query("SELECT schema_name, count(*) FROM platform.migrations GROUP BY schema_name ORDER BY 1")
            }
            let counts = try rows.map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
            #expect(counts == ["conversation=10", "identity=6", "notification=3", "platform=3", "pool=8", "ticketing=6"])
        }
    }

    @Test(
        "a bad configuration stops each process that reads it at once with a clear message and status 2",
        arguments: [
            // A service's own setting stops that service; a shared one stops every process.
            ("SWITCHBOARD_HTTP_PORT", "eighty", "SWITCHBOARD_HTTP_PORT", [ServiceName.gateway]),
            ("SWITCHBOARD_SMTP_URL", "http://mail", "SWITCHBOARD_SMTP_URL", [.ticketing]),
            ("DATABASE_URL", "", "DATABASE_URL: not set", [.pool, .gateway]),
            ("LOG_LEVEL", "loud", "LOG_LEVEL", [.pool, .gateway]),
            ("SWITCHBOARD_INSTANCE", "../escape", "SWITCHBOARD_INSTANCE", [.pool, .gateway]),
        ])
    func badConfiguration(variable: String, value: String, message: String, services: [ServiceName]) async throws {
        try await Stack.with { stack in
            for service in services {
                var environment = stack.environment(instance: "bad")
                environment[variable] = value
                let log = "\(stack.root)/bad-\(service.rawValue).log"
                let status = try await ServiceProcess.runOnce(
                    executable: stack.executable(service), arguments: [], environment: environment, logPath: log)
                #expect(status == 2)
                #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(message))
            }
        }
    }

    @Test("`health`, each image's healthcheck: 0 while the process serves, 1 once it is gone")
    func healthCommands() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let gateway = try await stack.start(.gateway)
            let port = try #require(gateway.httpPort)
            func health(_ service: ServiceName, _ extra: [String: String] = [:]) async throws -> Int32 {
                let environment = stack.environment(instance: "probe", extra: extra)
                return try await ServiceProcess.runOnce(
                    executable: stack.executable(service), arguments: ["health"], environment: environment,
                    logPath: "\(stack.root)/health-\(service.rawValue).log")
            }
            #expect(try await health(.gateway, ["SWITCHBOARD_HTTP_PORT": "\(port)"]) == 0)
            for running in stack.all where running.service != .gateway {
                #expect(try await health(running.service, ["SWITCHBOARD_INSTANCE": running.instance]) == 0)
            }
            gateway.send(SIGTERM)
            _ = try await gateway.waitForExit()
            #expect(try await health(.gateway, ["SWITCHBOARD_HTTP_PORT": "\(port)"]) == 1)
        }
    }

    @Test("the traceparent of an HTTP request reaches the back services' logs")
    func tracePropagates() async throws {
        try await Stack.with { stack in
            try await stack.start(.pool, environment: ["LOG_LEVEL": "debug"])
            for service in [ServiceName.conversation, .ticketing, .notification] { try await stack.start(service) }
            let gateway = try await stack.start(.gateway)
            let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let reply = try await stack.http("GET", "/readyz", port: try #require(gateway.httpPort), headers: ["traceparent": trace])
            #expect(reply.headers["traceparent"] == trace)
            let pool = try #require(stack.all.first { $0.service == .pool })
            try await Poll.until("the trace in the pool's log") { pool.log.contains(trace) }
        }
    }
}

/// Fails with a clear error if `work` has not finished by then, instead of hanging the run.
func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() ?? nil else { throw HarnessError("still not done after \(limit)") }
        return value
    }
}

@Suite("Orphans", .serialized)
struct OrphanTests {
    @Test("with SWITCHBOARD_EXIT_WITH_PARENT=1 (as make run sets it) a service whose parent is killed outright stops cleanly")
    func exitsWithParent() async throws {
        try await Stack.with { stack in
            let pidFile = "\(stack.root)/orphan.pid"
            // A parent shell that starts the service and waits, as `make run` does; then killed with SIGKILL.
            let parent = try ChildProcess(
                executable: "/bin/sh", arguments: ["-c", #""$0" & echo $! > "$1"; wait"#, stack.executable(.pool), pidFile],
                environment: stack.environment(instance: "orphan", extra: ["SWITCHBOARD_EXIT_WITH_PARENT": "1"]),
                outputPath: "\(stack.root)/orphan.log")
            var child: pid_t = 0
            try await Poll.until("the service started") {
                child =
                    pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
                    ?? 0
                let log = (try? String(contentsOfFile: "\(stack.root)/orphan.log", encoding: .utf8)) ?? ""
                return child > 0 && log.contains("listening")
            }
            parent.send(SIGKILL)
            try await Poll.until("the orphan to stop", timeout: .seconds(30)) { kill(child, 0) != 0 }
            let log = try String(contentsOfFile: "\(stack.root)/orphan.log", encoding: .utf8)
            #expect(log.contains("exited cleanly"), "\(log.suffix(2000))")
        }
    }
}
