import Contracts
import Foundation
import Storage

/// The customer's reading position and rating, each with the event that tells the other side.
extension ConversationStore {
    /// Outcome of moving the customer's reading position.
    enum VisitorRead: Equatable {
        case at(Int64)
        case notFound
        /// Past the last message: the conversation's last seq.
        case beyond(last: Int64)
    }

    /// Moves the customer's position forward to `seq` (a message of the conversation); further
    /// back than it stands changes nothing. A move appends `conversation.read` (side `customer`).
    static func visitorRead(_ params: ConversationMethods.VisitorRead.Params, in transaction: Transaction) throws -> VisitorRead {
        let rows = try transaction.query(
            """
            WITH moved AS (
                UPDATE conversation.conversations SET customer_read_seq = \(params.seq)
                WHERE id = \(params.conversationID) AND \(params.seq) <= last_seq AND customer_read_seq < \(params.seq)
                RETURNING customer_read_seq
            )
            SELECT c.last_seq, coalesce((SELECT customer_read_seq FROM moved), c.customer_read_seq) AS position,
                   EXISTS (SELECT 1 FROM moved) AS moved
            FROM conversation.conversations c WHERE c.id = \(params.conversationID)
            """
        )
        guard let row = rows.first else { return .notFound }
        let (last, position, moved) = try row.decode((Int64, Int64, Bool).self)
        if params.seq > last { return .beyond(last: last) }
        if moved {
            try transaction.appendEvent(
                ConversationEvents.Read.self, ReadReceipt(conversationID: params.conversationID, side: .customer, seq: position))
        }
        return .at(position)
    }

    /// Outcome of rating.
    enum Rated: Equatable {
        case rated(Rating)
        case notFound
        case notClosed
        case alreadyRated
    }

    /// Stores the rating of a closed conversation once (the conversation's row is locked, so a
    /// close or a second rating cannot slip between the look and the write), with `conversation.rated`.
    static func rate(_ params: ConversationMethods.Rate.Params, comment: String?, in transaction: Transaction) throws -> Rated {
        guard
            let closed = try transaction.query(
                "SELECT closed_at IS NOT NULL AS closed FROM conversation.conversations WHERE id = \(params.conversationID) FOR UPDATE"
            ).first?.decode("closed", as: Bool.self)
        else { return .notFound }
        guard closed else { return .notClosed }
        let rows = try transaction.query(
            """
            INSERT INTO conversation.ratings (conversation_id, score, comment) VALUES (\(params.conversationID), \(params.score), \(comment))
            ON CONFLICT (conversation_id) DO NOTHING
            RETURNING created_at
            """
        )
        guard let row = rows.first else { return .alreadyRated }
        let rating = Rating(score: params.score, comment: comment, createdAt: try row.decode("created_at"))
        try transaction.appendEvent(ConversationEvents.Rated.self, RatingGiven(conversationID: params.conversationID, rating: rating))
        return .rated(rating)
    }

    /// The ratings given in `[from, to)`: count and average over all of them, and a page, newest first.
    static func ratings(
        _ params: ConversationMethods.Ratings.Params, in transaction: Transaction
    ) throws -> ConversationMethods.Ratings.Result {
        let within: SQL = """
            (\(params.from)::timestamptz IS NULL OR g.created_at >= \(params.from))
            AND (\(params.to)::timestamptz IS NULL OR g.created_at < \(params.to))
            """
        let (count, average) = try transaction.query(
            "SELECT count(*) AS count, avg(g.score)::float8 AS average FROM conversation.ratings g WHERE \(within)"
        )[0].decode((Int, Double?).self)
        let rows = try transaction.query(
            """
            SELECT g.conversation_id AS id, g.score, g.comment, g.created_at, u.id AS customer_id, u.name AS customer_name,
                   u.email AS customer_email, c.closed_by_id, c.closed_by_name, \(Keyset.key("g.created_at"))
            FROM conversation.ratings g
            JOIN conversation.conversations c ON c.id = g.conversation_id
            JOIN conversation.customers u ON u.id = c.customer_id
            WHERE \(within) AND \(Keyset.after(params.page.position, column: "g.created_at", id: "g.conversation_id", descending: true))
            ORDER BY g.created_at DESC, g.conversation_id DESC
            LIMIT \(params.page.limit + 1)
            """
        )
        let candidates = try rows.map { row -> (ConversationMethods.Ratings.Entry, PageCursor) in
            let closer = try row.decode("closed_by_id", as: UUID?.self)
            let entry = ConversationMethods.Ratings.Entry(
                conversationID: try row.decode("id"),
                customer: Customer(
                    id: try row.decode("customer_id"), name: try row.decode("customer_name"), email: try row.decode("customer_email")),
                closedBy: try closer.map { OperatorRef(id: $0, name: try row.decode("closed_by_name", as: String?.self) ?? "") },
                rating: Rating(score: try row.decode("score"), comment: try row.decode("comment"), createdAt: try row.decode("created_at")))
            return (entry, try Keyset.position(row))
        }
        return .init(count: count, average: average, page: Page(candidates: candidates, limit: params.page.limit))
    }
}
