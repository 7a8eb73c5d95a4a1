import Contracts
import Foundation
import Harness
import Histogram
import Storage
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a whole desk asks of the suite beside the message path, through the real processes:
/// 50 operators clicking "Take it on me" on one chat at once, a Pool change reaching 100
/// operators' consoles, and the gateway's memory for idle visitor WebSockets (and whether it
/// gives it back once they close).
enum DeskBench {
    static let operators = 100
    static let takers = 50
    static let takesPerRound = 10
    static let fanOutRate = 5
    static let fanOutSeconds = 6
    static let socketSteps = [1_000, 5_000, 10_000]

    static func run(_ stack: Stack, url: String) async throws -> String {
        for service in ServiceName.back { try await stack.start(service, environment: ["LOG_LEVEL": "warning"]) }
        // One client address opens every chat and socket here: its limits are lifted.
        let gateway = try await stack.start(
            .gateway,
            environment: [
                "LOG_LEVEL": "warning", "SWITCHBOARD_ADMIN_EMAIL": "admin@example.com", "SWITCHBOARD_ADMIN_PASSWORD": "bench-password",
                "SWITCHBOARD_CHAT_STARTS_PER_ADDRESS": "1000000", "SWITCHBOARD_WAITING_PER_ADDRESS": "1000000",
                "SWITCHBOARD_CONNECTIONS_PER_ADDRESS": "1000000", "SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE": "1000000",
            ])
        let port = try requireBench(gateway.httpPort, "the gateway's port")
        Bench.progress("desk: \(operators) operators")
        let tokens = try await Blocking.run { try makeOperators(port: port) }

        var takeP50: [Double] = [], takeP99: [Double] = [], fanP50: [Double] = [], fanP99: [Double] = []
        let consoles = try await openConsoles(port: port, tokens: tokens)
        for round in 0..<Bench.rounds {
            Bench.progress("desk round \(round + 1): \(takers) simultaneous takes of one chat, \(takesPerRound) chats")
            let takes = try await Blocking.run { try simultaneousTakes(port: port, tokens: Array(tokens.prefix(takers))) }
            takeP50.append(ChatBench.micros(takes.valueAtPercentile(50)) / 1000)
            takeP99.append(ChatBench.micros(takes.valueAtPercentile(99)) / 1000)
            Bench.progress("desk round \(round + 1): a new chat every \(1000 / fanOutRate) ms to \(operators) consoles")
            let fan = try await fanOut(port: port, consoles: consoles)
            fanP50.append(ChatBench.micros(fan.valueAtPercentile(50)) / 1000)
            fanP99.append(ChatBench.micros(fan.valueAtPercentile(99)) / 1000)
        }
        consoles.close()

        Bench.progress("desk: idle visitor WebSockets")
        let memory = try await idleSockets(port: port, gateway: gateway.pid, url: url)
        let m = Bench.median
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        return """

            ## The desk: takes, Pool fan-out, idle WebSockets

            Real processes (release build). \(takers) operators, each on a keep-alive connection of their
            own, send `POST /api/v1/pool/{id}/take` for the same waiting chat at once (\(takesPerRound) chats a
            round; exactly one wins each, checked). \(operators) operators' consoles hold `/api/v1/stream` open
            while a new chat starts every \(1000 / fanOutRate) ms for \(fanOutSeconds) s; latency runs from the
            start's HTTP send to its `pool.changed` frame on each console. \(Bench.rounds) rounds; medians of
            each round's percentiles.

            | measure | p50 (ms) | p99 (ms) | goal |
            |---|---|---|---|
            | \(takers) simultaneous takes of one chat | \(ms(m(takeP50))) | \(ms(m(takeP99))) | p99 ≤ 20 |
            | a Pool change on \(operators) consoles | \(ms(m(fanP50))) | \(ms(m(fanP99))) | p99 ≤ 50 |

            Idle visitor WebSockets (each upgraded, authenticated and `ready`), the gateway's resident
            memory (VmRSS) against the same process before the first opened; then all closed (read once
            the gateway's heap trim has run, or after 30 s), as many opened again at once, and closed again:

            | open sockets | gateway RSS (MB) | per socket (KiB) |
            |---|---|---|
            \(memory.steps.map { "| \($0.count) | \(ms($0.megabytes)) | \(ms($0.perSocket)) |" }.joined(separator: "\n"))
            | 0, all closed | \(ms(memory.closed)) | before: \(ms(memory.before)) MB |
            | \(socketSteps.last ?? 0) opened again at once | \(ms(memory.again)) | |
            | 0, closed again | \(ms(memory.closedAgain)) | |

            One visitor's \(crowdMessages) chat messages, one after another, cost the gateway
            \(String(format: "%.2f", memory.cpuAlone)) ms of CPU each with no other visitor's stream open, and
            \(String(format: "%.2f", memory.cpuInCrowd)) ms each with \(socketSteps.last ?? 0) idle visitor streams open.

            """
    }

    // MARK: Operators

    /// `operators` operators made through the API, each logged in; their session tokens.
    static func makeOperators(port: Int) throws -> [String] {
        let admin = try BlockingHTTP(port: port)
        let reply = try admin.json(
            "POST", "/api/v1/auth/login", body: #"{"email":"admin@example.com","password":"bench-password"}"#)
        guard let adminToken = (reply as? [String: Any])?["token"] as? String else { throw BenchError("the admin's login") }
        let tokens = Mutex([String?](repeating: nil, count: operators))
        let failures = Mutex<[String]>([])
        // Four at a time: each costs the gateway a bcrypt hash and a check.
        ChatBench.onThreads(4) { lane in
            do {
                let http = try BlockingHTTP(port: port)
                for number in stride(from: lane, to: operators, by: 4) {
                    let email = "desk\(number)@example.com"
                    _ = try http.json(
                        "POST", "/api/v1/operators", token: adminToken,
                        body: #"{"name":"Desk \#(number)","email":"\#(email)","password":"password-123","role":"operator"}"#, expect: 201)
                    let login = try http.json("POST", "/api/v1/auth/login", body: #"{"email":"\#(email)","password":"password-123"}"#)
                    guard let token = (login as? [String: Any])?["token"] as? String else { throw BenchError("login of \(email)") }
                    tokens.withLock { $0[number] = token }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw BenchError(failure) }
        return tokens.withLock { $0.compactMap { $0 } }
    }

    /// Starts a chat as a new visitor and waits until the Pool lists it; its id.
    static func waitingChat(_ http: BlockingHTTP, token: String, number: Int) throws -> String {
        let started = try http.json("POST", "/api/v1/visitor/conversations", body: #"{"name":"Müşteri \#(number)"}"#, expect: 201)
        guard let id = ((started as? [String: Any])?["conversation"] as? [String: Any])?["id"] as? String else {
            throw BenchError("starting a chat")
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let pool = try http.send("GET", "/api/v1/pool?limit=500", token: token)
            if pool.status == 200, pool.body.firstRange(of: Array(#""id":"\#(id)""#.utf8)) != nil { return id }
            guard ContinuousClock.now < deadline else { throw BenchError("chat \(id) never waited in the Pool") }
            usleep(2_000)
        }
    }

    // MARK: Takes

    /// Each of `takesPerRound` chats is taken by all `tokens` at once, each on its own connection,
    /// released together; every take's latency, and a check that exactly one won each chat.
    static func simultaneousTakes(port: Int, tokens: [String]) throws -> Histogram<UInt64> {
        let setup = try BlockingHTTP(port: port)
        var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for number in 0..<takesPerRound {
            let id = try waitingChat(setup, token: tokens[0], number: number)
            let ready = Atomic<Int>(0)
            let gate = DispatchSemaphore(value: 0)
            let results = Mutex<[(status: Int, nanoseconds: UInt64)]>([])
            let done = DispatchGroup()
            for token in tokens {
                done.enter()
                Thread {
                    defer { done.leave() }
                    // Connected before the gate opens: only the take itself is timed.
                    let http = try? BlockingHTTP(port: port)
                    ready.add(1, ordering: .relaxed)
                    gate.wait()
                    let started = ChatBench.now()
                    let status = (try? http?.send("POST", "/api/v1/pool/\(id)/take", token: token).status) ?? 0
                    let spent = ChatBench.now() - started
                    results.withLock { $0.append((status, spent)) }
                }.start()
            }
            while ready.load(ordering: .relaxed) < tokens.count { usleep(1_000) }
            for _ in tokens { gate.signal() }
            done.wait()
            let all = results.withLock { $0 }
            let statuses = all.map(\.status)
            guard statuses.filter({ $0 == 200 }).count == 1, statuses.filter({ $0 == 409 }).count == tokens.count - 1 else {
                throw BenchError("chat \(id): takes answered \(statuses.sorted()), not one 200 and the rest 409")
            }
            for result in all { _ = latencies.record(result.nanoseconds) }
        }
        return latencies
    }

    // MARK: Fan-out

    /// The operators' consoles: one WebSocket each, and a reader thread each noting when each
    /// conversation's first `pool.changed` frame arrived.
    final class Consoles: Sendable {
        let sockets: [WebSocketClient]
        /// Per console: conversation id → first arrival (monotonic ns).
        let arrivals: Mutex<[[String: UInt64]]>
        let stop = Atomic<Bool>(false)

        init(sockets: [WebSocketClient]) {
            self.sockets = sockets
            arrivals = Mutex(Array(repeating: [:], count: sockets.count))
        }

        func start() {
            // PostgreSQL's jsonb output puts a space after the colon.
            let marker = #""conversation_id": ""#
            for (index, socket) in sockets.enumerated() {
                Thread { [self] in
                    while !stop.load(ordering: .relaxed) {
                        guard case .text(let text) = socket.nextBlocking(milliseconds: 50) else { continue }
                        let time = ChatBench.now()
                        guard text.hasPrefix(#"{"type":"pool.changed""#), let start = text.range(of: marker) else { continue }
                        let id = String(text[start.upperBound...].prefix(36))
                        arrivals.withLock { all in if all[index][id] == nil { all[index][id] = time } }
                    }
                }.start()
            }
        }

        func close() {
            stop.store(true, ordering: .relaxed)
            for socket in sockets { socket.close() }
        }
    }

    static func openConsoles(port: Int, tokens: [String]) async throws -> Consoles {
        var sockets: [WebSocketClient] = []
        for token in tokens {
            let socket = try await WebSocketClient.connect(port: port, path: "/api/v1/stream")
            socket.send(#"{"token":"\#(token)"}"#)
            while true {
                guard let frame = try await socket.nextJSON(timeout: .seconds(30)) else {
                    throw BenchError("a console's stream never got ready")
                }
                if frame["type"] as? String == "ready" { break }
            }
            sockets.append(socket)
        }
        let consoles = Consoles(sockets: sockets)
        consoles.start()
        return consoles
    }

    /// New chats at `fanOutRate` a second for `fanOutSeconds`; each one's latency to every console.
    static func fanOut(port: Int, consoles: Consoles) async throws -> Histogram<UInt64> {
        let sent = try await Blocking.run {
            let http = try BlockingHTTP(port: port)
            var sent: [String: UInt64] = [:]
            let interval = UInt64(1_000_000_000 / fanOutRate)
            var next = ChatBench.now()
            for number in 0..<(fanOutRate * fanOutSeconds) {
                let time = ChatBench.now()
                if next > time { usleep(UInt32((next - time) / 1000)) }
                next += interval
                let at = ChatBench.now()
                let started = try http.json("POST", "/api/v1/visitor/conversations", body: #"{"name":"Fan \#(number)"}"#, expect: 201)
                guard let id = ((started as? [String: Any])?["conversation"] as? [String: Any])?["id"] as? String else {
                    throw BenchError("starting a chat")
                }
                sent[id] = at
            }
            return sent
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while consoles.arrivals.withLock({ all in all.contains { console in sent.keys.contains { console[$0] == nil } } }) {
            guard ContinuousClock.now < deadline else { throw BenchError("some consoles never saw some chats arrive") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        consoles.arrivals.withLock { all in
            for console in all {
                for (id, at) in sent { if let arrived = console[id] { _ = latencies.record(arrived > at ? arrived - at : 0) } }
            }
        }
        return latencies
    }

    // MARK: Idle WebSockets

    struct Memory {
        var before: Double
        var steps: [(count: Int, megabytes: Double, perSocket: Double)]
        var closed: Double
        /// The same number opened again, and closed again.
        var again: Double
        var closedAgain: Double
        /// The gateway's CPU per chat message with no visitor stream open, and with the most open.
        var cpuAlone: Double
        var cpuInCrowd: Double
    }

    /// Messages posted to measure what one costs the gateway.
    static let crowdMessages = 300

    /// One visitor posts `crowdMessages` messages in their chat, one after another; the gateway's
    /// CPU milliseconds per message. The idle streams of other visitors should cost it nothing.
    static func gatewayCPUPerMessage(port: Int, gateway: Int32, label: String) throws -> Double {
        let http = try BlockingHTTP(port: port)
        let started = try http.json("POST", "/api/v1/visitor/conversations", body: #"{"name":"Crowd \#(label)"}"#, expect: 201)
        guard let object = started as? [String: Any], let token = object["visitor_token"] as? String,
            let id = (object["conversation"] as? [String: Any])?["id"] as? String
        else { throw BenchError("starting a chat") }
        let before = Bench.cpuSeconds(of: [gateway])
        for number in 0..<crowdMessages {
            let reply = try http.send(
                "POST", "/api/v1/visitor/conversations/\(id)/messages", token: token,
                json: #"{"body":"Merhaba \#(number)","client_message_id":"crowd-\#(label)-\#(number)"}"#)
            guard reply.status == 201 else { throw BenchError("post: \(reply.status)") }
        }
        return (Bench.cpuSeconds(of: [gateway]) - before) * 1000 / Double(crowdMessages)
    }

    /// Opens idle visitor streams up to each of `socketSteps`, reading the gateway's RSS at each,
    /// then closes them all and reads it once the gateway has let go of them.
    static func idleSockets(port: Int, gateway: Int32, url: String) async throws -> Memory {
        let total = socketSteps.last ?? 0
        // Visitors made straight in the database (a chat start each would measure something else).
        try await Blocking.run {
            let connection = try PGConnection(conninfo: url)
            try connection.execute(
                """
                INSERT INTO identity.visitors (id, token_hash)
                SELECT gen_random_uuid(), sha256(convert_to('bench-visitor-' || n, 'UTF8')) FROM generate_series(1, \(total)) n
                """)
        }
        raiseFileLimit()
        let cpuAlone = try await Blocking.run { try gatewayCPUPerMessage(port: port, gateway: gateway, label: "alone") }
        let before = residentMegabytes(gateway)
        let baseFiles = openFiles(gateway)
        var sockets: [Int32] = []
        var steps: [(count: Int, megabytes: Double, perSocket: Double)] = []
        for step in socketSteps {
            let from = sockets.count
            sockets += try await Blocking.run { try openStreams(port: port, numbers: (from + 1)...step) }
            // Let the event loops settle (the `ready` frames are written) before reading.
            try await Task.sleep(for: .milliseconds(500))
            let now = residentMegabytes(gateway)
            steps.append((step, now, (now - before) * 1024 / Double(step)))
        }
        let peak = steps.last?.megabytes ?? before
        let cpuInCrowd = try await Blocking.run { try gatewayCPUPerMessage(port: port, gateway: gateway, label: "crowd") }
        let closed = try await closeAll(sockets, gateway: gateway, files: baseFiles, before: before, peak: peak)
        // A second crowd as large: the memory is reused, not taken anew.
        sockets = try await Blocking.run { try openStreams(port: port, numbers: 1...total) }
        try await Task.sleep(for: .milliseconds(500))
        let again = residentMegabytes(gateway)
        let closedAgain = try await closeAll(sockets, gateway: gateway, files: baseFiles, before: before, peak: again)
        return Memory(
            before: before, steps: steps, closed: closed, again: again, closedAgain: closedAgain, cpuAlone: cpuAlone, cpuInCrowd: cpuInCrowd
        )
    }

    /// Closes `sockets` and waits until the gateway has closed its ends and given back what
    /// they held (it trims every 10 s), or 30 s; its RSS then.
    static func closeAll(_ sockets: [Int32], gateway: Int32, files: Int, before: Double, peak: Double) async throws -> Double {
        for fd in sockets { close(fd) }
        let deadline = ContinuousClock.now + .seconds(60)
        while openFiles(gateway) > files + 10, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let trimmed = ContinuousClock.now + .seconds(30)
        while residentMegabytes(gateway) > before + (peak - before) / 4, ContinuousClock.now < trimmed {
            try await Task.sleep(for: .milliseconds(250))
        }
        return residentMegabytes(gateway)
    }

    /// Opens `/api/v1/visitor/stream` for the visitors `numbers`, on eight threads, each socket
    /// left open once its `ready` frame arrived; the open sockets.
    static func openStreams(port: Int, numbers: ClosedRange<Int>) throws -> [Int32] {
        let lanes = 8
        let opened = Mutex<[Int32]>([])
        let failures = Mutex<[String]>([])
        ChatBench.onThreads(lanes) { lane in
            for number in stride(from: numbers.lowerBound + lane, through: numbers.upperBound, by: lanes) {
                do {
                    let fd = try Loopback.connect(port: port, nonBlocking: false)
                    var timeout = timeval(tv_sec: 30, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                    let request =
                        "GET /api/v1/visitor/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Authorization: Bearer bench-visitor-\(number)\r\n\r\n"
                    _ = Array(request.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    let ready = Array(#""type":"ready""#.utf8)
                    while received.firstRange(of: ready) == nil {
                        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                        guard count > 0 else {
                            close(fd)
                            throw BenchError("visitor stream \(number): \(String(decoding: received, as: UTF8.self).prefix(200))")
                        }
                        received += buffer[..<count]
                    }
                    opened.withLock { $0.append(fd) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        if let failure = failures.withLock({ $0.first }) {
            for fd in opened.withLock({ $0 }) { close(fd) }
            throw BenchError(failure)
        }
        return opened.withLock { $0 }
    }

    static func residentMegabytes(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// This process's descriptors up to the hard limit: it holds one end of every socket.
    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
