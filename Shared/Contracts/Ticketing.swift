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

/// The ticketing service's methods.
public enum TicketingMethods {
    public enum GetSettings: RPCMethod {
        public static let name = "ticketing.settings.get"
        public static let isIdempotent = true
        public typealias Params = Empty
        public typealias Result = TicketingSettings
    }

    public enum PutSettings: RPCMethod {
        public static let name = "ticketing.settings.put"
        public static let isIdempotent = true
        public typealias Params = SettingsMethods.Put<TicketingSettings>
        public typealias Result = TicketingSettings
    }

    /// `ticketing.status`: is the desk open now (working hours and closures only), and when it opens next.
    public enum Status: RPCMethod {
        public static let name = "ticketing.status"
        public static let isIdempotent = true
        public typealias Params = Empty

        public struct Result: Codable, Sendable, Hashable {
            public var open: Bool
            /// When it opens next; `nil` while open, or when it never opens within a year.
            public var nextOpenAt: Date?
            public var offlineWhenNoOperator: Bool

            public init(open: Bool, nextOpenAt: Date?, offlineWhenNoOperator: Bool) {
                self.open = open
                self.nextOpenAt = nextOpenAt
                self.offlineWhenNoOperator = offlineWhenNoOperator
            }

            enum CodingKeys: String, CodingKey {
                case open
                case nextOpenAt = "next_open_at"
                case offlineWhenNoOperator = "offline_when_no_operator"
            }
        }
    }

    /// `ticketing.offline_message`: a message left while the desk was closed becomes a ticket, an
    /// e-mail conversation waiting in the Pool. The caller chooses the ticket's id, so sending the
    /// same call again makes no second ticket.
    public enum OfflineMessage: RPCMethod {
        public static let name = "ticketing.offline_message"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var id: UUID
            public var name: String
            public var email: String
            public var message: String
            public var visitorID: UUID?

            public init(id: UUID, name: String, email: String, message: String, visitorID: UUID?) {
                self.id = id
                self.name = name
                self.email = email
                self.message = message
                self.visitorID = visitorID
            }

            enum CodingKeys: String, CodingKey {
                case id, name, email, message
                case visitorID = "visitor_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            /// The number customers and operators use: `#1001`, `#1002`, …
            public var number: Int64
            /// `nil` while the conversation is still being made (the ticket is kept; a sweeper finishes it).
            public var conversationID: UUID?

            public init(number: Int64, conversationID: UUID?) {
                self.number = number
                self.conversationID = conversationID
            }

            enum CodingKeys: String, CodingKey {
                case number
                case conversationID = "conversation_id"
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(number, forKey: .number)
                // Always present: `null` says "being filed".
                try container.encode(conversationID, forKey: .conversationID)
            }
        }
    }
}
