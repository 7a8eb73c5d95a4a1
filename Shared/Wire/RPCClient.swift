import Contracts
import Foundation
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Calls one back service, whichever of its instances are alive.
///
/// `run()` watches the service's socket folder and keeps one connection to every live
/// instance, reconnecting with backoff. Calls go round-robin over connected instances; a call
/// whose connection drops fails at once, and an idempotent one (or one with an idempotency
/// key) is tried once more on another instance. Every call has a deadline.
public final class RPCClient: Service, Sendable {
    public let service: ServiceName
    public let directory: SocketDirectory
    /// Used when neither the call nor the request being served says otherwise.
    public let defaultTimeout: Duration
    let group: any EventLoopGroup
    let logger: Logger
    private let instances = Mutex<[String: Instance]>([:])
    private let cursor = Atomic<Int>(0)
    private let nextID = Atomic<Int64>(1)
    private let metrics = Mutex<[String: MethodMetrics]>([:])

    public init(
        service: ServiceName,
        runtimeDirectory: String,
        logger: Logger,
        defaultTimeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.service = service
        self.directory = SocketDirectory(runtimeDirectory: runtimeDirectory, service: service)
        self.defaultTimeout = defaultTimeout
        self.group = group
        var logger = logger
        logger[metadataKey: "rpc.service"] = "\(service.rawValue)"
        self.logger = logger
    }

    /// Names of the instances with an open connection right now.
    public var connectedInstances: [String] {
        instances.withLock { $0.values.filter { $0.connection != nil && !$0.isGone }.map(\.name).sorted() }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { tasks in
            for await _ in DirectoryWatcher.changes(of: directory.path).cancelOnGracefulShutdown() {
                let live = Set(directory.liveInstances())
                let added = instances.withLock { known -> [Instance] in
                    for (name, instance) in known where !live.contains(name) {
                        // Its socket is gone: the instance is draining or dead. Send it nothing new;
                        // replies still due arrive on the open connection until the server closes it.
                        instance.markGone()
                        known[name] = nil
                    }
                    return live.subtracting(known.keys).map { name in
                        let instance = Instance(name: name, path: directory.socketPath(name))
                        known[name] = instance
                        return instance
                    }
                }
                for instance in added {
                    tasks.addTask { await self.maintain(instance) }
                }
            }
            // Stopping: every connection closes, also one a replaced instance still holds (see `maintain`).
            let all = instances.withLock { known in
                defer { known = [:] }
                return Array(known.values)
            }
            for instance in all { instance.markGone() }
            tasks.cancelAll()
        }
    }

    /// Keeps one connection to `instance` open until it is gone.
    private func maintain(_ instance: Instance) async {
        var backoff = Duration.milliseconds(20)
        while !instance.isGone, !Task.isCancelled {
            do {
                let connection = try await RPCConnection.connect(socketPath: instance.path, group: group)
                let channel = connection.channel
                guard !instance.isGone, !Task.isCancelled else {
                    connection.close()
                    break
                }
                instance.connection = connection
                backoff = .milliseconds(20)
                logger.debug("connected", metadata: ["rpc.instance": "\(instance.name)"])
                // Open until the server closes it or this client stops. (An instance whose socket
                // vanished keeps its connection for the replies still due; if a new process took
                // the name meanwhile, that connection may be to it, and only stopping ends it.)
                await withTaskCancellationHandler {
                    try? await channel.closeFuture.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                instance.connection = nil
                logger.debug("disconnected", metadata: ["rpc.instance": "\(instance.name)"])
            } catch {
                logger.debug("connect failed", metadata: ["rpc.instance": "\(instance.name)", "error": "\(error)"])
            }
            if instance.isGone || Task.isCancelled { break }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    /// Calls `M` on some instance and returns its result, or throws the `RPCError` it answered
    /// (or `connection_lost`, `no_instance`, `deadline_exceeded`).
    public func call<M: RPCMethod>(
        _ method: M.Type,
        _ params: M.Params,
        timeout: Duration? = nil,
        idempotencyKey: String? = nil
    ) async throws -> M.Result {
        let context = RPCContext.current
        var deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
        if let outer = context?.deadline, outer < deadline { deadline = outer }
        let idempotencyKey = idempotencyKey ?? context?.idempotencyKey.map { "\($0)/\(M.name)" }
        let retriable = M.isIdempotent || idempotencyKey != nil
        let started = ContinuousClock.now
        var tried: [String] = []
        do {
            while true {
                let connection = try await connection(avoiding: tried, before: deadline)
                do {
                    let result = try await connection.connection.call(
                        M.self, params, id: .number(nextID.add(1, ordering: .relaxed).newValue),
                        deadline: deadline, trace: context?.trace, idempotencyKey: idempotencyKey
                    )
                    record(M.name, "ok", since: started)
                    return result
                } catch let error as RPCError where error.reason == .connectionLost && retriable && tried.isEmpty {
                    logger.debug(
                        "retrying on another instance", metadata: ["rpc.method": "\(M.name)", "rpc.instance": "\(connection.name)"])
                    tried.append(connection.name)
                }
            }
        } catch {
            record(M.name, (error as? RPCError)?.reason?.rawValue ?? "error", since: started)
            throw error
        }
    }

    private func record(_ method: String, _ outcome: String, since started: ContinuousClock.Instant) {
        // Making a metric handle goes through the factory's registry (a lock and a lookup):
        // keep the common ones per method.
        let handles = metrics.withLock { cache in
            if let cached = cache[method] { return cached }
            let made = MethodMetrics(
                succeeded: Counter(
                    label: "rpc_client_calls_total", dimensions: [("service", service.rawValue), ("method", method), ("outcome", "ok")]),
                duration: Timer(label: "rpc_client_duration_seconds", dimensions: [("service", service.rawValue), ("method", method)])
            )
            cache[method] = made
            return made
        }
        if outcome == "ok" {
            handles.succeeded.increment()
        } else {
            Counter(label: "rpc_client_calls_total", dimensions: [("service", service.rawValue), ("method", method), ("outcome", outcome)])
                .increment()
        }
        handles.duration.record(duration: .now - started)
    }

    private struct MethodMetrics: Sendable {
        let succeeded: Counter
        let duration: Timer
    }

    /// The next connected instance, round-robin, preferring ones not in `avoiding`; waits for one
    /// to connect until `deadline`.
    private func connection(
        avoiding: [String], before deadline: ContinuousClock.Instant
    ) async throws -> (name: String, connection: Connection) {
        while true {
            let candidates = instances.withLock { known in
                known.values.compactMap { instance in
                    instance.isGone ? nil : instance.connection.map { (instance.name, $0) }
                }
            }
            let preferred = candidates.filter { !avoiding.contains($0.0) }
            let pool = preferred.isEmpty ? candidates : preferred
            if !pool.isEmpty {
                let index = cursor.add(1, ordering: .relaxed).newValue
                let chosen = pool[index % pool.count]
                return (chosen.0, chosen.1)
            }
            guard ContinuousClock.now < deadline else { throw RPCError.noInstance(service.rawValue) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension RPCClient {
    /// One instance seen in the socket folder.
    final class Instance: Sendable {
        let name: String
        let path: String
        private let state = Mutex<(connection: Connection?, gone: Bool)>((nil, false))

        init(name: String, path: String) {
            self.name = name
            self.path = path
        }

        var connection: Connection? {
            get { state.withLock { $0.connection } }
            set { state.withLock { $0.connection = newValue } }
        }

        var isGone: Bool { state.withLock { $0.gone } }
        func markGone() { state.withLock { $0.gone = true } }
    }

    /// An open connection to one instance.
    typealias Connection = RPCConnection
}

extension RPCClient {
    /// One call on a fresh connection to one socket, closed afterwards: for health checks and
    /// tests that must reach a particular instance.
    public static func callOnce<M: RPCMethod>(
        _ method: M.Type,
        _ params: M.Params,
        socketPath: String,
        timeout: Duration = .seconds(5)
    ) async throws -> M.Result {
        let connection = try await RPCConnection.connect(socketPath: socketPath)
        defer { connection.close() }
        return try await connection.call(M.self, params, timeout: timeout)
    }
}
