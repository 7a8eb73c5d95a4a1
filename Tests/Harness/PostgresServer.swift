import Foundation
import Storage
import Synchronization

/// A PostgreSQL server for tests: the one `TEST_DATABASE_URL` names, or a private cluster
/// started (and stopped) by the harness through `scripts/pg-cluster.sh`.
public final class PostgresServer: Sendable {
    /// Connection string of the server's `postgres` database.
    public let url: String
    /// The cluster's folder when the harness owns it; `nil` for an external server.
    public let directory: String?

    let durable: Bool

    init(url: String, directory: String?, durable: Bool = false) {
        self.url = url
        self.directory = directory
        self.durable = durable
    }

    /// Starts a new private cluster. Test clusters run with fsync off (their data is thrown
    /// away); `durable` keeps PostgreSQL's defaults, for benchmarks.
    public static func startCluster(durable: Bool = false) async throws -> PostgresServer {
        let directory = try Scratch.makeDirectory(prefix: "pg")
        let url = try await Scripts.run("pg-cluster.sh", "start", directory, durable ? "--durable" : "--fast")
        return PostgresServer(url: url, directory: directory, durable: durable)
    }

    /// Stops a private cluster; its data stays until `remove()`.
    public func stop() async throws {
        guard let directory else { return }
        _ = try await Scripts.run("pg-cluster.sh", "stop", directory)
    }

    /// Starts a stopped private cluster again, same data, same address.
    public func start() async throws {
        guard let directory else { return }
        _ = try await Scripts.run("pg-cluster.sh", "start", directory, durable ? "--durable" : "--fast")
    }

    /// Stops the cluster and deletes its folder.
    public func remove() async {
        guard let directory else { return }
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database on this server; returns its connection string.
    public func createDatabase() async throws -> String {
        let name = "sb_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = url
        try await Blocking.run {
            let admin = try PGConnection(conninfo: url)
            try admin.execute("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0")
        }
        return try ConnectionString.replacing(["dbname": String(name)], in: url)
    }

    /// The server every test in this process shares: `TEST_DATABASE_URL`, else a private cluster
    /// started on first use and stopped when the process exits.
    public static var shared: PostgresServer {
        get async throws {
            try await sharedStart.value
        }
    }

    private static let sharedStart = Task<PostgresServer, any Error> {
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
            return PostgresServer(url: url, directory: nil)
        }
        let started = try await startCluster()
        sharedDirectory.withLock { $0 = started.directory }
        atexit {
            // A private cluster must not outlive the tests.
            guard let directory = PostgresServer.sharedDirectory.withLock({ $0 }) else { return }
            guard
                let stop = try? ChildProcess(
                    executable: "/bin/bash", arguments: ["\(Scripts.root)/scripts/pg-cluster.sh", "stop", directory],
                    environment: ProcessInfo.processInfo.environment, outputPath: "/dev/null"
                )
            else { return }
            var status: Int32 = 0
            waitpid(stop.pid, &status, 0)
        }
        return started
    }

    private static let sharedDirectory = Mutex<String?>(nil)
}

/// A fresh database on the shared test server.
public enum TestDatabase {
    /// Creates an empty database and returns its connection string.
    public static func create() async throws -> String {
        try await PostgresServer.shared.createDatabase()
    }
}
