import Contracts
import Foundation
import Logging
import Synchronization
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// The suite as real processes for one test: a database, a short runtime folder, any number of
/// instances of any service, RPC and HTTP clients to them. Everything is torn down at the end
/// of `Stack.with`, also when the test fails (and then the processes' logs are printed).
public final class Stack: Sendable {
    public let root: String
    public let databaseURL: String
    public var runtimeDirectory: String { root + "/run" }
    public let binDirectory: String
    private let processes = Mutex<[ServiceProcess]>([])
    private let clients = Mutex<[ServiceName: (client: RPCClient, task: Task<Void, Never>)]>([:])
    private let counter = Atomic<Int>(0)

    init(databaseURL: String) throws {
        self.root = try Scratch.makeDirectory(prefix: "")
        self.databaseURL = databaseURL
        self.binDirectory = try Self.findBinaries()
    }

    /// Runs `body` with a new stack on a new database, and tears it down afterwards.
    public static func with<T>(
        databaseURL: String? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Stack) async throws -> T
    ) async throws -> T {
        let url: String
        if let databaseURL { url = databaseURL } else { url = try await TestDatabase.create() }
        let stack = try Stack(databaseURL: url)
        do {
            let result = try await body(stack)
            await stack.tearDown(printLogs: false)
            return result
        } catch {
            await stack.tearDown(printLogs: true)
            throw error
        }
    }

    /// The environment every child gets.
    public func environment(instance: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["SWITCHBOARD_RUNTIME_DIR"] = runtimeDirectory
        environment["SWITCHBOARD_INSTANCE"] = instance
        environment["SWITCHBOARD_DB_POOL_SIZE"] = environment["SWITCHBOARD_DB_POOL_SIZE"] ?? "4"
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "info"
        // Every visitor a test makes comes from 127.0.0.1: the widget's limits per address are
        // for the tests that are about them to set.
        for (variable, value) in Self.visitorLimitsRaised where environment[variable] == nil { environment[variable] = value }
        environment.merge(extra) { $1 }
        return environment
    }

    public static let visitorLimitsRaised = [
        "SWITCHBOARD_CHAT_STARTS_PER_ADDRESS": "1000000", "SWITCHBOARD_WAITING_PER_ADDRESS": "1000000",
        "SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE": "1000000",
    ]

    public func executable(_ service: ServiceName) -> String { "\(binDirectory)/\(service.executable)" }

    /// Starts one instance and waits until it answers (`system.health`, or `/healthz` for the gateway).
    @discardableResult
    public func start(
        _ service: ServiceName, instance: String? = nil, environment extra: [String: String] = [:], waitUntilReady: Bool = true,
        fileLimit: Int? = nil
    ) async throws -> ServiceProcess {
        let number = counter.add(1, ordering: .relaxed).newValue
        let instance = instance ?? "\(service.rawValue.prefix(4))\(number)"
        var extra = extra
        var port: Int?
        if service == .gateway {
            port = try Self.freePort()
            extra["SWITCHBOARD_HTTP_PORT"] = String(port!)
        }
        let process = try ServiceProcess(
            service: service, instance: instance, httpPort: port,
            logPath: "\(root)/\(service.rawValue)-\(instance).log",
            socketPath: SocketDirectory(runtimeDirectory: runtimeDirectory, service: service).socketPath(instance),
            executable: executable(service),
            environment: environment(instance: instance, extra: extra), fileLimit: fileLimit
        )
        processes.withLock { $0.append(process) }
        if waitUntilReady { try await self.waitUntilReady(process) }
        return process
    }

    /// Starts `counts[service]` instances of each service (default: one of each, gateway last).
    @discardableResult
    public func startAll(_ counts: [ServiceName: Int] = [:]) async throws -> [ServiceProcess] {
        var started: [ServiceProcess] = []
        for service in ServiceName.back + [.gateway] {
            for _ in 0..<(counts[service] ?? 1) {
                started.append(try await start(service, waitUntilReady: false))
            }
        }
        for process in started { try await waitUntilReady(process) }
        return started
    }

    /// Polls until the process answers; fails at once, with its log, if it exits instead.
    public func waitUntilReady(_ process: ServiceProcess, timeout: Duration = .seconds(60)) async throws {
        try await Poll.until("\(process.service.rawValue)/\(process.instance) to answer", timeout: timeout, every: .milliseconds(25)) {
            guard process.isRunning else {
                throw HarnessError("\(process.service.rawValue)/\(process.instance) exited during start:\n\(process.log.suffix(3000))")
            }
            if let port = process.httpPort {
                return (try? await self.http("GET", "/healthz", port: port).status) == 200
            }
            return (try? await RPCClient.callOnce(SystemMethods.Health.self, Empty(), socketPath: process.socketPath, timeout: .seconds(2)))
                != nil
        }
    }

    /// A client for `service` that follows its instances in this stack's runtime folder (a long
    /// default deadline: tests run beside each other on two cores, and none asserts speed).
    public func client(_ service: ServiceName, timeout: Duration = .seconds(60)) -> RPCClient {
        clients.withLock { clients in
            if let existing = clients[service] { return existing.client }
            let client = RPCClient(service: service, runtimeDirectory: runtimeDirectory, logger: Self.logger, defaultTimeout: timeout)
            let task = Task<Void, Never> { try? await client.run() }
            clients[service] = (client, task)
            return client
        }
    }

    /// Every process started so far.
    public var all: [ServiceProcess] { processes.withLock { $0 } }

    /// A plain HTTP request to a gateway on 127.0.0.1.
    public func http(
        _ method: String, _ path: String, port: Int, body: Data? = nil, headers: [String: String] = [:], chunked: Bool = false
    ) async throws -> HTTPReply {
        try await HTTPClient.send(method: method, port: port, path: path, headers: headers, body: body, chunked: chunked)
    }

    /// Stops clients, then every process (SIGTERM, then SIGKILL), and removes the folder.
    public func tearDown(printLogs: Bool) async {
        let running = clients.withLock { clients in
            defer { clients = [:] }
            return clients.values.map(\.task)
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
        let all = processes.withLock { $0 }
        for process in all where process.isRunning { process.send(SIGTERM) }
        for process in all where (try? await process.waitForExit(timeout: .seconds(10))) == nil {
            process.send(SIGKILL)
            _ = try? await process.waitForExit(timeout: .seconds(10))
        }
        if printLogs {
            for process in all {
                print("----- \(process.service.rawValue)/\(process.instance) log (its end) -----")
                print(process.log.suffix(Int(ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_LOG_TAIL"] ?? "") ?? 4000))
            }
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    static let logger: Logger = {
        var logger = Logger(label: "harness")
        logger.logLevel = .warning
        return logger
    }()

    /// Where `swift build` put the executables: beside the running test binary, or `SWITCHBOARD_BIN_DIR`.
    static func findBinaries() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["SWITCHBOARD_BIN_DIR"], !configured.isEmpty { return configured }
        let running = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = running.deletingLastPathComponent()
        // Inside a test bundle folder on some platforms: climb until the executables are beside us.
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("switchboard-pool").path) {
                return directory.path
            }
            directory.deleteLastPathComponent()
        }
        throw HarnessError(
            "cannot find the switchboard executables near \(running.path); run `swift build` first or set SWITCHBOARD_BIN_DIR")
    }

    /// A TCP port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer -> Int32 in
                guard bind(fd, sockaddrPointer, length) == 0 else { return -1 }
                return getsockname(fd, sockaddrPointer, &length)
            }
        }
        guard bound == 0 else { throw HarnessError("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What an HTTP request got back.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: Data
    /// Header names in lower case.
    public var headers: [String: String]

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: body)
    }

    /// A list's page, `{items, next_cursor, total?}`: nil when the body is not one.
    public var page: (items: [[String: Any]], nextCursor: String?, total: Int?)? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let items = object["items"] as? [[String: Any]], object.keys.contains("next_cursor")
        else { return nil }
        return (items, object["next_cursor"] as? String, object["total"] as? Int)
    }

    /// The items of a list's page (none when the body is not a page).
    public var items: [[String: Any]] { page?.items ?? [] }
}
