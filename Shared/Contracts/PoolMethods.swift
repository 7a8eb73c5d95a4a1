import Foundation

/// The pool service's methods.
public enum PoolMethods {
    /// `pool.waiting`: a page of the Pool, oldest first, with how many wait in all.
    public enum Waiting: RPCMethod {
        public static let name = "pool.waiting"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var page: PageRequest
            /// Only chats, or only tickets (the Tickets screen's "unassigned").
            public var kind: PoolItem.Kind?

            public init(page: PageRequest = .init(), kind: PoolItem.Kind? = nil) {
                self.page = page
                self.kind = kind
            }
        }

        public typealias Result = Page<PoolItem>
    }

    /// `pool.admit`: room in the Pool for one more chat from `origin` (the client's address),
    /// asked before the chat starts. Refused with `rate_limited` (and `details.retry_after`
    /// seconds) when `limit` chats from there already wait, counting the admitted ones that have
    /// not reached the Pool yet. Of concurrent admits for one origin at most `limit` pass.
    public enum Admit: RPCMethod {
        public static let name = "pool.admit"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var origin: String
            public var limit: Int

            public init(conversationID: UUID, origin: String, limit: Int) {
                self.conversationID = conversationID
                self.origin = origin
                self.limit = limit
            }

            /// Origins are addresses; the limit is a setting's range.
            public static let originLength = 1...100
            public static let limits = 1...1_000_000

            enum CodingKeys: String, CodingKey {
                case origin, limit
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = Empty
    }

    /// `pool.withdraw`: gives back an admission whose chat did not start.
    public enum Withdraw: RPCMethod {
        public static let name = "pool.withdraw"
        public static let isIdempotent = true
        public typealias Params = Item.Params
        public typealias Result = Empty
    }

    /// `pool.take`: "Take it on me". Of any number of simultaneous takes of one waiting item,
    /// exactly one wins; the others get `already_taken` with `details.operator`. Taking what you
    /// already hold succeeds. With `takeover`, a colleague's job is taken too (and the audit says so).
    /// A ticket needs the taker's availability on (`unavailable`).
    public enum Take: RPCMethod {
        public static let name = "pool.take"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var taker: OperatorRef
            public var takeover: Bool

            public init(conversationID: UUID, taker: OperatorRef, takeover: Bool = false) {
                self.conversationID = conversationID
                self.taker = taker
                self.takeover = takeover
            }

            enum CodingKeys: String, CodingKey {
                case taker, takeover
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = PoolItem
    }

    /// `pool.assign`: any operator gives a waiting or held ticket to an available colleague (the
    /// Tickets screen). Refused with `colleague_unavailable`, `closed`, or `not_a_ticket` for a chat.
    public enum Assign: RPCMethod {
        public static let name = "pool.assign"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var to: OperatorRef

            public init(conversationID: UUID, to: OperatorRef) {
                self.conversationID = conversationID
                self.to = to
            }

            enum CodingKeys: String, CodingKey {
                case to
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = PoolItem
    }

    /// `pool.items`: the items of these conversations (those the pool knows), in no order.
    public enum Items: RPCMethod {
        public static let name = "pool.items"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationIDs: [UUID]
            public init(conversationIDs: [UUID]) { self.conversationIDs = conversationIDs }
            enum CodingKeys: String, CodingKey { case conversationIDs = "conversation_ids" }
        }

        public typealias Result = [PoolItem]
    }

    /// `pool.transfer`: the holder, or an admin (`admin`), hands the job to a colleague available
    /// for its kind (the audit names the admin as `by`). Refused with `not_assignee` when `by`
    /// neither holds it nor is an admin, `colleague_unavailable` when `to` is not available.
    public enum Transfer: RPCMethod {
        public static let name = "pool.transfer"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var by: OperatorRef
            public var admin: Bool
            public var to: OperatorRef

            public init(conversationID: UUID, by: OperatorRef, admin: Bool = false, to: OperatorRef) {
                self.conversationID = conversationID
                self.by = by
                self.admin = admin
                self.to = to
            }

            enum CodingKeys: String, CodingKey {
                case by, admin, to
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = PoolItem
    }

    /// `pool.item`: who holds a conversation (the conversation service asks before an operator writes).
    public enum Item: RPCMethod {
        public static let name = "pool.item"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public init(conversationID: UUID) { self.conversationID = conversationID }
            enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
        }

        public typealias Result = PoolItem
    }

    /// `pool.mark_ticket`: the conversation goes on by e-mail, so its item is a ticket from now on
    /// (told at once by whoever made it one, so the next call sees it; the pool would also learn it
    /// from `conversation.moved_to_email`). `not_found` when the pool has no such item.
    public enum MarkTicket: RPCMethod {
        public static let name = "pool.mark_ticket"
        public static let isIdempotent = true

        public typealias Params = Item.Params
        public typealias Result = PoolItem
    }

    /// `pool.held`: a page of the open conversations an operator holds (their Messages), oldest
    /// first, with how many they hold in all.
    public enum Held: RPCMethod {
        public static let name = "pool.held"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var page: PageRequest
            /// Only chats, or only tickets (the Tickets screen's "mine").
            public var kind: PoolItem.Kind?

            public init(operatorID: UUID, page: PageRequest = .init(), kind: PoolItem.Kind? = nil) {
                self.operatorID = operatorID
                self.page = page
                self.kind = kind
            }

            enum CodingKeys: String, CodingKey {
                case page, kind
                case operatorID = "operator_id"
            }
        }

        public typealias Result = Page<PoolItem>
    }

    /// `pool.staffing`: these operators' availability, presence and how many open conversations
    /// each holds (at most `PageRequest.limits.upperBound` ids; one the pool never saw is
    /// unavailable and offline, with no load).
    public enum Staffing: RPCMethod {
        public static let name = "pool.staffing"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorIDs: [UUID]
            public init(operatorIDs: [UUID]) { self.operatorIDs = operatorIDs }
            enum CodingKeys: String, CodingKey { case operatorIDs = "operator_ids" }
        }

        public struct Entry: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var availability: Availability
            public var presence: Presence
            public var load: Int

            public init(operatorID: UUID, availability: Availability, presence: Presence, load: Int) {
                self.operatorID = operatorID
                self.availability = availability
                self.presence = presence
                self.load = load
            }

            enum CodingKeys: String, CodingKey {
                case availability, presence, load
                case operatorID = "operator_id"
            }
        }

        public typealias Result = [Entry]
    }

    /// `pool.audit`: a conversation's latest `limit` changes of holder, oldest first.
    public enum Audit: RPCMethod {
        public static let name = "pool.audit"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var limit: Int

            public init(conversationID: UUID, limit: Int = PageRequest.defaultLimit) {
                self.conversationID = conversationID
                self.limit = limit
            }

            enum CodingKeys: String, CodingKey {
                case limit
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = [AssignmentChange]
    }

    /// `pool.availability`: switches an operator's availability for chats, for tickets, or both
    /// (a field left out keeps its value); answers what it is now. Switching chats on lets
    /// auto-assign give them waiting chats at once.
    public enum SetAvailability: RPCMethod {
        public static let name = "pool.availability"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            /// Kept so auto-assign can name the holder it picks.
            public var operatorName: String
            public var chats: Bool?
            public var tickets: Bool?

            public init(operatorID: UUID, operatorName: String, chats: Bool?, tickets: Bool?) {
                self.operatorID = operatorID
                self.operatorName = operatorName
                self.chats = chats
                self.tickets = tickets
            }

            enum CodingKeys: String, CodingKey {
                case chats, tickets
                case operatorID = "operator_id"
                case operatorName = "operator_name"
            }
        }

        public typealias Result = Availability
    }

    /// `pool.settings.get`: the pool service's part of Customizations.
    public enum GetSettings: RPCMethod {
        public static let name = "pool.settings.get"
        public static let isIdempotent = true
        public typealias Params = Empty
        public typealias Result = PoolSettings
    }

    /// `pool.settings.put`: saves it (or, with `dry_run`, only validates it).
    public enum PutSettings: RPCMethod {
        public static let name = "pool.settings.put"
        public static let isIdempotent = true
        public typealias Params = SettingsPut<PoolSettings>
        public typealias Result = PoolSettings
    }

    /// `pool.available`: how many operators are present with availability for chats on.
    public enum Available: RPCMethod {
        public static let name = "pool.available"
        public static let isIdempotent = true
        public typealias Params = Empty

        public struct Result: Codable, Sendable, Hashable {
            public var operators: Int
            public init(operators: Int) { self.operators = operators }
        }
    }
}

extension RPCError.Reason {
    // The pool service's refusals.
    /// A colleague took it first; `details.operator` and `details.operator_id` name them.
    public static let alreadyTaken = Self(rawValue: "already_taken")
    /// Tickets need the taker's availability on.
    public static let availabilityOff = Self(rawValue: "availability_off")
    /// The colleague it should go to is not available.
    public static let colleagueUnavailable = Self(rawValue: "colleague_unavailable")
    /// Only tickets are assigned; chats are taken.
    public static let notATicket = Self(rawValue: "not_a_ticket")
}
