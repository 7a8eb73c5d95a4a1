import Foundation

/// The event feed: the outbox, read by cursor (`events.read`) or followed live (`events.subscribe`).
public enum EventMethods {
    /// The kinds of event a gateway passes on to browsers.
    public static let streamed = [
        ConversationEvents.Started.kind, ConversationEvents.MessageCreated.kind, PoolEvents.Assigned.kind, PoolEvents.Returned.kind,
        ConversationEvents.Closed.kind, ConversationEvents.MovedToEmail.kind, PoolEvents.Changed.kind, NotificationEvents.Created.kind,
        NotificationEvents.Settled.kind, TicketingEvents.MailUpdated.kind, ConversationEvents.Read.kind, ConversationEvents.Rated.kind,
    ]

    /// `events.read`: settled events after `after`, in cursor order, of `types`; read on from
    /// `scanned_through` until `caught_up`.
    public enum Read: RPCMethod {
        public static let name = "events.read"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var after: EventCursor
            public var limit: Int
            public var types: [EventKind]?
            /// The last event a live feed already delivered: a replay catching up with that feed
            /// reads at least this far (see `Database.readEvents`).
            public var settledThrough: EventCursor?

            public init(
                after: EventCursor, limit: Int = 500, types: [EventKind]? = EventMethods.streamed, settledThrough: EventCursor? = nil
            ) {
                self.after = after
                self.limit = limit
                self.types = types
                self.settledThrough = settledThrough
            }

            enum CodingKeys: String, CodingKey {
                case after, limit, types
                case settledThrough = "settled_through"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var events: [StreamEvent]
            /// The last event looked at, of any type: where the next read starts (`nil`: nothing new).
            public var scannedThrough: EventCursor?
            /// Nothing more to read now.
            public var caughtUp: Bool

            public init(events: [StreamEvent], scannedThrough: EventCursor?, caughtUp: Bool) {
                self.events = events
                self.scannedThrough = scannedThrough
                self.caughtUp = caughtUp
            }

            enum CodingKeys: String, CodingKey {
                case events
                case scannedThrough = "scanned_through"
                case caughtUp = "caught_up"
            }
        }
    }

    /// `events.subscribe`: a stream. The server pushes `events.batch` notifications on the caller's
    /// connection (every event after `after`, or after now without it, in order, each once) and
    /// replies only when the subscription ends, with the reason.
    public enum Subscribe: RPCMethod {
        public static let name = "events.subscribe"

        public struct Params: Codable, Sendable, Hashable {
            public var after: EventCursor?
            public init(after: EventCursor?) { self.after = after }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var reason: String
            public init(reason: String) { self.reason = reason }
        }
    }

    /// The params of one pushed `events.batch` line.
    public struct Batch: Codable, Sendable, Hashable {
        public static let method = "events.batch"
        public var events: [StreamEvent]
        public init(events: [StreamEvent]) { self.events = events }
    }
}
