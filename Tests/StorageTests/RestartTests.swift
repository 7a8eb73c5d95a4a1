import Harness
import Storage
import Testing

@Suite("Surviving a PostgreSQL restart", .serialized)
struct RestartTests {
    @Test("the pool and the listener reconnect after the server restarts")
    func reconnect() async throws {
        let server = try await PostgresServer.startCluster()
        let url = try await server.createDatabase()
        let database = Database(url: url, size: 2, logger: storageLogger)
        defer { database.close() }
        let listener = Listener(url: url, channels: ["after"], logger: storageLogger)
        defer { listener.stop() }
        let events = listener.subscribe()
        let reconnected = Task {
            for await event in events where event == .reconnected { return true }
            return false
        }
        #expect(try await database.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)

        try await server.stop()
        let error = await #expect(throws: DatabaseError.self) { try await database.query("SELECT 1") }
        #expect(error?.code == .connection)
        try await server.start()

        // The connections the pool held died with the server; the next call gets a fresh one.
        #expect(try await database.query("SELECT 2")[0].decode(Int.self, at: 0) == 2)
        #expect(try await database.query("SELECT 3")[0].decode(Int.self, at: 0) == 3)
        #expect(await reconnected.value)
        await server.remove()
    }
}
