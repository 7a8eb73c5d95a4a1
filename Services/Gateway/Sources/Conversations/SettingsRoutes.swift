import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

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
        var ackMessage: String
        /// `null` is always open; the member must be there all the same, so a PUT cannot drop it by omission.
        var workingHours: WorkingHours?
        var offlineWhenNoOperator: Bool
        var autoAssign: Bool
        var maxChatsPerOperator: Int

        enum CodingKeys: String, CodingKey {
            case greetingMessage = "greeting_message"
            case offlineMessage = "offline_message"
            case ackMessage = "ack_message"
            case workingHours = "working_hours"
            case offlineWhenNoOperator = "offline_when_no_operator"
            case autoAssign = "auto_assign"
            case maxChatsPerOperator = "max_chats_per_operator"
        }

        init(conversation: ConversationSettings, ticketing: TicketingSettings, pool: PoolSettings) {
            greetingMessage = conversation.greetingMessage
            offlineMessage = conversation.offlineMessage
            ackMessage = ticketing.ackMessage
            workingHours = ticketing.workingHours
            offlineWhenNoOperator = ticketing.offlineWhenNoOperator
            autoAssign = pool.autoAssign
            maxChatsPerOperator = pool.maxChatsPerOperator
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            greetingMessage = try container.decode(String.self, forKey: .greetingMessage)
            offlineMessage = try container.decode(String.self, forKey: .offlineMessage)
            ackMessage = try container.decode(String.self, forKey: .ackMessage)
            guard container.contains(.workingHours) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.workingHours, .init(codingPath: [], debugDescription: "working_hours is required (null: always open)"))
            }
            workingHours = try container.decode(WorkingHours?.self, forKey: .workingHours)
            offlineWhenNoOperator = try container.decode(Bool.self, forKey: .offlineWhenNoOperator)
            autoAssign = try container.decode(Bool.self, forKey: .autoAssign)
            maxChatsPerOperator = try container.decode(Int.self, forKey: .maxChatsPerOperator)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(greetingMessage, forKey: .greetingMessage)
            try container.encode(offlineMessage, forKey: .offlineMessage)
            try container.encode(ackMessage, forKey: .ackMessage)
            try container.encode(workingHours, forKey: .workingHours)
            try container.encode(offlineWhenNoOperator, forKey: .offlineWhenNoOperator)
            try container.encode(autoAssign, forKey: .autoAssign)
            try container.encode(maxChatsPerOperator, forKey: .maxChatsPerOperator)
        }

        var conversation: ConversationSettings { .init(greetingMessage: greetingMessage, offlineMessage: offlineMessage) }
        var ticketing: TicketingSettings {
            .init(ackMessage: ackMessage, workingHours: workingHours, offlineWhenNoOperator: offlineWhenNoOperator)
        }
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
                try await put(wanted, dryRun: true)
            } catch var error as APIError {
                // The owners name fields inside their part (`settings.greeting_message`); the document has them at the top.
                if let field = error.details["field"], field.hasPrefix("settings.") {
                    error.details["field"] = String(field.dropFirst("settings.".count))
                    error.message = error.message.replacingOccurrences(of: "settings.", with: "")
                }
                throw error
            }
            try await put(wanted, dryRun: false)
            return try Response.json(try await document())
        }
        api.get("widget/status") { _, _ in
            async let texts = backends.call(.conversation, ConversationMethods.GetSettings.self, Empty())
            let desk = try await Desk.now(backends)
            let settings = try await texts
            return try Response.json(
                WidgetStatus(
                    open: desk.open, operatorsAvailable: desk.operatorsAvailable, greetingMessage: settings.greetingMessage,
                    offlineMessage: settings.offlineMessage, nextOpenAt: desk.nextOpenAt))
        }
    }

    /// Sends every owner its part: to validate only, or to apply.
    func put(_ wanted: Document, dryRun: Bool) async throws {
        _ = try await backends.call(
            .conversation, ConversationMethods.PutSettings.self, .init(settings: wanted.conversation, dryRun: dryRun))
        _ = try await backends.call(.pool, PoolMethods.PutSettings.self, .init(settings: wanted.pool, dryRun: dryRun))
        _ = try await backends.call(.ticketing, TicketingMethods.PutSettings.self, .init(settings: wanted.ticketing, dryRun: dryRun))
    }

    func document() async throws -> Document {
        async let conversation = backends.call(.conversation, ConversationMethods.GetSettings.self, Empty())
        async let ticketing = backends.call(.ticketing, TicketingMethods.GetSettings.self, Empty())
        async let pool = backends.call(.pool, PoolMethods.GetSettings.self, Empty())
        return Document(conversation: try await conversation, ticketing: try await ticketing, pool: try await pool)
    }
}

/// Whether customers can chat live right now: inside working hours and, when Customizations
/// asks for it, with an operator available.
struct Desk: Sendable {
    var open: Bool
    var operatorsAvailable: Bool
    var nextOpenAt: Date?

    /// Working hours are the ticketing service's: while it is away the desk counts as open (and
    /// says nothing of its next opening), so an outage there never turns live customers away.
    static func now(_ backends: Backends) async throws -> Desk {
        let ticketing = backends[.ticketing]
        async let hours =
            ticketing.connectedInstances.isEmpty
            ? nil : try? await ticketing.call(TicketingMethods.Status.self, Empty(), timeout: .seconds(2))
        async let available = backends.call(.pool, PoolMethods.Available.self, Empty())
        let status = await hours ?? .init(open: true, nextOpenAt: nil, offlineWhenNoOperator: false)
        let operatorsAvailable = try await available.operators > 0
        return Desk(
            open: status.open && (operatorsAvailable || !status.offlineWhenNoOperator), operatorsAvailable: operatorsAvailable,
            nextOpenAt: status.nextOpenAt)
    }
}
