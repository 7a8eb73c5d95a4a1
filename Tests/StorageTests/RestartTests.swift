import Harness
import Storage
import Synchronization
import Testing

@Suite("Surviving a PostgreSQL restart", .serialized)
struct RestartTests {
    @Test("the pool and the listener reconnect after the server restarts")
    func reconnect() async throws {
        let server = try await PostgresServer.startCluster()
        let url = try await server.createDatabase()
        let database = Database(url: url, size: 2, logger: storageLogger)
        let listener = Listener(url: url, channels: ["after"], logger: storageLogger)
        let events = listener.subscribe()
        let listening = Atomic<Bool>(false)
        let reconnected = Task {
            for await event in events {
                if event == .reconnected { return true }
                listening.store(true, ordering: .relaxed)
            }
            return false
        }
        try await withRunning(database, listener) {
            #expect(try await database.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            // A listener that never connected before the restart has nothing to reconnect: wait
            // until it hears a notification (LISTEN takes effect a moment after it starts).
            try await Poll.until("the listener to listen") {
                try await database.query("SELECT pg_notify('after', '')")
                return listening.load(ordering: .relaxed)
            }

            try await server.stop()
            let error = await #expect(throws: DatabaseError.self) { try await database.query("SELECT 1") }
            #expect(error?.code == .connection)
            try await server.start()

            // The connections the pool held died with the server; the next call gets a fresh one.
            #expect(try await database.query("SELECT 2")[0].decode(Int.self, at: 0) == 2)
            #expect(try await database.query("SELECT 3")[0].decode(Int.self, at: 0) == 3)
            #expect(await reconnected.value)
        }
        await server.remove()
    }
}
