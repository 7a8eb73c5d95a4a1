import Contracts
import Foundation
import Harness
import Logging
import Storage
import Testing

@testable import PoolService

/// The sweep and auto-assign, called with the instants they go by: no sleeps, no wall clock.
@Suite("The pool's sweep by explicit instants")
struct SweepTests {
    static let logger = Logger(label: "sweep-tests")
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let can = RosterEntry(id: UUID(), name: "Can", role: .operator)
    static let admin = RosterEntry(id: UUID(), name: "Admin", role: .admin)

    /// A migrated database with Can (present, taking chats) and an admin on the roster.
    func withDesk(_ body: (Database) async throws -> Void) async throws {
        let database = Database(url: try await TestDatabase.create(), size: 1, logger: Self.logger)
        try await withRunning([database], logger: Self.logger) {
            _ = try await Migrator.apply(Migration.platform + PoolStore.migrations, to: database, logger: Self.logger)
            try await database.transaction { transaction in
                try PoolStore.roster([Self.admin], in: transaction)
                try PoolStore.seen([Self.can], at: Self.start, in: transaction)
                _ = try PoolStore.setAvailability(
                    .init(operatorID: Self.can.id, operatorName: Self.can.name, chats: true, tickets: false), at: Self.start,
                    in: transaction)
            }
            try await body(database)
        }
    }

    func waiting(_ database: Database, since: Date) async throws -> UUID {
        let id = UUID()
        try await database.query(
            """
            INSERT INTO pool.items (conversation_id, kind, status, customer_name, waiting_since)
            VALUES (\(id), 'chat', 'waiting', 'Ayşe', \(since))
            """)
        return id
    }

    func alerts(_ database: Database, _ id: UUID) async throws -> [PoolAlert] {
        try await database.query(
            "SELECT payload::text AS payload FROM platform.events WHERE type = \(PoolEvents.Alert.kind.rawValue) ORDER BY xid, seq"
        ).map { try WireJSON.decoder().decode(PoolAlert.self, from: Data(try $0.decode("payload", as: String.self).utf8)) }
            .filter { $0.conversationID == id }
    }

    func sweep(_ database: Database, at instant: Date) async throws -> PoolStore.Sweep {
        try await database.transaction { try PoolStore.sweep(at: instant, in: $0) }
    }

    @Test("an operator is away only once away_after_seconds have passed since last seen; then their chats go back, once")
    func away() async throws {
        try await withDesk { database in
            let chat = try await waiting(database, since: Self.start)
            _ = try await database.transaction {
                try PoolStore.take(.init(conversationID: chat, taker: Self.can.ref), at: Self.start, in: $0)
            }
            #expect(try await sweep(database, at: Self.start.addingTimeInterval(119)).away == 0)
            let gone = try await sweep(database, at: Self.start.addingTimeInterval(121))
            #expect(gone.away == 1 && gone.returned == 1)
            let later = try await sweep(database, at: Self.start.addingTimeInterval(200))
            #expect(later.away == 0 && later.returned == 0)
            let item = try #require(try await database.transaction { try PoolStore.item(chat, in: $0) })
            #expect(item.status == .waiting && item.holder == nil)
            let staffing = try await database.transaction { try PoolStore.staffing([Self.can.id], in: $0) }
            #expect(staffing.first?.presence == .away && staffing.first?.availability.chats == false)

            // Seen again: back, with chats on as before.
            try await database.transaction { try PoolStore.seen([Self.can], at: Self.start.addingTimeInterval(300), in: $0) }
            let back = try await database.transaction { try PoolStore.staffing([Self.can.id], in: $0) }
            #expect(back.first?.presence == .online && back.first?.availability.chats == true)
        }
    }

    @Test("a waiting chat is announced at after_seconds to the available, at admins_after_seconds to the admins, each once")
    func escalation() async throws {
        try await withDesk { database in
            let chat = try await waiting(database, since: Self.start)
            // Can is seen all along, so never away.
            for (second, levels) in [
                (30, [PoolAlert.Level]()), (61, [.waiting]), (120, [.waiting]), (181, [.waiting, .admins]), (400, [.waiting, .admins]),
            ] {
                let now = Self.start.addingTimeInterval(TimeInterval(second))
                try await database.transaction { try PoolStore.seen([Self.can], at: now, in: $0) }
                _ = try await sweep(database, at: now)
                let sent = try await alerts(database, chat)
                #expect(sent.map(\.level) == levels, "at \(second) s")
            }
            let sent = try await alerts(database, chat)
            #expect(sent.first?.recipients == [Self.can.id])
            #expect(sent.last?.recipients == [Self.admin.id])
        }
    }

    @Test("auto-assign gives the oldest waiting chats, up to the limit, the moment an operator has room")
    func fill() async throws {
        try await withDesk { database in
            try await database.transaction {
                _ = try PoolStore.save(PoolSettings(autoAssign: true, maxChatsPerOperator: 2), at: Self.start, in: $0)
            }
            let chats = try await (0..<3).asyncMap { try await waiting(database, since: Self.start.addingTimeInterval(TimeInterval($0))) }
            try await database.transaction { try PoolStore.fill(at: Self.start, in: $0) }
            let items = try await database.transaction { try PoolStore.items(chats, in: $0) }
            let held = Set(items.filter { $0.holder == Self.can.ref }.map(\.conversationID))
            #expect(held == Set(chats.prefix(2)))
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension SweepTests {
    @Test("a released operator is inactive: a late word of their open console brings nothing back; the roster at login does")
    func releasedStaysGone() async throws {
        try await withDesk { database in
            let chat = try await waiting(database, since: Self.start)
            _ = try await database.transaction {
                try PoolStore.take(.init(conversationID: chat, taker: Self.can.ref), at: Self.start, in: $0)
            }
            let returned = try await database.transaction {
                try PoolStore.release(.init(operatorID: Self.can.id, reason: .deactivated, by: Self.admin.ref), at: Self.start, in: $0)
            }
            #expect(returned == 1)
            try await database.transaction { try PoolStore.seen([Self.can], at: Self.start.addingTimeInterval(1), in: $0) }
            var staffing = try await database.transaction { try PoolStore.staffing([Self.can.id], in: $0) }
            #expect(staffing.first?.presence == .offline && staffing.first?.availability == .off)
            let change = try #require(try await database.transaction { try PoolStore.audit(.init(conversationID: chat), in: $0) }.last)
            #expect(change.how == .returned && change.reason == .deactivated && change.by == Self.admin.ref && change.to == nil)

            try await database.transaction { try PoolStore.roster([Self.can], in: $0) }
            try await database.transaction { try PoolStore.seen([Self.can], at: Self.start.addingTimeInterval(2), in: $0) }
            staffing = try await database.transaction { try PoolStore.staffing([Self.can.id], in: $0) }
            #expect(staffing.first?.presence == .online)
        }
    }
}
