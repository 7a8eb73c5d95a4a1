import Contracts
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus

/// Logging and metrics for one process, set up once in `main`.
public enum Observability {
    /// Where this process's metrics are kept; `system.metrics` and `/metrics` print it.
    public static let registry = PrometheusCollectorRegistry()

    /// Installs the JSON log handler and the Prometheus metrics factory; returns the root logger.
    public static func bootstrap(service: ServiceName, configuration: Configuration) -> Logger {
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "switchboard.\(service.rawValue)")
        logger[metadataKey: "service"] = "\(service.rawValue)"
        logger[metadataKey: "instance"] = "\(configuration.instance)"
        return logger
    }

    /// Runs Swift tasks on NIO's event loops instead of a separate thread pool: a request then
    /// goes from socket to handler and back without changing threads. Safe here because nothing
    /// of ours blocks a task's thread (libpq has its own threads). Call first thing in `main`.
    public static func useEventLoopsAsExecutor() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// The Prometheus text exposition of everything recorded so far.
    public static func renderMetrics() -> String {
        registry.emitToString()
    }
}
