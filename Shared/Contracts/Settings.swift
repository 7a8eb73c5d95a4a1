import Foundation

/// The conversation service's part of Customizations.
public struct ConversationSettings: Codable, Sendable, Hashable {
    /// Posted as message 1 of every new chat.
    public var greetingMessage: String
    /// Shown by the widget while the desk is closed.
    public var offlineMessage: String
    /// A chat nobody has written in for this long is closed (reason `idle`); `nil`: never.
    public var idleCloseMinutes: Int?

    public init(greetingMessage: String, offlineMessage: String, idleCloseMinutes: Int? = nil) {
        self.greetingMessage = greetingMessage
        self.offlineMessage = offlineMessage
        self.idleCloseMinutes = idleCloseMinutes
    }

    /// `idle_close_minutes`: a minute to a week.
    public static let idleCloseRange = 1...10_080

    enum CodingKeys: String, CodingKey {
        case greetingMessage = "greeting_message"
        case offlineMessage = "offline_message"
        case idleCloseMinutes = "idle_close_minutes"
    }
}

/// The pool service's part of Customizations.
public struct PoolSettings: Codable, Sendable, Hashable {
    /// Waiting chats go to the available operator with the most spare capacity, whenever one has room.
    public var autoAssign: Bool
    /// How many open chats auto-assign gives one operator.
    public var maxChatsPerOperator: Int
    /// An operator with no console open this long is away: their availability for chats goes off.
    public var awayAfterSeconds: Int
    /// With it, an operator going away gives their open chats back to the Pool.
    public var returnWhenAway: Bool
    /// When a chat waiting in the Pool is announced again; `nil`: only when it arrives.
    public var escalation: Escalation?

    /// How long a chat waits before everyone available hears of it again, then the admins.
    public struct Escalation: Codable, Sendable, Hashable {
        public var afterSeconds: Int
        public var adminsAfterSeconds: Int

        public init(afterSeconds: Int, adminsAfterSeconds: Int) {
            self.afterSeconds = afterSeconds
            self.adminsAfterSeconds = adminsAfterSeconds
        }

        enum CodingKeys: String, CodingKey {
            case afterSeconds = "after_seconds"
            case adminsAfterSeconds = "admins_after_seconds"
        }
    }

    public init(
        autoAssign: Bool, maxChatsPerOperator: Int, awayAfterSeconds: Int = 120, returnWhenAway: Bool = true,
        escalation: Escalation? = .init(afterSeconds: 60, adminsAfterSeconds: 180)
    ) {
        self.autoAssign = autoAssign
        self.maxChatsPerOperator = maxChatsPerOperator
        self.awayAfterSeconds = awayAfterSeconds
        self.returnWhenAway = returnWhenAway
        self.escalation = escalation
    }

    /// The ranges each number must be in (seconds up to a week).
    public static let maxChatsRange = 1...100
    public static let secondsRange = 1...604_800

    enum CodingKeys: String, CodingKey {
        case escalation
        case autoAssign = "auto_assign"
        case maxChatsPerOperator = "max_chats_per_operator"
        case awayAfterSeconds = "away_after_seconds"
        case returnWhenAway = "return_when_away"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(autoAssign, forKey: .autoAssign)
        try container.encode(maxChatsPerOperator, forKey: .maxChatsPerOperator)
        try container.encode(awayAfterSeconds, forKey: .awayAfterSeconds)
        try container.encode(returnWhenAway, forKey: .returnWhenAway)
        // Always written, `null` for none: the document's shape does not change with its values.
        try container.encode(escalation, forKey: .escalation)
    }
}

/// The params of each owner's `settings.put` for its part of Customizations. With `dry_run` it
/// only validates: the gateway asks every owner that first, so a bad field anywhere changes
/// nothing anywhere.
public struct SettingsPut<Part: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var settings: Part
    public var dryRun: Bool

    public init(settings: Part, dryRun: Bool) {
        self.settings = settings
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case settings
        case dryRun = "dry_run"
    }
}
