import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/conversations/{id}/notes`: an internal note. Any operator of the desk may
/// write one (a colleague or an admin leaves the holder a hint, as on every desk); it is in the
/// operators' timeline only: never shown to the customer, never mailed.
struct NoteRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    /// Notes per operator per minute.
    static let perMinute = 60

    struct Draft: Decodable {
        var body: String
        var clientMessageID: String?
        enum CodingKeys: String, CodingKey {
            case body
            case clientMessageID = "client_message_id"
        }
    }

    func add(to router: Router<GatewayContext>) {
        router.group("api/v1").post("conversations/{id}/notes") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            let draft = try await JSONBody.decode(Draft.self, from: request)
            if let excess = MessageBody.excess(draft.body) { throw APIError.invalid(field: "body", excess) }
            let reservation = try await identity.store.attempts.reserve(
                [RateRule("notes " + me.id.uuidString, limit: Self.perMinute, window: 60)],
                message: "too many notes in a minute; wait a moment")
            let posted: ConversationMethods.Post.Result
            do {
                posted = try await backends.call(
                    .conversation, ConversationMethods.Post.self,
                    .init(
                        conversationID: id, author: Author(kind: .note, id: me.id, name: me.name),
                        draft: .init(body: draft.body, clientMessageID: draft.clientMessageID ?? UUID().uuidString)))
            } catch {
                await identity.store.attempts.release(reservation)
                throw error
            }
            if !posted.created { await identity.store.attempts.release(reservation) }
            return try Response.json(posted.message, status: posted.created ? .created : .ok)
        }
    }
}
