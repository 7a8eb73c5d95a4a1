import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Which open streams belong to which session (or visitor), so that a session's end closes its
/// streams at once, on every gateway, and so that one token cannot hold any number of them.
///
/// A session ended here or on another gateway is named on `IdentityStore.revocations`; each
/// gateway's listener hands the key to `revoke`, which tells those streams' queues. (Should a
/// notification be lost while the listener reconnects, each stream still re-checks its token
/// at every heartbeat.)
final class SessionStreams: Service, Sendable {
    let limit: Int
    let listener: Listener?
    let logger: Logger
    private let open = Mutex<[String: [UInt64: AsyncStream<EventHub.Item>.Continuation]]>([:])

    init(limit: Int, listener: Listener?, logger: Logger) {
        self.limit = limit
        self.listener = listener
        self.logger = logger
    }

    /// Counts a stream in under `key`; `false` when the key holds `limit` already.
    func admit(_ key: String, id: UInt64, queue: AsyncStream<EventHub.Item>.Continuation) -> Bool {
        open.withLock { open in
            guard open[key, default: [:]].count < limit else { return false }
            open[key, default: [:]][id] = queue
            return true
        }
    }

    func leave(_ key: String, id: UInt64) {
        open.withLock { open in
            open[key]?[id] = nil
            if open[key]?.isEmpty == true { open[key] = nil }
        }
    }

    /// Tells every stream of `key` that its session ended.
    func revoke(_ key: String) {
        let queues = open.withLock { $0[key].map { Array($0.values) } ?? [] }
        for queue in queues { queue.yield(.revoked) }
        if !queues.isEmpty { logger.debug("session ended: streams closed", metadata: ["streams": "\(queues.count)"]) }
    }

    func run() async throws {
        guard let listener else {
            try? await gracefulShutdown()
            return
        }
        // The listener runs in the gateway's group and stops after this service: stop following
        // it here, on graceful shutdown, without waiting for its end.
        for await event in listener.subscribe().cancelOnGracefulShutdown() {
            if case .notification(IdentityStore.revocations, let key) = event { revoke(key) }
        }
    }
}
