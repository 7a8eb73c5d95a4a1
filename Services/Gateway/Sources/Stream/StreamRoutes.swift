import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import Synchronization
import Wire

/// The live streams: `/api/v1/stream` for operators, `/api/v1/visitor/stream` for visitors.
///
/// Every frame is `{type, cursor, data}`. A client that reconnects with the last `cursor` it
/// saw gets what it missed, in order, once: its queue is registered with the hub first, the
/// events after its cursor are replayed from the feed, and then the queue is drained, skipping
/// what the replay already sent. The token comes in the `Authorization` header or, from a
/// browser, as the first frame `{"token": "…"}`. Every 25 s (when the hub's one timer says so)
/// an idle stream sends a heartbeat with its cursor and checks its token again.
struct StreamRoutes: Sendable {
    let store: IdentityStore
    let backends: Backends
    let hub: EventHub
    let sessions: SessionStreams
    let presence: Presence
    let typing: TypingRelay

    /// How long a browser has to send its token frame.
    static let tokenWait: Duration = .seconds(10)
    /// Events per replay read.
    static let replayPage = 500

    enum Kind: CaseIterable, Sendable {
        case `operator`, visitor

        var path: RouterPath { self == .operator ? "api/v1/stream" : "api/v1/visitor/stream" }
    }

    /// A request that did not upgrade gets the error it would have had, or 426.
    static func addPlainHTTP(to router: Router<GatewayContext>, store: IdentityStore) {
        for kind in Kind.allCases {
            router.get(kind.path) { request, _ -> Response in
                _ = try cursor(request)
                guard let token = IdentityRoutes.bearer(request), try await viewer(kind, token: token, store: store) != nil else {
                    throw APIError.unauthorized
                }
                throw APIError(status: .upgradeRequired, code: "upgrade_required", message: "this is a WebSocket: send Upgrade: websocket")
            }
        }
    }

    /// The upgrades. Every upgrade is accepted (a refused one could only be an empty 400): a bad
    /// cursor or token is told in an `error` frame, and the socket closed with 1008.
    func add(to router: Router<BasicWebSocketRequestContext>) {
        for kind in Kind.allCases {
            router.ws(kind.path) { inbound, outbound, context in
                try await serve(kind, request: context.request, inbound: inbound, outbound: outbound, logger: context.logger)
            }
        }
    }

    /// Who a stream's typing frames come from, once it is ready.
    final class TypingOrigin: Sendable {
        let value = Mutex<TypingSender.Origin?>(nil)
    }

    /// One socket: reads the browser's frames beside streaming to it; either side ending ends both.
    ///
    /// A socket may stay open for hours, and a task keeps every slab of async frames its deepest
    /// call ever needed for as long as it lives. So the two tasks that live with the socket only
    /// wait and write; every deep call (the token's lookup, the history, the replay, the
    /// heartbeat's token check, a typing frame's relay) runs in a task that ends with it.
    func serve(
        _ kind: Kind, request: Request, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        // Before the stream is ready only the first frame (the token) matters; later ones are
        // dropped. Once it is ready, the client's frames are typing frames, relayed if they pass.
        let (frames, received) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(1))
        let origin = TypingOrigin()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { received.finish() }
                var sender: TypingSender?
                for try await message in inbound.messages(maxSize: 16 * 1024) {
                    guard case .text(let text) = message else { continue }
                    if sender == nil, let from = origin.value.withLock({ $0 }) {
                        sender = TypingSender(origin: from, relay: typing, backends: backends)
                    }
                    guard var current = sender else {
                        received.yield(text)
                        continue
                    }
                    guard let request = current.admit(text) else { continue }
                    let admitted = current
                    sender = try await Self.briefly {
                        var relaying = admitted
                        await relaying.relay(request)
                        return relaying
                    }
                }
            }
            group.addTask {
                try await stream(kind, request: request, frames: frames, origin: origin, outbound: outbound, logger: logger)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Runs `work` in a child task that ends with it, so the frames of its calls are not kept
    /// by the long-lived task that waits for it.
    static func briefly<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: work)
            guard let result = try await group.next() else { throw CancellationError() }
            return result
        }
    }

    /// Whether `event` is shown on the stream; a visitor's conversation started meanwhile joins
    /// their typing too.
    private func admits(_ event: StreamEvent, to audience: inout StreamAudience, stream id: UInt64) -> Bool {
        let known = audience.conversations.count
        let shown = audience.admits(event)
        if audience.conversations.count > known, let record = try? event.decode(ConversationEvents.Started.self) {
            typing.allow(id, conversation: record)
        }
        return shown
    }

    /// A stream that is ready: registered everywhere, caught up, and told so.
    private struct Live: Sendable {
        let key: String
        let account: Operator?
        let token: String
        let subscription: EventHub.Subscription
        var audience: StreamAudience
        var last: EventCursor?
    }

    private func stream(
        _ kind: Kind, request: Request, frames: AsyncStream<String>, origin: TypingOrigin, outbound: WebSocketOutboundWriter,
        logger: Logger
    ) async throws {
        // The set-up's deep calls and large frame live in a task of their own; this one keeps
        // only the loop's.
        guard
            var live = try await Self.briefly({
                try await prepare(kind, request: request, frames: frames, outbound: outbound, logger: logger)
            })
        else { return }
        defer { release(live) }
        origin.value.withLock {
            $0 = live.account.map { .operator(id: $0.id, name: $0.name) } ?? .visitor(stream: live.subscription.id)
        }
        let store = store
        for await item in live.subscription.items {
            switch item {
            case .event(let event):
                if let last = live.last, event.cursor <= last { continue }
                live.last = event.cursor
                guard admits(event, to: &live.audience, stream: live.subscription.id) else { continue }
                try await outbound.write(.text(Self.frame(event).text))
            case .tick:
                let token = live.token
                guard try await Self.briefly({ try await Self.viewer(kind, token: token, store: store) != nil }) else {
                    try await refuse(outbound, Self.sessionEnded)
                    return
                }
                try await outbound.write(.text(StreamFrame(type: .heartbeat, cursor: live.last).text))
            case .revoked:
                try await refuse(outbound, Self.sessionEnded)
                return
            case .typing(let typing):
                try await outbound.write(
                    .text(StreamFrame(type: .typing, cursor: live.last, data: (try? RawJSON(encoding: typing)) ?? .emptyObject).text))
            }
        }
        if hub.unregister(live.subscription.id) {
            // Too far behind to catch up live: the client reconnects with its cursor and replays.
            try await outbound.write(.text(StreamFrame(type: .resync, cursor: live.last, data: RawJSON(#"{"reason":"behind"}"#)).text))
            try await outbound.close(.goingAway, reason: "resync")
        }
    }

    /// Everything before the stream is live: the cursor and the token checked (refused with a
    /// frame saying why: `nil`), the stream registered with the hub, its session, typing and
    /// presence, the missed events replayed, and `ready` sent. What it registered it releases
    /// itself if it then fails; once it returns, the caller does.
    private func prepare(
        _ kind: Kind, request: Request, frames: AsyncStream<String>, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws -> Live? {
        let cursor: EventCursor?
        do {
            cursor = try Self.cursor(request)
        } catch {
            try await refuse(outbound, .invalid(field: "cursor", "cursor must be one a frame carried"))
            return nil
        }
        var token = IdentityRoutes.bearer(request)
        if token == nil { token = await Self.firstToken(frames) }
        guard let token, let (viewer, key, account) = try await Self.viewer(kind, token: token, store: store) else {
            try await refuse(
                outbound,
                APIError(
                    status: .unauthorized, code: APIError.unauthorized.code,
                    message: #"a live token is needed: in the header, or as the first frame {"token": …}"#))
            return nil
        }
        let visitor: UUID? = if case .visitor(let id) = viewer { id } else { nil }
        let subscription = hub.register(kinds: StreamAudience(viewer: viewer).kinds, visitor: visitor)
        guard sessions.admit(key, id: subscription.id, queue: subscription.continuation) else {
            _ = hub.unregister(subscription.id)
            try await refuse(
                outbound,
                APIError(
                    status: .tooManyRequests, code: "too_many_streams",
                    message: "this token holds \(sessions.limit) open streams already; close one first"))
            return nil
        }
        typing.join(subscription.id, viewer: viewer, queue: subscription.continuation)
        // An operator's console open here: they are at the desk while it stays open.
        if let account { presence.arrive(account.rosterEntry) }
        var live = Live(
            key: key, account: account, token: token, subscription: subscription, audience: StreamAudience(viewer: viewer), last: nil)
        do {
            (live.audience, live.last) = try await catchUp(viewer, from: cursor, subscription: subscription, outbound: outbound)
            // Caught up, a visitor's stream knows its conversations: the hub hands it theirs only.
            hub.narrow(subscription.id, to: live.audience.conversations)
            try await outbound.write(.text(StreamFrame(type: .ready, cursor: live.last).text))
        } catch let error as APIError {
            release(live)
            // A back service is away: say so; the client reconnects with the last cursor it saw.
            try await refuse(outbound, error, closing: .unexpectedServerError)
            return nil
        } catch {
            release(live)
            throw error
        }
        logger.debug(
            "stream ready",
            metadata: [
                "stream.viewer": "\(viewer)", "stream.cursor": "\(live.last?.description ?? "none")", "stream.id": "\(subscription.id)",
                "stream.conversations": "\(live.audience.conversations.sorted())",
            ])
        return live
    }

    /// Undoes what `prepare` registered.
    private func release(_ live: Live) {
        sessions.leave(live.key, id: live.subscription.id)
        typing.leave(live.subscription.id)
        if let account = live.account { presence.leave(account.id) }
        hub.unregister(live.subscription.id)
    }

    /// What a stream shows before it is live: a visitor's conversations (registered first, so one
    /// started from here on arrives as an event), then, for a stream resumed from `cursor`, the
    /// events it missed. The audience and the cursor the stream is at.
    private func catchUp(
        _ viewer: StreamAudience.Viewer, from cursor: EventCursor?, subscription: EventHub.Subscription,
        outbound: WebSocketOutboundWriter
    ) async throws -> (StreamAudience, EventCursor?) {
        var audience = StreamAudience(viewer: viewer)
        if case .visitor(let id) = viewer {
            // Their newest conversations (a visitor has a few; the limit bounds one who made many).
            let history = try await backends.call(
                .conversation, ConversationMethods.History.self, .init(visitorID: id, page: .init(limit: PageRequest.limits.upperBound)))
            audience = StreamAudience(viewer: viewer, conversations: history.items.map(\.id))
            for record in history.items { typing.allow(subscription.id, conversation: record) }
        }
        guard var position = cursor else { return (audience, subscription.position) }
        while true {
            let page = try await backends.call(
                .notification, EventMethods.Read.self,
                .init(after: position, limit: Self.replayPage, types: Array(audience.kinds), settledThrough: subscription.position))
            for event in page.events where admits(event, to: &audience, stream: subscription.id) {
                try await outbound.write(.text(Self.frame(event).text))
            }
            position = page.scannedThrough ?? position
            if page.caughtUp { return (audience, position) }
        }
    }

    /// Tells the client why in an `error` frame (`data` is the error's API body) and closes
    /// (1008 by default).
    private func refuse(_ outbound: WebSocketOutboundWriter, _ error: APIError, closing: WebSocketErrorCode = .policyViolation) async throws
    {
        try await outbound.write(.text(StreamFrame.error(error.body).text))
        try await outbound.close(closing, reason: error.code)
    }

    static let sessionEnded = APIError(status: .unauthorized, code: APIError.unauthorized.code, message: "the session ended")

    /// The stream's viewer if `token` is a live token of the route's kind, with the key its
    /// streams are counted and revoked under (the session's, or the visitor's), and the operator.
    static func viewer(
        _ kind: Kind, token: String, store: IdentityStore
    ) async throws -> (StreamAudience.Viewer, key: String, account: Operator?)? {
        switch kind {
        case .operator: try await store.session(token: token).map { (.operator($0.account.id), $0.key, $0.account) }
        case .visitor: try await store.visitor(token: token).map { (.visitor($0), "visitor " + $0.uuidString, nil) }
        }
    }

    /// `?cursor=`: absent or empty is "from now on"; anything else must be a cursor from a frame.
    static func cursor(_ request: Request) throws -> EventCursor? {
        guard let text = request.uri.queryParameters.get("cursor"), !text.isEmpty else { return nil }
        guard let cursor = EventCursor(text) else { throw APIError.invalid(field: "cursor", "cursor must be one a frame carried") }
        return cursor
    }

    /// The token of a browser's first frame, `{"token": "…"}`; `nil` after `tokenWait` or for anything else.
    static func firstToken(_ frames: AsyncStream<String>) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                struct TokenFrame: Decodable { var token: String }
                for await text in frames {
                    let token = try? JSONDecoder().decode(TokenFrame.self, from: Data(text.utf8)).token
                    return token.flatMap { $0.isEmpty || $0.count > 200 ? nil : $0 }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: tokenWait)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// An event's frame: its payload is JSON already and goes in as it is, but for a close,
    /// which says which conversation and when rather than repeating the whole record.
    static func frame(_ event: StreamEvent) -> StreamFrame {
        guard event.is(ConversationEvents.Closed.self) else { return StreamFrame(event) }
        let record = try? event.decode(ConversationEvents.Closed.self)
        let closed = ClosedFrame(conversationID: record?.id ?? event.subject, closedAt: record?.closedAt)
        return StreamFrame(type: .init(event.kind), cursor: event.cursor, data: (try? RawJSON(encoding: closed)) ?? .emptyObject)
    }
}

/// The `data` of a `conversation.closed` frame.
struct ClosedFrame: Encodable {
    var conversationID: UUID
    var closedAt: Date?

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id"
        case closedAt = "closed_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationID, forKey: .conversationID)
        // Always written, `null` for a record without it.
        try container.encode(closedAt, forKey: .closedAt)
    }
}
