import Contracts
import Foundation
import Harness
import Histogram
import Storage
import Synchronization
import Wire

/// Offline messages → tickets through the gateway, each acknowledged by a mail that a real SMTP
/// server (aiosmtpd) receives; against pgbench running one ticket's writes.
enum TicketBench {
    static let seconds = 5

    static func run(_ stack: Stack, url: String) async throws -> String {
        let sink = try SMTPSink()
        do {
            let report = try await measure(stack, url: url, sink: sink)
            await sink.tearDown()
            return report
        } catch {
            await sink.tearDown()
            throw error
        }
    }

    static func measure(_ stack: Stack, url: String, sink: SMTPSink) async throws -> String {
        try await sink.start()
        let level = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "warning"
        let environment = [
            "LOG_LEVEL": level, "SWITCHBOARD_SMTP_URL": sink.url, "SWITCHBOARD_SMTP_FROM": "Destek <support@example.com>",
            // Every benchmark client comes from 127.0.0.1: the per-address limit is lifted; each ticket has its own recipient.
            "SWITCHBOARD_OFFLINE_PER_ADDRESS": "100000000",
        ]
        for service in ServiceName.back { try await stack.start(service, environment: environment) }
        let port = try requireBench(try await stack.start(.gateway, environment: environment).httpPort, "the gateway's port")

        let database = Database(url: url, size: 2, logger: Bench.logger)
        // Its threads start in `run()`; `close()` lets them finish what is queued and end.
        Task { try await database.run() }
        defer { database.close() }
        let script = try await pgbenchScript(database: database)
        defer { try? FileManager.default.removeItem(atPath: script) }

        Bench.progress("tickets: warm-up")
        var sent = try await Blocking.run { try send(port: port, clients: 2, seconds: 1, label: "warm") }.count
        try await sink.waitFor(sent, "warm-up acknowledgements", timeout: .seconds(120))

        var rows: [(clients: Int, figures: [Figures], pgbench: [Double], rss: [Double], together: [Double])] = []
        for clients in [1, 4] {
            var figures: [Figures] = [], baseline: [Double] = [], rss: [Double] = [], together: [Double] = []
            for round in 0..<Bench.rounds {
                Bench.progress("tickets round \(round + 1): \(clients) client(s)")
                let before = sink.mails().count
                if Bench.debug { try await Bench.resetStatements(database) }
                let cpuBefore = cpuSeconds()
                let pids = stack.all.map(\.pid)
                let fiveBefore = Bench.cpuSeconds(of: pids)
                let started = ContinuousClock.now
                let result = try await Blocking.run {
                    try send(port: port, clients: clients, seconds: seconds, label: "r\(round)c\(clients)")
                }
                let memory = memoryMegabytes(stack.all.map(\.pid))
                rss.append(memory.summed)
                together.append(memory.together)
                sent += result.count
                try await sink.waitFor(sent, "every acknowledgement", timeout: .seconds(300))
                let delivered = Double(sink.mails().count - before) / (ContinuousClock.now - started).seconds
                // Each ticket's whole cost: written, its conversation started, its mail sent.
                let cpu = (Bench.cpuSeconds(of: pids) - fiveBefore) * 1000 / Double(max(result.count, 1))
                if Bench.debug {
                    let after = cpuSeconds()
                    let spent = after.map { ($0.key, $0.value - (cpuBefore[$0.key] ?? 0)) }.sorted { $0.1 > $1.1 }
                    FileHandle.standardError.write(
                        Data(
                            "cpu s for \(result.count) tickets: \(spent.map { "\($0.0)=\(String(format: "%.1f", $0.1))" }.joined(separator: " "))\n"
                                .utf8))
                    try await Bench.printStatements(database, per: result.count, unit: "ticket")
                }
                figures.append(
                    Figures(
                        rate: Double(result.count) / result.elapsed, delivered: delivered,
                        p50: Double(result.latency.valueAtPercentile(50)) / 1000, p99: Double(result.latency.valueAtPercentile(99)) / 1000,
                        cpu: cpu))
                baseline.append(try await Blocking.run { try Bench.pgbench(url: url, script: script, clients: clients, seconds: seconds) })
            }
            rows.append((clients, figures, baseline, rss, together))
        }
        if Bench.debug {
            // Where a ticket's time goes: mean durations of the calls on its path, from each process's metrics.
            for service in [ServiceName.ticketing, .conversation] {
                let text = try await stack.client(service).call(SystemMethods.Metrics.self, Empty()).text
                for line in text.split(separator: "\n")
                where line.contains("duration_seconds_sum") || line.contains("duration_seconds_count") {
                    FileHandle.standardError.write(Data("\(service.rawValue): \(line)\n".utf8))
                }
            }
            let gateway = try await stack.http("GET", "/metrics", port: port).text
            for line in gateway.split(separator: "\n")
            where line.contains("duration_seconds_sum") || line.contains("duration_seconds_count") {
                FileHandle.standardError.write(Data("gateway: \(line)\n".utf8))
            }
        }
        let copies = Dictionary(grouping: sink.mails(), by: { $0["message_id"] }).values.filter { $0.count > 1 }.count
        guard copies == 0 else { throw BenchError("\(copies) acknowledgements arrived more than once") }

        func f(_ value: Double) -> String { Bench.format(value) }
        func m(_ values: [Double]) -> Double { Bench.median(values) }
        var table = ""
        for row in rows {
            let rate = m(row.figures.map(\.rate)), pg = m(row.pgbench)
            table += """
                | \(row.clients) | \(f(rate)) | \(f(m(row.figures.map(\.delivered)))) | \(f(m(row.figures.map(\.p50)))) | \
                \(f(m(row.figures.map(\.p99)))) | \(f(pg)) | \(Bench.ratio(rate, pg)) | \(String(format: "%.2f", m(row.figures.map(\.cpu)))) | \
                \(f(m(row.together))) | \(f(m(row.rss))) |

                """
        }
        return """

            ## Offline messages → tickets, acknowledged by mail

            `POST /api/v1/visitor/offline-messages` through the gateway (keep-alive HTTP/1.1, one connection per
            client, each posting its next as soon as the last is answered). Each 201 means the ticket and its
            acknowledgement mail are committed; the ticket's e-mail conversation is started before the reply.
            The acknowledgements are delivered by the ticketing service's SMTP sender (libcurl, 4 connections)
            to aiosmtpd on loopback; "delivered/s" counts tickets whose mail the server accepted, from the
            first request to the last mail. Every mail arrived exactly once. Baseline: pgbench running one
            ticket's writes (ticket, mail row, customer, conversation, two messages, three outbox events; one
            transaction) with the same number of clients. Memory of the five processes right after the load:
            what they hold together (each one's private pages plus their shared pages once), and their RSS
            summed (the shared Swift and system libraries counted once per process). CPU per ticket is the
            five processes' user and system time from the first request until the last mail was accepted. \(Bench.rounds) rounds of \(seconds) s; medians.

            | clients | tickets/s | delivered/s | p50 (ms) | p99 (ms) | pgbench tx/s | tickets ÷ pgbench | CPU per ticket, five processes (ms) | five processes together (MB) | RSS summed (MB) |
            |---|---|---|---|---|---|---|---|---|---|
            \(table)
            """
    }

    struct Figures: Sendable {
        var rate: Double
        var delivered: Double
        var p50: Double
        var p99: Double
        /// CPU milliseconds per ticket, the five processes together (its mail's delivery included).
        var cpu: Double
    }

    /// `clients` threads leave offline messages for `seconds`; latencies in µs.
    static func send(
        port: Int, clients: Int, seconds: Int, label: String
    ) throws -> (count: Int, elapsed: Double, latency: Histogram<UInt64>) {
        let latency = Mutex(Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three))
        let count = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let started = ContinuousClock.now
        let end = started + .seconds(seconds)
        ChatBench.onThreads(clients) { index in
            do {
                let http = try BlockingHTTP(port: port)
                var number = 0
                while ContinuousClock.now < end {
                    number += 1
                    let sentAt = ContinuousClock.now
                    let reply = try http.send(
                        "POST", "/api/v1/visitor/offline-messages",
                        json:
                            #"{"name":"Ayşe Yılmaz","email":"\#(label)-\#(index)-\#(number)@example.org","message":"Siparişim nerede? \#(number)"}"#
                    )
                    guard reply.status == 201 else {
                        throw BenchError("offline message: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
                    }
                    let micros = UInt64((ContinuousClock.now - sentAt).seconds * 1_000_000)
                    latency.withLock { _ = $0.record(micros) }
                    count.add(1, ordering: .relaxed)
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return (count.load(ordering: .relaxed), (ContinuousClock.now - started).seconds, latency.withLock { $0 })
    }

    /// CPU seconds used so far by every process, summed by command name (for `BENCH_DEBUG`).
    static func cpuSeconds() -> [String: Double] {
        var totals: [String: Double] = [:]
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            totals[name, default: 0] += (user + system) / ticks
        }
        return totals
    }

    /// Resident memory of `pids` together, from /proc, in MB.
    /// The five processes' memory, two ways: their RSS summed (which counts the shared Swift and
    /// system libraries once per process), and what they hold together (each one's private pages,
    /// plus the pages they share counted once: the largest shared part of any of them).
    static func memoryMegabytes(_ pids: [Int32]) -> (summed: Double, together: Double) {
        var summed = 0, privately = 0, shared = 0
        for pid in pids {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { continue }
            var fields: [String: Int] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count >= 2, let value = Int(parts[1]) { fields[String(parts[0].dropLast())] = value }
            }
            summed += fields["Rss"] ?? 0
            privately += (fields["Private_Clean"] ?? 0) + (fields["Private_Dirty"] ?? 0)
            shared = max(shared, (fields["Shared_Clean"] ?? 0) + (fields["Shared_Dirty"] ?? 0))
        }
        return (Double(summed) / 1024, Double(privately + shared) / 1024)
    }

    /// Tables shaped like the services' own and one ticket's writes as a pgbench script.
    static func pgbenchScript(database: Database) async throws -> String {
        let tables = [
            "CREATE SCHEMA IF NOT EXISTS bench_tickets",
            """
            CREATE TABLE IF NOT EXISTS bench_tickets.tickets (id uuid PRIMARY KEY, number bigserial, name text, email text,
                message text, reply_token text, created_at timestamptz DEFAULT now())
            """,
            """
            CREATE TABLE IF NOT EXISTS bench_tickets.mails (id uuid PRIMARY KEY, key text UNIQUE, ticket_id uuid, raw text,
                status text DEFAULT 'queued', next_attempt_at timestamptz DEFAULT now())
            """,
            "CREATE TABLE IF NOT EXISTS bench_tickets.customers (id uuid PRIMARY KEY, name text, email text)",
            "CREATE TABLE IF NOT EXISTS bench_tickets.conversations (id uuid PRIMARY KEY, customer_id uuid, last_seq int)",
            "CREATE TABLE IF NOT EXISTS bench_tickets.messages (conversation_id uuid, seq int, body text, PRIMARY KEY (conversation_id, seq))",
            "CREATE TABLE IF NOT EXISTS bench_tickets.events (id bigserial PRIMARY KEY, type text, payload jsonb)",
        ]
        for statement in tables { _ = try await database.query(SQL(unescaped: statement)) }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("tickets-\(getpid()).sql").path
        try """
        BEGIN;
        INSERT INTO bench_tickets.tickets (id, name, email, message, reply_token) VALUES (gen_random_uuid(), 'Ayşe', 'a@example.org', 'Siparişim nerede?', md5(random()::text));
        INSERT INTO bench_tickets.mails (id, key, ticket_id, raw) VALUES (gen_random_uuid(), md5(random()::text), gen_random_uuid(), repeat('x', 900));
        INSERT INTO bench_tickets.customers VALUES (gen_random_uuid(), 'Ayşe', 'a@example.org');
        INSERT INTO bench_tickets.conversations VALUES (gen_random_uuid(), gen_random_uuid(), 2) RETURNING id \\gset
        INSERT INTO bench_tickets.messages VALUES (:id, 1, 'Hello'), (:id, 2, 'Siparişim nerede?');
        INSERT INTO bench_tickets.events (type, payload) VALUES ('conversation.started', '{}'), ('message.created', '{}'), ('message.created', '{}');
        COMMIT;
        """.write(toFile: script, atomically: true, encoding: .utf8)
        return script
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
