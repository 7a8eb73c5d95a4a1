import Contracts
import Logging
import ServiceLifecycle
import Storage
import Wire

/// What makes one back service different from the others; `ServiceMain` does the rest.
public struct BackService: Sendable {
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

    public init(
        name: ServiceName,
        migrations: [Migration],
        calls: [ServiceName] = [],
        routes: @escaping @Sendable (inout RPCRouter, ServiceContext) -> Void = { _, _ in },
        workers: @escaping @Sendable (ServiceContext) -> [any Service] = { _ in [] },
        attention: @escaping @Sendable (ServiceContext) async -> [Attention] = { _ in [] }
    ) {
        self.name = name
        self.migrations = migrations
        self.calls = calls
        self.routes = routes
        self.workers = workers
        self.attention = attention
    }
}

/// What a service's handlers and workers are given.
public struct ServiceContext: Sendable {
    public let configuration: Configuration
    public let database: Database
    public let listener: Listener
    public let logger: Logger
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
