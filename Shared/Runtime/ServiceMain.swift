import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Storage
import UnixSignals
import Wire

/// The whole life of a back-service process: `serve` (default), `migrate` or `health`.
public enum ServiceMain {
    static let usage = """
        usage: switchboard-<service> [serve | migrate | health]
          serve    apply migrations, then answer JSON-RPC on $SWITCHBOARD_RUNTIME_DIR/<service>/<instance>.sock
          migrate  apply the platform's and this service's migrations, then exit
          health   call system.health on this host's instance; exit 0 when it and its database answer
        configuration: environment variables, see README.md
        """

    /// Runs the command named on the command line and exits with its status.
    public static func run(_ service: BackService) async -> Never {
        let started = ContinuousClock.now
        Observability.useEventLoopsAsExecutor()
        let command = CommandLine.arguments.dropFirst().first ?? "serve"
        guard ["serve", "migrate", "health"].contains(command) else {
            FileHandle.standardError.write(
                Data((command == "--help" || command == "-h" ? usage : "unknown command \(command)\n\(usage)").utf8))
            exit(command == "--help" || command == "-h" ? 0 : 2)
        }
        let configuration: Configuration
        do {
            configuration = try Configuration()
        } catch {
            FileHandle.standardError.write(Data("\(service.name.executable): configuration error: \(error)\n".utf8))
            exit(2)
        }
        let logger = Observability.bootstrap(service: service.name, configuration: configuration)
        ProcessLimits.raiseFileLimit()
        ProcessLimits.followParent(logger: logger)
        if command == "health" {
            exit(await Health.check(service: service.name, configuration: configuration, logger: logger))
        }

        let database = Database(url: configuration.databaseURL, size: configuration.databasePoolSize, logger: logger)
        do {
            try await migrate(service, database: database, logger: logger)
        } catch {
            logger.critical("migration failed", metadata: ["error": "\(error)"])
            exit(1)
        }
        if command == "migrate" {
            database.closeAndWait()
            exit(0)
        }

        let listener = Listener(url: configuration.databaseURL, channels: [Outbox.channel], logger: logger)
        var clients: [ServiceName: RPCClient] = [:]
        for callee in service.calls {
            clients[callee] = RPCClient(
                service: callee, runtimeDirectory: configuration.runtimeDirectory, logger: logger,
                defaultTimeout: configuration.rpcTimeout
            )
        }
        let context = ServiceContext(
            configuration: configuration, database: database, listener: listener, logger: logger, clients: clients
        )
        var router = RPCRouter()
        router.register(SystemMethods.Health.self) { _, _ in
            SystemMethods.Health.Result(
                service: service.name.rawValue, instance: configuration.instance, version: SwitchboardVersion.current,
                databaseReachable: await database.isReachable(), uptimeSeconds: uptime(since: started),
                attention: await service.attention(context)
            )
        }
        router.register(SystemMethods.Metrics.self) { _, _ in SystemMethods.Metrics.Result(text: Observability.renderMetrics()) }
        router.register(SystemMethods.Ping.self) { params, _ in params }
        service.routes(&router, context)

        let server = RPCServer(
            directory: SocketDirectory(runtimeDirectory: configuration.runtimeDirectory, service: service.name),
            instance: configuration.instance, router: router, logger: logger
        )
        // Shut down in reverse: the server drains first, the database closes last.
        let services: [any Service] =
            [database, listener, OutboxRetention(database: database, retention: configuration.eventRetention, logger: logger)]
            + service.calls.compactMap { clients[$0] } + service.workers(context) + [server]
        await runUntilStopped(services, logger: logger)
    }

    /// Runs `services` in one group until SIGTERM or SIGINT, shutting them down in reverse order,
    /// and exits 0 after a clean drain, 1 on an error.
    public static func runUntilStopped(_ services: [any Service], logger: Logger) async -> Never {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
            logger.info("exited cleanly")
            exit(0)
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// Applies the platform's migrations, then the service's; waits up to a minute for the database.
    public static func migrate(_ service: BackService, database: Database, logger: Logger) async throws {
        try await migrate(Migration.platform + service.migrations, database: database, logger: logger)
    }

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

    static func uptime(since started: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
