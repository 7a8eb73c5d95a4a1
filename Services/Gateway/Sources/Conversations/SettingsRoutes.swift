import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Customizations (`/api/v1/settings`, admins) and the widget's `/api/v1/widget/status`.
///
/// One document to the user, owned in parts: a PUT asks every owner to validate its part
/// first (a dry run), and applies the parts only when all agree, so a bad field changes nothing.
struct SettingsRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    /// The document GET returns and PUT takes.
    struct Document: Codable, Sendable {
        var greetingMessage: String
        var offlineMessage: String
        var autoAssign: Bool
        var maxChatsPerOperator: Int

        enum CodingKeys: String, CodingKey {
            case greetingMessage = "greeting_message"
            case offlineMessage = "offline_message"
            case autoAssign = "auto_assign"
            case maxChatsPerOperator = "max_chats_per_operator"
        }

        var conversation: ConversationSettings { .init(greetingMessage: greetingMessage, offlineMessage: offlineMessage) }
        var pool: PoolSettings { .init(autoAssign: autoAssign, maxChatsPerOperator: maxChatsPerOperator) }
    }

    struct WidgetStatus: Encodable {
        var open: Bool
        var operatorsAvailable: Bool
        var greetingMessage: String
        var offlineMessage: String
        var nextOpenAt: Date?

        enum CodingKeys: String, CodingKey {
            case open
            case operatorsAvailable = "operators_available"
            case greetingMessage = "greeting_message"
            case offlineMessage = "offline_message"
            case nextOpenAt = "next_open_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(open, forKey: .open)
            try container.encode(operatorsAvailable, forKey: .operatorsAvailable)
            try container.encode(greetingMessage, forKey: .greetingMessage)
            try container.encode(offlineMessage, forKey: .offlineMessage)
            try container.encode(nextOpenAt, forKey: .nextOpenAt)
        }
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("settings") { request, _ in
            try await identity.authenticate(request, admin: true)
            return try Response.json(try await document())
        }
        api.put("settings") { request, _ in
            try await identity.authenticate(request, admin: true)
            let wanted = try await JSONBody.decode(Document.self, from: request)
            do {
                _ = try await backends.call(
                    .conversation, SettingsMethods.PutConversation.self, .init(settings: wanted.conversation, dryRun: true))
                _ = try await backends.call(.pool, SettingsMethods.PutPool.self, .init(settings: wanted.pool, dryRun: true))
            } catch var error as APIError {
                // The owners name fields inside their part (`settings.greeting_message`); the document has them at the top.
                if let field = error.details["field"], field.hasPrefix("settings.") {
                    error.details["field"] = String(field.dropFirst("settings.".count))
                    error.message = error.message.replacingOccurrences(of: "settings.", with: "")
                }
                throw error
            }
            _ = try await backends.call(
                .conversation, SettingsMethods.PutConversation.self, .init(settings: wanted.conversation, dryRun: false))
            _ = try await backends.call(.pool, SettingsMethods.PutPool.self, .init(settings: wanted.pool, dryRun: false))
            return try Response.json(try await document())
        }
        api.get("widget/status") { _, _ in
            async let texts = backends.call(.conversation, SettingsMethods.GetConversation.self, Empty())
            async let available = backends.call(.pool, SettingsMethods.Available.self, Empty())
            let settings = try await texts
            // Working hours come with the ticketing service; until then the desk is always open.
            return try Response.json(
                WidgetStatus(
                    open: true, operatorsAvailable: try await available.operators > 0, greetingMessage: settings.greetingMessage,
                    offlineMessage: settings.offlineMessage, nextOpenAt: nil))
        }
    }

    func document() async throws -> Document {
        async let conversation = backends.call(.conversation, SettingsMethods.GetConversation.self, Empty())
        async let pool = backends.call(.pool, SettingsMethods.GetPool.self, Empty())
        let texts = try await conversation, assignment = try await pool
        return Document(
            greetingMessage: texts.greetingMessage, offlineMessage: texts.offlineMessage, autoAssign: assignment.autoAssign,
            maxChatsPerOperator: assignment.maxChatsPerOperator)
    }
}
