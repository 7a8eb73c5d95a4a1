import Contracts
import Foundation
import Storage

/// The `identity` schema: operators, sessions, visitors, the attempts behind rate limits. Tokens are stored only as
/// SHA-256 hashes (computed by PostgreSQL), so a leaked table grants no session.
struct IdentityStore: Sendable {
    let database: Database
    let policy: SessionPolicy
    let fullKeys = FullKeys()
    let knownVisitors = KnownVisitors()

    init(database: Database, policy: SessionPolicy = .init()) {
        self.database = database
        self.policy = policy
    }

    /// The channel on which a gateway tells the others that a session ended (its key as payload).
    static let revocations = "identity_revoked"

    static let columns: SQL = "id, name, email, role, active"

    /// An operator from a row with `columns`.
    static func decode(_ row: PGRow) throws -> Operator {
        Operator(
            id: try row.decode("id"), name: try row.decode("name"), email: try row.decode("email"),
            role: Operator.Role(rawValue: try row.decode("role")) ?? .operator, active: try row.decode("active")
        )
    }

    /// The active operator with this e-mail and their password hash (a deactivated one has none
    /// to match: their login fails as a wrong password does).
    func credentials(email: String) async throws -> (Operator, String)? {
        let rows = try await database.query(
            """
            SELECT \(Self.columns), password_hash FROM identity.operators
            WHERE lower(email) = \(Identity.normalized(email: email)) AND active
            """
        )
        guard let row = rows.first else { return nil }
        return (try Self.decode(row), try row.decode("password_hash"))
    }

    /// Creates an operator; `nil` when the e-mail is taken.
    func create(_ new: NewOperator, passwordHash: String) async throws -> Operator? {
        let id = UUID()
        do {
            let rows = try await database.query(
                """
                INSERT INTO identity.operators (id, name, email, role, password_hash)
                VALUES (
                    \(id), \(new.name.trimmingCharacters(in: .whitespacesAndNewlines)), \(Identity.normalized(email: new.email)),
                    \(new.role.rawValue), \(passwordHash))
                RETURNING \(Self.columns)
                """
            )
            return try rows.first.map(Self.decode)
        } catch let error as DatabaseError where error.isUniqueViolation {
            return nil
        }
    }

    /// Creates the first admin unless an admin exists; true when it did.
    func ensureAdmin(name: String, email: String, passwordHash: String) async throws -> Bool {
        do {
            let rows = try await database.query(
                """
                INSERT INTO identity.operators (id, name, email, role, password_hash)
                SELECT \(UUID()), \(name), \(Identity.normalized(email: email)), 'admin', \(passwordHash)
                WHERE NOT EXISTS (SELECT 1 FROM identity.operators WHERE role = 'admin')
                """
            )
            return rows.affectedRows == 1
        } catch let error as DatabaseError where error.isUniqueViolation {
            // Another gateway created it at the same moment, or the e-mail is an operator's.
            return false
        }
    }

    /// Whether anyone can administer the desk (and so make the other operators).
    func adminExists() async throws -> Bool {
        try await database.query("SELECT EXISTS (SELECT 1 FROM identity.operators WHERE role = 'admin') AS found")[0].decode("found")
    }

    func find(id: UUID) async throws -> Operator? {
        try await database.query("SELECT \(Self.columns) FROM identity.operators WHERE id = \(id)").first.map(Self.decode)
    }

    /// A page of the operators by name. (A desk has tens of them, rarely added: the position is
    /// the offset, so a colleague added meanwhile may show twice or not at all until a reload.)
    func operators(_ page: PageRequest, activeOnly: Bool = false) async throws -> Page<Operator> {
        let offset = Int(page.position?.key ?? 0)
        let which: SQL = activeOnly ? "WHERE active" : ""
        let rows = try await database.query(
            "SELECT \(Self.columns) FROM identity.operators \(which) ORDER BY lower(name), id OFFSET \(offset) LIMIT \(page.limit + 1)")
        let total = try await database.query("SELECT count(*) AS total FROM identity.operators \(which)")[0].decode("total", as: Int.self)
        let candidates = try rows.enumerated().map { (try Self.decode($1), PageCursor(key: Int64(offset + $0 + 1))) }
        return Page(candidates: candidates, limit: page.limit, total: total)
    }

    /// 32 random bytes, URL-safe base64: the form of every token we hand out.
    static func newToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Stores a visitor identity minted by the caller (only the token's hash is kept).
    func saveVisitor(id: UUID, token: String) async throws {
        try await database.query("INSERT INTO identity.visitors (id, token_hash) VALUES (\(id), sha256(convert_to(\(token), 'UTF8')))")
    }

    /// The visitor a live token belongs to: one unused for `policy.visitorIdle` has expired.
    /// Use is noted at most once an hour (a write per request would cost more than it tells).
    func visitor(token: String) async throws -> UUID? {
        if let known = knownVisitors.visitor(for: token) { return known }
        let found = try await database.query(
            """
            WITH found AS (
                SELECT id, last_used_at FROM identity.visitors
                WHERE token_hash = sha256(convert_to(\(token), 'UTF8'))
                  AND last_used_at > now() - make_interval(secs => \(Self.seconds(policy.visitorIdle)))
            ), touched AS (
                UPDATE identity.visitors v SET last_used_at = now() FROM found
                WHERE v.id = found.id AND found.last_used_at < now() - interval '1 hour'
            )
            SELECT id FROM found
            """
        ).first?.decode("id", as: UUID.self)
        if let found { knownVisitors.note(token, is: found) }
        return found
    }

    /// A new session for `operatorID`; returns the token, which is stored only as its hash.
    func openSession(for operatorID: UUID) async throws -> String {
        let token = Self.newToken()
        try await database.query(
            """
            INSERT INTO identity.sessions (token_hash, operator_id, expires_at)
            VALUES (sha256(convert_to(\(token), 'UTF8')), \(operatorID), now() + make_interval(secs => \(Self.seconds(policy.lifetime))))
            """
        )
        return token
    }

    /// The operator of a live session, and the session's key (its hash in hex, what revocations
    /// name). A session ends `policy.lifetime` after login, or unused for `policy.idle`; use is
    /// noted at most once a minute.
    func session(token: String) async throws -> (account: Operator, key: String)? {
        let rows = try await database.query(
            """
            WITH found AS (
                SELECT token_hash, operator_id, last_used_at FROM identity.sessions
                WHERE token_hash = sha256(convert_to(\(token), 'UTF8')) AND expires_at > now()
                  AND last_used_at > now() - make_interval(secs => \(Self.seconds(policy.idle)))
            ), touched AS (
                UPDATE identity.sessions s SET last_used_at = now() FROM found
                WHERE s.token_hash = found.token_hash AND found.last_used_at < now() - interval '1 minute'
            )
            SELECT o.id, o.name, o.email, o.role, o.active, encode(found.token_hash, 'hex') AS key
            FROM found JOIN identity.operators o ON o.id = found.operator_id AND o.active
            """
        )
        guard let row = rows.first else { return nil }
        return (try Self.decode(row), try row.decode("key"))
    }

    /// The operator a live session token belongs to.
    func operatorForSession(token: String) async throws -> Operator? {
        try await session(token: token)?.account
    }

    /// Ends a session; every gateway closes its streams (they listen on `revocations`).
    func closeSession(token: String) async throws {
        try await database.transaction { transaction in
            let ended = try transaction.query(
                "DELETE FROM identity.sessions WHERE token_hash = sha256(convert_to(\(token), 'UTF8')) RETURNING encode(token_hash, 'hex') AS key"
            )
            for row in ended {
                try transaction.query("SELECT pg_notify(\(Self.revocations), \(try row.decode("key", as: String.self)))")
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) }

    /// The attempts behind the rate limits, in the same database.
    var attempts: Attempts { Attempts(database: database, full: fullKeys) }
}

/// How long operator sessions and visitor tokens live (`SWITCHBOARD_SESSION_HOURS`,
/// `SWITCHBOARD_SESSION_IDLE_MINUTES`, `SWITCHBOARD_VISITOR_TOKEN_DAYS`).
struct SessionPolicy: Sendable {
    var lifetime: Duration = .seconds(12 * 3600)
    var idle: Duration = .seconds(3600)
    var visitorIdle: Duration = .seconds(30 * 86_400)
    /// How long a mailed password reset link works.
    var resetLifetime: Duration = .seconds(3600)
}
