import Harness
import Storage
import Testing

@Suite("Migrations")
struct MigrationTests {
    let first = Migration(schema: "sample", version: 1, name: "notes", sql: "CREATE SCHEMA sample; CREATE TABLE sample.notes (body text);")
    let second = Migration(schema: "sample", version: 2, name: "tags", sql: "ALTER TABLE sample.notes ADD COLUMN tag text;")

    @Test("applying twice is a no-op")
    func idempotent() async throws {
        try await withDatabase(migrate: false) { database in
            let applied = try await Migrator.apply(Migration.platform + [first, second], to: database, logger: storageLogger)
            #expect(applied.count == Migration.platform.count + 2)
            #expect(try await Migrator.apply(Migration.platform + [first, second], to: database, logger: storageLogger).isEmpty)
            let records = try await database.query("SELECT count(*) FROM platform.migrations")
            #expect(try records[0].decode(Int.self, at: 0) == Migration.platform.count + 2)
        }
    }

    @Test("an applied migration that was edited stops everything with a clear error")
    func edited() async throws {
        try await withDatabase(migrate: false) { database in
            try await Migrator.apply([first], to: database, logger: storageLogger)
            var changed = first
            changed.sql += " -- edited"
            let error = await #expect(throws: DatabaseError.self) {
                try await Migrator.apply([changed, second], to: database, logger: storageLogger)
            }
            #expect(error?.code == .migration)
            #expect(error?.message.contains("changed after it was applied") == true)
            // Nothing after the edited one was applied either.
            let columns = try await database.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'sample' AND column_name = 'tag'")
            #expect(try columns[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test("a failing migration leaves no trace")
    func failing() async throws {
        try await withDatabase(migrate: false) { database in
            let broken = Migration(
                schema: "sample", version: 3, name: "broken", sql: "CREATE TABLE sample.x (a int); SELECT no_such_function();")
            await #expect(throws: DatabaseError.self) {
                try await Migrator.apply([first, second, broken], to: database, logger: storageLogger)
            }
            let tables = try await database.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'sample'")
            #expect(try tables[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test("eight appliers at once: each migration is applied exactly once")
    func concurrent() async throws {
        let url = try await TestDatabase.create()
        let pools = (0..<8).map { _ in Database(url: url, size: 1, logger: storageLogger) }
        let first = first, second = second
        let counts = try await withRunning(pools) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for pool in pools {
                    group.addTask { try await Migrator.apply(Migration.platform + [first, second], to: pool, logger: storageLogger).count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(counts.reduce(0, +) == Migration.platform.count + 2)
        #expect(counts.filter { $0 > 0 }.count == 1)
    }
}
