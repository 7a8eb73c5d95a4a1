import Contracts
import Foundation
import Harness
import Storage
import Synchronization
import Testing

/// A test's event payload: its label names it (and makes its subject), the rest is filler.
struct Note: Codable, Sendable {
    var label: String
    var writer = 0
    var number = 0
    var text: String?

    /// A UUID made from the label, so each label is one subject.
    static func subject(_ label: String) -> UUID {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let other = hash &* 0x9E37_79B9_7F4A_7C15
        let bytes = withUnsafeBytes(of: (hash, other)) { Array($0) }
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// The tests' own kind of event.
enum TestNote: Event {
    static let kind = EventKind(rawValue: "test.note")
    static func subject(of note: Note) -> UUID { Note.subject(note.label) }
}

/// Another kind, for readers that must skip it.
enum OtherNote: Event {
    static let kind = EventKind(rawValue: "other.kind")
    static func subject(of note: Note) -> UUID { Note.subject(note.label) }
}

extension OutboxEvent {
    /// The label of the test note it carries.
    var label: String { (try? JSONDecoder().decode(Note.self, from: Data(payload.utf8)))?.label ?? "?" }
}

extension Transaction {
    /// Appends a test note labelled `label` (of `OtherNote`'s kind with `other`).
    func note(_ label: String, writer: Int = 0, number: Int = 0, text: String? = nil, other: Bool = false) throws {
        let note = Note(label: label, writer: writer, number: number, text: text)
        if other { try appendEvent(OtherNote.self, note) } else { try appendEvent(TestNote.self, note) }
    }
}

/// An event written by hand, as another program would: `kind`, the label's subject, a note payload.
func rawEventSQL(kind: String, label: String, extra: String = "") -> SQL {
    SQL(
        unescaped:
            "INSERT INTO platform.events (type, subject, payload\(extra.isEmpty ? "" : ", created_at")) VALUES ('\(kind)', '\(Note.subject(label).uuidString.lowercased())', '{\"label\": \"\(label)\", \"writer\": 0, \"number\": 0}'\(extra.isEmpty ? "" : ", \(extra)"))"
    )
}

/// When the writers of a test finished.
private final class Written: Sendable {
    let at = Mutex<ContinuousClock.Instant?>(nil)
}

@Suite("The events outbox")
struct OutboxTests {
    @Test("8 writers × 500 events with random commit delays: one reader sees each exactly once, in cursor order")
    func exactlyOnce() async throws {
        try await withDatabase(size: 10) { database in
            let writers = 8, perWriter = 500
            // The reader gives up a minute after the last commit, however long the writers took
            // (under the full suite's load, minutes).
            let written = Written()
            let reader = Task {
                var cursor = EventCursor.start
                var seen: [EventCursor] = []
                var keys = Set<UUID>()
                let cap = ContinuousClock.now + .seconds(600)
                while keys.count < writers * perWriter, ContinuousClock.now < cap,
                    written.at.withLock({ $0 }).map({ ContinuousClock.now < $0 + .seconds(60) }) ?? true
                {
                    let batch = try await database.readEvents(after: cursor, limit: 200)
                    for event in batch.events {
                        seen.append(event.cursor)
                        keys.insert(event.subject)
                        cursor = event.cursor
                    }
                    if batch.events.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
                }
                return (seen, keys)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for number in 0..<perWriter {
                            try await database.transaction { transaction in
                                try transaction.note("\(writer)-\(number)", writer: writer, number: number)
                                // Hold the transaction open a little, so commits finish out of seq order.
                                if Int.random(in: 0..<4) == 0 { usleep(UInt32.random(in: 0...3000)) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            written.at.withLock { $0 = .now }
            let (seen, keys) = try await reader.value
            #expect(keys.count == writers * perWriter)
            #expect(seen.count == writers * perWriter)
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 })
        }
    }

    @Test("events of a rolled-back transaction are never seen")
    func rollback() async throws {
        struct Abort: Error {}
        try await withDatabase { database in
            await #expect(throws: Abort.self) {
                try await database.transaction { transaction in
                    try transaction.note("lost", number: 0)
                    throw Abort()
                }
            }
            try await database.transaction { try $0.note("kept", number: 1) }
            let batch = try await settledEvents(database)
            #expect(batch.events.map(\.label) == ["kept"])
            #expect(batch.events.first?.payload.contains("\"number\": 1") == true)
        }
    }

    @Test("an open older transaction holds newer events back until it commits")
    func heldBack() async throws {
        try await withDatabase { database in
            let holder = try await OneConnection.openTransaction(
                database.url, running: rawEventSQL(kind: "test.note", label: "older"))
            try await database.transaction { try $0.note("newer", number: 0) }
            // However long we look, the newer event stays hidden behind the open older one.
            for _ in 0..<3 {
                let waiting = try await database.readEvents(after: .start)
                #expect(waiting.events.isEmpty)
                #expect(waiting.heldBack)
            }
            try await Blocking.run { try holder.connection.execute("COMMIT") }
            let after = try await settledEvents(database)
            #expect(after.events.map(\.label) == ["older", "newer"])
            #expect(!after.heldBack)
        }
    }

    @Test("a transaction open in another database of the cluster holds nothing back")
    func elsewhere() async throws {
        let holder = try await OneConnection.openTransaction(try await TestDatabase.create())
        defer { try? holder.connection.execute("ROLLBACK") }
        try await withDatabase { database in
            try await database.transaction { try $0.note("newer", number: 0) }
            // Older than our event and still running, but it cannot write our outbox. (Polled: a
            // transaction of another test ending mid-read may hold a read back for a moment.)
            #expect(try await settledEvents(database).events.map(\.label) == ["newer"])
        }
    }

    @Test("events another reader already delivered are read up to where it got, even while held back")
    func knownSettled() async throws {
        try await withDatabase { database in
            let holder = try await OneConnection.openTransaction(database.url)
            for number in 0..<3 {
                try await database.transaction {
                    try $0.note("e\(number)", number: number)
                }
            }
            // Ordered by the xid itself: ordered by its text, 1000 would come before 999 (the
            // cluster's xids cross such a boundary now and then, and this test failed then).
            let rows = try await database.query("SELECT xid::text AS xid_text, seq FROM platform.events ORDER BY xid, seq")
            let second = EventCursor(xid: try rows[1].decode("xid_text"), seq: try rows[1].decode("seq"))
            let held = try await database.readEvents(after: .start)
            #expect(held.events.isEmpty && held.heldBack)
            let known = try await database.readEvents(after: .start, settledThrough: second)
            #expect(known.events.map(\.label) == ["e0", "e1"])
            #expect(known.heldBack && known.scannedThrough == second)
            try await Blocking.run { try holder.connection.execute("COMMIT") }
            #expect(try await settledEvents(database).events.map(\.label) == ["e0", "e1", "e2"])
        }
    }

    @Test("a consumer is woken by the notify after commit, and its cursor survives a restart")
    func consumer() async throws {
        try await withDatabase { database in
            let listener = Listener(url: database.url, channels: [Outbox.channel], logger: storageLogger)
            try await withRunning(listener) {
                let received = Received()
                func startConsumer() -> Task<Void, any Error> {
                    let consumer = OutboxConsumer(
                        name: "test", database: database, listener: listener, types: [TestNote.kind],
                        pollInterval: .seconds(30), logger: storageLogger
                    ) { events in received.add(events.map(\.label)) }
                    return Task { try await consumer.run() }
                }
                var running = startConsumer()
                for number in 0..<5 {
                    try await database.transaction {
                        try $0.note("n\(number)", number: number)
                    }
                }
                try await database.transaction { try $0.note("skip", other: true) }
                try await Poll.until("five events consumed") { received.subjects.count == 5 }
                // A consumer delivers at least once: its cursor is saved after each batch is handled.
                // Stop it only once the fifth is saved, so the restart shows the cursor kept, not a race.
                let fifth = try #require(try await settledEvents(database).events.first { $0.label == "n4" }?.cursor)
                try await Poll.until("the cursor saved past the fifth") { try await database.loadCursor(consumer: "test") >= fifth }
                running.cancel()
                try? await running.value

                try await database.transaction { try $0.note("n5", number: 5) }
                running = startConsumer()
                try await Poll.until("the sixth event consumed") { received.subjects.count == 6 }
                running.cancel()
                try? await running.value
                #expect(received.subjects == ["n0", "n1", "n2", "n3", "n4", "n5"])
            }
        }
    }

    @Test("cursors read and print as xid-seq, and refuse anything else", arguments: ["0-0", "123-45", "18446744073709551615-1"])
    func cursorText(text: String) throws {
        #expect(EventCursor(text)?.description == text)
    }

    @Test("bad cursors are refused", arguments: ["", "1", "a-b", "1-2-3", "-1-2", "1--2"])
    func badCursor(text: String) {
        #expect(EventCursor(text) == nil)
    }

    @Test("pruning removes only events past the retention")
    func prune() async throws {
        try await withDatabase { database in
            try await database.query(
                rawEventSQL(kind: "old", label: "x", extra: "now() - interval '8 days'"))
            try await database.transaction { try $0.note("y") }
            #expect(try await database.pruneEvents(olderThan: .seconds(7 * 24 * 3600)) == 1)
            #expect(try await settledEvents(database).events.map(\.label) == ["y"])
        }
    }
}

@Suite("Reading a few types of events")
struct TypedReadTests {
    @Test("a reader of some types gets only those, and its position moves past the others")
    func skipsOthers() async throws {
        try await withDatabase(size: 2) { database in
            for number in 0..<12 {
                try await database.transaction { transaction in
                    try transaction.note("s\(number)", number: number, other: number % 4 != 0)
                }
            }
            // What one reader saw settle, a later one may not (see `readEvents`): this one says so.
            let settled = try await settledEvents(database).scannedThrough
            var cursor = EventCursor.start
            var subjects: [String] = []
            var reads = 0
            while true {
                let batch = try await database.readEvents(after: cursor, limit: 5, types: [TestNote.kind], settledThrough: settled)
                subjects += batch.events.map(\.label)
                #expect(batch.events.allSatisfy { $0.is(TestNote.self) })
                cursor = batch.scannedThrough ?? cursor
                reads += 1
                if !batch.full { break }
            }
            #expect(subjects == ["s0", "s4", "s8"])
            #expect(reads == 3)
            // Caught up: nothing is read again.
            let again = try await database.readEvents(after: cursor, limit: 5, types: [TestNote.kind], settledThrough: settled)
            #expect(again.scanned == 0 && again.scannedThrough == nil)
        }
    }

    @Test("a reader of some authors' messages gets only those (and other kinds), and moves past the rest")
    func matching() async throws {
        try await withDatabase(size: 2) { database in
            let conversation = UUID()
            for (seq, kind) in [Author.Kind.customer, .operator, .customer, .system, .operator, .note].enumerated() {
                let message = Message(
                    id: UUID(), conversationID: conversation, seq: Int64(seq + 1), author: Author(kind: kind, id: nil, name: "A"),
                    body: "m\(seq)", clientMessageID: nil, createdAt: Date())
                try await database.transaction { try $0.appendEvent(ConversationEvents.MessageCreated.self, message) }
            }
            try await database.transaction { try $0.note("after", number: 0, other: false) }
            let settled = try await settledEvents(database).scannedThrough
            let kinds = [ConversationEvents.MessageCreated.kind, TestNote.kind]
            let operators = try await database.readEvents(
                after: .start, types: kinds, settledThrough: settled, matching: .messages(by: [.operator]))
            #expect(operators.scanned == 7 && operators.scannedThrough == settled)
            #expect(
                try operators.events.filter { $0.is(ConversationEvents.MessageCreated.self) }.map {
                    try $0.decode(ConversationEvents.MessageCreated.self).body
                } == ["m1", "m4"])
            #expect(operators.events.last?.is(TestNote.self) == true)
            let customers = try await database.readEvents(
                after: .start, types: [ConversationEvents.MessageCreated.kind], settledThrough: settled,
                matching: .messages(by: [.customer]))
            #expect(try customers.events.map { try $0.decode(ConversationEvents.MessageCreated.self).body } == ["m0", "m2"])
        }
    }
}

@Suite("Transactions never outlive their call")
struct OpenTransactionTests {
    @Test("a call that leaves a transaction open has it rolled back before the connection serves anyone else")
    func rolledBack() async throws {
        try await withDatabase(size: 1) { database in
            try await database.withConnection { connection in
                try connection.execute("BEGIN")
                try connection.query(rawEventSQL(kind: "left", label: "open"))
            }
            // One connection: the next call gets the same one, and it is idle.
            #expect(try await database.withConnection { $0.isInTransaction } == false)
            #expect(try await settledEvents(database).events.isEmpty)
        }
    }
}

@Suite("One consumer name in several instances")
struct SharedConsumerTests {
    @Test("three instances of one transactional consumer apply each of 300 events exactly once")
    func exactlyOnceAcrossInstances() async throws {
        try await withDatabase(size: 6) { database in
            try await database.query("CREATE TABLE applied (subject text PRIMARY KEY, times int NOT NULL)")
            let listener = Listener(url: database.url, channels: [Outbox.channel], logger: storageLogger)
            try await withRunning(listener) {
                let instances = (0..<3).map { _ in
                    OutboxConsumer.transactional(
                        name: "shared", database: database, listener: listener, types: [TestNote.kind], logger: storageLogger,
                        prepare: { $0.map(\.label) },
                        apply: { subjects, transaction in
                            for subject in subjects {
                                try transaction.query(
                                    "INSERT INTO applied VALUES (\(subject), 1) ON CONFLICT (subject) DO UPDATE SET times = applied.times + 1"
                                )
                            }
                        })
                }
                let running = instances.map { consumer in Task { try await consumer.run() } }
                defer { for task in running { task.cancel() } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<3 {
                        group.addTask {
                            for number in 0..<100 {
                                try await database.transaction {
                                    try $0.note("w\(writer)-\(number)", writer: writer, number: number)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await Poll.until("all 300 applied", timeout: .seconds(60)) {
                    try await database.query("SELECT count(*) FROM applied")[0].decode(Int64.self, at: 0) == 300
                }
                let repeated = try await database.query("SELECT count(*) FROM applied WHERE times <> 1")[0].decode(Int64.self, at: 0)
                #expect(repeated == 0)
            }
        }
    }
}

/// A connection outside any pool, used by one blocking call at a time.
final class OneConnection: @unchecked Sendable {
    let connection: PGConnection
    init(_ connection: PGConnection) { self.connection = connection }

    /// A transaction left open on a connection of its own, as a slow writer would leave it (the
    /// pool rolls back whatever a call leaves open, so this one is outside it); `statement` runs
    /// in it, so it has a transaction id.
    static func openTransaction(_ url: String, running statement: SQL = "SELECT pg_current_xact_id()") async throws -> OneConnection {
        try await Blocking.run {
            let holder = OneConnection(try PGConnection(conninfo: url))
            try holder.connection.execute("BEGIN")
            try holder.connection.query(statement)
            return holder
        }
    }
}

final class Received: Sendable {
    private let state = Mutex<[String]>([])
    func add(_ subjects: [String]) { state.withLock { $0 += subjects } }
    var subjects: [String] { state.withLock { $0 } }
}

/// Reads from the start once no older transaction anywhere in the cluster holds events back
/// (other tests write concurrently to their own databases on the same server).
func settledEvents(_ database: Database) async throws -> OutboxBatch {
    var batch = try await database.readEvents(after: .start)
    try await Poll.until("the outbox to settle") {
        batch = try await database.readEvents(after: .start)
        return !batch.heldBack
    }
    return batch
}

@Suite("Reading large events")
struct LargeEventTests {
    @Test("batches stop at their byte budget, never below one event, and together hold every event once, in order")
    func byteBudget() async throws {
        try await withDatabase(size: 2) { database in
            // 12 events of ~100 KB and small ones between them: 1.2 MB in all, over a wire line.
            for number in 0..<24 {
                let text = number % 2 == 0 ? String(repeating: "é", count: 50_000) : "small"
                try await database.transaction { try $0.note("s\(number)", text: text) }
            }
            let settled = try await settledEvents(database).scannedThrough
            var cursor = EventCursor.start
            var subjects: [String] = []
            var batches = 0
            while true {
                let batch = try await database.readEvents(after: cursor, limit: 500, settledThrough: settled, maxBytes: 250_000)
                let bytes = batch.events.reduce(0) { $0 + $1.payload.utf8.count }
                #expect(!batch.events.isEmpty || !batch.full)
                #expect(bytes <= 250_000 + 100_100)
                subjects += batch.events.map(\.label)
                cursor = batch.scannedThrough ?? cursor
                batches += 1
                if !batch.full { break }
            }
            #expect(subjects == (0..<24).map { "s\($0)" })
            #expect(batches >= 5)
            // One event over the budget still comes, alone.
            let one = try await database.readEvents(after: .start, limit: 500, settledThrough: settled, maxBytes: 10)
            #expect(one.events.map(\.label) == ["s0"] && one.full)
        }
    }
}
