import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Storage
import UnixSignals
import Wire

/// The whole life of a Switchboard process: `serve` (default), `migrate` or `health`. Its
/// `main` is one line, `exit(await ServiceMain.run(…))`: the status comes back here, and only
/// `main` exits.
public enum ServiceMain {
    static func usage(_ name: ServiceName) -> String {
        """
        usage: \(name.executable) [serve | migrate | health]
          serve    apply migrations, then serve (\(name == .gateway ? "HTTP on $SWITCHBOARD_HTTP_HOST:$SWITCHBOARD_HTTP_PORT" : "JSON-RPC on $SWITCHBOARD_RUNTIME_DIR/\(name.rawValue)/<instance>.sock"))
          migrate  apply the platform's and this service's migrations, then exit
          health   exit 0 when this host's instance serves
        configuration: environment variables, see README.md
        """
    }

    /// Runs the command named on the command line; returns the process's exit status.
    public static func run(_ definition: some ProcessDefinition, arguments: [String] = CommandLine.arguments) async -> Int32 {
        await run(definition.name, arguments: arguments) { _ in definition }
    }

    /// `run` for a process with settings of its own: `make` reads them from the environment
    /// (after the shared `Configuration`) and returns the definition that uses them. A setting
    /// it refuses stops the process like a shared one: a configuration error, status 2.
    public static func run<Definition: ProcessDefinition>(
        _ name: ServiceName, arguments: [String] = CommandLine.arguments,
        _ make: ([String: String]) throws -> Definition
    ) async -> Int32 {
        Observability.useEventLoopsAsExecutor()
        let command = arguments.dropFirst().first ?? "serve"
        guard ["serve", "migrate", "health"].contains(command) else {
            let help = command == "--help" || command == "-h"
            FileHandle.standardError.write(Data((help ? usage(name) : "unknown command \(command)\n\(usage(name))").utf8))
            return help ? 0 : 2
        }
        let configuration: Configuration
        let definition: Definition
        do {
            let environment = ProcessInfo.processInfo.environment
            configuration = try Configuration(environment: environment)
            definition = try make(environment)
            precondition(definition.name == name, "\(name.executable) runs the \(definition.name.rawValue) definition")
        } catch {
            FileHandle.standardError.write(Data("\(name.executable): configuration error: \(error)\n".utf8))
            return 2
        }
        let logger = Observability.bootstrap(service: name, configuration: configuration)
        if command == "health" { return await definition.health(configuration: configuration, logger: logger) }
        ProcessLimits.raiseFileLimit()
        ProcessLimits.followParent(logger: logger)

        let services: [ServiceGroupConfiguration.ServiceConfiguration]
        if command == "migrate" {
            // The prelude alone: once the schema is current the group shuts down and the pool closes.
            let database = Database(url: configuration.databaseURL, size: 1, logger: logger)
            let prelude = Prelude(migrations: Migration.platform + definition.migrations, database: database, logger: logger)
            services = [.init(service: database), .init(service: prelude, successTerminationBehavior: .gracefullyShutdownGroup)]
        } else {
            do {
                services = try definition.makeServices(configuration: configuration, logger: logger).map { .init(service: $0) }
            } catch {
                FileHandle.standardError.write(Data("\(name.executable): configuration error: \(error)\n".utf8))
                return 2
            }
        }
        return await runUntilStopped(services, logger: logger)
    }

    /// Runs `services` in one group until SIGTERM or SIGINT, shutting them down in reverse order;
    /// 0 after a clean drain, 1 on an error.
    static func runUntilStopped(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async -> Int32 {
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            logger.info("exited cleanly")
            return 0
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            return 1
        }
    }
}
