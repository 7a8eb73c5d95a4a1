import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The bell: `/api/v1/notifications`.
struct NotificationRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("notifications") { request, _ in
            let me = try await identity.authenticate(request)
            let unreadOnly: Bool
            switch request.uri.queryParameters.get("unread") {
            case nil, "", "false": unreadOnly = false
            case "true": unreadOnly = true
            default: throw APIError.invalid(field: "unread", "unread must be true or false")
            }
            return try Response.json(
                try await backends.call(
                    .notification, NotificationMethods.List.self,
                    .init(operatorID: me.id, unreadOnly: unreadOnly, page: try PageRequest(query: request))))
        }
        api.post("notifications/read-all") { request, _ in
            let me = try await identity.authenticate(request)
            _ = try await backends.call(.notification, NotificationMethods.Read.self, .init(operatorID: me.id, id: nil))
            return Response(status: .noContent)
        }
        api.post("notifications/{id}/read") { request, context in
            let me = try await identity.authenticate(request)
            _ = try await backends.call(
                .notification, NotificationMethods.Read.self, .init(operatorID: me.id, id: try ConversationRoutes.id(context)))
            return Response(status: .noContent)
        }
    }
}
