import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// `PUT /api/v1/me/password`, `POST /api/v1/auth/password-reset` and its `/confirm`: an operator
/// changes their password, or resets a forgotten one through a link mailed to them.
struct PasswordRoutes: Sendable {
    let identity: IdentityRoutes
    /// `SWITCHBOARD_PUBLIC_URL`: where the mailed link points.
    let publicURL: String

    var store: IdentityStore { identity.store }

    /// Wrong current passwords one operator may give in `window` seconds (as failed logins).
    static let wrongGuesses = 10
    static let window = 15 * 60
    /// Reset mails asked for in `resetWindow` seconds: per address of the asker, per e-mail asked for.
    static let resetsPerAddress = 10
    static let resetsPerEmail = 3
    static let resetWindow = 3600
    /// Failed uses of reset links from one address in `window` seconds.
    static let confirmsPerAddress = 20

    struct Change: Decodable {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    struct ResetRequest: Decodable {
        var email: String
    }

    struct ResetConfirm: Decodable {
        var token: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case token
            case newPassword = "new_password"
        }
    }

    static let wrongPassword = APIError(status: .forbidden, code: "wrong_password", message: "the current password is not right")
    static let expired = APIError(
        status: .gone, code: "expired", message: "this link was used already or has expired; ask for a new one")

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.put("me/password") { request, _ in
            let me = try await identity.authenticate(request)
            let body = try await JSONBody.decode(Change.self, from: request)
            if let problem = Identity.passwordProblem(body.newPassword) { throw APIError.invalid(field: "new_password", problem) }
            // Each guess is counted before it is checked (a burst cannot pass), given back when right.
            let reservation = try await store.attempts.reserve([
                RateRule("password change \(me.id.uuidString.lowercased())", limit: Self.wrongGuesses, window: Self.window)
            ])
            let current = try await store.passwordHash(of: me.id)
            guard current != nil, try await identity.passwords.verify(body.currentPassword, hash: current) else {
                throw Self.wrongPassword
            }
            await store.attempts.release(reservation)
            let hash = try await identity.passwords.hash(body.newPassword)
            guard
                try await store.setPassword(
                    of: me.id, hash: hash, kind: .passwordChanged, by: OperatorRef(id: me.id, name: me.name),
                    keeping: IdentityRoutes.bearer(request))
            else { throw APIError.unauthorized }
            return Response(status: .noContent)
        }
        api.post("auth/password-reset") { request, context in
            let body = try await JSONBody.decode(ResetRequest.self, from: request)
            let email = Identity.normalized(email: body.email)
            if let problem = Identity.emailProblem(email) { throw APIError.invalid(field: "email", problem) }
            // Counted for every address asked for, known or not: the answer must not tell them apart.
            _ = try await store.attempts.reserve(
                [
                    RateRule("reset address " + context.clientAddress, limit: Self.resetsPerAddress, window: Self.resetWindow),
                    RateRule("reset email " + email, limit: Self.resetsPerEmail, window: Self.resetWindow),
                ], message: "too many password resets asked for; try again later")
            if let (account, token) = try await store.newPasswordReset(email: email) {
                do {
                    _ = try await identity.backends[.ticketing].call(
                        TicketingMethods.SendNotice.self, ResetLetter.notice(to: account, token: token, publicURL: publicURL))
                } catch {
                    throw APIError.unavailable
                }
            }
            return Response(status: .accepted)
        }
        api.post("auth/password-reset/confirm") { request, context in
            let body = try await JSONBody.decode(ResetConfirm.self, from: request)
            if let problem = Identity.passwordProblem(body.newPassword) { throw APIError.invalid(field: "new_password", problem) }
            guard !body.token.isEmpty, body.token.utf8.count <= 200 else { throw Self.expired }
            let reservation = try await store.attempts.reserve([
                RateRule("reset confirm " + context.clientAddress, limit: Self.confirmsPerAddress, window: Self.window)
            ])
            let hash = try await identity.passwords.hash(body.newPassword)
            guard try await store.spendPasswordReset(token: body.token, hash: hash) != nil else { throw Self.expired }
            await store.attempts.release(reservation)
            return Response(status: .noContent)
        }
    }
}

/// The mail with a reset link, composed without I/O.
enum ResetLetter {
    static let subject = "Reset your Switchboard password"

    /// The console's reset page for `token`: in the fragment, so no server log or referrer sees it.
    static func link(token: String, publicURL: String) -> String { "\(publicURL)/console/#reset=\(token)" }

    static func notice(to account: Operator, token: String, publicURL: String) -> TicketingMethods.SendNotice.Params {
        let text = """
            Hello \(account.name),

            Someone, hopefully you, asked to reset the password of your Switchboard account (\(account.email)).
            Open this link within an hour to choose a new one; it works once:

            \(link(token: token, publicURL: publicURL))

            If it was not you, ignore this mail: your password stays as it is.
            """
        return .init(id: UUID(), to: account.email, subject: subject, text: text)
    }
}
