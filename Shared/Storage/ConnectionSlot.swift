import Logging

/// What one pool thread keeps between calls: its connection, made on first use and again after
/// it is lost. Only that thread touches it.
struct ConnectionSlot {
    let url: String
    let logger: Logger
    private(set) var current: PGConnection?
    private(set) var cancelHandle: PGCancelHandle?

    init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// The live connection, connecting first when there is none or it died.
    mutating func connection() throws -> PGConnection {
        if let current, current.isAlive { return current }
        if current != nil { logger.warning("database connection lost; reconnecting") }
        drop()
        let fresh = try PGConnection(conninfo: url)
        current = fresh
        cancelHandle = fresh.makeCancelHandle()
        return fresh
    }

    /// Forgets the connection (closing it); the next call connects again.
    mutating func drop() {
        current = nil
        cancelHandle = nil
    }

    /// The pool is closing: the connection closes with its thread.
    mutating func close() {
        drop()
    }
}
