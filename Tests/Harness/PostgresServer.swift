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

    init(url: String, directory: String?) {
        self.url = url
        self.directory = directory
    }

    /// Starts a new private cluster (fsync off: test data is thrown away).
    public static func startCluster() throws -> PostgresServer {
        let directory = try Scratch.makeDirectory(prefix: "pg")
        let url = try Scripts.run("pg-cluster.sh", "start", directory, "--fast")
        return PostgresServer(url: url, directory: directory)
    }

    /// Stops a private cluster; its data stays until `remove()`.
    public func stop() throws {
        guard let directory else { return }
        _ = try Scripts.run("pg-cluster.sh", "stop", directory)
    }

    /// Starts a stopped private cluster again, same data, same address.
    public func start() throws {
        guard let directory else { return }
        _ = try Scripts.run("pg-cluster.sh", "start", directory, "--fast")
    }

    /// Stops the cluster and deletes its folder.
    public func remove() {
        guard let directory else { return }
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database on this server; returns its connection string.
    public func createDatabase() throws -> String {
        let name = "sb_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let admin = try PGConnection(conninfo: url)
        try admin.execute("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0")
        return try ConnectionString.replacing(["dbname": String(name)], in: url)
    }

    /// The server every test in this process shares: `TEST_DATABASE_URL`, else a private cluster
    /// started on first use and stopped when the process exits.
    public static var shared: PostgresServer {
        get throws {
            try sharedServer.withLock { server in
                if let server { return server }
                let started: PostgresServer
                if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
                    started = PostgresServer(url: url, directory: nil)
                } else {
                    started = try startCluster()
                    atexit { try? PostgresServer.sharedServer.withLock { $0 }?.stop() }
                }
                server = started
                return started
            }
        }
    }

    private static let sharedServer = Mutex<PostgresServer?>(nil)
}

/// A fresh database on the shared test server.
public enum TestDatabase {
    /// Creates an empty database and returns its connection string.
    public static func create() throws -> String {
        try PostgresServer.shared.createDatabase()
    }
}
