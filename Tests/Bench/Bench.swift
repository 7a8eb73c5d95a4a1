import Contracts
import Foundation
import Harness
import Histogram
import Logging
import NIOCore
import NIOPosix
import Storage
import Wire

/// `make bench`: measures the wire and the outbox against baselines run on the same machine in
/// the same run, several rounds each, and prints medians and ratios as Markdown.
@main
enum Bench {
    static let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "") ?? 5
    static let logger: Logger = {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        return logger
    }()

    static func main() async throws {
        // Like the services: tasks run on the event loops, so a call does not change threads.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let server = try await PostgresServer.startCluster(durable: true)
        if debug {
            // Statement counts and times for the profile `BENCH_DEBUG` prints (costs a few per cent).
            try await Blocking.run {
                let admin = try PGConnection(conninfo: server.url)
                try admin.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
                try admin.execute("ALTER SYSTEM SET track_wal_io_timing = on")
            }
            try await server.stop()
            try await server.start()
            try await Blocking.run {
                // Planning is counted apart: a statement planned anew on every call shows it there.
                let admin = try PGConnection(conninfo: server.url)
                try admin.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on")
                try admin.execute("SELECT pg_reload_conf()")
            }
        }
        var report: String
        do {
            let url = try await server.createDatabase()
            report = try await Stack.with(databaseURL: url) { stack in
                progress("rpc round trip")
                let rpc = selected("rpc") ? try await rpcRoundTrip(stack) : ""
                progress("outbox append")
                let outbox = selected("outbox") ? try await outboxAppend(url: url) : ""
                let chat = selected("chat") ? try await ChatBench.run(stack, url: url) : ""
                progress("tearing down")
                return machine() + rpc + outbox + chat
            }
            if selected("tickets") {
                let ticketsURL = try await server.createDatabase()
                report += try await Stack.with(databaseURL: ticketsURL) { try await TicketBench.run($0, url: ticketsURL) }
            }
            if selected("desk") {
                let deskURL = try await server.createDatabase()
                report += try await Stack.with(databaseURL: deskURL) { try await DeskBench.run($0, url: deskURL) }
            }
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
        print(report)
    }

    /// `BENCH_DEBUG=1` adds where the time goes: CPU per process, call durations, statements.
    static let debug = ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil

    /// `BENCH_ONLY=chat,rpc` runs only those parts (`rpc`, `outbox`, `chat`, `tickets`, `desk`; `flood` runs within `chat`); all by default.
    static func selected(_ part: String) -> Bool {
        guard let only = ProcessInfo.processInfo.environment["BENCH_ONLY"], !only.isEmpty else { return true }
        return only.split(separator: ",").contains { $0 == part }
    }

    /// Progress on stderr, so a long run shows where it is.
    static func progress(_ step: String) {
        FileHandle.standardError.write(Data("bench: \(step)…\n".utf8))
    }

    // MARK: RPC

    static func rpcRoundTrip(_ stack: Stack) async throws -> String {
        let pool = try await stack.start(.pool, environment: ["LOG_LEVEL": "warning"])
        let client = stack.client(.pool)
        let echoPath = stack.root + "/echo.sock"
        _ = try EchoServer(path: echoPath)
        let echo = try LineClient(path: echoPath)
        let line =
            Array(
                try String(
                    decoding: JSONEncoder().encode(
                        RPCRequest(
                            id: .number(1), method: SystemMethods.Ping.name, params: SystemMethods.Ping.Params(payload: "ping"),
                            deadlineMS: 10_000)
                    ), as: UTF8.self
                ).utf8) + [0x0A]
        _ = pool

        let sequentialCalls = 5_000, pipelinedCalls = 40_000, window = 64
        // Warm up both paths.
        for _ in 0..<2_000 { _ = try await client.call(SystemMethods.Ping.self, .init(payload: "ping")) }
        for _ in 0..<2_000 { echo.send(line); echo.receive(lines: 1) }

        var rpcSequential: [Double] = [], echoSequential: [Double] = []
        var rpcPipelined: [Double] = [], echoPipelined: [Double] = []
        var rpcLatency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var echoLatency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for _ in 0..<rounds {
            var started = ContinuousClock.now
            for _ in 0..<sequentialCalls {
                let one = ContinuousClock.now
                _ = try await client.call(SystemMethods.Ping.self, .init(payload: "ping"))
                _ = rpcLatency.record(nanoseconds(ContinuousClock.now - one))
            }
            rpcSequential.append(rate(sequentialCalls, since: started))

            started = ContinuousClock.now
            for _ in 0..<sequentialCalls {
                let one = ContinuousClock.now
                echo.send(line)
                echo.receive(lines: 1)
                _ = echoLatency.record(nanoseconds(ContinuousClock.now - one))
            }
            echoSequential.append(rate(sequentialCalls, since: started))

            started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<window {
                    group.addTask {
                        for _ in 0..<(pipelinedCalls / window) {
                            _ = try await client.call(SystemMethods.Ping.self, .init(payload: "ping"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            rpcPipelined.append(rate(pipelinedCalls, since: started))

            let batch = Array((0..<window).flatMap { _ in line })
            started = ContinuousClock.now
            for _ in 0..<(pipelinedCalls / window) {
                echo.send(batch)
                echo.receive(lines: window)
            }
            echoPipelined.append(rate(pipelinedCalls, since: started))
        }
        func micros(_ value: UInt64) -> String { String(format: "%.1f", Double(value) / 1000) }
        return """

            ## Internal RPC round trip (`system.ping` to a real `switchboard-pool` process)

            Baseline: a blocking line echo over a Unix socket (no framing library, no JSON), same machine, same run.
            \(rounds) rounds; medians.

            | measure | Switchboard RPC | raw echo | RPC ÷ echo |
            |---|---|---|---|
            | sequential calls/s | \(format(median(rpcSequential))) | \(format(median(echoSequential))) | \(ratio(median(echoSequential), median(rpcSequential)))× slower |
            | sequential p50 latency (µs) | \(micros(rpcLatency.valueAtPercentile(50))) | \(micros(echoLatency.valueAtPercentile(50))) | \(ratio(Double(rpcLatency.valueAtPercentile(50)), Double(echoLatency.valueAtPercentile(50))))× |
            | sequential p99 latency (µs) | \(micros(rpcLatency.valueAtPercentile(99))) | \(micros(echoLatency.valueAtPercentile(99))) | \(ratio(Double(rpcLatency.valueAtPercentile(99)), Double(echoLatency.valueAtPercentile(99))))× |
            | pipelined calls/s (\(window) in flight) | \(format(median(rpcPipelined))) | \(format(median(echoPipelined))) | \(ratio(median(echoPipelined), median(rpcPipelined)))× slower |

            """
    }

    // MARK: Outbox

    static func outboxAppend(url: String) async throws -> String {
        let writers = 16
        let seconds = 3
        let database = Database(url: url, size: writers, logger: logger)
        // Its threads start in `run()`; `close()` lets them finish what is queued and end.
        Task { try await database.run() }
        defer { database.close() }
        try await Migrator.apply(Migration.platform, to: database, logger: logger)
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(getpid()).sql").path
        try """
        BEGIN;
        INSERT INTO platform.events (type, subject, payload) VALUES ('bench.note', 'pgbench', '{"writer": 0, "number": 0}');
        COMMIT;
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }

        var ours: [Double] = [], baseline: [Double] = []
        for round in 0..<rounds {
            progress("outbox round \(round + 1): Switchboard")
            ours.append(try await appendRate(database, writers: writers, seconds: seconds))
            progress("outbox round \(round + 1): pgbench")
            baseline.append(try pgbench(url: url, script: script, clients: writers, seconds: seconds))
        }
        return """

            ## Outbox append (one event per transaction, \(writers) concurrent writers, durable commits)

            Baseline: pgbench running the same transaction (`BEGIN; INSERT INTO platform.events …; COMMIT`)
            with the same number of clients, extended protocol, against the same database in the same run.
            \(rounds) rounds of \(seconds) s; medians.

            | measure | Switchboard `Database.transaction` + `appendEvent` | pgbench | Switchboard ÷ pgbench |
            |---|---|---|---|
            | events/s | \(format(median(ours))) | \(format(median(baseline))) | \(ratio(median(ours), median(baseline))) |

            """
    }

    static func appendRate(_ database: Database, writers: Int, seconds: Int) async throws -> Double {
        let started = ContinuousClock.now
        let end = started + .seconds(seconds)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < end {
                        let note = BenchNote.Payload(writer: writer, number: count)
                        try await database.transaction { transaction in
                            try transaction.appendEvent(BenchNote.self, note)
                        }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return rate(total, since: started)
    }

    static func pgbench(url: String, script: String, clients: Int, seconds: Int) throws -> Double {
        let binary =
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last.map {
                "/usr/lib/postgresql/\($0)/bin/pgbench"
            } ?? "pgbench"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pgbench-\(getpid()).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try ChildProcess(
            executable: binary,
            arguments: ["-n", "-M", "extended", "-c", String(clients), "-j", "2", "-T", String(seconds), "-f", script, url],
            environment: ProcessInfo.processInfo.environment, outputPath: output
        )
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else { throw BenchError("pgbench gave no tps:\n\(text)") }
        return value
    }

    /// CPU seconds (user and system) the processes `pids` have used so far, together.
    static func cpuSeconds(of pids: [Int32]) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return pids.reduce(0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
                return total
            }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
    }

    // MARK: Arithmetic

    static func machine() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        return """
            # Benchmark run

            Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory >> 30) GiB.
            Date: \(Date().formatted(.iso8601)).

            """
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
    }

    static func rate(_ count: Int, since started: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - started
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double) -> String { String(format: "%.0f", value) }
    static func ratio(_ numerator: Double, _ denominator: Double) -> String {
        denominator == 0 ? "n/a" : String(format: "%.2f", numerator / denominator)
    }
}

/// The outbox benchmark's own event: a writer's numbered note.
enum BenchNote: Event {
    struct Payload: Codable, Sendable {
        var writer: Int
        var number: Int
    }

    static let kind = EventKind(rawValue: "bench.note")
    static let subject = UUID()
    static func subject(of payload: Payload) -> UUID { subject }
}
