import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// The customer panel (`GET /customers/{id}`), dismissing a chat as spam from the Pool, and the
/// admins' list of blocked visitors.
struct CustomerRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends
    /// Conversations the panel shows at once; `GET /customers/{id}/conversations` pages on.
    static let conversationsShown = 20

    /// `GET /customers/{id}`.
    struct Panel: Encodable {
        var id: UUID
        var name: String
        var email: String?
        var conversations: [ConversationView]
        /// Where `GET /customers/{id}/conversations?cursor=` goes on with their earlier conversations.
        var nextCursor: String?
        var sameEmail: [SameEmail]

        enum CodingKeys: String, CodingKey {
            case id, name, email, conversations
            case nextCursor = "next_cursor"
            case sameEmail = "same_email"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(email, forKey: .email)
            try container.encode(conversations, forKey: .conversations)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(sameEmail, forKey: .sameEmail)
        }
    }

    /// Another customer who gave the same e-mail: possibly the same person, never proven
    /// (anyone can type any address into the widget), so never merged.
    struct SameEmail: Encodable {
        var id: UUID
        var name: String
        var email: String?
        var verified = false
    }

    struct Dismissal: Decodable {
        var block: Bool?
    }

    /// One blocked visitor as the API shows it (`id` is the visitor's).
    struct BlockEntry: Encodable {
        var block: VisitorBlock

        enum CodingKeys: String, CodingKey {
            case id, customer
            case visitorID = "visitor_id"
            case conversationID = "conversation_id"
            case blockedBy = "blocked_by"
            case blockedAt = "blocked_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(block.visitorID, forKey: .id)
            try container.encode(block.visitorID, forKey: .visitorID)
            try container.encode(["name": block.customerName], forKey: .customer)
            try container.encode(block.conversationID, forKey: .conversationID)
            try container.encode(block.blockedBy, forKey: .blockedBy)
            try container.encode(block.blockedAt, forKey: .blockedAt)
        }
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("customers/{id}") { request, context in
            try await identity.authenticate(request)
            let panel = try await backends.call(
                .conversation, ConversationMethods.CustomerPanel.self,
                .init(customerID: try ConversationRoutes.id(context), limit: Self.conversationsShown))
            return try Response.json(
                Panel(
                    id: panel.customer.id, name: panel.customer.name, email: panel.customer.email,
                    conversations: try await backends.views(panel.conversations.items), nextCursor: panel.conversations.nextCursor,
                    sameEmail: panel.sameEmail.map { SameEmail(id: $0.id, name: $0.name, email: $0.email) }))
        }
        api.post("pool/{id}/dismiss") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            let block = try await JSONBody.decode(Dismissal.self, from: request).block ?? false
            let by = OperatorRef(id: me.id, name: me.name)
            do {
                _ = try await backends.call(.pool, PoolMethods.Dismiss.self, .init(conversationID: id, by: by))
            } catch let error as APIError where error.code == "closed" {
                // Dismissed before, by a call that did not live to close the conversation: finish it.
                let audit = try await backends.call(.pool, PoolMethods.Audit.self, .init(conversationID: id))
                guard audit.last?.how == .dismissed else { throw error }
            }
            if block { _ = try await backends.call(.conversation, ConversationMethods.Block.self, .init(conversationID: id, by: by)) }
            _ = try await backends.call(
                .conversation, ConversationMethods.Close.self, .init(conversationID: id, closedBy: by, reason: .dismissed))
            return try Response.json(["conversation": try await backends.view(id, withAudit: true)])
        }
        api.get("blocks") { request, _ in
            try await identity.authenticate(request, admin: true)
            let page = try await backends.call(.conversation, ConversationMethods.Blocks.self, .init(page: try PageRequest(query: request)))
            return try Response.json(page.map(BlockEntry.init))
        }
        api.delete("blocks/{id}") { request, context in
            try await identity.authenticate(request, admin: true)
            _ = try await backends.call(
                .conversation, ConversationMethods.Unblock.self, .init(visitorID: try ConversationRoutes.id(context)))
            return Response(status: .noContent)
        }
    }
}
