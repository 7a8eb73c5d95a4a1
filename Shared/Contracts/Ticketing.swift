import Foundation

/// When the desk answers live, as Customizations holds it: weekly opening ranges in a timezone,
/// holidays, and one-off closures. `nil` in the settings means always open.
public struct WorkingHours: Codable, Sendable, Hashable {
    /// An IANA timezone, e.g. `Europe/Istanbul`.
    public var timezone: String
    /// Opening ranges per day (`mon` … `sun`): `["09:00", "18:00"]`; `24:00` may end a range; an
    /// end before its start runs past midnight; a day that is missing or empty is closed.
    public var weekly: [String: [[String]]]
    /// Local dates (`2026-12-31`) closed all day.
    public var holidays: [String]
    /// Instants between which the desk is closed, whatever the weekly hours say.
    public var closures: [Closure]

    public struct Closure: Codable, Sendable, Hashable {
        public var from: Date
        public var to: Date

        public init(from: Date, to: Date) {
            self.from = from
            self.to = to
        }
    }

    public init(timezone: String, weekly: [String: [[String]]], holidays: [String] = [], closures: [Closure] = []) {
        self.timezone = timezone
        self.weekly = weekly
        self.holidays = holidays
        self.closures = closures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timezone = try container.decode(String.self, forKey: .timezone)
        weekly = try container.decode([String: [[String]]].self, forKey: .weekly)
        holidays = try container.decodeIfPresent([String].self, forKey: .holidays) ?? []
        closures = try container.decodeIfPresent([Closure].self, forKey: .closures) ?? []
    }

    enum CodingKeys: String, CodingKey { case timezone, weekly, holidays, closures }
}

/// The ticketing service's part of Customizations.
public struct TicketingSettings: Codable, Sendable, Hashable {
    /// Mailed to a customer whose offline message became a ticket.
    public var ackMessage: String
    /// `nil`: always open.
    public var workingHours: WorkingHours?
    /// Treat "no operator available" as closed too.
    public var offlineWhenNoOperator: Bool

    public init(ackMessage: String, workingHours: WorkingHours?, offlineWhenNoOperator: Bool) {
        self.ackMessage = ackMessage
        self.workingHours = workingHours
        self.offlineWhenNoOperator = offlineWhenNoOperator
    }

    enum CodingKeys: String, CodingKey {
        case ackMessage = "ack_message"
        case workingHours = "working_hours"
        case offlineWhenNoOperator = "offline_when_no_operator"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ackMessage, forKey: .ackMessage)
        // `null` is a value here (always open), so it is written out.
        try container.encode(workingHours, forKey: .workingHours)
        try container.encode(offlineWhenNoOperator, forKey: .offlineWhenNoOperator)
    }
}
