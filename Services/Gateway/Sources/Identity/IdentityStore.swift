import Contracts
import Foundation
import Storage

/// The `identity` schema: operators, sessions, visitors, the attempts behind rate limits. Tokens are stored only as
/// SHA-256 hashes (computed by PostgreSQL), so a leaked table grants no session.
struct IdentityStore: Sendable {
    let database: Database
    /// How long a session lasts after login.
    static let sessionLifetime = "12 hours"

    static let migrations = [
        Migration(schema: "identity", version: 1, name: "schema", sql: "CREATE SCHEMA identity;"),
        Migration(
            schema: "identity", version: 2, name: "operators and sessions",
            sql: """
                CREATE TABLE identity.operators (
                    id uuid PRIMARY KEY,
                    name text NOT NULL,
                    email text NOT NULL,
                    role text NOT NULL CHECK (role IN ('admin', 'operator')),
                    password_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE UNIQUE INDEX operators_email ON identity.operators (lower(email));
                CREATE TABLE identity.sessions (
                    token_hash bytea PRIMARY KEY,
                    operator_id uuid NOT NULL REFERENCES identity.operators (id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX sessions_expires_at ON identity.sessions (expires_at);
                CREATE TABLE identity.login_failures (
                    key text NOT NULL,
                    failed_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX login_failures_key ON identity.login_failures (key, failed_at);
                """
        ),
        Migration(
            schema: "identity", version: 3, name: "visitors",
            sql: """
                CREATE TABLE identity.visitors (
                    id uuid PRIMARY KEY,
                    token_hash bytea NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                """
        ),
        Attempts.migration,
    ]

    private static let columns = "id, name, email, role"

    private static func decode(_ row: PGRow) throws -> Operator {
        Operator(
            id: try row.decode(at: 0), name: try row.decode(at: 1), email: try row.decode(at: 2),
            role: Operator.Role(rawValue: try row.decode(at: 3)) ?? .operator
        )
    }

    /// The operator with this e-mail and their password hash.
    func credentials(email: String) async throws -> (Operator, String)? {
        let rows = try await database.query(
            "SELECT \(Self.columns), password_hash FROM identity.operators WHERE lower(email) = $1",
            [Identity.normalized(email: email)]
        )
        guard let row = rows.first else { return nil }
        return (try Self.decode(row), try row.decode(at: 4))
    }

    /// Creates an operator; `nil` when the e-mail is taken.
    func create(_ new: NewOperator, passwordHash: String) async throws -> Operator? {
        let id = UUID()
        do {
            let rows = try await database.query(
                "INSERT INTO identity.operators (id, name, email, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING \(Self.columns)",
                [
                    id, new.name.trimmingCharacters(in: .whitespacesAndNewlines), Identity.normalized(email: new.email), new.role.rawValue,
                    passwordHash,
                ]
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
                SELECT $1, $2, $3, 'admin', $4
                WHERE NOT EXISTS (SELECT 1 FROM identity.operators WHERE role = 'admin')
                """,
                [UUID(), name, Identity.normalized(email: email), passwordHash]
            )
            return rows.affectedRows == 1
        } catch let error as DatabaseError where error.isUniqueViolation {
            // Another gateway created it at the same moment, or the e-mail is an operator's.
            return false
        }
    }

    /// Whether anyone can administer the desk (and so make the other operators).
    func adminExists() async throws -> Bool {
        try await database.query("SELECT EXISTS (SELECT 1 FROM identity.operators WHERE role = 'admin')")[0].decode(at: 0)
    }

    func find(id: UUID) async throws -> Operator? {
        try await database.query("SELECT \(Self.columns) FROM identity.operators WHERE id = $1", [id]).first.map(Self.decode)
    }

    /// A page of the operators by name. (A desk has tens of them, rarely added: the position is
    /// the offset, so a colleague added meanwhile may show twice or not at all until a reload.)
    func operators(_ page: PageRequest) async throws -> Page<Operator> {
        let offset = Int(page.position?.key ?? 0)
        let rows = try await database.query(
            "SELECT \(Self.columns) FROM identity.operators ORDER BY lower(name), id OFFSET $1 LIMIT $2", [offset, page.limit + 1])
        let total = try await database.query("SELECT count(*) FROM identity.operators")[0].decode(Int.self, at: 0)
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
        try await database.query("INSERT INTO identity.visitors (id, token_hash) VALUES ($1, sha256(convert_to($2, 'UTF8')))", [id, token])
    }

    /// The visitor a token belongs to.
    func visitor(token: String) async throws -> UUID? {
        try await database.query("SELECT id FROM identity.visitors WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [token])
            .first?.decode(UUID.self, at: 0)
    }

    /// A new session for `operatorID`; returns the token, which is stored only as its hash.
    func openSession(for operatorID: UUID) async throws -> String {
        let token = Self.newToken()
        try await database.query(
            "INSERT INTO identity.sessions (token_hash, operator_id, expires_at) VALUES (sha256(convert_to($1, 'UTF8')), $2, now() + interval '\(Self.sessionLifetime)')",
            [token, operatorID]
        )
        return token
    }

    /// The operator a live session token belongs to.
    func operatorForSession(token: String) async throws -> Operator? {
        let rows = try await database.query(
            """
            SELECT o.id, o.name, o.email, o.role FROM identity.sessions s JOIN identity.operators o ON o.id = s.operator_id
            WHERE s.token_hash = sha256(convert_to($1, 'UTF8')) AND s.expires_at > now()
            """,
            [token]
        )
        return try rows.first.map(Self.decode)
    }

    func closeSession(token: String) async throws {
        try await database.query("DELETE FROM identity.sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [token])
    }

    /// The attempts behind the rate limits, in the same database.
    var attempts: Attempts { Attempts(database: database) }
}
