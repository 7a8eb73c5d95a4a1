import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The widget's side: `/api/v1/visitor/*`. A visitor token opens only that visitor's conversations;
/// anything else is 404.
struct VisitorRoutes: Sendable {
    let store: IdentityStore
    let backends: Backends
    let limits: VisitorLimits

    struct StartChat: Decodable {
        var name: String
        var email: String?
        var message: String?
        var clientMessageID: String?

        enum CodingKeys: String, CodingKey {
            case name, email, message
            case clientMessageID = "client_message_id"
        }
    }

    struct Started: Encodable {
        var visitorToken: String
        var conversation: ConversationView
        enum CodingKeys: String, CodingKey {
            case conversation
            case visitorToken = "visitor_token"
        }
    }

    struct LeaveMessage: Decodable {
        var name: String
        var email: String
        var message: String
    }

    struct Filed: Encodable {
        var visitorToken: String
        var ticket: TicketingMethods.OfflineMessage.Result
        enum CodingKeys: String, CodingKey {
            case ticket
            case visitorToken = "visitor_token"
        }
    }

    struct PostMessage: Decodable {
        var body: String?
        var clientMessageID: String
        /// Uploads of the author's in this conversation (`POST …/attachments`).
        var attachmentIDs: [UUID]?
        enum CodingKeys: String, CodingKey {
            case body
            case clientMessageID = "client_message_id"
            case attachmentIDs = "attachment_ids"
        }

        /// A body over a message's bounds, or too many files, named as the public API names them
        /// (the conversation service checks the same rules again).
        func check() throws {
            if let excess = MessageBody.excess(body ?? "") { throw APIError.invalid(field: "body", excess) }
            if (attachmentIDs?.count ?? 0) > AttachmentRules.maximumPerMessage {
                throw APIError.invalid(
                    field: "attachment_ids", "a message carries at most \(AttachmentRules.maximumPerMessage) attachments")
            }
        }

        /// What the conversation service is asked to post.
        var draft: ConversationMethods.Draft {
            .init(body: body ?? "", clientMessageID: clientMessageID, attachmentIDs: attachmentIDs ?? [])
        }
    }

    struct TranscriptRequest: Decodable {
        var email: String
    }

    /// The answer to a transcript asked for: it is on its way to `email`.
    struct TranscriptQueued: Encodable {
        var email: String
        var queued = true
    }

    func add(to router: Router<GatewayContext>) {
        let visitor = router.group("api/v1/visitor")
        visitor.post("conversations") { request, context in
            let start = try await JSONBody.decode(StartChat.self, from: request)
            if let message = start.message, let excess = MessageBody.excess(message) {
                throw APIError.invalid(field: "message", excess.replacingOccurrences(of: "body", with: "message"))
            }
            let identity = try await visitorIdentity(request)
            let draft = start.message.map {
                ConversationMethods.Draft(body: $0, clientMessageID: start.clientMessageID ?? UUID().uuidString)
            }
            let address = context.clientAddress
            // Every attempt counts, refused ones too (desk closed, too many waiting): once an
            // address is over its limit, each further start costs one read and nothing else.
            // Only the server's own failures give the attempt back.
            let reservation = try await store.attempts.reserve(
                [RateRule("chat start " + address, limit: limits.chatStartsPerAddress, window: VisitorLimits.chatStartWindow)],
                message: "too many chats started from this address; try again later")
            let started: ConversationMethods.Start.Result
            do {
                // Outside working hours the widget offers the offline form instead.
                let desk = try await Desk.now(backends)
                guard desk.open else {
                    var details = ["operators_available": desk.operatorsAvailable ? "true" : "false"]
                    if let next = desk.nextOpenAt { details["next_open_at"] = WireJSON.format(next) }
                    throw APIError.conflict("offline", "the desk is closed now; leave an offline message instead", details: details)
                }
                // The Pool's room for one more from this address, then the chat itself.
                let id = UUID()
                _ = try await backends.call(
                    .pool, PoolMethods.Admit.self, .init(conversationID: id, origin: address, limit: limits.waitingPerAddress))
                do {
                    started = try await backends.call(
                        .conversation, ConversationMethods.Start.self,
                        .init(
                            channel: .chat, name: start.name, email: start.email, visitorID: identity.id, message: draft, conversationID: id
                        )
                    )
                } catch {
                    _ = try? await backends.call(.pool, PoolMethods.Withdraw.self, .init(conversationID: id))
                    throw error
                }
            } catch {
                if !APIError.isClients(error) { await store.attempts.release(reservation) }
                throw error
            }
            if identity.isNew { try await store.saveVisitor(id: identity.id, token: identity.token) }
            return try Response.json(
                Started(visitorToken: identity.token, conversation: ConversationView(record: started.conversation, item: nil)),
                status: .created
            )
        }
        visitor.post("offline-messages") { request, context in
            let leave = try await JSONBody.decode(LeaveMessage.self, from: request)
            let identity = try await visitorIdentity(request)
            let rules = [
                RateRule("offline address " + context.clientAddress, limit: limits.offlinePerAddress, window: VisitorLimits.offlineWindow),
                RateRule(
                    "offline email " + Identity.normalized(email: leave.email), limit: limits.offlinePerRecipient,
                    window: VisitorLimits.offlineWindow),
            ]
            let filed = try await store.attempts.guarded(rules) {
                try await backends.call(
                    .ticketing, TicketingMethods.OfflineMessage.self,
                    .init(id: UUID(), name: leave.name, email: leave.email, message: leave.message, visitorID: identity.id))
            }
            if identity.isNew { try await store.saveVisitor(id: identity.id, token: identity.token) }
            return try Response.json(Filed(visitorToken: identity.token, ticket: filed), status: .created)
        }
        visitor.get("conversations") { request, _ in
            guard let token = IdentityRoutes.bearer(request), let id = try await store.visitor(token: token) else {
                throw APIError.unauthorized
            }
            let records = try await backends.call(
                .conversation, ConversationMethods.History.self, .init(visitorID: id, page: try PageRequest(query: request)))
            return try Response.json(Page(items: try await backends.views(records.items), nextCursor: records.nextCursor))
        }
        visitor.get("conversations/{id}") { request, context in
            let record = try await owned(request, context)
            return try Response.json(try await visitorView(record))
        }
        visitor.post("conversations/{id}/close") { request, context in
            let record = try await owned(request, context)
            guard record.channel == .chat else {
                throw APIError.conflict("not_a_chat", "this conversation goes on by e-mail; it is closed by the desk")
            }
            if record.closedAt == nil {
                // Closing is one of the visitor's writes, counted with their messages.
                _ = try await backends.call(
                    .conversation, ConversationMethods.Close.self,
                    .init(conversationID: record.id, closedBy: nil, reason: .customer, visitor: record.visitorID.map(budget)))
            }
            return try Response.json(try await visitorView(try await owned(request, context)))
        }
        visitor.post("conversations/{id}/transcript") { request, context in
            let record = try await owned(request, context)
            let ask = try await JSONBody.decode(TranscriptRequest.self, from: request)
            guard EmailAddress.isPlausible(ask.email) else { throw APIError.invalid(field: "email", "email must be an e-mail address") }
            let rules = [
                RateRule(
                    "transcript visitor " + (record.visitorID ?? record.id).uuidString, limit: VisitorLimits.transcriptsPerVisitor,
                    window: VisitorLimits.transcriptWindow),
                RateRule(
                    "transcript email " + Identity.normalized(email: ask.email), limit: VisitorLimits.transcriptsPerRecipient,
                    window: VisitorLimits.transcriptWindow),
            ]
            let sent = try await store.attempts.guarded(rules, message: "too many transcripts asked for; try again later") {
                try await backends.call(
                    .ticketing, TicketingMethods.SendTranscript.self, .init(conversationID: record.id, email: ask.email))
            }
            guard sent.queued else {
                throw APIError.conflict("already_sent", "this conversation's transcript was mailed to that address already")
            }
            return try Response.json(TranscriptQueued(email: ask.email), status: .accepted)
        }
        visitor.get("conversations/{id}/messages") { request, context in
            let id = try await owned(request, context).id
            return try Response.json(
                try await backends.call(.conversation, ConversationMethods.Messages.self, .init(conversationID: id, query: request)))
        }
        visitor.post("conversations/{id}/messages") { request, context in
            // One hop: the conversation service checks the conversation is this visitor's and
            // counts the message against their minute in the post's own transaction.
            guard let token = IdentityRoutes.bearer(request), let visitorID = try await store.visitor(token: token) else {
                throw APIError.unauthorized
            }
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound }
            let post = try await JSONBody.decode(PostMessage.self, from: request)
            try post.check()
            let posted = try await backends.call(
                .conversation, ConversationMethods.VisitorPost.self,
                .init(conversationID: id, visitor: budget(visitorID), draft: post.draft))
            return try Response.json(posted.message, status: posted.created ? .created : .ok)
        }
        addLive(to: visitor)
    }

    /// The visitor's budget of writes (messages, the close, a rating), kept by the conversation service.
    func budget(_ visitorID: UUID) -> VisitorWrite { VisitorWrite(visitorID: visitorID, perMinute: limits.messagesPerMinute) }

    /// A conversation as its visitor sees it: with its place in the queue while it waits, and a
    /// ticket's number (the mails' delivery states are the desk's business).
    func visitorView(_ record: ConversationRecord) async throws -> VisitorConversation {
        async let ticket = backends.ticket(record)
        let item = record.closedAt == nil ? try await backends.item(record.id) : nil
        var view = ConversationView(record: record, item: item, ticket: await ticket)
        view.ticket?.deliveries = []
        var queue: QueuePlace?
        if view.status == .waiting, record.channel == .chat {
            queue = try await backends.call(.pool, PoolMethods.Queue.self, .init(conversationID: record.id)).place
        }
        return VisitorConversation(view: view, queue: queue)
    }

    /// The visitor behind the request's token, or a new identity (stored by the caller once the
    /// back service has accepted what it was minted for).
    func visitorIdentity(_ request: Request) async throws -> (id: UUID, token: String, isNew: Bool) {
        let token = IdentityRoutes.bearer(request)
        let known = try await token.asyncMap { try await store.visitor(token: $0) } ?? nil
        return known.flatMap { id in token.map { (id: id, token: $0, isNew: false) } } ?? (
            id: UUID(), token: IdentityStore.newToken(), isNew: true
        )
    }

    /// The conversation in the path, if this visitor's token opens it; 401/404 otherwise.
    func owned(_ request: Request, _ context: GatewayContext) async throws -> ConversationRecord {
        guard let token = IdentityRoutes.bearer(request), let visitor = try await store.visitor(token: token) else {
            throw APIError.unauthorized
        }
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound }
        let record: ConversationRecord
        do {
            record = try await backends.call(.conversation, ConversationMethods.Get.self, .init(conversationID: id))
        } catch let error as APIError where error.status == .notFound {
            throw APIError.notFound
        }
        guard record.visitorID == visitor else { throw APIError.notFound }
        return record
    }
}

/// `GET /visitor/conversations/{id}`: the conversation, and `queue` (`null` unless it waits).
struct VisitorConversation: Encodable {
    var view: ConversationView
    var queue: QueuePlace?

    enum Extra: String, CodingKey {
        case queue, position
        case estimatedWaitSeconds = "estimated_wait_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        try view.encode(to: encoder)
        var container = encoder.container(keyedBy: Extra.self)
        guard let queue else { return try container.encodeNil(forKey: .queue) }
        // Both members always, `null` for an estimate nobody is available to make.
        var place = container.nestedContainer(keyedBy: Extra.self, forKey: .queue)
        try place.encode(queue.position, forKey: .position)
        try place.encode(queue.estimatedWaitSeconds, forKey: .estimatedWaitSeconds)
    }
}

/// The widget's limits, from the gateway's settings.
struct VisitorLimits: Sendable {
    /// `SWITCHBOARD_CHAT_STARTS_PER_ADDRESS` in `chatStartWindow`.
    var chatStartsPerAddress = 20
    static let chatStartWindow = 600
    /// `SWITCHBOARD_WAITING_PER_ADDRESS`: chats from one address waiting in the Pool at once.
    var waitingPerAddress = 3
    /// `SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE`, per visitor.
    var messagesPerMinute = 30
    /// `SWITCHBOARD_OFFLINE_PER_ADDRESS` and `SWITCHBOARD_OFFLINE_PER_RECIPIENT` in `offlineWindow`.
    var offlinePerAddress = 30
    var offlinePerRecipient = 10
    static let offlineWindow = 3600
    /// Transcripts one visitor may ask for, and one address may receive, in `transcriptWindow`
    /// (each conversation is mailed to an address once anyway).
    static let transcriptsPerVisitor = 5
    static let transcriptsPerRecipient = 3
    static let transcriptWindow = 3600
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
