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
    var lastMessage: Message?
    var audit: [AssignmentChange]?

    init(record: ConversationRecord, item: PoolItem?, audit: [AssignmentChange]? = nil) {
        id = record.id
        channel = record.channel
        // Until the pool has seen the new conversation (milliseconds), it is waiting.
        status = record.closedAt != nil ? .closed : item?.status ?? .waiting
        customer = record.customer
        assignee = item?.holder
        createdAt = record.createdAt
        closedAt = record.closedAt
        lastMessage = record.lastMessage
        self.audit = audit
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, status, customer, assignee, audit
        case createdAt = "created_at"
        case closedAt = "closed_at"
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

    /// The pool's item, or `nil` while the pool has not seen the conversation yet.
    func item(_ id: UUID) async throws -> PoolItem? {
        do {
            return try await self[.pool].call(PoolMethods.Item.self, .init(conversationID: id))
        } catch let error as RPCError where error.reason == "not_found" {
            return nil
        } catch let error as RPCError {
            throw error.apiError
        }
    }

    /// Views of several records, their pool state asked for concurrently.
    func views(_ records: [ConversationRecord]) async throws -> [ConversationView] {
        try await withThrowingTaskGroup(of: (Int, ConversationView).self) { group in
            for (index, record) in records.enumerated() {
                group.addTask { (index, ConversationView(record: record, item: record.closedAt == nil ? try await item(record.id) : nil)) }
            }
            var views = [ConversationView?](repeating: nil, count: records.count)
            for try await (index, view) in group { views[index] = view }
            return views.compactMap { $0 }
        }
    }

    func view(_ id: UUID, withAudit: Bool = false) async throws -> ConversationView {
        let record = try await call(.conversation, Conversations.Get.self, .init(conversationID: id))
        let audit = withAudit ? try await call(.pool, PoolMethods.Audit.self, .init(conversationID: id)) : nil
        return ConversationView(record: record, item: try await item(id), audit: audit)
    }
}
