import Contracts
import Foundation
import Runtime
import Storage
import Wire

/// The conversation service: customers, conversations, messages, the Archive.
public enum ConversationService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(
        name: .conversation, migrations: ConversationStore.migrations, calls: [.pool],
        routes: { router, context in addMethods(to: &router, context) }, workers: { [IdleCloser(context: $0)] })

    static func addMethods(to router: inout RPCRouter, _ context: ServiceContext) {
        let database = context.database
        let pool = context.client(.pool)
        router.handle(ConversationMethods.Start.self) { params, request in
            if let problem = Rules.check(params) { throw problem }
            try await refuseBlocked(params, database: database)
            let key = request.idempotencyKey
            return try await database.transaction { try ConversationStore.start(params, key: key, in: $0) }
        }
        router.handle(ConversationMethods.Post.self) { params, _ in
            if let problem = Rules.check(params.draft, field: "params.draft") { throw problem }
            if params.author.kind == .operator {
                try await requireHolder(params.author, of: params.conversationID, pool: pool)
            }
            return try await post(params, database: database)
        }
        router.handle(ConversationMethods.VisitorPost.self) { params, _ in
            if let problem = Rules.check(params.draft, field: "params.draft") ?? params.visitor.problem(field: "params.visitor") {
                throw problem
            }
            return try await post(params, database: database)
        }
        router.handle(ConversationMethods.Messages.self) { params, _ in
            if let problem = Rules.check(params) { throw problem }
            return try await database.transaction { transaction in
                guard try ConversationStore.record(params.conversationID, in: transaction) != nil else { throw notFound }
                return try ConversationStore.messages(params, in: transaction)
            }
        }
        router.handle(ConversationMethods.Get.self) { params, _ in
            try await database.transaction { try ConversationStore.record(params.conversationID, in: $0) } ?? { throw notFound }()
        }
        router.handle(ConversationMethods.Close.self) { params, _ in
            if let problem = params.visitor?.problem(field: "params.visitor") { throw problem }
            let closed: Result<ConversationRecord?, RPCError> = try await database.transaction { transaction in
                if let visitor = params.visitor {
                    switch try ConversationStore.admit(visitor, to: params.conversationID, in: transaction) {
                    case .notFound: return .success(nil)
                    case .over(let wait): return .failure(overBudget(retryAfter: wait))
                    case .admitted: ConversationStore.spend(visitor, in: transaction)
                    }
                }
                return .success(
                    try ConversationStore.close(params.conversationID, by: params.closedBy, reason: params.reason, in: transaction))
            }
            guard let record = try closed.get() else { throw notFound }
            return record
        }
        router.handle(ConversationMethods.Reopen.self) { params, _ in
            try await database.transaction { try ConversationStore.reopen(params.conversationID, in: $0) } ?? { throw notFound }()
        }
        router.handle(ConversationMethods.MoveToEmail.self) { params, _ in
            guard EmailAddress.isPlausible(params.email) else {
                throw RPCError.invalidParams(field: "params.email", "email must be an e-mail address")
            }
            switch try await database.transaction({ try ConversationStore.moveToEmail(params, in: $0) }) {
            case .moved(let record): return record
            case .notFound: throw notFound
            case .closed: throw RPCError(.closed, "the conversation is closed")
            }
        }
        router.handle(ConversationMethods.Archive.self) { params, _ in
            if let problem = params.page.problem() { throw problem }
            return try await database.transaction { try ConversationStore.archive(params, in: $0) }
        }
        router.handle(ConversationMethods.History.self) { params, _ in
            guard params.visitorID != nil || params.customerID != nil else {
                throw RPCError.invalidParams(field: "params.visitor_id", "give visitor_id or customer_id")
            }
            if let problem = params.page.problem() { throw problem }
            return try await database.transaction { try ConversationStore.history(params, in: $0) }
        }
        router.handle(ConversationMethods.Read.self) { params, _ in
            if params.seq < 0 { throw RPCError.invalidParams(field: "params.seq", "seq must not be negative") }
            guard try await database.transaction({ try ConversationStore.read(params, in: $0) }) else { throw notFound }
            return Empty()
        }
        router.handle(ConversationMethods.Overview.self) { params, _ in
            if params.conversationIDs.count > PageRequest.limits.upperBound {
                throw RPCError.invalidParams(field: "params.conversation_ids", "at most \(PageRequest.limits.upperBound) ids")
            }
            return try await database.transaction { try ConversationStore.overview(params, in: $0) }
        }
        router.handle(ConversationMethods.GetSettings.self) { _, _ in
            try await database.transaction { try ConversationStore.settings(in: $0) }
        }
        router.handle(ConversationMethods.PutSettings.self) { params, _ in
            if let problem = Rules.check(params.settings) { throw problem }
            if params.dryRun { return params.settings }
            return try await database.transaction { try ConversationStore.save(params.settings, in: $0) }
        }
        router.handle(ConversationMethods.Hide.self) { params, _ in
            guard try await database.transaction({ try ConversationStore.hide(params, in: $0) }) else {
                throw RPCError(.notFound, "no such closed conversation")
            }
            return Empty()
        }
        addCustomerMethods(to: &router, context)
        addCannedMethods(to: &router, context)
        addLiveMethods(to: &router, context)
    }

    static let notFound = RPCError(.notFound, "no such conversation")

    /// Only the operator holding a conversation writes in it; the pool owns who that is.
    static func requireHolder(_ author: Author, of conversationID: UUID, pool: RPCClient) async throws {
        let holder: OperatorRef?
        do {
            holder = try await pool.call(PoolMethods.Item.self, .init(conversationID: conversationID)).holder
        } catch let error as RPCError where error.reason == .notFound {
            holder = nil
        }
        guard let holder, holder.id == author.id else {
            throw RPCError(.notAssignee, "only the operator holding this conversation may write in it")
        }
    }

    /// Posts once. Two posts racing with one `client_message_id` both miss the first lookup;
    /// the loser's insert hits the unique key, and reading again finds the winner's message.
    static func post(_ params: ConversationMethods.Post.Params, database: Database) async throws -> ConversationMethods.Post.Result {
        try await post(database: database) { try ConversationStore.post(params, in: $0) }
    }

    /// A customer's message from the widget: admitted (theirs, within their budget), posted and
    /// counted in one transaction. Only a message stored anew counts; a refusal rolls back.
    static func post(_ params: ConversationMethods.VisitorPost.Params, database: Database) async throws -> ConversationMethods.Post.Result {
        try await post(database: database) { transaction in
            switch try ConversationStore.admit(params.visitor, to: params.conversationID, in: transaction) {
            case .notFound: return .notFound
            case .over(let wait): return .overBudget(retryAfter: wait)
            case .admitted(_, blocked: true): return .blocked
            case .admitted(let author, blocked: false):
                let posted = try ConversationStore.post(
                    .init(conversationID: params.conversationID, author: author, draft: params.draft), blockChecked: true,
                    in: transaction)
                if case .message(_, created: true) = posted { ConversationStore.spend(params.visitor, in: transaction) }
                return posted
            }
        }
    }

    static func post(
        database: Database, _ body: @escaping @Sendable (Transaction) throws -> ConversationStore.Posted
    ) async throws -> ConversationMethods.Post.Result {
        for attempt in 0..<2 {
            do {
                switch try await database.transaction(body) {
                case .message(let message, let created): return .init(message: message, created: created)
                case .notFound: throw notFound
                case .closed: throw RPCError(.closed, "the conversation is closed")
                case .blocked: throw blocked
                case .attachments(let problem): throw RPCError.invalidParams(field: "params.attachment_ids", problem)
                case .overBudget(let wait): throw overBudget(retryAfter: wait)
                }
            } catch let error as DatabaseError where error.isUniqueViolation && attempt == 0 {
                continue
            }
        }
        throw RPCError.internalError()
    }

    /// The visitor's writes are spent for this minute.
    static func overBudget(retryAfter: Int) -> RPCError {
        .rateLimited("too many messages in a minute; wait a moment", retryAfter: retryAfter)
    }
}
