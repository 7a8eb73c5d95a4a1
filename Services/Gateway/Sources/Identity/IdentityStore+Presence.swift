import Foundation
import Storage

extension IdentityStore {
    /// Whether the operator has a live session anywhere (after a logout: are they still logged in
    /// on another device).
    func hasLiveSession(_ operatorID: UUID) async throws -> Bool {
        try await database.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM identity.sessions
                WHERE operator_id = \(operatorID) AND expires_at > now()
                  AND last_used_at > now() - make_interval(secs => \(Self.seconds(policy.idle)))
            ) AS live
            """
        )[0].decode("live")
    }
}
