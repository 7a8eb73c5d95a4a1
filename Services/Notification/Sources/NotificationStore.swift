import Contracts
import Foundation
import Storage

/// The `notification` schema. Each notification is keyed by the event it came from and its
/// recipient, so replaying the outbox never notifies twice.
enum NotificationStore {
    /// One notification to store for one event.
    struct Draft: Equatable {
        var operatorID: UUID
        var kind: OperatorNotification.Kind
        var conversationID: UUID
        var text: String
    }

    static func insert(_ drafts: [(draft: Draft, source: EventCursor)], in transaction: Transaction) throws {
        guard !drafts.isEmpty else { return }
        // One statement for the batch's notifications, one for their events.
        let inserted = try transaction.query(
            """
            INSERT INTO notification.notifications (id, operator_id, kind, conversation_id, text, source)
            SELECT * FROM unnest(
                \(drafts.map { _ in UUID() })::uuid[], \(drafts.map(\.draft.operatorID))::uuid[], \(drafts.map(\.draft.kind.rawValue))::text[],
                \(drafts.map(\.draft.conversationID))::uuid[], \(drafts.map(\.draft.text))::text[], \(drafts.map(\.source.description))::text[])
            ON CONFLICT (source, operator_id) DO NOTHING
            RETURNING id, operator_id, kind, conversation_id, text, created_at, read_at
            """
        )
        try transaction.appendEvents(inserted.map { try NewEvent(NotificationEvents.Created.self, try decode($0)) })
    }

    /// The Pool alerts of a chat someone took are read for everyone: it waits no longer. Each
    /// operator who had one unread hears of it, so their bell counts again.
    static func settleAlerts(of conversationID: UUID, in transaction: Transaction) throws {
        let settled = try transaction.query(
            """
            WITH settled AS (
                UPDATE notification.notifications SET read_at = now()
                WHERE conversation_id = \(conversationID) AND kind IN ('pool.waiting', 'pool.waiting_long') AND read_at IS NULL
                RETURNING operator_id)
            SELECT operator_id, count(*)::int AS count FROM settled GROUP BY operator_id
            """)
        for row in settled {
            let (operatorID, count) = try row.decode((UUID, Int).self)
            try transaction.appendEvent(
                NotificationEvents.Settled.self,
                NotificationSettlement(operatorID: operatorID, conversationID: conversationID, count: count))
        }
    }

    static func decode(_ row: PGRow) throws -> OperatorNotification {
        OperatorNotification(
            id: try row.decode("id"), operatorID: try row.decode("operator_id"),
            kind: OperatorNotification.Kind(rawValue: try row.decode("kind")) ?? .message,
            conversationID: try row.decode("conversation_id"),
            text: try row.decode("text"), createdAt: try row.decode("created_at"), readAt: try row.decode("read_at"))
    }

    /// A page of an operator's notifications, newest first, with how many there are in all.
    static func list(_ params: NotificationMethods.List.Params, in transaction: Transaction) throws -> Page<OperatorNotification> {
        let mine: SQL = "operator_id = \(params.operatorID) AND (NOT \(params.unreadOnly) OR read_at IS NULL)"
        let rows = try transaction.query(
            """
            SELECT id, operator_id, kind, conversation_id, text, created_at, read_at, \(Keyset.key("created_at"))
            FROM notification.notifications
            WHERE \(mine)
              AND \(Keyset.after(params.page.position, column: "created_at", id: "id", descending: true))
            ORDER BY created_at DESC, id DESC LIMIT \(params.page.limit + 1)
            """
        )
        let total = try transaction.query("SELECT count(*) AS total FROM notification.notifications WHERE \(mine)")[0].decode(
            "total", as: Int.self)
        return Page(
            candidates: try rows.map { (try decode($0), try Keyset.position($0)) }, limit: params.page.limit, total: total)
    }

    /// Marks one, one conversation's, or all read; returns how many changed, `nil` when the one
    /// asked for is not theirs.
    static func read(_ params: NotificationMethods.Read.Params, in transaction: Transaction) throws -> Int? {
        if let conversationID = params.conversationID, params.id == nil {
            return try transaction.query(
                """
                UPDATE notification.notifications SET read_at = now()
                WHERE operator_id = \(params.operatorID) AND conversation_id = \(conversationID) AND read_at IS NULL
                """
            ).affectedRows
        }
        if let id = params.id {
            let mine = try transaction.query(
                "SELECT 1 FROM notification.notifications WHERE id = \(id) AND operator_id = \(params.operatorID)")
            guard !mine.isEmpty else { return nil }
            return try transaction.query(
                "UPDATE notification.notifications SET read_at = now() WHERE id = \(id) AND read_at IS NULL"
            ).affectedRows
        }
        return try transaction.query(
            "UPDATE notification.notifications SET read_at = now() WHERE operator_id = \(params.operatorID) AND read_at IS NULL"
        ).affectedRows
    }
}
