import Foundation

extension TicketingMethods {
    /// `ticketing.send_notice`: queues one mail in the outbox that belongs to no ticket (a
    /// password reset link, say), from the desk's address. Once per `id`: sending the same id
    /// again queues nothing more. Refused with invalid params for an address that is not
    /// plausible, a subject that is empty, over 200 characters or holds a line break, or an
    /// empty text.
    public enum SendNotice: RPCMethod {
        public static let name = "ticketing.send_notice"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            /// The caller's id for this notice: what makes a repeated call harmless.
            public var id: UUID
            public var to: String
            public var subject: String
            public var text: String

            public init(id: UUID, to: String, subject: String, text: String) {
                self.id = id
                self.to = to
                self.subject = subject
                self.text = text
            }

            /// The longest subject and text a notice may have.
            public static let subjectLimit = 200
            public static let textLimit = 20_000
        }

        public typealias Result = Empty
    }
}

extension TicketingMethods {
    /// `ticketing.send_transcript`: mails a chat as it stands to `email`, once per conversation
    /// and address (`queued: false` when it was mailed there before). The latest messages up to
    /// `byteBudget` of text are sent; a longer chat's earlier ones are counted, not sent. Refused
    /// with `not_a_chat` for an e-mail conversation (its mails are the transcript), invalid params
    /// for an implausible address, not found for an unknown conversation.
    public enum SendTranscript: RPCMethod {
        public static let name = "ticketing.send_transcript"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var conversationID: UUID
            public var email: String

            public init(conversationID: UUID, email: String) {
                self.conversationID = conversationID
                self.email = email
            }

            enum CodingKeys: String, CodingKey {
                case email
                case conversationID = "conversation_id"
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            /// Queued now; `false`: it had been mailed to this address already.
            public var queued: Bool
            public init(queued: Bool) { self.queued = queued }
        }

        /// The most message text one transcript carries.
        public static let byteBudget = 1 << 20
    }
}
