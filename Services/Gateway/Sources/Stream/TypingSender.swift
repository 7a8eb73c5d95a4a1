import Contracts
import Foundation
import Synchronization

/// One stream's typing frames from its client: bounded, throttled, and checked to be about a
/// conversation of the sender's before anything is relayed. What fails a check is dropped without
/// a word (an indicator is no place for errors) and the stream goes on.
struct TypingSender: Sendable {
    /// Who sends, once the stream knows: the visitor's stream (its conversations are the relay's
    /// to know), or the operator.
    enum Origin: Sendable {
        case visitor(stream: UInt64)
        case `operator`(id: UUID, name: String)
    }

    /// How long an operator is taken to still hold a conversation after the pool said so.
    static let holderKept: Duration = .seconds(30)
    /// Conversations whose holder is remembered per stream (a console types in a few).
    static let holdersKept = 16

    let origin: Origin
    let relay: TypingRelay
    let backends: Backends
    var throttle = TypingThrottle()
    private var held: [UUID: ContinuousClock.Instant] = [:]

    init(origin: Origin, relay: TypingRelay, backends: Backends) {
        self.origin = origin
        self.relay = relay
        self.backends = backends
    }

    /// Whether `text` is a typing frame at all (the only frame a client sends after its token).
    static func request(_ text: String) -> Typing.Request? {
        guard text.utf8.count <= Typing.Request.maximumBytes,
            let request = try? JSONDecoder().decode(Typing.Request.self, from: Data(text.utf8)),
            request.type == StreamFrame.FrameType.typing.rawValue
        else { return nil }
        return request
    }

    /// The client's frame if it is a typing frame and the throttle lets it through: checked
    /// before anything is asked of another service.
    mutating func admit(_ text: String, at now: ContinuousClock.Instant = .now) -> Typing.Request? {
        guard let request = Self.request(text), throttle.admit(at: now) else { return nil }
        return request
    }

    /// Relays an admitted frame if it is about a conversation of the sender's; returns whether
    /// it was relayed.
    @discardableResult
    mutating func relay(_ request: Typing.Request, at now: ContinuousClock.Instant = .now) async -> Bool {
        let conversation = request.conversationID
        let author: Author
        switch origin {
        case .visitor(let stream):
            guard let customer = relay.customer(of: stream, in: conversation) else { return false }
            author = customer
        case .operator(let id, let name):
            guard await holds(conversation, operator: id, now: now) else { return false }
            author = Author(kind: .operator, id: id, name: name)
        }
        await relay.announce(Typing(conversationID: conversation, author: author))
        return true
    }

    /// Whether the operator holds the conversation (only its holder writes in it), asked of the
    /// pool at most every `holderKept` per conversation.
    private mutating func holds(_ conversation: UUID, operator id: UUID, now: ContinuousClock.Instant) async -> Bool {
        if let asked = held[conversation], now - asked < Self.holderKept { return true }
        guard let item = try? await backends.item(conversation), item.holder?.id == id, item.status != .closed else {
            held[conversation] = nil
            return false
        }
        if held.count >= Self.holdersKept { held.removeAll() }
        held[conversation] = now
        return true
    }
}
