import Foundation

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
        public typealias Params = SettingsPut<TicketingSettings>
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

    /// `ticketing.tickets`: a page of the tickets whose conversation exists, newest first; or,
    /// with `conversation_ids` (at most `PageRequest.limits.upperBound`), the tickets of those
    /// conversations, in one page.
    public enum Tickets: RPCMethod {
        public static let name = "ticketing.tickets"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var page: PageRequest
            public var conversationIDs: [UUID]?

            public init(page: PageRequest = .init(), conversationIDs: [UUID]? = nil) {
                self.page = page
                self.conversationIDs = conversationIDs
            }

            enum CodingKeys: String, CodingKey {
                case page
                case conversationIDs = "conversation_ids"
            }
        }

        public typealias Result = Page<TicketListEntry>
    }

    /// `ticketing.ticket`: the ticket of an e-mail conversation; `not_found` for a chat.
    /// Its deliveries are those of the mails carrying `message_ids` (at most
    /// `PageRequest.limits.upperBound`: the messages on a page) or, without them, the latest 100.
    public enum Ticket: RPCMethod {
        public static let name = "ticketing.ticket"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var messageIDs: [UUID]?

            public init(conversationID: UUID, messageIDs: [UUID]? = nil) {
                self.conversationID = conversationID
                self.messageIDs = messageIDs
            }

            enum CodingKeys: String, CodingKey {
                case conversationID = "conversation_id"
                case messageIDs = "message_ids"
            }
        }

        public typealias Result = TicketSummary
    }

    /// `ticketing.inbound`: one received mail, raw, base64 encoded (mail need not be UTF-8).
    /// Stored before it answers; the same Message-ID again stores nothing.
    public enum Inbound: RPCMethod {
        public static let name = "ticketing.inbound"
        public static let isIdempotent = true

        /// The mail as a stored file (`raw_id`, in `platform.attachments`: how the gateway hands
        /// it on, since a mail with attachments is larger than a wire line), or inline as base64
        /// (`raw`, for small mails and tests).
        public struct Params: Codable, Sendable, Hashable {
            public var raw: String?
            public var rawID: UUID?
            public init(raw: String) { self.raw = raw }
            public init(rawID: UUID) { self.rawID = rawID }

            enum CodingKeys: String, CodingKey {
                case raw
                case rawID = "raw_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public enum Outcome: String, Codable, Sendable {
                /// Added to the ticket it answers.
                case appended
                /// From an unknown sender or thread: a new ticket.
                case created
                /// This Message-ID was received before: nothing stored.
                case duplicate
            }

            public var outcome: Outcome
            public var number: Int64

            public init(outcome: Outcome, number: Int64) {
                self.outcome = outcome
                self.number = number
            }
        }
    }

    /// `ticketing.ticket_chat`: "Ticket this chat": the holder turns a live chat into a ticket
    /// answered by e-mail; the customer gets the chat so far by mail. Doing it again returns the same ticket.
    public enum TicketChat: RPCMethod {
        public static let name = "ticketing.ticket_chat"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var email: String
            public var holder: OperatorRef

            public init(conversationID: UUID, email: String, holder: OperatorRef) {
                self.conversationID = conversationID
                self.email = email
                self.holder = holder
            }

            enum CodingKeys: String, CodingKey {
                case email, holder
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = TicketSummary
    }
}
