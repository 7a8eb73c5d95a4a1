import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/canned-responses`: the desk's canned responses (admins manage them) and each
/// operator's own, and one filled in for a conversation. The conversation service keeps them and
/// fills placeholders, so every console inserts the same text.
struct CannedRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    /// Writes per operator per minute: far above any hand's pace, low enough that a runaway
    /// script cannot churn the table.
    static let writesPerMinute = 60

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("canned-responses") { request, _ in
            let me = try await identity.authenticate(request)
            let query = request.uri.queryParameters.get("q")
            if let query, query.count > 100 { throw APIError.invalid(field: "q", "q must be at most 100 characters") }
            let page = try await backends.call(
                .conversation, ConversationMethods.CannedList.self,
                .init(viewerID: me.id, query: query, page: try PageRequest(query: request)))
            return try Response.json(page)
        }
        api.post("canned-responses") { request, _ in
            let me = try await identity.authenticate(request)
            let draft = try await JSONBody.decode(CannedDraft.self, from: request)
            // Not allowed is said before what was sent is judged.
            if draft.scope == .desk, me.role != .admin { throw APIError.forbidden }
            let created = try await limited(me.id) {
                try await backends.call(
                    .conversation, ConversationMethods.CannedCreate.self, .init(actor: actor(me), draft: draft))
            }
            return try Response.json(created, status: .created)
        }
        api.put("canned-responses/{id}") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            let draft = try await JSONBody.decode(CannedDraft.self, from: request)
            let updated = try await limited(me.id) {
                try await backends.call(
                    .conversation, ConversationMethods.CannedUpdate.self, .init(actor: actor(me), id: id, draft: draft))
            }
            return try Response.json(updated)
        }
        api.delete("canned-responses/{id}") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            _ = try await limited(me.id) {
                try await backends.call(.conversation, ConversationMethods.CannedDelete.self, .init(actor: actor(me), id: id))
            }
            return Response(status: .noContent)
        }
        api.get("canned-responses/{id}/render") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            // Without one, an unknown canned response is still 404 (the service looks it up first).
            var conversation: UUID?
            if let text = request.uri.queryParameters.get("conversation_id"), !text.isEmpty {
                guard let id = UUID(uuidString: text) else {
                    throw APIError.invalid(field: "conversation_id", "conversation_id must be an id")
                }
                conversation = id
            }
            let rendered = try await backends.call(
                .conversation, ConversationMethods.CannedRender.self,
                .init(operator: OperatorRef(id: me.id, name: me.name), id: id, conversationID: conversation))
            return try Response.json(rendered)
        }
    }

    func actor(_ me: Operator) -> CannedActor { CannedActor(id: me.id, admin: me.role == .admin) }

    /// Runs one write under the operator's per-minute limit (a refused write is not counted). The
    /// service names a field of what it was sent (`draft.title`); the API's body is the draft.
    func limited<T: Sendable>(_ operatorID: UUID, _ work: () async throws -> T) async throws -> T {
        do {
            return try await identity.store.attempts.guarded(
                [RateRule("canned writes " + operatorID.uuidString, limit: Self.writesPerMinute, window: 60)],
                message: "too many changes to canned responses in a minute; wait a moment", work)
        } catch let error as APIError where error.status == .unprocessableContent {
            guard let field = error.details["field"], field.hasPrefix("draft.") else { throw error }
            throw APIError.invalid(field: String(field.dropFirst("draft.".count)), error.message)
        }
    }
}
