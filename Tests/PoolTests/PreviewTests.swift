import Contracts
import Foundation
import Harness
import Logging
import PoolService
import Runtime
import Storage
import Testing

/// The pool's consumer folds a batch's messages into one statement: the items end as if each
/// message had been applied on its own.
@Suite("Previews and waiting times from a batch of messages")
struct PreviewTests {
    @Test("a batch of customers' and operators' messages in several conversations ends in each one's right state")
    func batch() async throws {
        let runtime = try Scratch.makeDirectory(prefix: "pool")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let configuration = try Configuration(environment: [
            "DATABASE_URL": try await TestDatabase.create(), "SWITCHBOARD_RUNTIME_DIR": runtime, "SWITCHBOARD_INSTANCE": "previews",
        ])
        let services = try PoolService.definition.makeServices(configuration: configuration, logger: InProcessTests.logger)
        let database = Database(url: configuration.databaseURL, size: 1, logger: InProcessTests.logger)
        // Computed from now, never a fixed day; whole seconds, which every layer writes exactly.
        let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 600).rounded(.down))
        func at(_ minute: Double) -> Date { base.addingTimeInterval(minute * 60) }
        let (a, b, c) = (UUID(), UUID(), UUID())
        try await withRunning(services + [database], logger: InProcessTests.logger) {
            try await Poll.until("the pool's tables are there") {
                (try? await database.query("SELECT 1 FROM pool.items LIMIT 1")) != nil
            }
            try await database.query(
                """
                INSERT INTO pool.items (conversation_id, kind, status, customer_name, preview, waiting_since, customer_waiting_since, updated_at)
                VALUES (\(a), 'chat', 'waiting', 'A', '', now(), NULL, \(at(-5))), (\(b), 'chat', 'waiting', 'B', 'old', now(), \(at(-1)), \(at(-5))),
                       (\(c), 'chat', 'waiting', 'C', 'kept', now(), NULL, \(at(-5)))
                """)
            func message(_ kind: Author.Kind, _ conversation: UUID, _ minute: Double, _ body: String = "…") -> Message {
                Message(
                    id: UUID(), conversationID: conversation, seq: 1, author: Author(kind: kind, id: nil, name: "X"), body: body,
                    clientMessageID: nil, createdAt: at(minute))
            }
            let batch = [
                message(.customer, a, 1, "a1"), message(.customer, a, 2, "a2\nsecond line"), message(.operator, b, 3),
                message(.operator, a, 4), message(.customer, a, 5, "a3"), message(.customer, b, 6, "b1"), message(.operator, c, 7),
                message(.note, c, 8),
            ]
            try await database.transaction { transaction in
                try transaction.appendEvents(try batch.map { try NewEvent(ConversationEvents.MessageCreated.self, $0) })
            }
            try await Poll.until("the batch is applied") {
                try await database.query("SELECT preview FROM pool.items WHERE conversation_id = \(b)")[0].decode(String.self, at: 0)
                    == "b1"
            }
            let rows = try await database.query(
                """
                SELECT conversation_id, preview, customer_waiting_since, updated_at > \(at(0)) AS touched
                FROM pool.items ORDER BY customer_name
                """)
            let states = try rows.map {
                (
                    try $0.decode("conversation_id", as: UUID.self), try $0.decode("preview", as: String.self),
                    try $0.decode("customer_waiting_since", as: Date?.self), try $0.decode("touched", as: Bool.self)
                )
            }
            #expect(states.count == 3)
            // A: the last customer message after the operator's answer starts the wait.
            #expect(states[0].0 == a && states[0].1 == "a3" && same(states[0].2, at(5)) && states[0].3, "\(states)")
            // B: was waiting, answered, then wrote again.
            #expect(states[1].0 == b && states[1].1 == "b1" && same(states[1].2, at(6)) && states[1].3)
            // C: an operator's message on an item nobody waits on changes nothing, not even its time.
            #expect(states[2].0 == c && states[2].1 == "kept" && states[2].2 == nil && !states[2].3)
        }
    }
}

/// The same instant to the millisecond (the database keeps microseconds, `Date` a binary fraction).
private func same(_ stored: Date?, _ expected: Date) -> Bool {
    guard let stored else { return false }
    return abs(stored.timeIntervalSince(expected)) < 0.0005
}
