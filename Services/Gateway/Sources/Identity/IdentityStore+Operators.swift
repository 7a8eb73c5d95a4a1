import Contracts
import Foundation
import Storage

extension IdentityStore {
    /// What became of an admin's edit.
    enum EditOutcome: Sendable {
        /// Stored (or nothing to change); `ended` sessions of theirs closed.
        case edited(Operator)
        case notFound
        /// No active admin would remain.
        case lastAdmin
        case emailTaken
    }

    /// Every change to operators takes this lock first, so two admins demoting or deactivating
    /// each other at once are decided one after the other, and one of them meets `last_admin`.
    static let operatorsLock: SQL = "SELECT pg_advisory_xact_lock(hashtextextended('identity operators', 0))"

    /// Applies `edit` to the operator `id` as `admin` decided, audited; deactivation ends every
    /// session of theirs (their streams close on every gateway) and every reset link.
    func edit(_ id: UUID, _ edit: OperatorEdit, by admin: Operator) async throws -> EditOutcome {
        do {
            return try await database.transaction { transaction in
                try transaction.query(Self.operatorsLock)
                guard let row = try transaction.query("SELECT \(Self.columns) FROM identity.operators WHERE id = \(id)").first else {
                    return .notFound
                }
                let before = try Self.decode(row)
                let after = edit.applied(to: before)
                let others: Int = try transaction.query(
                    "SELECT count(*) AS others FROM identity.operators WHERE role = 'admin' AND active AND id <> \(id)"
                )[0].decode("others")
                if Identity.leavesNoAdmin(before, after, otherActiveAdmins: others) { return .lastAdmin }
                if after.email != before.email {
                    let taken: Bool = try transaction.query(
                        "SELECT EXISTS (SELECT 1 FROM identity.operators WHERE lower(email) = \(after.email) AND id <> \(id)) AS taken"
                    )[0].decode("taken")
                    if taken { return .emailTaken }
                }
                let changes = OperatorChange.between(before, after)
                guard !changes.isEmpty else {
                    // Deactivating again still makes sure nothing of theirs is left open.
                    if !after.active { try Self.endSessions(of: id, in: transaction) }
                    return .edited(before)
                }
                try transaction.query(
                    """
                    UPDATE identity.operators SET name = \(after.name), email = \(after.email), role = \(after.role.rawValue),
                        active = \(after.active)
                    WHERE id = \(id)
                    """
                )
                if !after.active {
                    try Self.endSessions(of: id, in: transaction)
                    try transaction.query("DELETE FROM identity.password_resets WHERE operator_id = \(id)")
                }
                try Self.audit(changes, of: id, by: OperatorRef(id: admin.id, name: admin.name), in: transaction)
                return .edited(after)
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            // Another request took the e-mail between the look and the write.
            return .emailTaken
        }
    }

    /// Ends the operator's sessions, all but `keeping` (a token), and tells every gateway to
    /// close their streams (as a logout does).
    static func endSessions(of operatorID: UUID, keeping token: String? = nil, in transaction: Transaction) throws {
        let ended = try transaction.query(
            """
            DELETE FROM identity.sessions
            WHERE operator_id = \(operatorID)
              AND (\(token)::text IS NULL OR token_hash <> sha256(convert_to(\(token)::text, 'UTF8')))
            RETURNING encode(token_hash, 'hex') AS key
            """
        )
        for row in ended {
            try transaction.query("SELECT pg_notify(\(Self.revocations), \(try row.decode("key", as: String.self)))")
        }
    }

    /// Writes the audit lines of one change to `operatorID`, made by `by`.
    static func audit(_ changes: [OperatorChange], of operatorID: UUID, by: OperatorRef?, in transaction: Transaction) throws {
        for change in changes {
            try transaction.query(
                """
                INSERT INTO identity.operator_changes (operator_id, by_id, by_name, change, from_value, to_value)
                VALUES (\(operatorID), \(by?.id), \(by?.name), \(change.kind.rawValue), \(change.from), \(change.to))
                """
            )
        }
    }
}
