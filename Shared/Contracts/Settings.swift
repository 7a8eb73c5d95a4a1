import Foundation

/// The conversation service's part of Customizations.
public struct ConversationSettings: Codable, Sendable, Hashable {
    /// Posted as message 1 of every new chat.
    public var greetingMessage: String
    /// Shown by the widget while the desk is closed.
    public var offlineMessage: String

    public init(greetingMessage: String, offlineMessage: String) {
        self.greetingMessage = greetingMessage
        self.offlineMessage = offlineMessage
    }

    enum CodingKeys: String, CodingKey {
        case greetingMessage = "greeting_message"
        case offlineMessage = "offline_message"
    }
}

/// The pool service's part of Customizations.
public struct PoolSettings: Codable, Sendable, Hashable {
    /// New chats go straight to the available operator with the most spare capacity.
    public var autoAssign: Bool
    /// How many open chats auto-assign gives one operator.
    public var maxChatsPerOperator: Int

    public init(autoAssign: Bool, maxChatsPerOperator: Int) {
        self.autoAssign = autoAssign
        self.maxChatsPerOperator = maxChatsPerOperator
    }

    enum CodingKeys: String, CodingKey {
        case autoAssign = "auto_assign"
        case maxChatsPerOperator = "max_chats_per_operator"
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
