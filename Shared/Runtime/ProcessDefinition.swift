import Contracts
import Logging
import ServiceLifecycle
import Storage

/// One kind of Switchboard process, as `ServiceMain` runs it: a back service (`BackService`)
/// or the gateway. `makeServices` is the whole of a running instance, so a test can run one
/// inside its own process.
public protocol ProcessDefinition: Sendable {
    var name: ServiceName { get }
    /// This process's own schema, applied after the platform's.
    var migrations: [Migration] { get }
    /// What `serve` runs once the schema is current, in start order (shut down in reverse).
    func makeServices(configuration: Configuration, database: Database, logger: Logger) throws -> [any Service]
    /// Work that needs the current schema before anything serves (the gateway's first admin).
    func prepare(configuration: Configuration, database: Database, logger: Logger) async throws
    /// `health`: 0 when this host's instance serves.
    func health(configuration: Configuration, logger: Logger) async -> Int32
}

extension ProcessDefinition {
    public func prepare(configuration: Configuration, database: Database, logger: Logger) async throws {}

    /// Everything one instance runs, ready for a `ServiceGroup`: the database pool, then a
    /// prelude that migrates (and `prepare`s) and only then starts `makeServices`' services.
    public func makeServices(configuration: Configuration, logger: Logger) throws -> [any Service] {
        let database = Database(url: configuration.databaseURL, size: configuration.databasePoolSize, logger: logger)
        let services = try makeServices(configuration: configuration, database: database, logger: logger)
        return [
            database,
            Prelude(
                migrations: Migration.platform + migrations, database: database, logger: logger,
                prepare: { try await prepare(configuration: configuration, database: database, logger: logger) },
                services: services),
        ]
    }
}

/// Brings the schema up to date, then runs the services that need it in a group of their own
/// (nested in the process's group, so a graceful shutdown reaches them, in reverse order).
/// With no services it returns once the schema is current (`migrate`).
public struct Prelude: Service {
    let migrations: [Migration]
    let database: Database
    let logger: Logger
    let prepare: @Sendable () async throws -> Void
    let services: [any Service]

    public init(
        migrations: [Migration], database: Database, logger: Logger, prepare: @escaping @Sendable () async throws -> Void = {},
        services: [any Service] = []
    ) {
        self.migrations = migrations
        self.database = database
        self.logger = logger
        self.prepare = prepare
        self.services = services
    }

    public func run() async throws {
        try await Self.migrate(migrations, database: database, logger: logger)
        try await prepare()
        guard !services.isEmpty else { return }
        try await ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger)).run()
    }

    /// Applies `migrations`, waiting up to a minute for the database to come up.
    public static func migrate(_ migrations: [Migration], database: Database, logger: Logger) async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while true {
            do {
                try await Migrator.apply(migrations, to: database, logger: logger)
                return
            } catch let error as DatabaseError where error.code == .connection && ContinuousClock.now < giveUp {
                logger.warning("database not reachable yet; retrying", metadata: ["error": "\(error.message)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
