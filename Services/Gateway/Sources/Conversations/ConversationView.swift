import Contracts
import Foundation
import Wire

/// A conversation as the public API shows it: the conversation service's record, with the
/// status and holder the pool service knows, and (for operators) the assignment audit.
struct ConversationView: Encodable, Sendable {
    var id: UUID
    var channel: ConversationChannel
    var status: PoolItem.Status
    var customer: Customer
    var assignee: OperatorRef?
    var createdAt: Date
    var closedAt: Date?
    /// Why it closed: `operator`, `customer`, `idle` or `dismissed`.
    var closedReason: CloseReason?
    var lastMessage: Message?
    var ticket: TicketRef?
    var audit: [AssignmentChange]?
    /// How far the customer has read, and the furthest any operator has (0: nothing yet).
    var customerReadSeq: Int64
    var operatorReadSeq: Int64
    /// The customer's rating, once given after the close.
    var rating: Rating?

    /// An e-mail conversation's ticket: its number, where the customer's mail goes, and the
    /// delivery of every mail it sent (the acknowledgement included).
    struct TicketRef: Encodable, Sendable {
        var number: Int64
        var email: String
        var subject: String
        var deliveries: [MailDelivery]
    }

    init(record: ConversationRecord, item: PoolItem?, ticket: TicketSummary? = nil, audit: [AssignmentChange]? = nil) {
        id = record.id
        channel = record.channel
        // Until the pool has seen the new conversation (milliseconds), it is waiting.
        status = record.closedAt != nil ? .closed : item?.status ?? .waiting
        customer = record.customer
        assignee = item?.holder
        createdAt = record.createdAt
        closedAt = record.closedAt
        closedReason = record.closedReason
        lastMessage = record.lastMessage
        self.ticket = ticket.map { TicketRef(number: $0.number, email: $0.email, subject: $0.subject, deliveries: $0.deliveries) }
        self.audit = audit
        customerReadSeq = record.customerReadSeq
        operatorReadSeq = record.operatorReadSeq
        rating = record.rating
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, status, customer, assignee, audit, ticket, rating
        case customerReadSeq = "customer_read_seq"
        case operatorReadSeq = "operator_read_seq"
        case createdAt = "created_at"
        case closedAt = "closed_at"
        case closedReason = "closed_reason"
        case lastMessage = "last_message"
    }
}

extension Backends {
    /// Calls a back service; its refusals become the public API's errors.
    func call<M: RPCMethod>(
        _ service: ServiceName, _ method: M.Type, _ params: M.Params, idempotencyKey: String? = nil
    ) async throws -> M.Result {
        do {
            return try await self[service].call(method, params, idempotencyKey: idempotencyKey)
        } catch let error as RPCError {
            throw error.apiError
        }
    }

    /// These operators' availability, presence and load by id; empty when the pool is away
    /// (a screen still lists the people, shown unavailable).
    func staffing(_ ids: [UUID]) async -> [UUID: PoolMethods.Staffing.Entry] {
        guard !ids.isEmpty else { return [:] }
        let entries = (try? await self[.pool].call(PoolMethods.Staffing.self, .init(operatorIDs: ids), timeout: .seconds(1))) ?? []
        return Dictionary(entries.map { ($0.operatorID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The pool's item, or `nil` while the pool has not seen the conversation yet.
    func item(_ id: UUID) async throws -> PoolItem? {
        do {
            return try await self[.pool].call(PoolMethods.Item.self, .init(conversationID: id))
        } catch let error as RPCError where error.reason == .notFound {
            return nil
        } catch let error as RPCError {
            throw error.apiError
        }
    }

    /// The ticket of an e-mail conversation; `nil` for a chat, or while ticketing is away (the
    /// conversation still shows, without its number).
    func ticket(_ record: ConversationRecord) async -> TicketSummary? {
        guard record.channel == .email else { return nil }
        return try? await self[.ticketing].call(TicketingMethods.Ticket.self, .init(conversationID: record.id))
    }

    /// Views of several records, their pool state and tickets asked for concurrently.
    func views(_ records: [ConversationRecord]) async throws -> [ConversationView] {
        try await withThrowingTaskGroup(of: (Int, ConversationView).self) { group in
            for (index, record) in records.enumerated() {
                group.addTask {
                    async let ticket = ticket(record)
                    let item = record.closedAt == nil ? try await item(record.id) : nil
                    return (index, ConversationView(record: record, item: item, ticket: await ticket))
                }
            }
            var views = [ConversationView?](repeating: nil, count: records.count)
            for try await (index, view) in group { views[index] = view }
            return views.compactMap { $0 }
        }
    }

    func view(_ id: UUID, withAudit: Bool = false) async throws -> ConversationView {
        let record = try await call(.conversation, ConversationMethods.Get.self, .init(conversationID: id))
        async let ticket = ticket(record)
        let audit = withAudit ? try await call(.pool, PoolMethods.Audit.self, .init(conversationID: id)) : nil
        return ConversationView(record: record, item: try await item(id), ticket: await ticket, audit: audit)
    }
}

/// A message as operators see it: in a ticket, an operator's message carries the delivery state
/// of the mail that took it to the customer.
struct MessageView: Encodable, Sendable {
    var message: Message
    var delivery: MailDelivery?

    enum CodingKeys: String, CodingKey { case delivery }

    func encode(to encoder: any Encoder) throws {
        try message.encode(to: encoder)
        if let delivery {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(delivery, forKey: .delivery)
        }
    }

    /// Each message with the delivery of the mail carrying it, if any.
    static func views(_ messages: [Message], ticket: TicketSummary?) -> [MessageView] {
        var deliveries: [UUID: MailDelivery] = [:]
        for delivery in ticket?.deliveries ?? [] { if let id = delivery.messageID { deliveries[id] = delivery } }
        return messages.map { MessageView(message: $0, delivery: deliveries[$0.id]) }
    }
}
