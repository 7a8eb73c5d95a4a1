import Contracts
import Foundation
import Logging
import NIOCore
import Synchronization
import Wire

/// Methods the wire tests serve.
enum Echo: RPCMethod {
    static let name = "test.echo"
    static let isIdempotent = true
    struct Params: Codable, Sendable, Equatable {
        var value: Int
        var text: String?
    }
    struct Result: Codable, Sendable, Equatable {
        var value: Int
        var text: String?
        var instance: String
    }
}

/// Not idempotent: counts how often it ran.
enum Record: RPCMethod {
    static let name = "test.record"
    struct Params: Codable, Sendable { var value: Int }
    typealias Result = Empty
}

enum Sleep: RPCMethod {
    static let name = "test.sleep"
    struct Params: Codable, Sendable { var milliseconds: Int }
    typealias Result = Empty
}

/// Like `Sleep`, but counted while it runs, so the drain test knows every call reached the server.
enum Hold: RPCMethod {
    static let name = "test.hold"
    struct Params: Codable, Sendable { var milliseconds: Int }
    typealias Result = Empty
    static let running = Atomic<Int>(0)
}

enum Refuse: RPCMethod {
    static let name = "test.refuse"
    typealias Params = Empty
    typealias Result = Empty
}

func testRouter(instance: String) -> RPCRouter {
    var router = RPCRouter()
    router.register(Echo.self) { params, _ in Echo.Result(value: params.value, text: params.text, instance: instance) }
    router.register(Sleep.self) { params, _ in
        try await Task.sleep(for: .milliseconds(params.milliseconds))
        return Empty()
    }
    router.register(Hold.self) { params, _ in
        Hold.running.add(1, ordering: .relaxed)
        defer { Hold.running.subtract(1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(params.milliseconds))
        return Empty()
    }
    router.register(Refuse.self) { _, _ in throw RPCError(.alreadyTaken, "someone else has it", details: ["operator": "Nazlıcan"])
    }
    return router
}

let testLogger: Logger = {
    var logger = Logger(label: "wire-tests")
    logger.logLevel = .critical
    return logger
}()

/// An in-process server on a real Unix socket in a short temporary folder.
final class TestServer: Sendable {
    let runtimeDirectory: String
    let instance: String
    let task: Task<Void, any Error>
    var directory: SocketDirectory { SocketDirectory(runtimeDirectory: runtimeDirectory, service: .pool) }
    var socketPath: String { directory.socketPath(instance) }

    init(runtimeDirectory: String, instance: String, router: RPCRouter? = nil) async throws {
        self.runtimeDirectory = runtimeDirectory
        self.instance = instance
        let server = RPCServer(
            directory: SocketDirectory(runtimeDirectory: runtimeDirectory, service: .pool),
            instance: instance, router: router ?? testRouter(instance: instance), logger: testLogger,
            discoveryGrace: .milliseconds(50)
        )
        task = Task { try await server.run() }
        let path = SocketDirectory(runtimeDirectory: runtimeDirectory, service: .pool).socketPath(instance)
        try await poll("\(instance) to listen") { FileManager.default.fileExists(atPath: path) }
    }

    /// Graceful stop: drains in-flight requests.
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

func makeRuntimeDirectory() throws -> String {
    var template = Array("/tmp/sbw.XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    return String(cString: path)
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

/// Waits for `condition`, up to `timeout`: long, because the whole suite starting at once on two
/// cores has starved this process's tasks for 20 s at a time.
func poll(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        guard ContinuousClock.now < deadline else { throw Timeout(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs `body` with a client whose `run()` is going, and stops it afterwards. The default deadline
/// is long: a burst of a thousand calls has taken up to 12 s on a starved two-core machine, and
/// tests of deadlines pass their own.
func withClient<T: Sendable>(
    runtimeDirectory: String, timeout: Duration = .seconds(60), _ body: (RPCClient) async throws -> T
) async throws -> T {
    let client = RPCClient(service: .pool, runtimeDirectory: runtimeDirectory, logger: testLogger, defaultTimeout: timeout)
    let task = Task { try await client.run() }
    defer { task.cancel() }
    return try await body(client)
}

/// Counts per key from many tasks.
final class Tally: Sendable {
    private let state = Mutex<[String: Int]>([:])
    func add(_ key: String) { state.withLock { $0[key, default: 0] += 1 } }
    var counts: [String: Int] { state.withLock { $0 } }
}
