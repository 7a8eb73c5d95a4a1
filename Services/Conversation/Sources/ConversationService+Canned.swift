import Contracts
import Foundation
import Runtime
import Storage
import Wire

extension ConversationService {
    /// Canned responses: the desk's and each operator's own, and filling one in for a conversation.
    static func addCannedMethods(to router: inout RPCRouter, _ context: ServiceContext) {
        let database = context.database
        router.handle(ConversationMethods.CannedList.self) { params, _ in
            if let problem = params.page.problem() { throw problem }
            if let query = params.query, query.count > 100 {
                throw RPCError.invalidParams(field: "params.query", "query must be at most 100 characters")
            }
            return try await database.transaction { try ConversationStore.cannedList(params, in: $0) }
        }
        router.handle(ConversationMethods.CannedCreate.self) { params, _ in
            if params.draft.scope == .desk, !params.actor.admin { throw adminOnly }
            if let problem = CannedRules.check(params.draft) { throw problem }
            return try await cannedWrite(database) { try ConversationStore.createCanned(params, in: $0) }
        }
        router.handle(ConversationMethods.CannedUpdate.self) { params, _ in
            // Who may is decided before what is written is looked at: 404 and 403 before 422.
            let existing = try await database.transaction {
                try ConversationStore.canned(params.id, visibleTo: params.actor.id, in: $0)
            }
            guard let existing else { throw cannedNotFound }
            if existing.scope == .desk, !params.actor.admin { throw adminOnly }
            if let problem = CannedRules.check(params.draft) { throw problem }
            return try await cannedWrite(database) { try ConversationStore.updateCanned(params, in: $0) }
        }
        router.handle(ConversationMethods.CannedDelete.self) { params, _ in
            _ = try await cannedWrite(database) { try ConversationStore.deleteCanned(params, in: $0) }
            return Empty()
        }
        router.handle(ConversationMethods.CannedRender.self) { params, _ in
            let (canned, record) = try await database.transaction { transaction in
                (
                    try ConversationStore.canned(params.id, visibleTo: params.operator.id, in: transaction),
                    try params.conversationID.flatMap { try ConversationStore.record($0, in: transaction) }
                )
            }
            guard let canned else { throw cannedNotFound }
            guard let record else {
                throw RPCError.invalidParams(
                    field: "params.conversation_id",
                    params.conversationID == nil ? "conversation_id is required" : "no such conversation")
            }
            let filled = CannedRules.fill(canned.body, with: .init(customer: record.customer, operator: params.operator))
            // Long names in many placeholders could outgrow a message: cut to what may be sent.
            return .init(id: canned.id, shortcut: canned.shortcut, body: MessageBody.fitted(filled, note: "…"))
        }
    }

    /// A write as its answer: a duplicate shortcut (the unique index decides, race or not) is a conflict.
    static func cannedWrite(
        _ database: Database, _ work: @escaping @Sendable (Transaction) throws -> ConversationStore.CannedWrite
    ) async throws -> CannedResponse {
        let outcome: ConversationStore.CannedWrite
        do {
            outcome = try await database.transaction(work)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RPCError(.shortcutTaken, "a canned response of this scope already has this shortcut")
        }
        switch outcome {
        case .written(let canned): return canned
        case .notFound: throw cannedNotFound
        case .adminOnly: throw adminOnly
        case .limitReached(let cap): throw RPCError(.limitReached, "there may be at most \(cap) canned responses of this scope")
        case .scopeChanged:
            throw RPCError.invalidParams(field: "params.draft.scope", "scope cannot change; create a new one and delete this one")
        }
    }

    static let cannedNotFound = RPCError(.notFound, "no such canned response")
    static let adminOnly = RPCError(.adminOnly, "only an admin manages the desk's canned responses")
}
