import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// `PATCH /api/v1/operators/{id}` and `POST /api/v1/operators/{id}/password`: admins manage the
/// people of the desk.
struct OperatorRoutes: Sendable {
    let identity: IdentityRoutes

    var store: IdentityStore { identity.store }
    var backends: Backends { identity.backends }

    struct NewPassword: Decodable {
        var password: String
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.patch("operators/{id}") { request, context in
            let admin = try await identity.authenticate(request, admin: true)
            let id = try ConversationRoutes.id(context)
            let edit = try await JSONBody.decode(OperatorEdit.self, from: request)
            if let problem = edit.problem() { throw problem }
            // Identity first: from this commit on they can do nothing; then their work goes back.
            switch try await store.edit(id, edit, by: admin) {
            case .notFound:
                throw APIError.notFound
            case .lastAdmin:
                throw APIError.conflict("last_admin", "this would leave the desk without an active admin; make another admin first")
            case .emailTaken:
                throw APIError.conflict("email_taken", "an operator with this e-mail exists", details: ["field": "email"])
            case .edited(let account):
                if account.active {
                    // The pool names holders and finds the admins by the roster: the new name and role at once.
                    _ = try? await backends[.pool].call(
                        PoolMethods.Roster.self, .init(operators: [account.rosterEntry]), timeout: .seconds(2))
                } else {
                    try await release(account, by: admin)
                }
                let staffing = await backends.staffing([account.id])
                return try Response.json(IdentityRoutes.StaffedOperator(account: account, staffing: staffing[account.id]))
            }
        }
        api.post("operators/{id}/password") { request, context in
            let admin = try await identity.authenticate(request, admin: true)
            let id = try ConversationRoutes.id(context)
            let body = try await JSONBody.decode(NewPassword.self, from: request)
            if let problem = Identity.passwordProblem(body.password) { throw APIError.invalid(field: "password", problem) }
            guard try await store.find(id: id) != nil else { throw APIError.notFound }
            let hash = try await identity.passwords.hash(body.password)
            guard try await store.setPassword(of: id, hash: hash, kind: .passwordSet, by: OperatorRef(id: admin.id, name: admin.name))
            else { throw APIError.notFound }
            return Response(status: .noContent)
        }
    }

    /// Every open conversation of a deactivated operator goes back to the Pool (`pool.release`,
    /// idempotent: a repeated deactivation sends it again and finishes what failed before).
    func release(_ account: Operator, by admin: Operator) async throws {
        do {
            _ = try await backends[.pool].call(
                PoolMethods.Release.self,
                .init(operatorID: account.id, reason: .deactivated, by: OperatorRef(id: admin.id, name: admin.name)))
        } catch {
            throw APIError(
                status: .serviceUnavailable, code: "unavailable",
                message: "deactivated, but their conversations could not go back to the Pool yet: send the same change again",
                retryAfter: 2)
        }
    }
}
