import Foundation
import Harness
import Storage
import Testing

@Suite("Queries through libpq")
struct QueryTests {
    @Test(
        "values travel as parameters, never as SQL",
        arguments: [
            "it's", "Robert'); DROP TABLE notes;--", "Nazlıcan Ayşe Yılmaz ĞÜŞİÖÇ ğüşıöç", "emoji 🎧 and\nnewlines\tand \\ backslashes",
            "$1 $2 placeholders", "", String(repeating: "uzun metin ", count: 100_000),
        ])
    func roundTrip(text: String) async throws {
        try await withDatabase { database in
            try await database.query("CREATE TABLE notes (body text)")
            try await database.query("INSERT INTO notes (body) VALUES (\(text))")
            let rows = try await database.query("SELECT body, length(body) FROM notes")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(String.self, at: 0) == text)
            #expect(try rows[0].decode(Int.self, at: 1) == text.count)
        }
    }

    @Test("an array travels as one parameter: quotes, backslashes, commas, braces, NULLs and letters of any script read back")
    func arrays() async throws {
        try await withDatabase { database in
            let values: [String?] = [
                "plain", #"a "quoted" one"#, #"back\slash\"#, "comma, and {braces}", nil, "NULL", "", "Ayşe 🎧", #"\""#,
            ]
            let rows = try await database.query("SELECT value FROM unnest(\(values)::text[]) WITH ORDINALITY AS v(value, n) ORDER BY n")
            #expect(try rows.map { try $0.decode(String?.self, at: 0) } == values)
        }
    }

    @Test("a connection string with several hosts (as for an HA pair) skips the one that is down and uses the writable one")
    func severalHosts() async throws {
        let url = try await TestDatabase.create()
        let settings = try ConnectionString.parse(url).get()
        let host = try #require(settings["host"] ?? settings["hostaddr"])
        let unreachable = host.hasPrefix("/") ? "/nonexistent/switchboard" : "127.0.0.2"
        let multi = try ConnectionString.replacing(
            ["host": "\(unreachable),\(host)", "target_session_attrs": "read-write", "connect_timeout": "2"], in: url)
        let database = Database(url: multi, size: 1, logger: storageLogger)
        try await withRunning(database) {
            let rows = try await database.query("SELECT pg_is_in_recovery()")
            #expect(try rows[0].decode(Bool.self, at: 0) == false)
        }
    }

    @Test("NULLs, numbers, booleans, UUIDs and instants decode to their Swift types")
    func types() async throws {
        try await withDatabase { database in
            let id = UUID()
            let instant = Date(timeIntervalSince1970: 1_764_081_782.123456)
            let rows = try await database.query(
                """
                SELECT \(id)::uuid, \(instant)::timestamptz, \(Int64.max)::bigint, \(true)::boolean, \(nil as String?)::text,
                       \(2.5)::double precision, NULL::text AS nothing
                """
            )
            let row = try #require(rows.first)
            #expect(try row.decode(UUID.self, at: 0) == id)
            #expect(abs(try row.decode(Date.self, at: 1).timeIntervalSince(instant)) < 0.000_001)
            #expect(try row.decode(Int64.self, at: 2) == Int64.max)
            #expect(try row.decode(Bool.self, at: 3))
            #expect(try row.decode(String?.self, at: 4) == nil)
            #expect(try row.decode(Double.self, at: 5) == 2.5)
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(throws: DatabaseError.self) { try row.decode("nothing", as: String.self) }
            #expect(throws: DatabaseError.self) { try row.decode(Int.self, at: 0) }
        }
    }

    @Test("a refused statement reports the server's SQLSTATE and the connection stays usable")
    func errors() async throws {
        try await withDatabase(size: 1) { database in
            try await database.query("CREATE TABLE once (id int PRIMARY KEY)")
            try await database.query("INSERT INTO once VALUES (1)")
            let error = await #expect(throws: DatabaseError.self) { try await database.query("INSERT INTO once VALUES (1)") }
            #expect(error?.isUniqueViolation == true)
            await #expect(throws: DatabaseError.self) { try await database.query("SELEC nonsense") }
            #expect(try await database.query("SELECT count(*) FROM once")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test("a transaction commits what it did, and rolls back everything when it throws")
    func transactions() async throws {
        struct Abort: Error {}
        try await withDatabase { database in
            try await database.query("CREATE TABLE ledger (amount int)")
            try await database.transaction { transaction in
                try transaction.query("INSERT INTO ledger VALUES (1)")
                try transaction.query("INSERT INTO ledger VALUES (2)")
            }
            await #expect(throws: Abort.self) {
                try await database.transaction { transaction in
                    try transaction.query("INSERT INTO ledger VALUES (100)")
                    throw Abort()
                }
            }
            await #expect(throws: DatabaseError.self) {
                try await database.transaction { transaction in
                    try transaction.query("INSERT INTO ledger VALUES (1000)")
                    try transaction.query("INSERT INTO ledger VALUES ('not a number')")
                }
            }
            #expect(try await database.query("SELECT coalesce(sum(amount), 0) FROM ledger")[0].decode(Int.self, at: 0) == 3)
        }
    }

    @Test("writes sent without waiting run in order with the next statement or the commit; one that fails fails its transaction")
    func sentWrites() async throws {
        struct Abort: Error {}
        // One connection: every call below runs on the one the one before used.
        try await withDatabase(size: 1) { database in
            try await database.query("CREATE TABLE ledger (amount int)")
            // Order: the read after two sent writes sees them, in its own transaction.
            let seen = try await database.transaction { transaction in
                transaction.send("INSERT INTO ledger VALUES (1)")
                transaction.send("INSERT INTO ledger VALUES (2)")
                return try transaction.query("SELECT coalesce(sum(amount), 0) FROM ledger")[0].decode(Int.self, at: 0)
            }
            #expect(seen == 3)
            // Sent writes alone commit with the COMMIT.
            try await database.transaction { transaction in transaction.send("INSERT INTO ledger VALUES (4)") }
            // A failing sent write fails the statement it went with, and nothing of the transaction stays.
            await #expect(throws: DatabaseError.self) {
                try await database.transaction { transaction in
                    transaction.send("INSERT INTO ledger VALUES (100)")
                    transaction.send("INSERT INTO ledger VALUES ('not a number')")
                    return try transaction.query("SELECT 1")
                }
            }
            // ... or the commit it went with.
            await #expect(throws: DatabaseError.self) {
                try await database.transaction { transaction in
                    try transaction.query("INSERT INTO ledger VALUES (1000)")
                    transaction.send("INSERT INTO ledger VALUES ('not a number')")
                }
            }
            // A body that throws: what it sent never runs.
            await #expect(throws: Abort.self) {
                try await database.transaction { transaction in
                    transaction.send("INSERT INTO ledger VALUES (10000)")
                    throw Abort()
                }
            }
            // Several statements in one round trip, each after the one before.
            let replies = try await database.transaction { transaction in
                try transaction.query(all: ["INSERT INTO ledger VALUES (8) RETURNING amount", "SELECT sum(amount) FROM ledger"])
            }
            #expect(try replies[0][0].decode(Int.self, at: 0) == 8)
            #expect(try replies[1][0].decode(Int.self, at: 0) == 15)
            // A body that runs nothing begins nothing; the next call's connection is not in a transaction.
            try await database.transaction { _ in }
            #expect(try await database.withConnection { $0.isInTransaction } == false)
            #expect(try await database.query("SELECT sum(amount) FROM ledger")[0].decode(Int.self, at: 0) == 15)
        }
    }

    @Test("pipeline mode sends a batch in one round trip, and stops at the first failure")
    func pipeline() async throws {
        try await withDatabase { database in
            try await database.query("CREATE TABLE items (n int PRIMARY KEY)")
            let results = try await database.withConnection { connection in
                try connection.pipeline((1...200).map { "INSERT INTO items VALUES (\($0)) RETURNING n" })
            }
            #expect(results.count == 200)
            #expect(try results[199][0].decode(Int.self, at: 0) == 200)
            await #expect(throws: DatabaseError.self) {
                try await database.withConnection { connection in
                    try connection.pipeline([
                        "INSERT INTO items VALUES (500)", "INSERT INTO items VALUES (1)", "INSERT INTO items VALUES (501)",
                    ])
                }
            }
            // A batch is one implicit transaction: the failure undid the whole second batch.
            #expect(try await database.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 200)
        }
    }

    @Test("when every connection is busy, calls wait their turn instead of failing")
    func exhaustion() async throws {
        try await withDatabase(size: 2) { database in
            let backends = try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await database.withConnection { connection in
                            try connection.query("SELECT pg_sleep(0.05)")
                            return connection.backendPID
                        }
                    }
                }
                return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
            }
            #expect(backends.count == 2)
        }
    }

    @Test("a statement past its deadline is cancelled on the server, and the connection is reused")
    func deadline() async throws {
        try await withDatabase(size: 1) { database in
            let error = await #expect(throws: DatabaseError.self) {
                try await database.withConnection(deadline: .now + .milliseconds(200)) { try $0.query("SELECT pg_sleep(30)") }
            }
            #expect(error?.code == .deadline)
            let running = try await database.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'"
            )
            #expect(try running[0].decode(Int.self, at: 0) == 0)
            #expect(try await database.query("SELECT 7")[0].decode(Int.self, at: 0) == 7)
        }
    }

    @Test("a cancelled caller cancels its statement")
    func cancellation() async throws {
        try await withDatabase(size: 1) { database in
            let task = Task { try await database.withConnection { try $0.query("SELECT pg_sleep(30)") } }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let error = await #expect(throws: DatabaseError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            #expect(try await database.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test("an unreachable server is a clear connection error, not a hang")
    func unreachable() async throws {
        let database = Database(url: "host=/nonexistent/socket dbname=x connect_timeout=2", size: 1, logger: storageLogger)
        try await withRunning(database) {
            let error = await #expect(throws: DatabaseError.self) { try await database.query("SELECT 1") }
            #expect(error?.code == .connection)
            #expect(await database.isReachable() == false)
        }
    }

    @Test(
        "connection strings are rewritten in either form",
        arguments: [
            "host=/tmp dbname=a user=postgres", "postgresql://postgres@localhost:5433/a?sslmode=disable",
        ])
    func connectionStrings(url: String) throws {
        let rewritten = try ConnectionString.replacing(["dbname": "other"], in: url)
        let settings = try ConnectionString.parse(rewritten).get()
        #expect(settings["dbname"] == "other")
        #expect(settings["user"] == "postgres")
        #expect(throws: DatabaseError.self) { try ConnectionString.parse("postgresql://[bad").get() }
    }
}
