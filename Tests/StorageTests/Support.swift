import Harness
import Logging
import Storage

let storageLogger: Logger = {
    var logger = Logger(label: "storage-tests")
    logger.logLevel = .critical
    return logger
}()

/// A running pool on a fresh database with the platform's tables, shut down afterwards.
func withDatabase<T>(size: Int = 4, migrate: Bool = true, _ body: (Database) async throws -> T) async throws -> T {
    let database = Database(url: try await TestDatabase.create(), size: size, logger: storageLogger)
    return try await withRunning(database) {
        if migrate { try await Migrator.apply(Migration.platform, to: database, logger: storageLogger) }
        return try await body(database)
    }
}
