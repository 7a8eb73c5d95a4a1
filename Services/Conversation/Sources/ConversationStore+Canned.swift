import Contracts
import Foundation
import Storage

/// Canned responses in `conversation.canned_responses`: the desk's (no owner) and each
/// operator's own.
extension ConversationStore {
    static let cannedColumns: SQL = "r.id, r.scope, r.owner_id, r.shortcut, r.title, r.body, r.created_at, r.updated_at"

    static func canned(_ row: PGRow) throws -> CannedResponse {
        CannedResponse(
            id: try row.decode("id"), shortcut: try row.decode("shortcut"), title: try row.decode("title"), body: try row.decode("body"),
            scope: CannedScope(rawValue: try row.decode("scope")) ?? .personal, ownerID: try row.decode("owner_id"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// One the viewer may see: the desk's, or their own; `nil` for any other.
    static func canned(_ id: UUID, visibleTo viewer: UUID, in transaction: Transaction) throws -> CannedResponse? {
        try transaction.query(
            """
            SELECT \(cannedColumns) FROM conversation.canned_responses r
            WHERE r.id = \(id) AND (r.scope = 'desk' OR r.owner_id = \(viewer))
            """
        ).first.map(canned)
    }

    /// A page of what the viewer may see, oldest first; `query` a prefix of shortcut or title.
    static func cannedList(_ params: ConversationMethods.CannedList.Params, in transaction: Transaction) throws -> Page<CannedResponse> {
        let trimmed = params.query?.trimmingCharacters(in: .whitespaces).lowercased()
        let prefix = trimmed?.isEmpty == false ? trimmed : nil
        // The prefix is matched literally: `%` and `_` in it are escaped.
        let pattern = prefix.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                of: "_", with: "\\_") + "%"
        }
        let rows = try transaction.query(
            """
            SELECT \(cannedColumns), \(Keyset.key("r.created_at")) FROM conversation.canned_responses r
            WHERE (r.scope = 'desk' OR r.owner_id = \(params.viewerID))
              AND (\(pattern)::text IS NULL OR r.shortcut LIKE \(pattern) OR lower(r.title) LIKE \(pattern))
              AND \(Keyset.after(params.page.position, column: "r.created_at", id: "r.id"))
            ORDER BY r.created_at, r.id LIMIT \(params.page.limit + 1)
            """
        )
        return Page(candidates: try rows.map { (try canned($0), try Keyset.position($0)) }, limit: params.page.limit)
    }

    /// Outcome of a write, for the caller to turn into a reply.
    enum CannedWrite {
        case written(CannedResponse)
        case notFound
        case adminOnly
        case limitReached(Int)
        case scopeChanged
    }

    /// Creates one under the cap. Creates of one owner (or of the desk) queue on an advisory
    /// lock, so simultaneous ones never pass the cap together.
    static func createCanned(_ params: ConversationMethods.CannedCreate.Params, in transaction: Transaction) throws -> CannedWrite {
        let draft = params.draft
        if draft.scope == .desk, !params.actor.admin { return .adminOnly }
        let owner = draft.scope == .desk ? nil : params.actor.id
        let cap = draft.scope == .desk ? CannedRules.maximumDesk : CannedRules.maximumPersonal
        try transaction.query(
            "SELECT pg_advisory_xact_lock(hashtextextended('canned ' || coalesce(\(owner)::uuid::text, 'desk'), 0))")
        let count = try transaction.query(
            """
            SELECT count(*) AS n FROM conversation.canned_responses
            WHERE scope = \(draft.scope.rawValue) AND owner_id IS NOT DISTINCT FROM \(owner)::uuid
            """
        )[0].decode("n", as: Int.self)
        if count >= cap { return .limitReached(cap) }
        let row = try transaction.query(
            """
            INSERT INTO conversation.canned_responses AS r (id, scope, owner_id, shortcut, title, body)
            VALUES (\(UUID()), \(draft.scope.rawValue), \(owner)::uuid, \(draft.shortcut), \(draft.title), \(draft.body))
            RETURNING \(cannedColumns)
            """
        )[0]
        return .written(try canned(row))
    }

    /// Replaces one the actor may manage; its scope stays what it was.
    static func updateCanned(_ params: ConversationMethods.CannedUpdate.Params, in transaction: Transaction) throws -> CannedWrite {
        guard let existing = try canned(params.id, visibleTo: params.actor.id, in: transaction) else { return .notFound }
        if existing.scope == .desk, !params.actor.admin { return .adminOnly }
        if existing.scope != params.draft.scope { return .scopeChanged }
        let draft = params.draft
        let row = try transaction.query(
            """
            UPDATE conversation.canned_responses r SET shortcut = \(draft.shortcut), title = \(draft.title), body = \(draft.body),
                updated_at = now()
            WHERE r.id = \(params.id)
            RETURNING \(cannedColumns)
            """
        )[0]
        return .written(try canned(row))
    }

    /// Deletes one the actor may manage.
    static func deleteCanned(_ params: ConversationMethods.CannedDelete.Params, in transaction: Transaction) throws -> CannedWrite {
        guard let existing = try canned(params.id, visibleTo: params.actor.id, in: transaction) else { return .notFound }
        if existing.scope == .desk, !params.actor.admin { return .adminOnly }
        try transaction.query("DELETE FROM conversation.canned_responses WHERE id = \(params.id)")
        return .written(existing)
    }
}
