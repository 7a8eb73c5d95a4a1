import Contracts
import Foundation
import Storage

/// The visitor's writes from the widget: whose conversation it is, and their budget a minute,
/// decided in the write's own transaction (one hop and one commit for a widget's message).
extension ConversationStore {
    /// v10: one row per counted write of a visitor; rows older than the window are swept.
    static let visitorWritesMigration = Migration(
        schema: "conversation", version: 10, name: "the visitor's writes a minute",
        sql: """
            CREATE TABLE conversation.visitor_writes (
                visitor_id uuid NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX visitor_writes_recent ON conversation.visitor_writes (visitor_id, at);
            """
    )

    /// What a visitor's write may do.
    enum Admission: Equatable {
        /// The conversation is the visitor's and the budget has room; the customer writes as
        /// `author`. `blocked`: an operator has blocked the visitor.
        case admitted(author: Author, blocked: Bool)
        /// No such conversation, or not this visitor's.
        case notFound
        /// The budget is spent: room again in this many seconds.
        case over(retryAfter: Int)
    }

    /// Whether `write` may go into `conversation`. Holds a lock on the visitor until the
    /// transaction ends, so concurrent writes are counted one after the other; the count reads
    /// after the lock (a statement of its own, so its snapshot sees every write committed
    /// before). Counts nothing: `spend` does, once the write is done. It counts no further than
    /// the budget: refused ratings are counted too, so a window can hold more rows than the
    /// budget, and the work of a write must not grow with them.
    static func admit(_ write: VisitorWrite, to conversation: UUID, in transaction: Transaction) throws -> Admission {
        transaction.send("SELECT pg_advisory_xact_lock(hashtextextended('visitor writes ' || \(write.visitorID), 0))")
        let window = Double(VisitorWrite.window)
        guard
            let row = try transaction.query(
                """
                SELECT u.id, u.name, w.count, w.wait,
                       EXISTS (SELECT 1 FROM conversation.blocks b WHERE b.visitor_id = u.visitor_id) AS blocked
                FROM conversation.conversations c
                JOIN conversation.customers u ON u.id = c.customer_id AND u.visitor_id = \(write.visitorID)
                CROSS JOIN (
                    SELECT count(*) AS count,
                           coalesce(ceil(extract(epoch FROM min(at) + make_interval(secs => \(window)) - now())), 0)::bigint AS wait
                    FROM (
                        SELECT at FROM conversation.visitor_writes
                        WHERE visitor_id = \(write.visitorID) AND at > now() - make_interval(secs => \(window))
                        ORDER BY at LIMIT \(write.perMinute)
                    ) recent
                ) w
                WHERE c.id = \(conversation)
                """
            ).first
        else { return .notFound }
        let author = Author(kind: .customer, id: try row.decode("id"), name: try row.decode("name"))
        let count = try row.decode("count", as: Int64.self)
        guard count < write.perMinute else {
            return .over(retryAfter: Int(max(1, min(Int64(VisitorWrite.window), try row.decode("wait", as: Int64.self)))))
        }
        return .admitted(author: author, blocked: try row.decode("blocked"))
    }

    /// Counts one write of the visitor; now and then sweeps what no window looks at any more.
    static func spend(_ write: VisitorWrite, in transaction: Transaction) {
        transaction.send("INSERT INTO conversation.visitor_writes (visitor_id) VALUES (\(write.visitorID))")
        if UInt8.random(in: 0..<64) == 0 {
            transaction.send(
                "DELETE FROM conversation.visitor_writes WHERE at < now() - make_interval(secs => \(Double(VisitorWrite.window)))")
        }
    }
}
