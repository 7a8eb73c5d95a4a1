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
            let me = try await authenticate(request)
            if let token = Self.bearer(request) { try await store.closeSession(token: token) }
            // Logged out everywhere: offline (their chats go back once they stay away).
            if try await !store.hasLiveSession(me.id) {
                _ = try? await backends[.pool].call(PoolMethods.Left.self, .init(operatorIDs: [me.id]))
            }
            return Response(status: .noContent)
        }
        api.get("me") { request, _ in
            let me = try await authenticate(request)
            // The console's switches start from the pool's answer (off if the pool is away).
            let staffing = await backends.staffing([me.id])
            return try Response.json(StaffedOperator(account: me, staffing: staffing[me.id]))
        }
        api.get("operators") { request, _ in
            // Every operator sees their colleagues (to hand work on); creating them is for admins.
            try await authenticate(request)
            let operators = try await store.operators(try PageRequest(query: request))
            // Availability and load are the pool's; list everyone even when the pool is away.
            let staffing = await backends.staffing(operators.items.map(\.id))
            return try Response.json(operators.map { StaffedOperator(account: $0, staffing: staffing[$0.id]) })
        }
        api.post("operators") { request, _ in
            try await authenticate(request, admin: true)
            let new = try await JSONBody.decode(NewOperator.self, from: request)
            if let problem = new.problem() { throw problem }
            guard let created = try await store.create(new, passwordHash: try await passwords.hash(new.password)) else {
                throw APIError.conflict("email_taken", "an operator with this e-mail exists", details: ["field": "email"])
            }
            _ = try? await backends[.pool].call(PoolMethods.Roster.self, .init(operators: [created.rosterEntry]), timeout: .seconds(2))
            return try Response.json(created, status: .created)
        }
    }

    /// An operator as the console shows them: who, what they take (`available` is their
    /// availability for chats, as the first API had it), whether they are at the desk, and how
    /// many open conversations they hold.
    struct StaffedOperator: Encodable {
        var account: Operator
        var staffing: PoolMethods.Staffing.Entry?

        enum Extra: String, CodingKey { case available, availability, presence, load }

        func encode(to encoder: any Encoder) throws {
            try account.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            let availability = staffing?.availability ?? .off
            try container.encode(availability.chats, forKey: .available)
            try container.encode(availability, forKey: .availability)
            try container.encode(staffing?.presence ?? .offline, forKey: .presence)
            try container.encode(staffing?.load ?? 0, forKey: .load)
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
        // The pool learns who may be given work and who the admins are (for escalations).
        _ = try? await backends[.pool].call(PoolMethods.Roster.self, .init(operators: [account.rosterEntry]), timeout: .seconds(2))
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
