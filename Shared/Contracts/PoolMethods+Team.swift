import Foundation

/// The pool service's methods for running a desk: giving work back, presence, the queue.
extension PoolMethods {
    /// `pool.release`: every open conversation `operatorID` holds (chats and tickets) goes back
    /// to the Pool, audited `returned` with `reason` and `by`, and their availability for chats
    /// and tickets goes off. For deactivation: sending it again returns nothing more.
    public enum Release: RPCMethod {
        public static let name = "pool.release"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorID: UUID
            public var reason: AssignmentChange.Reason
            /// Who did it (the admin); `nil` for the desk itself.
            public var by: OperatorRef?

            public init(operatorID: UUID, reason: AssignmentChange.Reason, by: OperatorRef?) {
                self.operatorID = operatorID
                self.reason = reason
                self.by = by
            }

            enum CodingKeys: String, CodingKey {
                case reason, by
                case operatorID = "operator_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            /// How many went back to the Pool.
            public var returned: Int
            public init(returned: Int) { self.returned = returned }
        }
    }

    /// `pool.return`: one conversation back to the Pool, by its holder or an admin (`admin`).
    /// Refused with `not_assignee` when `by` does not hold it and is not an admin, `closed`, or
    /// `not_found`. Returning what waits already changes nothing.
    public enum Return: RPCMethod {
        public static let name = "pool.return"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var by: OperatorRef
            public var admin: Bool

            public init(conversationID: UUID, by: OperatorRef, admin: Bool) {
                self.conversationID = conversationID
                self.by = by
                self.admin = admin
            }

            enum CodingKeys: String, CodingKey {
                case by, admin
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = PoolItem
    }

    /// `pool.dismiss`: a waiting chat closed as spam without being taken (audit `dismissed`).
    /// Refused with `already_taken` when someone holds it, `closed`, `not_found`, or
    /// `not_a_chat` for a ticket. The caller then closes the conversation itself.
    public enum Dismiss: RPCMethod {
        public static let name = "pool.dismiss"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var by: OperatorRef

            public init(conversationID: UUID, by: OperatorRef) {
                self.conversationID = conversationID
                self.by = by
            }

            enum CodingKeys: String, CodingKey {
                case by
                case conversationID = "conversation_id"
            }
        }

        public typealias Result = PoolItem
    }

    /// `pool.queue`: a waiting chat's place among the waiting chats (1 is next) and an estimate
    /// of the wait; `place` is `nil` when it does not wait (taken, closed, a ticket, or unknown).
    public enum Queue: RPCMethod {
        public static let name = "pool.queue"
        public static let isIdempotent = true
        public typealias Params = Item.Params

        public struct Result: Codable, Sendable, Hashable {
            public var place: QueuePlace?
            public init(place: QueuePlace?) { self.place = place }
        }
    }
}

extension PoolMethods {
    /// `pool.seen`: these operators have a console stream open on the calling gateway now (each
    /// gateway says so every few seconds, and at once when one opens). They are online; one who
    /// was away comes back, with the availability that going away switched off; with
    /// auto-assign on, waiting chats go to them. At most `PageRequest.limits.upperBound` a call.
    public enum Seen: RPCMethod {
        public static let name = "pool.seen"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operators: [RosterEntry]
            public init(operators: [RosterEntry]) { self.operators = operators }
        }

        public typealias Result = Empty
    }

    /// `pool.roster`: these operators exist, active, with these names and roles (told at login and
    /// whenever an admin changes them), so the pool can name holders and find the admins.
    /// Presence and availability are untouched.
    public enum Roster: RPCMethod {
        public static let name = "pool.roster"
        public static let isIdempotent = true
        public typealias Params = Seen.Params
        public typealias Result = Empty
    }

    /// `pool.left`: the operator logged out of their last session: offline from now on. Their
    /// chats stay with them for `away_after_seconds` (they may log in again), then go back to
    /// the Pool as for anyone away.
    public enum Left: RPCMethod {
        public static let name = "pool.left"
        public static let isIdempotent = true
        public typealias Params = Staffing.Params
        public typealias Result = Empty
    }

    /// `pool.team`: the Team screen: each operator's presence, availability and open jobs (the
    /// oldest `jobs` of them, and how many in all).
    public enum Team: RPCMethod {
        public static let name = "pool.team"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var operatorIDs: [UUID]
            public var jobs: Int

            public init(operatorIDs: [UUID], jobs: Int = 20) {
                self.operatorIDs = operatorIDs
                self.jobs = jobs
            }

            public static let jobLimits = 1...100

            enum CodingKeys: String, CodingKey {
                case jobs
                case operatorIDs = "operator_ids"
            }
        }

        public struct Member: Codable, Sendable, Hashable {
            public var staffing: Staffing.Entry
            /// Their open jobs, the one held longest first.
            public var jobs: [PoolItem]

            public init(staffing: Staffing.Entry, jobs: [PoolItem]) {
                self.staffing = staffing
                self.jobs = jobs
            }
        }

        public typealias Result = [Member]
    }
}

/// Where a waiting chat stands in the Pool.
public struct QueuePlace: Codable, Sendable, Hashable {
    /// 1 for the next chat to be taken.
    public var position: Int
    /// From how long the last chats waited and how many operators are available; `nil` when
    /// nobody is available to estimate from.
    public var estimatedWaitSeconds: Int?

    public init(position: Int, estimatedWaitSeconds: Int?) {
        self.position = position
        self.estimatedWaitSeconds = estimatedWaitSeconds
    }

    enum CodingKeys: String, CodingKey {
        case position
        case estimatedWaitSeconds = "estimated_wait_seconds"
    }
}

extension RPCError.Reason {
    /// Only chats are dismissed; a ticket is answered or closed.
    public static let notAChat = Self(rawValue: "not_a_chat")
}
