/// Why a database call failed. `sqlState` is PostgreSQL's five-character code when the server
/// answered (`23505` unique violation, `57014` cancelled, ...).
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The server could not be reached, or the connection dropped.
        public static let connection = Code(name: "connection")
        /// The server refused the statement.
        public static let query = Code(name: "query")
        /// The call's deadline passed; a running statement was cancelled.
        public static let deadline = Code(name: "deadline")
        /// The caller stopped waiting.
        public static let cancelled = Code(name: "cancelled")
        /// The pool is shut down.
        public static let closed = Code(name: "closed")
        /// Too many calls wait for a connection already: refused at once rather than queued.
        public static let busy = Code(name: "busy")
        /// A row did not decode into the type asked for.
        public static let decoding = Code(name: "decoding")
        /// A migration could not be applied, or an applied one was edited.
        public static let migration = Code(name: "migration")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    public var sqlState: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    /// A unique constraint refused the row: the usual sign that an idempotent write already happened.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The database is away, overloaded or too slow, not wrong: the same call may well succeed
    /// shortly, so callers answer "unavailable, try again" (503) rather than an internal error.
    /// The one list every caller uses (the gateway's routes and the back services' handlers).
    public var isTransient: Bool { Self.transient.contains(code) }

    static let transient: Set<Code> = [.connection, .closed, .busy, .deadline]

    public var description: String {
        "database \(code): \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }
}
