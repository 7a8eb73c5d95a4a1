import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/archive`: every operator's closed conversations, newest first, and each operator's
/// own hide/unhide.
struct ArchiveRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    /// A closed conversation with who closed it and whether the viewer hid it.
    struct Entry: Encodable {
        var view: ConversationView
        var closedBy: OperatorRef?
        var hidden: Bool

        enum Extra: String, CodingKey {
            case closedBy = "closed_by"
            case hidden
        }

        func encode(to encoder: any Encoder) throws {
            try view.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(closedBy, forKey: .closedBy)
            try container.encode(hidden, forKey: .hidden)
        }
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("archive") { request, _ in
            let me = try await identity.authenticate(request)
            let query = request.uri.queryParameters
            func instant(_ name: String) throws -> Date? {
                guard let text = query.get(name), !text.isEmpty else { return nil }
                guard let date = try? WireJSON.decoder().decode(Date.self, from: Data("\"\(text)\"".utf8)) else {
                    throw APIError.invalid(field: name, "\(name) must be an RFC 3339 instant")
                }
                return date
            }
            var closedBy: UUID?
            if let text = query.get("operator_id"), !text.isEmpty {
                guard let id = UUID(uuidString: text) else { throw APIError.invalid(field: "operator_id", "operator_id must be an id") }
                closedBy = id
            }
            let includeHidden: Bool
            switch query.get("include_hidden") {
            case nil, "", "false": includeHidden = false
            case "true": includeHidden = true
            default: throw APIError.invalid(field: "include_hidden", "include_hidden must be true or false")
            }
            let page = try await backends.call(
                .conversation, ConversationMethods.Archive.self,
                .init(
                    viewerID: me.id, query: query.get("q"), closedByID: closedBy, from: try instant("from"), to: try instant("to"),
                    includeHidden: includeHidden, page: try PageRequest(query: request))
            )
            return try Response.json(
                page.map { Entry(view: ConversationView(record: $0.conversation, item: nil), closedBy: $0.closedBy, hidden: $0.hidden) })
        }
        api.post("archive/{id}/hide") { request, context in try await hide(request, context, hidden: true) }
        api.delete("archive/{id}/hide") { request, context in try await hide(request, context, hidden: false) }
    }

    func hide(_ request: Request, _ context: GatewayContext, hidden: Bool) async throws -> Response {
        let me = try await identity.authenticate(request)
        _ = try await backends.call(
            .conversation, ConversationMethods.Hide.self,
            .init(viewerID: me.id, conversationID: try ConversationRoutes.id(context), hidden: hidden))
        return Response(status: .noContent)
    }
}
