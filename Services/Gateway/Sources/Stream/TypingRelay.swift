import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// "… is typing": passed between the streams of every gateway and never stored.
///
/// A gateway that accepts a typing frame sends `pg_notify` on `channel`, which PostgreSQL hands
/// to every listening session and keeps in no table; every gateway (this one too) listens and
/// gives it to its own streams that should see it: a customer's typing to every operator's
/// stream, an operator's to the conversation's visitor and to the other operators. The outbox is
/// no place for it: it would be stored, replayed after a reconnect and read by every consumer.
final class TypingRelay: Service, Sendable {
    /// The NOTIFY channel.
    static let channel = "switchboard_typing"

    private struct Stream {
        var viewer: StreamAudience.Viewer
        var queue: AsyncStream<EventHub.Item>.Continuation
        /// A visitor's conversations, each with the customer as a typing frame names them.
        var conversations: [UUID: Author] = [:]
    }

    private struct State {
        var streams: [UInt64: Stream] = [:]
        /// Visitors' streams by conversation, so an operator's typing finds them without a scan.
        var watching: [UUID: Set<UInt64>] = [:]
    }

    private let state = Mutex(State())
    let database: Database
    let listener: Listener?
    let logger: Logger

    init(database: Database, listener: Listener?, logger: Logger) {
        self.database = database
        self.listener = listener
        self.logger = logger
    }

    func run() async throws {
        guard let listener else {
            try? await gracefulShutdown()
            return
        }
        for await event in listener.subscribe().cancelOnGracefulShutdown() {
            guard case .notification(Self.channel, let payload) = event,
                let typing = try? WireJSON.decoder().decode(Typing.self, from: Data(payload.utf8))
            else { continue }
            deliver(typing)
        }
    }

    /// Registers a stream's queue (its id is the hub's).
    func join(_ id: UInt64, viewer: StreamAudience.Viewer, queue: AsyncStream<EventHub.Item>.Continuation) {
        state.withLock { $0.streams[id] = Stream(viewer: viewer, queue: queue) }
    }

    /// A visitor's stream shows `conversation` (one of theirs).
    func allow(_ id: UInt64, conversation record: ConversationRecord) {
        state.withLock { state in
            guard state.streams[id] != nil else { return }
            state.streams[id]?.conversations[record.id] = Author(kind: .customer, id: record.customer.id, name: record.customer.name)
            state.watching[record.id, default: []].insert(id)
        }
    }

    func leave(_ id: UInt64) {
        state.withLock { state in
            guard let stream = state.streams.removeValue(forKey: id) else { return }
            for conversation in stream.conversations.keys {
                state.watching[conversation]?.remove(id)
                if state.watching[conversation]?.isEmpty == true { state.watching[conversation] = nil }
            }
        }
    }

    /// The customer a visitor's stream may type as in `conversation`; `nil` when it is not theirs.
    func customer(of id: UInt64, in conversation: UUID) -> Author? {
        state.withLock { $0.streams[id]?.conversations[conversation] }
    }

    /// Tells every gateway. A failure loses one indicator, which the next frame brings back.
    func announce(_ typing: Typing) async {
        guard let payload = try? String(decoding: WireJSON.encoder().encode(typing), as: UTF8.self) else { return }
        do {
            try await database.query("SELECT pg_notify(\(Self.channel), \(payload))")
        } catch {
            logger.debug("typing notify failed", metadata: ["error": "\(error)"])
        }
    }

    /// Hands a typing signal to this gateway's streams that should see it.
    func deliver(_ typing: Typing) {
        let queues = state.withLock { state -> [AsyncStream<EventHub.Item>.Continuation] in
            var queues: [AsyncStream<EventHub.Item>.Continuation] = []
            for stream in state.streams.values {
                // Every operator sees a customer typing, and a colleague; nobody sees themself.
                if case .operator(let id) = stream.viewer, typing.author.kind != .operator || typing.author.id != id {
                    queues.append(stream.queue)
                }
            }
            // A visitor sees the desk typing in their own conversations only.
            if typing.author.kind == .operator {
                for id in state.watching[typing.conversationID] ?? [] {
                    if let queue = state.streams[id]?.queue { queues.append(queue) }
                }
            }
            return queues
        }
        for queue in queues { queue.yield(.typing(typing)) }
    }
}
