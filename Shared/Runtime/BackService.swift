import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Wire

/// What makes one back service different from the others; `makeServices` does the rest.
public struct BackService: ProcessDefinition {
    public var name: ServiceName
    /// This service's own schema, applied after the platform's.
    public var migrations: [Migration]
    /// The services this one calls.
    public var calls: [ServiceName]
    /// Registers the service's methods (`system.*` are added for it).
    public var routes: @Sendable (inout RPCRouter, ServiceContext) -> Void
    /// Long-running work beside the RPC server: outbox consumers, senders, sweepers.
    public var workers: @Sendable (ServiceContext) -> [any Service]
    /// What `system.health` reports the deployment must set right (missing settings).
    public var attention: @Sendable (ServiceContext) async -> [Attention]
    /// The time the service's decisions go by (`ServiceContext.clock`); a test may set it.
    public var clock: WallClock

    public init(
        name: ServiceName,
        migrations: [Migration],
        calls: [ServiceName] = [],
        routes: @escaping @Sendable (inout RPCRouter, ServiceContext) -> Void = { _, _ in },
        workers: @escaping @Sendable (ServiceContext) -> [any Service] = { _ in [] },
        attention: @escaping @Sendable (ServiceContext) async -> [Attention] = { _ in [] },
        clock: WallClock = .system
    ) {
        self.name = name
        self.migrations = migrations
        self.calls = calls
        self.routes = routes
        self.workers = workers
        self.attention = attention
        self.clock = clock
    }
}

/// What a service's handlers and workers are given.
public struct ServiceContext: Sendable {
    public let configuration: Configuration
    public let database: Database
    public let listener: Listener
    public let logger: Logger
    /// The time the service's decisions go by: never `Date()` in domain code.
    public let clock: WallClock
    /// One client per service in `BackService.calls`.
    public let clients: [ServiceName: RPCClient]

    /// The client for `service`; it must be listed in `BackService.calls`.
    public func client(_ service: ServiceName) -> RPCClient {
        guard let client = clients[service] else {
            preconditionFailure("\(service) is not in this service's `calls`")
        }
        return client
    }
}

extension BackService {
    /// Serving: the outbox listener, the clients of the services it calls, its workers, and
    /// the JSON-RPC server with `system.*` and the service's own methods, last (so it stops
    /// taking calls first).
    public func makeServices(configuration: Configuration, database: Database, logger: Logger) -> [any Service] {
        let started = ContinuousClock.now
        let listener = Listener(url: configuration.databaseURL, channels: [Outbox.channel], logger: logger)
        var clients: [ServiceName: RPCClient] = [:]
        for callee in calls {
            clients[callee] = RPCClient(
                service: callee, runtimeDirectory: configuration.runtimeDirectory, logger: logger, defaultTimeout: configuration.rpcTimeout)
        }
        let context = ServiceContext(
            configuration: configuration, database: database, listener: listener, logger: logger, clock: clock, clients: clients)
        var router = RPCRouter()
        router.register(SystemMethods.Health.self) { _, _ in
            SystemMethods.Health.Result(
                service: name.rawValue, instance: configuration.instance, version: SwitchboardVersion.current,
                databaseReachable: await database.isReachable(), uptimeSeconds: (ContinuousClock.now - started).seconds,
                attention: await attention(context)
            )
        }
        router.register(SystemMethods.Metrics.self) { _, _ in SystemMethods.Metrics.Result(text: Observability.renderMetrics()) }
        router.register(SystemMethods.Ping.self) { params, _ in params }
        routes(&router, context)
        let server = RPCServer(
            directory: SocketDirectory(runtimeDirectory: configuration.runtimeDirectory, service: name),
            instance: configuration.instance, router: router, logger: logger
        )
        return [listener, OutboxRetention(database: database, retention: configuration.eventRetention, logger: logger)]
            + calls.compactMap { clients[$0] } + workers(context) + [server]
    }

    public func health(configuration: Configuration, logger: Logger) async -> Int32 {
        await Health.check(service: name, configuration: configuration, logger: logger)
    }
}

extension Duration {
    /// Seconds, with the fraction.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
