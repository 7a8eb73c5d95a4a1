import Contracts
import Foundation
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
        /// A visitor's stream: the visitor, and the conversations of theirs the hub knows of.
        var visitor: UUID?
        var conversations: Set<UUID> = []
    }

    /// Who gets an event. A site may hold thousands of idle visitor sockets: handing each of them
    /// every message (a wake-up each, to be dropped) made a message cost the gateway in
    /// proportion to the visitors online. So a visitor's stream, once it `narrow`s, is handed only
    /// the events of its conversations; operators' streams, and a visitor's until it has
    /// caught up, get every event of their kinds.
    private struct State {
        var position: EventCursor?
        var nextID: UInt64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
        var overflowed: Set<UInt64> = []
        /// Streams handed every event of their kinds.
        var everyone: Set<UInt64> = []
        /// Narrowed visitor streams by conversation, and by visitor (for `conversation.started`).
        var byConversation: [UUID: Set<UInt64>] = [:]
        var byVisitor: [UUID: Set<UInt64>] = [:]
        /// Visitors with a stream (narrowed or not): a conversation of theirs starting is noted.
        var visitors: [UUID: Set<UInt64>] = [:]

        /// The streams `event` goes to, learning a visitor's new conversation on the way.
        mutating func audience(of event: StreamEvent) -> Set<UInt64> {
            var ids = everyone
            if event.is(ConversationEvents.Started.self) {
                guard !visitors.isEmpty, let visitor = try? event.decode(ConversationEvents.Started.self).visitorID else { return ids }
                for id in visitors[visitor] ?? [] {
                    subscribers[id]?.conversations.insert(event.subject)
                    if byVisitor[visitor]?.contains(id) == true { byConversation[event.subject, default: []].insert(id) }
                }
                ids.formUnion(byVisitor[visitor] ?? [])
            } else if let narrowed = byConversation[event.subject] {
                ids.formUnion(narrowed)
            }
            return ids
        }

        mutating func remove(_ id: UInt64) -> Subscriber? {
            guard let subscriber = subscribers.removeValue(forKey: id) else { return nil }
            everyone.remove(id)
            if let visitor = subscriber.visitor {
                visitors[visitor]?.remove(id)
                if visitors[visitor]?.isEmpty == true { visitors[visitor] = nil }
                byVisitor[visitor]?.remove(id)
                if byVisitor[visitor]?.isEmpty == true { byVisitor[visitor] = nil }
            }
            for conversation in subscriber.conversations {
                byConversation[conversation]?.remove(id)
                if byConversation[conversation]?.isEmpty == true { byConversation[conversation] = nil }
            }
            return subscriber
        }
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
                for id in state.audience(of: event) {
                    guard let subscriber = state.subscribers[id], subscriber.kinds.contains(event.kind) else { continue }
                    if case .dropped = subscriber.continuation.yield(.event(event)) {
                        subscriber.continuation.finish()
                        _ = state.remove(id)
                        state.overflowed.insert(id)
                    }
                }
            }
            delivered.increment(by: events.count)
        }
    }

    /// Registers a WebSocket's queue for events of `kinds` (a visitor's: see `narrow`).
    func register(kinds: Set<EventKind>, visitor: UUID? = nil) -> Subscription {
        let (items, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
        return state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            state.subscribers[id] = Subscriber(kinds: kinds, continuation: continuation, visitor: visitor)
            state.everyone.insert(id)
            if let visitor { state.visitors[visitor, default: []].insert(id) }
            sockets.record(state.subscribers.count)
            return Subscription(id: id, items: items, continuation: continuation, position: state.position)
        }
    }

    /// From now on a visitor's stream gets only the events of `conversations` and of those its
    /// visitor starts (the ones started since it registered are known already). Called once the
    /// stream knows its conversations; until then it got every event of its kinds.
    func narrow(_ id: UInt64, to conversations: Set<UUID>) {
        state.withLock { state in
            guard var subscriber = state.subscribers[id], let visitor = subscriber.visitor, state.everyone.remove(id) != nil else { return }
            subscriber.conversations.formUnion(conversations)
            state.subscribers[id] = subscriber
            state.byVisitor[visitor, default: []].insert(id)
            for conversation in subscriber.conversations { state.byConversation[conversation, default: []].insert(id) }
        }
    }

    /// Ends a registration; `true` when it had been ended for falling behind.
    @discardableResult
    func unregister(_ id: UInt64) -> Bool {
        state.withLock { state in
            state.remove(id)?.continuation.finish()
            sockets.record(state.subscribers.count)
            return state.overflowed.remove(id) != nil
        }
    }
}
