import Contracts
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Wire

/// This gateway's one subscription to the event feed, shared by all its WebSockets.
///
/// `run()` subscribes to one live notification instance; when that subscription ends (the
/// instance drains or dies) it subscribes to another from the last cursor it received, so the
/// events it hands on have no gap and no repeat. Each WebSocket registers a bounded queue; a
/// queue that fills up is ended, and its socket tells the browser to resume by cursor.
final class EventHub: Service, Sendable {
    /// What a WebSocket's queue carries.
    enum Item: Sendable {
        case event(StreamEvent)
        /// Time for a heartbeat (the hub's one timer tells each socket in turn).
        case tick
        /// The stream's session ended (logout): it closes.
        case revoked
        /// Someone is typing (from the `TypingRelay`, never the feed).
        case typing(Typing)
    }

    /// One WebSocket's registration.
    struct Subscription: Sendable {
        let id: UInt64
        let items: AsyncStream<Item>
        /// For what else tells the socket something (its session's revocation, typing).
        let continuation: AsyncStream<Item>.Continuation
        /// The last event handed on before this registration: a stream without a cursor starts here.
        let position: EventCursor?
    }

    /// Events a WebSocket may fall behind by before it is told to resync.
    static let queueLimit = 2_048

    private struct Subscriber {
        var kinds: Set<EventKind>
        var continuation: AsyncStream<Item>.Continuation
    }

    private struct State {
        var position: EventCursor?
        var nextID: UInt64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
        var overflowed: Set<UInt64> = []
    }

    private let state = Mutex(State())
    private let directory: SocketDirectory
    private let logger: Logger
    private let sockets = Gauge(label: "stream_sockets")
    private let delivered = Counter(label: "stream_events_received_total")

    init(runtimeDirectory: String, logger: Logger) {
        self.directory = SocketDirectory(runtimeDirectory: runtimeDirectory, service: .notification)
        self.logger = logger
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown { [self] in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.tick() }
                var backoff = Duration.milliseconds(20)
                while !Task.isCancelled {
                    if let instance = directory.liveInstances().randomElement() {
                        await follow(instance)
                        backoff = .milliseconds(20)
                    }
                    try await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(1))
                }
                group.cancelAll()
            }
        }
        state.withLock { state in
            for subscriber in state.subscribers.values { subscriber.continuation.finish() }
        }
    }

    /// The heartbeats: every second a slice of the sockets (those whose id falls in it) gets a
    /// `.tick`, so each gets one every `slices` seconds, and their token checks are spread over
    /// the period instead of coming all at once. One timer for the gateway, not a task per socket.
    private func tick(slices: UInt64 = 25) async throws {
        var slice: UInt64 = 0
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            slice = (slice + 1) % slices
            state.withLock { state in
                for (id, subscriber) in state.subscribers where id % slices == slice { subscriber.continuation.yield(.tick) }
            }
        }
    }

    /// Follows one instance until its subscription ends.
    private func follow(_ instance: String) async {
        let after = state.withLock { $0.position }
        logger.debug(
            "following the event feed", metadata: ["rpc.instance": "\(instance)", "stream.cursor": "\(after?.description ?? "now")"])
        do {
            let ended = try await RPCConnection.subscribe(
                EventMethods.Subscribe.self, .init(after: after), socketPath: directory.socketPath(instance),
                pushed: EventMethods.Batch.self
            ) { [self] batch in
                publish(batch.events)
            }
            logger.info("event feed ended; following another instance", metadata: ["stream.reason": "\(ended.reason)"])
        } catch {
            logger.info("event feed lost; following another instance", metadata: ["error": "\(error)"])
        }
    }

    /// Hands events on to every registered queue that wants their kind.
    func publish(_ events: [StreamEvent]) {
        state.withLock { state in
            for event in events {
                // The feed never repeats, but a resubscription must not either: skip what we had.
                if let position = state.position, event.cursor <= position { continue }
                state.position = event.cursor
                for (id, subscriber) in state.subscribers where subscriber.kinds.contains(event.kind) {
                    if case .dropped = subscriber.continuation.yield(.event(event)) {
                        subscriber.continuation.finish()
                        state.subscribers[id] = nil
                        state.overflowed.insert(id)
                    }
                }
            }
            delivered.increment(by: events.count)
        }
    }

    /// Registers a WebSocket's queue for events of `kinds`.
    func register(kinds: Set<EventKind>) -> Subscription {
        let (items, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
        return state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(kinds: kinds, continuation: continuation)
            sockets.record(state.subscribers.count)
            return Subscription(id: state.nextID, items: items, continuation: continuation, position: state.position)
        }
    }

    /// Ends a registration; `true` when it had been ended for falling behind.
    @discardableResult
    func unregister(_ id: UInt64) -> Bool {
        state.withLock { state in
            state.subscribers.removeValue(forKey: id)?.continuation.finish()
            sockets.record(state.subscribers.count)
            return state.overflowed.remove(id) != nil
        }
    }
}
