import Contracts
import Foundation
import Harness
import Histogram
import Storage
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The live chat end to end: visitors post over HTTP through the real gateway, and an operator's
/// WebSocket receives each message. A message counts once it is acknowledged (committed) and
/// seen on the operator's stream; its latency runs from the HTTP send to that frame.
///
/// Baseline: pgbench running the SQL of one message write (the idempotency look-up, the closed
/// check, the `seq` update, the message insert and its outbox event, in one transaction) with
/// the same number of clients, in the same run.
enum ChatBench {
    static let visitors = 16
    static let operators = 4
    static let chatsToTake = 200
    static let seconds = 5
    static let fixedRate = 1_000

    /// Time on the monotonic clock, in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Messages in flight, by client message id, and the latencies of those that arrived.
    final class Tracker: Sendable {
        private struct State {
            var sent: [String: UInt64] = [:]
            var seen = 0
            var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            var acknowledged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        }
        private let state = Mutex(State())

        func sending(_ id: String) -> UInt64 {
            let time = ChatBench.now()
            state.withLock { $0.sent[id] = time }
            return time
        }

        /// The HTTP reply came: the message is committed.
        func acknowledged(sentAt: UInt64) {
            let time = ChatBench.now()
            state.withLock { _ = $0.acknowledged.record(time - sentAt) }
        }

        @discardableResult
        func arrived(_ id: String, at time: UInt64) -> UInt64 {
            state.withLock { state in
                guard let sent = state.sent.removeValue(forKey: id) else { return 0 }
                state.seen += 1
                _ = state.latency.record(time > sent ? time - sent : 0)
                return time > sent ? time - sent : 0
            }
        }

        var outstanding: Int { state.withLock { $0.sent.count } }

        /// Starts a new round: returns the last round's latencies (to the stream, to the reply) and count.
        func reset() -> (histogram: Histogram<UInt64>, acknowledged: Histogram<UInt64>, seen: Int) {
            state.withLock { state in
                defer {
                    state.latency.reset()
                    state.acknowledged.reset()
                    state.seen = 0
                    state.sent = [:]
                }
                return (state.latency, state.acknowledged, state.seen)
            }
        }
    }

    static func run(_ stack: Stack, url: String) async throws -> String {
        // `BENCH_LOG_LEVEL=info make bench` keeps the services' logs informative while looking into a figure.
        let level = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "warning"
        for service in ServiceName.back { try await stack.start(service, environment: ["LOG_LEVEL": level]) }
        let environment = [
            "LOG_LEVEL": level, "SWITCHBOARD_ADMIN_EMAIL": "admin@example.com", "SWITCHBOARD_ADMIN_PASSWORD": "bench-password",
        ]
        let port = try requireBench(try await stack.start(.gateway, environment: environment).httpPort, "the gateway's port")
        let pids = stack.all.map(\.pid)

        Bench.progress("chat: operators and \(chatsToTake) chats")
        let desk = try await Blocking.run { try setUp(port: port) }

        Bench.progress("chat: \(operators) operators take \(chatsToTake) chats")
        let takes = try await Blocking.run { try takeAll(port: port, desk: desk) }

        let tracker = Tracker()
        let stream = try await WebSocketClient.connect(port: port, path: "/api/v1/stream")
        stream.send(#"{"token":"\#(desk.operators[0])"}"#)
        let stop = Atomic<Bool>(false)
        let debug = Bench.debug
        let reader = Thread {
            // `"client_message_id": "…"` found by text (the payload is PostgreSQL's jsonb output):
            // the reader must keep up with thousands of frames a second.
            let marker = #""client_message_id": ""#
            while !stop.load(ordering: .relaxed) {
                guard case .text(let text) = stream.nextBlocking(milliseconds: 50) else { continue }
                let time = now()
                guard text.hasPrefix(#"{"type":"message.created""#), let start = text.range(of: marker) else { continue }
                let rest = text[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { continue }
                let late = tracker.arrived(String(rest[..<end]), at: time)
                if debug, late > 200_000_000 {
                    FileHandle.standardError.write(Data("late \(late / 1_000_000) ms at \(time / 1_000_000): \(text.prefix(60))\n".utf8))
                }
            }
        }
        reader.start()
        defer { stop.store(true, ordering: .relaxed) }

        let database = Database(url: url, size: 2, logger: Bench.logger)
        // Its threads start in `run()`; `close()` lets them finish what is queued and end.
        Task { try await database.run() }
        defer { database.close() }
        try await preparePgbench(database: database)
        let script = try pgbenchScript()
        defer { try? FileManager.default.removeItem(atPath: script) }

        Bench.progress("chat: warm-up")
        _ = try await Blocking.run { try send(desk: desk, port: port, tracker: tracker, seconds: 1, rate: nil, label: "warm") }
        try await drain(tracker)
        _ = tracker.reset()

        var free: [Figures] = [], rated: [Figures] = [], pgFree: [Figures] = [], pgRated: [Figures] = []
        for round in 0..<Bench.rounds {
            Bench.progress("chat round \(round + 1): Switchboard, \(visitors) visitors as fast as they can")
            free.append(
                try await measure(
                    desk: desk, port: port, tracker: tracker, rate: nil, label: "free\(round)", pids: pids, database: database))
            Bench.progress("chat round \(round + 1): Switchboard at \(fixedRate) messages/s")
            rated.append(try await measure(desk: desk, port: port, tracker: tracker, rate: fixedRate, label: "rated\(round)", pids: pids))
            Bench.progress("chat round \(round + 1): pgbench")
            pgFree.append(try await Blocking.run { try pgbench(url: url, script: script, rate: nil) })
            pgRated.append(try await Blocking.run { try pgbench(url: url, script: script, rate: fixedRate) })
        }
        let flood = Bench.selected("flood") ? try await FloodBench.run(stack, desk: desk, tracker: tracker, environment: environment) : ""
        stream.close()

        func f(_ value: Double) -> String { Bench.format(value) }
        func r(_ a: Double, _ b: Double) -> String { Bench.ratio(a, b) }
        func c(_ value: Double) -> String { String(format: "%.2f", value) }
        func m(_ figures: [Figures], _ measure: KeyPath<Figures, Double>) -> Double { median(figures.map { $0[keyPath: measure] }) }
        return """

            ## Live chat end to end (HTTP in → committed → on an operator's WebSocket)

            The real gateway, conversation, pool, notification and ticketing processes (release build).
            \(visitors) visitors each post their next message as soon as the last is acknowledged
            (keep-alive HTTP/1.1, one connection each); one operator's `/api/v1/stream` receives every
            message. A message counts when it is acknowledged *and* its frame has arrived; latency runs
            from the HTTP send to the frame. Every message also flows through the pool (preview) and the
            notification service (a notification for its holder), as in real use.
            Baseline: pgbench running one message write's SQL (idempotency look-up, closed check, `seq`
            update, message insert, outbox event; one transaction) with \(visitors) clients.
            \(Bench.rounds) rounds of \(seconds) s; medians.

            | measure | Switchboard | pgbench | Switchboard ÷ pgbench |
            |---|---|---|---|
            | messages/s, \(visitors) concurrent senders | \(f(m(free, \.rate))) | \(f(m(pgFree, \.rate))) | \(r(m(free, \.rate), m(pgFree, \.rate))) |
            | p50 latency at full speed (µs) | \(f(m(free, \.p50))) | \(f(m(pgFree, \.p50))) | \(r(m(free, \.p50), m(pgFree, \.p50))) |
            | p99 latency at full speed (µs) | \(f(m(free, \.p99))) | \(f(m(pgFree, \.p99))) | \(r(m(free, \.p99), m(pgFree, \.p99))) |
            | p50 latency at \(fixedRate) messages/s (µs) | \(f(m(rated, \.p50))) | \(f(m(pgRated, \.p50))) | \(r(m(rated, \.p50), m(pgRated, \.p50))) |
            | p99 latency at \(fixedRate) messages/s (µs) | \(f(m(rated, \.p99))) | \(f(m(pgRated, \.p99))) | \(r(m(rated, \.p99), m(pgRated, \.p99))) |
            | p50 / p99 to the HTTP reply at full speed (µs) | \(f(m(free, \.replyP50))) / \(f(m(free, \.replyP99))) | | |
            | p50 / p99 to the HTTP reply at \(fixedRate)/s (µs) | \(f(m(rated, \.replyP50))) / \(f(m(rated, \.replyP99))) | | |
            | rate reached when asked for \(fixedRate)/s | \(f(m(rated, \.rate))) | \(f(m(pgRated, \.rate))) | |
            | CPU per message, five processes, full speed / \(fixedRate)/s (ms) | \(c(m(free, \.cpu))) / \(c(m(rated, \.cpu))) | | |

            "Take it on me": \(operators) operators taking \(chatsToTake) waiting chats at once, each click
            a real `POST /api/v1/pool/{id}/take`: \(f(takes)) takes/s (one run).

            """ + flood
    }

    /// One round's figures: messages (or transactions) per second, and latencies in µs.
    struct Figures: Sendable {
        var rate: Double
        var p50: Double
        var p99: Double
        var replyP50 = 0.0
        var replyP99 = 0.0
        /// CPU milliseconds per message, the five processes together (0 for pgbench).
        var cpu = 0.0
    }

    /// One round of senders; every acknowledged message must have reached the operator's stream.
    static func measure(
        desk: Desk, port: Int, tracker: Tracker, rate: Int?, label: String, pids: [Int32] = [], database: Database? = nil
    ) async throws -> Figures {
        if Bench.debug, let database { try await Bench.resetStatements(database) }
        let cpuBefore = Bench.cpuSeconds(of: pids)
        let byNameBefore = Bench.debug ? TicketBench.cpuSeconds() : [:]
        let sent = try await Blocking.run { try send(desk: desk, port: port, tracker: tracker, seconds: seconds, rate: rate, label: label) }
        try await drain(tracker)
        let cpu = (Bench.cpuSeconds(of: pids) - cpuBefore) * 1000 / Double(max(sent.count, 1))
        if Bench.debug {
            let spent = TicketBench.cpuSeconds().map {
                ($0.key, ($0.value - (byNameBefore[$0.key] ?? 0)) * 1000 / Double(max(sent.count, 1)))
            }
            .filter { $0.1 > 0.01 }.sorted { $0.1 > $1.1 }
            let line = spent.map { "\($0.0)=\(String(format: "%.2f", $0.1))" }.joined(separator: " ")
            FileHandle.standardError.write(Data("\(label): cpu ms per message for \(sent.count): \(line)\n".utf8))
            if let database { try await Bench.printStatements(database, per: sent.count, unit: "message") }
        }
        let (stream, reply, seen) = tracker.reset()
        guard seen == sent.count else { throw BenchError("\(sent.count) acknowledged, \(seen) seen on the operator's stream") }
        return Figures(
            rate: Double(sent.count) / sent.elapsed, p50: micros(stream.valueAtPercentile(50)), p99: micros(stream.valueAtPercentile(99)),
            replyP50: micros(reply.valueAtPercentile(50)), replyP99: micros(reply.valueAtPercentile(99)), cpu: cpu)
    }

    /// The medians helper of the main benchmark.
    static func median(_ values: [Double]) -> Double { Bench.median(values) }
    static func micros(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }

    struct Desk: Sendable {
        var admin: String
        var operators: [String]
        /// Each visitor's token and chat.
        var chats: [(token: String, id: String)]
    }

    static func setUp(port: Int) throws -> Desk {
        let http = try BlockingHTTP(port: port)
        let login = { (email: String, password: String) throws -> String in
            let reply = try http.json("POST", "/api/v1/auth/login", body: #"{"email":"\#(email)","password":"\#(password)"}"#)
            guard let token = (reply as? [String: Any])?["token"] as? String else { throw BenchError("login of \(email)") }
            return token
        }
        let admin = try login("admin@example.com", "bench-password")
        var tokens: [String] = []
        for number in 0..<operators {
            let email = "operator\(number)@example.com"
            _ = try http.json(
                "POST", "/api/v1/operators", token: admin,
                body: #"{"name":"Operator \#(number)","email":"\#(email)","password":"password-123","role":"operator"}"#, expect: 201)
            let token = try login(email, "password-123")
            _ = try http.json("PUT", "/api/v1/me/availability", token: token, body: #"{"available":true}"#)
            tokens.append(token)
        }
        var chats: [(token: String, id: String)] = []
        for number in 0..<chatsToTake {
            let started = try http.json("POST", "/api/v1/visitor/conversations", body: #"{"name":"Müşteri \#(number)"}"#, expect: 201)
            guard let object = started as? [String: Any], let token = object["visitor_token"] as? String,
                let id = (object["conversation"] as? [String: Any])?["id"] as? String
            else { throw BenchError("starting a chat") }
            chats.append((token, id))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ((try http.json("GET", "/api/v1/pool", token: admin)) as? [String: Any])?["total"] as? Int ?? 0 < chatsToTake {
            guard ContinuousClock.now < deadline else { throw BenchError("the chats never all reached the Pool") }
            usleep(10_000)
        }
        return Desk(admin: admin, operators: tokens, chats: chats)
    }

    /// Each operator takes its share of the waiting chats, all operators at once; returns takes/s.
    static func takeAll(port: Int, desk: Desk) throws -> Double {
        let failures = Mutex<[String]>([])
        let started = now()
        onThreads(operators) { index in
            do {
                let http = try BlockingHTTP(port: port)
                for chat in stride(from: index, to: desk.chats.count, by: operators) {
                    let reply = try http.send("POST", "/api/v1/pool/\(desk.chats[chat].id)/take", token: desk.operators[index])
                    if reply.status != 200 { failures.withLock { $0.append("take: \(reply.status)") } }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        let elapsed = Double(now() - started) / 1e9
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return Double(desk.chats.count) / elapsed
    }

    /// `visitors` senders post for `seconds`, as fast as acknowledged or at `rate` in total;
    /// returns how many were acknowledged and over what time.
    static func send(
        desk: Desk, port: Int, tracker: Tracker, seconds: Int, rate: Int?, label: String
    ) throws -> (count: Int, elapsed: Double) {
        let acknowledged = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let started = now()
        let end = started + UInt64(seconds) * 1_000_000_000
        onThreads(visitors) { index in
            do {
                let http = try BlockingHTTP(port: port)
                let chat = desk.chats[index]
                let interval = rate.map { UInt64(1_000_000_000 / Double($0) * Double(visitors)) }
                var next = started + UInt64(index) * (interval ?? 0) / UInt64(visitors)
                var number = 0
                while true {
                    if let interval {
                        let time = now()
                        if next > time { usleep(UInt32((next - time) / 1000)) }
                        next += interval
                    }
                    guard now() < end else { break }
                    number += 1
                    let id = "\(label)-\(index)-\(number)"
                    let sentAt = tracker.sending(id)
                    let reply = try http.send(
                        "POST", "/api/v1/visitor/conversations/\(chat.id)/messages", token: chat.token,
                        json: #"{"body":"Merhaba, siparişim nerede? \#(number)","client_message_id":"\#(id)"}"#)
                    guard reply.status == 201 else { throw BenchError("post: \(reply.status)") }
                    tracker.acknowledged(sentAt: sentAt)
                    acknowledged.add(1, ordering: .relaxed)
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        let elapsed = Double(now() - started) / 1e9
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return (acknowledged.load(ordering: .relaxed), elapsed)
    }

    /// Runs `body(0..<count)` each on a thread of its own and waits for all: every simulated
    /// client must be able to wait on its socket at once (a dispatch queue would run two at a time here).
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                body(index)
                done.leave()
            }.start()
        }
        done.wait()
    }

    /// Waits until every acknowledged message has reached the operator's stream.
    static func drain(_ tracker: Tracker) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while tracker.outstanding > 0 {
            guard ContinuousClock.now < deadline else { throw BenchError("\(tracker.outstanding) messages never reached the stream") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// pgbench's own conversations (one per client) and the script of one message write.
    static func pgbenchScript() throws -> String {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("chat-\(getpid()).sql").path
        try """
        \\set n random(1, 1000000000000000)
        BEGIN;
        SELECT m.id FROM conversation.messages m WHERE m.conversation_id = md5('pgbench-' || :client_id)::uuid AND m.client_message_id = 'pg-' || :client_id || '-' || :n;
        SELECT closed_at IS NOT NULL FROM conversation.conversations WHERE id = md5('pgbench-' || :client_id)::uuid;
        UPDATE conversation.conversations SET last_seq = last_seq + 1 WHERE id = md5('pgbench-' || :client_id)::uuid RETURNING last_seq AS seq \\gset
        INSERT INTO conversation.messages (conversation_id, seq, id, author_kind, author_id, author_name, body, client_message_id) VALUES (md5('pgbench-' || :client_id)::uuid, :seq, gen_random_uuid(), 'customer', NULL, 'Müşteri', 'Merhaba, siparişim nerede? ' || :n, 'pg-' || :client_id || '-' || :n);
        INSERT INTO platform.events (type, subject, payload) VALUES ('bench.message', md5('pgbench-' || :client_id), '{"body": "Merhaba, siparişim nerede?"}');
        COMMIT;
        """.write(toFile: script, atomically: true, encoding: .utf8)
        return script
    }

    static func preparePgbench(database: Database) async throws {
        try await database.query(
            """
            INSERT INTO conversation.customers (id, name)
            SELECT md5('pgbench-c' || i)::uuid, 'pgbench ' || i FROM generate_series(0, \(visitors)::int - 1) i ON CONFLICT DO NOTHING
            """)
        try await database.query(
            """
            INSERT INTO conversation.conversations (id, channel, customer_id)
            SELECT md5('pgbench-' || i)::uuid, 'chat', md5('pgbench-c' || i)::uuid FROM generate_series(0, \(visitors)::int - 1) i
            ON CONFLICT DO NOTHING
            """)
    }

    /// One pgbench run of `seconds` with `visitors` clients, free or at `rate`; tps and latency percentiles (µs).
    static func pgbench(url: String, script: String, rate: Int?) throws -> Figures {
        let directory = try Scratch.makeDirectory(prefix: "pgbench")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary =
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last.map {
                "/usr/lib/postgresql/\($0)/bin/pgbench"
            } ?? "pgbench"
        var arguments = ["-n", "-M", "extended", "-c", String(visitors), "-j", "2", "-T", String(seconds), "-f", script]
        arguments += ["-l", "--log-prefix=\(directory)/log"]
        if let rate { arguments += ["-R", String(rate)] }
        let output = "\(directory)/out"
        let child = try ChildProcess(
            executable: binary, arguments: arguments + [url], environment: ProcessInfo.processInfo.environment, outputPath: output)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else { throw BenchError("pgbench gave no tps:\n\(text)") }
        // Each log line: client, transaction, latency (µs), script, epoch s, µs[, lag].
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasPrefix("log") {
            let log = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            for entry in log.split(separator: "\n") {
                let fields = entry.split(separator: " ")
                if fields.count >= 3, let micros = UInt64(fields[2]) { _ = latency.record(micros * 1000) }
            }
        }
        return Figures(rate: tps, p50: micros(latency.valueAtPercentile(50)), p99: micros(latency.valueAtPercentile(99)))
    }
}

/// `#require` for the benchmark, which has no test framework.
func requireBench<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw BenchError("missing \(what)") }
    return value
}
