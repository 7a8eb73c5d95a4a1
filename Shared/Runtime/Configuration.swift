import Contracts
import Foundation

/// What every process reads from its environment, with the defaults the README documents.
/// A service's own settings live beside it (`GatewayConfiguration`, `TicketingConfiguration`),
/// read with the same `EnvironmentReader`.
public struct Configuration: Sendable {
    /// libpq connection string or URI (`DATABASE_URL`, required).
    public var databaseURL: String
    /// Where the back services' sockets live (`SWITCHBOARD_RUNTIME_DIR`, default `.data/run`).
    public var runtimeDirectory: String
    /// This process's instance name (`SWITCHBOARD_INSTANCE`, default `<hostname>-<pid>`).
    public var instance: String
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical` (`LOG_LEVEL`, default `info`).
    public var logLevel: String
    /// Connections in this process's database pool (`SWITCHBOARD_DB_POOL_SIZE`, default 8).
    public var databasePoolSize: Int
    /// How long an internal call may take unless its caller says less (`SWITCHBOARD_RPC_TIMEOUT_MS`, default 10000).
    public var rpcTimeout: Duration
    /// How long outbox events are kept (`SWITCHBOARD_EVENT_RETENTION_HOURS`, default 168).
    public var eventRetention: Duration

    /// A setting that is present but unusable.
    public struct Invalid: Error, CustomStringConvertible {
        /// The environment variable at fault.
        public var variable: String
        /// What is wrong with its value, and what would do.
        public var reason: String
        public var description: String { "\(variable): \(reason)" }

        /// `variable` is unusable for `reason`.
        public init(variable: String, reason: String) {
            self.variable = variable
            self.reason = reason
        }
    }

    /// Reads the settings every process shares; throws `Invalid` naming the first unusable one.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let reader = EnvironmentReader(environment)
        guard let databaseURL = reader.value("DATABASE_URL") else {
            throw Invalid(
                variable: "DATABASE_URL",
                reason: "not set; give a libpq connection string such as postgresql:///switchboard?host=/run/postgresql")
        }
        self.databaseURL = databaseURL
        runtimeDirectory = reader.value("SWITCHBOARD_RUNTIME_DIR") ?? ".data/run"
        instance =
            reader.value("SWITCHBOARD_INSTANCE") ?? "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")-\(getpid())"
        guard instance.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !instance.hasPrefix(".") else {
            throw Invalid(variable: "SWITCHBOARD_INSTANCE", reason: "use letters, digits, '-', '_' and '.' only, not starting with '.'")
        }
        logLevel = reader.value("LOG_LEVEL")?.lowercased() ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw Invalid(variable: "LOG_LEVEL", reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        databasePoolSize = try reader.integer("SWITCHBOARD_DB_POOL_SIZE", default: 8, range: 1...256)
        rpcTimeout = .milliseconds(try reader.integer("SWITCHBOARD_RPC_TIMEOUT_MS", default: 10_000, range: 10...600_000))
        eventRetention = .seconds(3600 * (try reader.integer("SWITCHBOARD_EVENT_RETENTION_HOURS", default: 168, range: 1...87_600)))
    }
}

/// Settings as every process reads them: a value that is blank counts as unset, a number out
/// of its range is an `Configuration.Invalid` that says the range.
public struct EnvironmentReader: Sendable {
    /// The variables read from (the process's own unless a test gives others).
    public let environment: [String: String]

    /// A reader of `environment`.
    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The variable's value without surrounding spaces; nil when unset or blank.
    public func value(_ name: String) -> String? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// A whole number in `range`, or `fallback` when unset.
    public func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw Configuration.Invalid(
                variable: name, reason: "expected a whole number in \(range.lowerBound)...\(range.upperBound), got \(text)")
        }
        return number
    }
}
