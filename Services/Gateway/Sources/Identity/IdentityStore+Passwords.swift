import Contracts
import Foundation
import Storage

extension IdentityStore {
    /// The operator's password hash (an active operator's only).
    func passwordHash(of operatorID: UUID) async throws -> String? {
        try await database.query("SELECT password_hash FROM identity.operators WHERE id = \(operatorID) AND active").first?
            .decode("password_hash")
    }

    /// Gives the operator a new password hash, audited as `kind` by `by`: their sessions end (all
    /// but the one whose token is `keeping`) and so does every reset link of theirs. `false` for
    /// an unknown operator.
    func setPassword(
        of operatorID: UUID, hash: String, kind: OperatorChange.Kind, by: OperatorRef?, keeping token: String? = nil
    ) async throws -> Bool {
        try await database.transaction { transaction in
            let updated = try transaction.query(
                "UPDATE identity.operators SET password_hash = \(hash) WHERE id = \(operatorID)"
            ).affectedRows
            guard updated == 1 else { return false }
            try Self.endSessions(of: operatorID, keeping: token, in: transaction)
            try transaction.query("DELETE FROM identity.password_resets WHERE operator_id = \(operatorID)")
            try Self.audit([OperatorChange(kind: kind)], of: operatorID, by: by, in: transaction)
            return true
        }
    }

    /// A new single-use reset link's token for the active operator with this e-mail (stored only
    /// as its hash, valid `policy.resetLifetime`); `nil` when no active operator has it.
    func newPasswordReset(email: String) async throws -> (account: Operator, token: String)? {
        let token = Self.newToken()
        let rows = try await database.query(
            """
            WITH found AS (
                SELECT \(Self.columns) FROM identity.operators WHERE lower(email) = \(Identity.normalized(email: email)) AND active
            ), stored AS (
                INSERT INTO identity.password_resets (token_hash, operator_id, expires_at)
                SELECT sha256(convert_to(\(token), 'UTF8')), found.id, now() + make_interval(secs => \(Self.seconds(policy.resetLifetime)))
                FROM found
            )
            SELECT * FROM found
            """
        )
        // Spent and expired links are of no use to anyone: swept now and then.
        if UInt8.random(in: 0..<32) == 0 {
            try await database.query("DELETE FROM identity.password_resets WHERE expires_at < now() - interval '1 day'")
        }
        return try rows.first.map { (account: try Self.decode($0), token: token) }
    }

    /// Spends a reset link's token on the new password `hash`: the token and every other link of
    /// theirs are spent, all their sessions end, audited. The operator, or `nil` when the token is
    /// unknown, spent, expired or its operator deactivated.
    func spendPasswordReset(token: String, hash: String) async throws -> Operator? {
        try await database.transaction { transaction in
            guard
                let row = try transaction.query(
                    """
                    UPDATE identity.password_resets r SET used_at = now()
                    FROM identity.operators o
                    WHERE r.token_hash = sha256(convert_to(\(token), 'UTF8')) AND r.used_at IS NULL AND r.expires_at > now()
                      AND o.id = r.operator_id AND o.active
                    RETURNING o.id, o.name, o.email, o.role, o.active
                    """
                ).first
            else { return nil }
            let account = try Self.decode(row)
            try transaction.query("UPDATE identity.operators SET password_hash = \(hash) WHERE id = \(account.id)")
            try Self.endSessions(of: account.id, in: transaction)
            try transaction.query(
                "UPDATE identity.password_resets SET used_at = now() WHERE operator_id = \(account.id) AND used_at IS NULL")
            try Self.audit(
                [OperatorChange(kind: .passwordReset)], of: account.id, by: OperatorRef(id: account.id, name: account.name), in: transaction
            )
            return account
        }
    }
}
