import Logging

/// One versioned step of one schema's SQL. Once applied it must never change: its checksum is
/// recorded, and an edited applied migration stops every process with an error.
public struct Migration: Sendable {
    public var schema: String
    public var version: Int
    public var name: String
    public var sql: String

    public init(schema: String, version: Int, name: String, sql: String) {
        self.schema = schema
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations under one advisory lock, each in its own transaction with its record.
///
/// Several processes starting at once is the normal case (every process migrates on start):
/// the lock makes the second wait and then find nothing to do.
public enum Migrator {
    /// Applies whatever of `migrations` is missing; returns the ones it applied.
    @discardableResult
    public static func apply(_ migrations: [Migration], to database: Database, logger: Logger) async throws -> [Migration] {
        let applied = try await database.withConnection(deadline: .now + .seconds(300)) { connection in
            try connection.execute("BEGIN")
            do {
                let applied = try applyLocked(migrations, on: connection)
                try connection.execute("COMMIT")
                return applied
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
        for migration in applied {
            logger.info(
                "applied migration",
                metadata: [
                    "migration.schema": "\(migration.schema)", "migration.version": "\(migration.version)",
                    "migration.name": "\(migration.name)",
                ])
        }
        return applied
    }

    private static func applyLocked(_ migrations: [Migration], on connection: PGConnection) throws -> [Migration] {
        // One lock for the whole database: held to the end of the transaction.
        try connection.query("SELECT pg_advisory_xact_lock(7523094288207667809)")
        try connection.execute(
            """
            CREATE SCHEMA IF NOT EXISTS platform;
            CREATE TABLE IF NOT EXISTS platform.migrations (
                schema_name text NOT NULL,
                version integer NOT NULL,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (schema_name, version)
            );
            """
        )
        var applied: [Migration] = []
        for migration in migrations {
            let rows = try connection.query(
                """
                SELECT checksum = encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex') AS same FROM platform.migrations
                WHERE schema_name = \(migration.schema) AND version = \(migration.version)
                """)
            if let row = rows.first {
                guard try row.decode("same", as: Bool.self) else {
                    throw DatabaseError(
                        .migration,
                        "migration \(migration.schema) v\(migration.version) (\(migration.name)) was changed after it was applied; add a new migration instead"
                    )
                }
                continue
            }
            do {
                try connection.execute(migration.sql)
            } catch let error as DatabaseError {
                throw DatabaseError(
                    .migration, "migration \(migration.schema) v\(migration.version) failed: \(error.message)", sqlState: error.sqlState)
            }
            try connection.query(
                """
                INSERT INTO platform.migrations (schema_name, version, name, checksum)
                VALUES (\(migration.schema), \(migration.version), \(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                """)
            applied.append(migration)
        }
        return applied
    }
}
