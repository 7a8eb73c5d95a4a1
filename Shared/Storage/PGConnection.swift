import CLibPQ
import Foundation

/// One libpq connection. Not thread-safe: exactly one thread drives it, a pool worker or the
/// listener. Every query is parameterised: values go apart from the SQL text.
public final class PGConnection {
    let handle: OpaquePointer
    let conninfo: String
    /// SQL text → the name it is prepared under on this connection. Parsing and planning every
    /// statement again was most of the server's CPU per request; our SQL texts are constants, so
    /// a few dozen entries cover them all (the cap keeps a caller that builds SQL from growing it).
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    static let preparedLimit = 256

    /// Connects and sets the session up the way every reader of ours expects: UTC, ISO dates.
    public init(conninfo: String) throws {
        guard let handle = PQconnectdb(conninfo) else {
            throw DatabaseError(.connection, "out of memory creating a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw DatabaseError(.connection, message)
        }
        self.handle = handle
        self.conninfo = conninfo
        // Server notices (a restart's goodbye among them) would go to stderr unstructured;
        // every failure that matters reaches the caller as an error anyway.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try prepareSession()
    }

    deinit {
        PQfinish(handle)
    }

    private func prepareSession() throws {
        // A forgotten open transaction would hold back every outbox reader (they wait for the
        // oldest running transaction): the server ends it after a minute. No statement here is
        // long enough to gain from JIT compilation, and the outbox read was compiled on every
        // execution (55 functions, a few milliseconds each time, measured).
        try execute(
            "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; SET idle_in_transaction_session_timeout = '60s'; SET client_min_messages = warning; SET jit = off"
        )
    }

    /// Runs one statement, its values bound apart from its text, prepared once per connection.
    @discardableResult
    public func query(_ statement: SQL) throws -> PGRows {
        let sql = statement.text
        let texts = statement.bindings.map(\.postgresText)
        guard let name = try preparedName(sql, parameterCount: texts.count) else {
            return try rows(of: withCStrings(texts) { PQexecParams(handle, sql, Int32($0.count), nil, $0, nil, nil, 0) })
        }
        do {
            return try rows(of: withCStrings(texts) { PQexecPrepared(handle, name, Int32($0.count), $0, nil, nil, 0) })
        } catch let error as DatabaseError where error.sqlState == "0A000" {
            // "cached plan must not change result type": a migration changed a table under the
            // statement. Forget it; the next call prepares it again.
            prepared[sql] = nil
            throw error
        }
    }

    /// The prepared statement for `sql`, preparing it on first use; `nil` once the cache is full.
    private func preparedName(_ sql: String, parameterCount: Int) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        // Names are never reused: a statement forgotten above still exists on the server.
        preparedCount += 1
        let name = "sb\(preparedCount)"
        _ = try rows(of: PQprepare(handle, name, sql, Int32(parameterCount), nil))
        prepared[sql] = name
        return name
    }

    /// Runs SQL without parameters; may hold several statements (migrations).
    public func execute(_ sql: String) throws {
        _ = try rows(of: PQexec(handle, sql))
    }

    /// Runs `statements` in pipeline mode: all are sent before any reply is read, one round
    /// trip for the batch (each prepared once per connection, as `query` does). Stops at the
    /// first failure; the ones after it are not run.
    public func pipeline(_ statements: [SQL]) throws -> [PGRows] {
        guard !statements.isEmpty else { return [] }
        // Preparing is a round trip of its own, outside the pipeline: only the first time.
        let names = try statements.map { try preparedName($0.text, parameterCount: $0.bindings.count) }
        guard PQenterPipelineMode(handle) == 1 else {
            throw DatabaseError(.query, "cannot enter pipeline mode: \(Self.trimmed(PQerrorMessage(handle)))")
        }
        defer { PQexitPipelineMode(handle) }
        for (statement, name) in zip(statements, names) {
            let sent = withCStrings(statement.bindings.map(\.postgresText)) { values in
                if let name { return PQsendQueryPrepared(handle, name, Int32(values.count), values, nil, nil, 0) }
                return PQsendQueryParams(handle, statement.text, Int32(values.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionOrQueryError() }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionOrQueryError() }

        var results: [PGRows] = []
        var firstError: DatabaseError?
        for statement in statements {
            guard let result = PQgetResult(handle) else { throw connectionOrQueryError() }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else {
                do {
                    results.append(try rows(of: result))
                } catch let error as DatabaseError {
                    if error.sqlState == "0A000" { prepared[statement.text] = nil }
                    firstError = firstError ?? error
                }
            }
            // Each statement's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        if let sync = PQgetResult(handle) { PQclear(sync) }
        if let firstError { throw firstError }
        return results
    }

    /// True when the connection still works: reads whatever the server sent while we were idle,
    /// which is how a server restart (a goodbye message, then end of stream) is noticed.
    public var isAlive: Bool {
        // A pipeline left open (its results unread after a failure) would refuse every later call.
        guard PQstatus(handle) == CONNECTION_OK, PQpipelineStatus(handle) == PQ_PIPELINE_OFF else { return false }
        for _ in 0..<2 {
            guard PQconsumeInput(handle) == 1 else { return false }
            _ = PQisBusy(handle)
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True when a transaction is still open (or failed and not yet rolled back).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server process's id, for tests that end a session from another connection.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// A handle another thread may use to cancel the statement running here.
    func makeCancelHandle() -> PGCancelHandle? {
        PQgetCancel(handle).map(PGCancelHandle.init)
    }

    var socket: Int32 { PQsocket(handle) }

    private func rows(of result: OpaquePointer?) throws -> PGRows {
        guard let result else { throw connectionOrQueryError() }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var values: [String?] = []
            values.reserveCapacity(rowCount * columnCount)
            for row in 0..<Int32(rowCount) {
                for column in 0..<Int32(columnCount) {
                    if PQgetisnull(result, row, column) == 1 {
                        values.append(nil)
                    } else {
                        values.append(String(cString: PQgetvalue(result, row, column)))
                    }
                }
            }
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return PGRows(columns: columns, affectedRows: affected, values: values)
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            if PQstatus(handle) != CONNECTION_OK {
                throw DatabaseError(.connection, message, sqlState: sqlState)
            }
            throw DatabaseError(.query, message, sqlState: sqlState)
        }
    }

    private func connectionOrQueryError() -> DatabaseError {
        let message = Self.trimmed(PQerrorMessage(handle))
        return DatabaseError(PQstatus(handle) == CONNECTION_OK ? .query : .connection, message)
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// libpq's cancel request object; `PQcancel` is safe to call from any thread.
final class PGCancelHandle: @unchecked Sendable {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQfreeCancel(handle)
    }

    /// Asks the server to cancel whatever this connection is running.
    func cancel() {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &buffer, Int32(buffer.count))
    }
}

/// Calls `body` with C strings for `values` (NULL for `nil`), freed afterwards.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.flatMap { strdup($0) } }
    defer { pointers.forEach { free($0) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}
