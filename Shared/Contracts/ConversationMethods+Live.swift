import Foundation

/// The live feel of a conversation: the customer's reading position and their rating.
extension ConversationMethods {
    /// `conversation.visitor_read`: moves the customer's reading position forward (never back).
    /// `seq` must be a message of the conversation (1 to its last seq): else `invalid_params`
    /// naming `params.seq`.
    public enum VisitorRead: RPCMethod {
        public static let name = "conversation.visitor_read"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var seq: Int64

            public init(conversationID: UUID, seq: Int64) {
                self.conversationID = conversationID
                self.seq = seq
            }

            enum CodingKeys: String, CodingKey {
                case seq
                case conversationID = "conversation_id"
            }
        }

        /// Where the position stands now (the seq asked for, or further).
        public struct Result: Codable, Sendable, Hashable {
            public var customerReadSeq: Int64
            public init(customerReadSeq: Int64) { self.customerReadSeq = customerReadSeq }
            enum CodingKeys: String, CodingKey { case customerReadSeq = "customer_read_seq" }
        }
    }

    /// `conversation.rate`: the customer's rating of a closed conversation, once. Refused with
    /// `not_closed` while it is open and `already_rated` the second time.
    public enum Rate: RPCMethod {
        public static let name = "conversation.rate"

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var score: Int
            public var comment: String?
            /// The visitor rating from the widget: the conversation must be theirs, and the
            /// rating counts against their budget, refused or not.
            public var visitor: VisitorWrite?

            public init(conversationID: UUID, score: Int, comment: String?, visitor: VisitorWrite? = nil) {
                self.conversationID = conversationID
                self.score = score
                self.comment = comment
                self.visitor = visitor
            }

            enum CodingKeys: String, CodingKey {
                case score, comment, visitor
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = Rating
    }

    /// `conversation.ratings`: the ratings given in `[from, to)` (by when they were given): how
    /// many, their average, and a page of them, newest first.
    public enum Ratings: RPCMethod {
        public static let name = "conversation.ratings"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var from: Date?
            public var to: Date?
            public var page: PageRequest

            public init(from: Date? = nil, to: Date? = nil, page: PageRequest = .init()) {
                self.from = from
                self.to = to
                self.page = page
            }
        }

        /// One rating with the conversation it is about.
        public struct Entry: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var customer: Customer
            public var closedBy: OperatorRef?
            public var rating: Rating

            public init(conversationID: UUID, customer: Customer, closedBy: OperatorRef?, rating: Rating) {
                self.conversationID = conversationID
                self.customer = customer
                self.closedBy = closedBy
                self.rating = rating
            }

            enum CodingKeys: String, CodingKey {
                case customer, rating
                case conversationID = "conversation_id"
                case closedBy = "closed_by"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            public var count: Int
            /// `nil` when there is none.
            public var average: Double?
            public var page: Page<Entry>

            public init(count: Int, average: Double?, page: Page<Entry>) {
                self.count = count
                self.average = average
                self.page = page
            }
        }
    }
}

extension RPCError.Reason {
    /// The conversation is still open: it is rated once it has closed.
    public static let notClosed = Self(rawValue: "not_closed")
    /// The conversation was rated already; a rating is given once.
    public static let alreadyRated = Self(rawValue: "already_rated")
}

/// Which side of a conversation read: its customer, or the desk.
public enum ReadingSide: String, Codable, Sendable, CaseIterable {
    case customer
    case `operator`
}

/// A reading position moved: the customer's, or the furthest any operator read.
public struct ReadReceipt: Codable, Sendable, Hashable {
    public var conversationID: UUID
    public var side: ReadingSide
    public var seq: Int64

    public init(conversationID: UUID, side: ReadingSide, seq: Int64) {
        self.conversationID = conversationID
        self.side = side
        self.seq = seq
    }

    enum CodingKeys: String, CodingKey {
        case side, seq
        case conversationID = "conversation_id"
    }
}

/// A rating was given: which conversation, and the rating.
public struct RatingGiven: Codable, Sendable, Hashable {
    public var conversationID: UUID
    public var rating: Rating

    public init(conversationID: UUID, rating: Rating) {
        self.conversationID = conversationID
        self.rating = rating
    }

    enum CodingKeys: String, CodingKey {
        case rating
        case conversationID = "conversation_id"
    }
}

extension ConversationEvents {
    /// A reading position moved forward (the customer's, or the desk's furthest).
    public enum Read: Event {
        public static let kind = EventKind(rawValue: "conversation.read")
        public static func subject(of payload: ReadReceipt) -> UUID { payload.conversationID }
    }

    /// The customer rated the conversation.
    public enum Rated: Event {
        public static let kind = EventKind(rawValue: "conversation.rated")
        public static func subject(of payload: RatingGiven) -> UUID { payload.conversationID }
    }
}

/// Someone is typing in a conversation: the `data` of a `typing` stream frame, and what gateways
/// tell each other about it. Never stored.
public struct Typing: Codable, Sendable, Hashable {
    public var conversationID: UUID
    public var author: Author

    public init(conversationID: UUID, author: Author) {
        self.conversationID = conversationID
        self.author = author
    }

    enum CodingKeys: String, CodingKey {
        case author
        case conversationID = "conversation_id"
    }

    /// What a client sends on its stream while its person types: `{"type":"typing","conversation_id":…}`.
    public struct Request: Codable, Sendable, Hashable {
        public var type: String
        public var conversationID: UUID

        public init(conversationID: UUID) {
            type = StreamFrame.FrameType.typing.rawValue
            self.conversationID = conversationID
        }

        enum CodingKeys: String, CodingKey {
            case type
            case conversationID = "conversation_id"
        }

        /// The largest such frame looked at, in bytes; a longer one is dropped unread.
        public static let maximumBytes = 256
    }
}

extension StreamFrame.FrameType {
    /// Someone is typing (`data` is a `Typing`); sent by clients as `{"type":"typing","conversation_id":…}`.
    public static let typing = Self(rawValue: "typing")
}
