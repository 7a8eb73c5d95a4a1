import Contracts
import Runtime
import Storage

/// The pool service: waiting items, "Take it on me", assignments, availability.
public enum PoolService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(name: .pool, migrations: migrations)

    static let migrations = [
        Migration(schema: "pool", version: 1, name: "schema", sql: "CREATE SCHEMA pool;")
    ]
}
