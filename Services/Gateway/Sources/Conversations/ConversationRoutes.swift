import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// The console's side of conversations: the Pool, taking, reading, writing, closing.
struct ConversationRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    struct TransferTo: Decodable {
        var operatorID: UUID
        enum CodingKeys: String, CodingKey { case operatorID = "operator_id" }
    }

    struct PoolEntry: Encodable {
        var id: UUID
        var conversationID: UUID
        var kind: PoolItem.Kind
        var customer: [String: String]
        var waitingSince: Date
        var preview: String
        enum CodingKeys: String, CodingKey {
            case id, kind, customer, preview
            case conversationID = "conversation_id"
            case waitingSince = "waiting_since"
        }
    }

    /// `PUT /me/availability`: chats, tickets, or both at once with `available`.
    struct AvailabilityChange: Decodable {
        var chats: Bool?
        var tickets: Bool?
        var available: Bool?
    }
    struct ReadPosition: Decodable { var seq: Int64 }

    /// One line of my Messages: the conversation and how many messages I have not read.
    struct MessagesEntry: Encodable {
        var view: ConversationView
        var unread: Int

        enum Extra: String, CodingKey { case unread }

        func encode(to encoder: any Encoder) throws {
            try view.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(unread, forKey: .unread)
        }
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("pool") { request, _ in
            try await identity.authenticate(request)
            let page = try await backends.call(.pool, PoolMethods.Waiting.self, .init(page: try PageRequest(query: request)))
            return try Response.json(
                page.map {
                    PoolEntry(
                        id: $0.conversationID, conversationID: $0.conversationID, kind: $0.kind, customer: ["name": $0.customerName],
                        waitingSince: $0.waitingSince, preview: $0.preview)
                }
            )
        }
        api.post("pool/{id}/take") { request, context in try await take(request, context, takeover: false) }
        api.post("conversations/{id}/take") { request, context in try await take(request, context, takeover: true) }
        api.put("me/availability") { request, _ in
            let me = try await identity.authenticate(request)
            let body = try await JSONBody.decode(AvailabilityChange.self, from: request)
            guard body.chats != nil || body.tickets != nil || body.available != nil else {
                throw APIError.invalid(field: "available", "give chats, tickets or available")
            }
            let availability = try await backends.call(
                .pool, PoolMethods.SetAvailability.self,
                .init(
                    operatorID: me.id, operatorName: me.name, chats: body.chats ?? body.available, tickets: body.tickets ?? body.available))
            return try Response.json(AvailabilityView(availability))
        }
        api.get("messages") { request, _ in
            let me = try await identity.authenticate(request)
            let held = try await backends.call(
                .pool, PoolMethods.Held.self, .init(operatorID: me.id, page: try PageRequest(query: request)))
            // Two calls for the whole page: the records and unread counts of what the pool names.
            let overview = try await backends.call(
                .conversation, ConversationMethods.Overview.self,
                .init(operatorID: me.id, conversationIDs: held.items.map(\.conversationID)))
            let items = Dictionary(held.items.map { ($0.conversationID, $0) }, uniquingKeysWith: { first, _ in first })
            let entries = overview.map { entry in
                MessagesEntry(view: ConversationView(record: entry.conversation, item: items[entry.conversation.id]), unread: entry.unread)
            }
            return try Response.json(Page(items: entries, nextCursor: held.nextCursor, total: held.total))
        }
        api.post("conversations/{id}/read") { request, context in
            let me = try await identity.authenticate(request)
            let body = try await JSONBody.decode(ReadPosition.self, from: request)
            let id = try Self.id(context)
            _ = try await backends.call(
                .conversation, ConversationMethods.Read.self, .init(operatorID: me.id, conversationID: id, seq: body.seq))
            // Reading a conversation settles my notifications of it (the reading position is kept
            // even while the notification service is away).
            _ = try? await backends[.notification].call(
                NotificationMethods.Read.self, .init(operatorID: me.id, id: nil, conversationID: id), timeout: .seconds(2))
            return Response(status: .noContent)
        }
        api.get("customers/{id}/conversations") { request, context in
            try await identity.authenticate(request)
            let records = try await backends.call(
                .conversation, ConversationMethods.History.self,
                .init(customerID: try Self.id(context), page: try PageRequest(query: request)))
            // Every customer has a conversation: none (on a first page) means no such customer.
            if records.items.isEmpty, request.uri.queryParameters.get("cursor") == nil { throw APIError.notFound }
            return try Response.json(Page(items: try await backends.views(records.items), nextCursor: records.nextCursor))
        }
        api.get("conversations/{id}") { request, context in
            try await identity.authenticate(request)
            return try Response.json(try await backends.view(try Self.id(context), withAudit: true))
        }
        api.get("conversations/{id}/messages") { request, context in
            try await identity.authenticate(request)
            let id = try Self.id(context)
            var params = try ConversationMethods.Messages.Params(conversationID: id, query: request)
            // The operators' timeline holds the desk's internal notes.
            params.includeNotes = true
            let messages = try await backends.call(.conversation, ConversationMethods.Messages.self, params)
            // The deliveries of the mails carrying the operators' messages on this page (a chat has
            // no ticket: `not_found`, quickly).
            let written = messages.items.filter { $0.author.kind == .operator }.map(\.id)
            let ticket =
                written.isEmpty
                ? nil
                : try? await backends[.ticketing].call(TicketingMethods.Ticket.self, .init(conversationID: id, messageIDs: written))
            return try Response.json(Page(items: MessageView.views(messages.items, ticket: ticket), nextCursor: messages.nextCursor))
        }
        api.post("conversations/{id}/messages") { request, context in
            let me = try await identity.authenticate(request)
            let id = try Self.id(context)
            let post = try await JSONBody.decode(VisitorRoutes.PostMessage.self, from: request)
            try post.check()
            let posted = try await backends.call(
                .conversation, ConversationMethods.Post.self,
                .init(
                    conversationID: id, author: Author(kind: .operator, id: me.id, name: me.name),
                    draft: post.draft)
            )
            return try Response.json(posted.message, status: posted.created ? .created : .ok)
        }
        api.post("conversations/{id}/transfer") { request, context in
            let me = try await identity.authenticate(request)
            let id = try Self.id(context)
            let body = try await JSONBody.decode(TransferTo.self, from: request)
            guard let colleague = try await identity.store.find(id: body.operatorID) else {
                throw APIError.invalid(field: "operator_id", "no such operator")
            }
            _ = try await backends.call(
                .pool, PoolMethods.Transfer.self,
                .init(
                    conversationID: id, by: OperatorRef(id: me.id, name: me.name), admin: me.role == .admin,
                    to: OperatorRef(id: colleague.id, name: colleague.name)))
            return try Response.json(["conversation": try await backends.view(id, withAudit: true)])
        }
        api.post("conversations/{id}/return") { request, context in
            let me = try await identity.authenticate(request)
            let id = try Self.id(context)
            _ = try await backends.call(
                .pool, PoolMethods.Return.self,
                .init(conversationID: id, by: OperatorRef(id: me.id, name: me.name), admin: me.role == .admin))
            return try Response.json(["conversation": try await backends.view(id, withAudit: true)])
        }
        api.post("conversations/{id}/close") { request, context in
            let me = try await identity.authenticate(request)
            let id = try Self.id(context)
            guard let item = try await backends.item(id) else { throw APIError.notFound }
            // The holder closes their job; an admin may close anyone's (it is recorded as theirs).
            guard item.holder?.id == me.id || me.role == .admin else {
                throw APIError(
                    status: .forbidden, code: "not_assignee", message: "only the operator holding this conversation may close it")
            }
            _ = try await backends.call(
                .conversation, ConversationMethods.Close.self, .init(conversationID: id, closedBy: OperatorRef(id: me.id, name: me.name)))
            return try Response.json(try await backends.view(id, withAudit: true))
        }
    }

    func take(_ request: Request, _ context: GatewayContext, takeover: Bool) async throws -> Response {
        let me = try await identity.authenticate(request)
        let id = try Self.id(context)
        _ = try await backends.call(
            .pool, PoolMethods.Take.self, .init(conversationID: id, taker: OperatorRef(id: me.id, name: me.name), takeover: takeover))
        return try Response.json(["conversation": try await backends.view(id, withAudit: true)])
    }

    /// The `{id}` of the path; a malformed id is as unknown as any other: 404.
    static func id(_ context: GatewayContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw APIError.notFound }
        return id
    }
}

/// What `PUT /me/availability` answers: both switches, and `available` (chats) as the first API had it.
struct AvailabilityView: Encodable {
    var availability: Availability
    var available: Bool

    init(_ availability: Availability) {
        self.availability = availability
        available = availability.chats
    }
}
