import Contracts
import Foundation
import Storage

/// The customer panel, blocked visitors and the idle close.
extension ConversationStore {
    /// The customer panel; `nil` when there is no such customer.
    static func customerPanel(
        _ params: ConversationMethods.CustomerPanel.Params, in transaction: Transaction
    ) throws -> ConversationMethods.CustomerPanel.Result? {
        guard
            let row = try transaction.query("SELECT id, name, email FROM conversation.customers WHERE id = \(params.customerID)").first
        else { return nil }
        let customer = Customer(id: try row.decode("id"), name: try row.decode("name"), email: try row.decode("email"))
        let conversations = try history(
            .init(customerID: params.customerID, page: .init(limit: params.limit, cursor: nil)), in: transaction)
        var sameEmail: [Customer] = []
        if let email = customer.email {
            sameEmail = try transaction.query(
                """
                SELECT id, name, email FROM conversation.customers
                WHERE lower(email) = lower(\(email)) AND id <> \(customer.id)
                ORDER BY created_at DESC, id DESC LIMIT \(ConversationMethods.CustomerPanel.sameEmailLimit)
                """
            ).map { Customer(id: try $0.decode("id"), name: try $0.decode("name"), email: try $0.decode("email")) }
        }
        return .init(customer: customer, conversations: conversations, sameEmail: sameEmail)
    }

    /// Whether the visitor is blocked.
    static func isBlocked(visitor: UUID, in transaction: Transaction) throws -> Bool {
        try !transaction.query("SELECT 1 FROM conversation.blocks WHERE visitor_id = \(visitor)").isEmpty
    }

    /// Whether the visitor of this conversation is blocked.
    static func isBlocked(conversation: UUID, in transaction: Transaction) throws -> Bool {
        try !transaction.query(
            """
            SELECT 1 FROM conversation.conversations c
            JOIN conversation.customers u ON u.id = c.customer_id
            JOIN conversation.blocks b ON b.visitor_id = u.visitor_id
            WHERE c.id = \(conversation)
            """
        ).isEmpty
    }

    static let blockColumns: SQL = "b.visitor_id, b.customer_name, b.conversation_id, b.blocked_by_id, b.blocked_by_name, b.blocked_at"

    static func block(_ row: PGRow) throws -> VisitorBlock {
        VisitorBlock(
            visitorID: try row.decode("visitor_id"), customerName: try row.decode("customer_name"),
            conversationID: try row.decode("conversation_id"),
            blockedBy: OperatorRef(id: try row.decode("blocked_by_id"), name: try row.decode("blocked_by_name")),
            blockedAt: try row.decode("blocked_at"))
    }

    /// Outcome of blocking a conversation's visitor.
    enum Blocked {
        case blocked(VisitorBlock)
        case notFound
        case noVisitor
    }

    /// Blocks the conversation's visitor (the first block stays).
    static func block(_ params: ConversationMethods.Block.Params, in transaction: Transaction) throws -> Blocked {
        guard let record = try record(params.conversationID, in: transaction) else { return .notFound }
        guard let visitor = record.visitorID else { return .noVisitor }
        try transaction.query(
            """
            INSERT INTO conversation.blocks (visitor_id, customer_name, conversation_id, blocked_by_id, blocked_by_name)
            VALUES (\(visitor), \(record.customer.name), \(record.id), \(params.by.id), \(params.by.name))
            ON CONFLICT (visitor_id) DO NOTHING
            """)
        let row = try transaction.query("SELECT \(blockColumns) FROM conversation.blocks b WHERE b.visitor_id = \(visitor)")[0]
        return .blocked(try block(row))
    }

    /// A page of blocks, the latest first.
    static func blocks(_ params: ConversationMethods.Blocks.Params, in transaction: Transaction) throws -> Page<VisitorBlock> {
        let rows = try transaction.query(
            """
            SELECT \(blockColumns), \(Keyset.key("b.blocked_at")) FROM conversation.blocks b
            WHERE \(Keyset.after(params.page.position, column: "b.blocked_at", id: "b.visitor_id", descending: true))
            ORDER BY b.blocked_at DESC, b.visitor_id DESC LIMIT \(params.page.limit + 1)
            """)
        return Page(
            candidates: try rows.map { (try block($0), try Keyset.position($0, id: "visitor_id")) }, limit: params.page.limit)
    }

    /// Lifts a block; `false` when there was none.
    static func unblock(_ visitor: UUID, in transaction: Transaction) throws -> Bool {
        try transaction.query("DELETE FROM conversation.blocks WHERE visitor_id = \(visitor)").affectedRows == 1
    }

    /// Closes (reason `idle`) at most `limit` open chats in which the desk spoke last before
    /// `cutoff` and the customer has not answered since. A chat whose customer wrote last waits
    /// for the desk and is never closed for it. Rows another transaction holds are skipped, so
    /// any number of instances may sweep at once.
    static func closeIdle(before cutoff: Date, limit: Int, in transaction: Transaction) throws -> [ConversationRecord] {
        let ids = try transaction.query(
            """
            SELECT c.id FROM conversation.conversations c
            JOIN LATERAL \(lastMessage) ON true
            WHERE c.closed_at IS NULL AND c.channel = 'chat' AND m.author_kind <> 'customer' AND m.created_at < \(cutoff)
            ORDER BY m.created_at LIMIT \(limit)
            FOR UPDATE OF c SKIP LOCKED
            """
        ).map { try $0.decode("id", as: UUID.self) }
        return try ids.compactMap { try close($0, by: nil, reason: .idle, in: transaction) }
    }

    /// The idle close setting.
    static func idleCloseMinutes(in transaction: Transaction) throws -> Int? {
        try transaction.query("SELECT idle_close_minutes FROM conversation.settings")[0].decode("idle_close_minutes", as: Int?.self)
    }
}
