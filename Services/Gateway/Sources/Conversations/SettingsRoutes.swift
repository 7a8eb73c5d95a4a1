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
    /// `SWITCHBOARD_PRESENCE_SECONDS`: `away_after_seconds` must leave room for a few.
    let presenceInterval: Duration

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
        // Added with the Team calls: a document without them (written for the first API) keeps
        // their values, so they are optional on the way in and always written on the way out.
        var awayAfterSeconds: Int?
        var returnWhenAway: Bool?
        /// Absent: kept; `null`: no escalation.
        var escalation: PoolSettings.Escalation??
        /// Absent: kept; `null`: quiet chats are never closed.
        var idleCloseMinutes: Int??

        enum CodingKeys: String, CodingKey {
            case greetingMessage = "greeting_message"
            case offlineMessage = "offline_message"
            case ackMessage = "ack_message"
            case workingHours = "working_hours"
            case offlineWhenNoOperator = "offline_when_no_operator"
            case autoAssign = "auto_assign"
            case maxChatsPerOperator = "max_chats_per_operator"
            case awayAfterSeconds = "away_after_seconds"
            case returnWhenAway = "return_when_away"
            case escalation
            case idleCloseMinutes = "idle_close_minutes"
        }

        init(conversation: ConversationSettings, ticketing: TicketingSettings, pool: PoolSettings) {
            greetingMessage = conversation.greetingMessage
            offlineMessage = conversation.offlineMessage
            ackMessage = ticketing.ackMessage
            workingHours = ticketing.workingHours
            offlineWhenNoOperator = ticketing.offlineWhenNoOperator
            autoAssign = pool.autoAssign
            maxChatsPerOperator = pool.maxChatsPerOperator
            awayAfterSeconds = pool.awayAfterSeconds
            returnWhenAway = pool.returnWhenAway
            escalation = .some(pool.escalation)
            idleCloseMinutes = .some(conversation.idleCloseMinutes)
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
            awayAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .awayAfterSeconds)
            returnWhenAway = try container.decodeIfPresent(Bool.self, forKey: .returnWhenAway)
            escalation =
                container.contains(.escalation) ? .some(try container.decode(PoolSettings.Escalation?.self, forKey: .escalation)) : nil
            idleCloseMinutes =
                container.contains(.idleCloseMinutes) ? .some(try container.decode(Int?.self, forKey: .idleCloseMinutes)) : nil
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
            try container.encode(awayAfterSeconds, forKey: .awayAfterSeconds)
            try container.encode(returnWhenAway, forKey: .returnWhenAway)
            try container.encode(escalation ?? nil, forKey: .escalation)
            try container.encode(idleCloseMinutes ?? nil, forKey: .idleCloseMinutes)
        }

        /// This document, with what it leaves out taken from `current`.
        func completed(from current: Document) -> Document {
            var completed = self
            completed.awayAfterSeconds = awayAfterSeconds ?? current.awayAfterSeconds
            completed.returnWhenAway = returnWhenAway ?? current.returnWhenAway
            completed.escalation = escalation ?? current.escalation
            completed.idleCloseMinutes = idleCloseMinutes ?? current.idleCloseMinutes
            return completed
        }

        var conversation: ConversationSettings {
            .init(greetingMessage: greetingMessage, offlineMessage: offlineMessage, idleCloseMinutes: idleCloseMinutes ?? nil)
        }
        var ticketing: TicketingSettings {
            .init(ackMessage: ackMessage, workingHours: workingHours, offlineWhenNoOperator: offlineWhenNoOperator)
        }
        /// The pool's part of a completed document.
        var pool: PoolSettings {
            .init(
                autoAssign: autoAssign, maxChatsPerOperator: maxChatsPerOperator, awayAfterSeconds: awayAfterSeconds ?? 120,
                returnWhenAway: returnWhenAway ?? true, escalation: escalation ?? nil)
        }
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
            let wanted = try await JSONBody.decode(Document.self, from: request).completed(from: try await document())
            // The gateways tell the pool who is present every `presenceInterval`: away sooner than a
            // few of those would send people away between two.
            let soonest = Int(presenceInterval.components.seconds) * 3
            if let away = wanted.awayAfterSeconds, away < soonest {
                throw APIError.invalid(field: "away_after_seconds", "away_after_seconds must be at least \(soonest) here")
            }
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
