import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// `/api/v1/auth/*`, `/api/v1/me`, `/api/v1/operators`.
struct IdentityRoutes: Sendable {
    let store: IdentityStore
    let backends: Backends
    let passwords: Passwords
    /// Failed logins allowed in `window` seconds: per (e-mail, address) pair, per e-mail from an
    /// address that has failed for it, and per address.
    static let perPair = 10
    static let perEmail = 10
    static let perAddress = 50
    static let window = 15 * 60

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.post("auth/login") { request, context in try await login(request, context) }
        api.post("auth/logout") { request, _ in
            _ = try await authenticate(request)
            if let token = Self.bearer(request) { try await store.closeSession(token: token) }
            return Response(status: .noContent)
        }
        api.get("me") { request, _ in
            let me = try await authenticate(request)
            // The console's availability switch starts from the pool's answer (off if the pool is away).
            let staffing =
                (try? await backends[.pool].call(PoolMethods.Staffing.self, .init(operatorIDs: [me.id]), timeout: .seconds(1))) ?? []
            let mine = staffing.first { $0.operatorID == me.id }
            return try Response.json(StaffedOperator(account: me, available: mine?.available ?? false, load: mine?.load ?? 0))
        }
        api.get("operators") { request, _ in
            // Every operator sees their colleagues (to hand work on); creating them is for admins.
            try await authenticate(request)
            let operators = try await store.operators(try PageRequest(query: request))
            // Availability and load are the pool's; list everyone even when the pool is away.
            let staffing =
                (try? await backends[.pool].call(
                    PoolMethods.Staffing.self, .init(operatorIDs: operators.items.map(\.id)), timeout: .seconds(1))) ?? []
            let byID = Dictionary(staffing.map { ($0.operatorID, $0) }, uniquingKeysWith: { first, _ in first })
            return try Response.json(
                operators.map { StaffedOperator(account: $0, available: byID[$0.id]?.available ?? false, load: byID[$0.id]?.load ?? 0) })
        }
        api.post("operators") { request, _ in
            try await authenticate(request, admin: true)
            let new = try await JSONBody.decode(NewOperator.self, from: request)
            if let problem = new.problem() { throw problem }
            guard let created = try await store.create(new, passwordHash: try await passwords.hash(new.password)) else {
                throw APIError.conflict("email_taken", "an operator with this e-mail exists", details: ["field": "email"])
            }
            return try Response.json(created, status: .created)
        }
    }

    /// An operator in the admins' list: who, whether available, how many open conversations.
    struct StaffedOperator: Encodable {
        var account: Operator
        var available: Bool
        var load: Int

        enum Extra: String, CodingKey { case available, load }

        func encode(to encoder: any Encoder) throws {
            try account.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(available, forKey: .available)
            try container.encode(load, forKey: .load)
        }
    }

    struct Login: Decodable {
        var email: String
        var password: String
    }

    struct Session: Encodable {
        var token: String
        var `operator`: Operator
    }

    func login(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let login = try await JSONBody.decode(Login.self, from: request)
        let email = Identity.normalized(email: login.email)
        // No operator has an address that is not plausible: refused before it costs a count.
        guard Identity.emailProblem(email) == nil else { throw APIError.unauthorized }
        let pair = "login pair " + email + " " + context.clientAddress
        // Every attempt is counted before the password is checked (so a burst cannot pass the
        // limit), and given back when it succeeds.
        let reservation = try await store.attempts.reserve([
            RateRule(pair, limit: Self.perPair, window: Self.window),
            RateRule("login email " + email, limit: Self.perEmail, window: Self.window, onlyAfter: pair),
            RateRule("login address " + context.clientAddress, limit: Self.perAddress, window: Self.window),
        ])
        let found = try await store.credentials(email: login.email)
        // An unknown e-mail costs the same bcrypt as a wrong password: both answer the same 401.
        let matches = try await passwords.verify(login.password, hash: found?.1)
        guard let (account, _) = found, matches else { throw APIError.unauthorized }
        await store.attempts.release(reservation)
        try await store.attempts.clear(pair)
        return try Response.json(Session(token: try await store.openSession(for: account.id), operator: account))
    }

    /// The operator behind the request's bearer token; 401 without a live one, 403 when
    /// `admin` is asked for and they are not.
    @discardableResult
    func authenticate(_ request: Request, admin: Bool = false) async throws -> Operator {
        guard let token = Self.bearer(request), let account = try await store.operatorForSession(token: token) else {
            throw APIError.unauthorized
        }
        if admin, account.role != .admin { throw APIError.forbidden }
        return account
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.count > 200 ? nil : token
    }
}
