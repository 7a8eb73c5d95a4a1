import Contracts
import Foundation
import Runtime
import Storage
import Wire

/// The pool service: waiting items, "Take it on me", assignments, availability.
public enum PoolService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(
        name: .pool, migrations: PoolStore.migrations,
        routes: { router, context in
            let database = context.database
            // Read inside each transaction: the instant a change is made, not when it was queued.
            let clock = context.clock
            router.handle(PoolMethods.Waiting.self) { params, _ in
                if let problem = params.page.problem() { throw problem }
                return try await database.transaction { try PoolStore.waiting(params, in: $0) }
            }
            router.handle(PoolMethods.Admit.self) { params, _ in
                guard PoolMethods.Admit.Params.originLength.contains(params.origin.utf8.count) else {
                    throw RPCError.invalidParams(field: "params.origin", "origin must be 1 to 100 bytes")
                }
                guard PoolMethods.Admit.Params.limits.contains(params.limit) else {
                    throw RPCError.invalidParams(field: "params.limit", "limit must be 1 to 1000000")
                }
                switch try await database.transaction({ try PoolStore.admit(params, in: $0) }) {
                case .admitted: return Empty()
                case .full(let retryAfter):
                    throw RPCError.rateLimited("\(params.limit) chats from this address are waiting already", retryAfter: retryAfter)
                }
            }
            router.handle(PoolMethods.Withdraw.self) { params, _ in
                try await database.transaction { try PoolStore.withdraw(params.conversationID, in: $0) }
                return Empty()
            }
            router.handle(PoolMethods.Item.self) { params, _ in
                try await database.transaction { try PoolStore.item(params.conversationID, in: $0) } ?? { throw PoolRefusal.notFound }()
            }
            router.handle(PoolMethods.GetSettings.self) { _, _ in try await database.transaction { try PoolStore.settings(in: $0) } }
            router.handle(PoolMethods.PutSettings.self) { params, _ in
                guard (1...100).contains(params.settings.maxChatsPerOperator) else {
                    throw RPCError.invalidParams(field: "params.settings.max_chats_per_operator", "max_chats_per_operator must be 1 to 100")
                }
                if params.dryRun { return params.settings }
                return try await database.transaction { try PoolStore.save(params.settings, in: $0) }
            }
            router.handle(PoolMethods.Available.self) { _, _ in
                .init(operators: try await database.transaction { try PoolStore.availableCount(in: $0) })
            }
            router.handle(PoolMethods.Staffing.self) { params, _ in
                guard params.operatorIDs.count <= PageRequest.limits.upperBound else {
                    throw RPCError.invalidParams(field: "params.operator_ids", "at most \(PageRequest.limits.upperBound) ids")
                }
                return try await database.transaction { try PoolStore.staffing(params.operatorIDs, in: $0) }
            }
            router.handle(PoolMethods.Held.self) { params, _ in
                if let problem = params.page.problem() { throw problem }
                return try await database.transaction { try PoolStore.held(params, in: $0) }
            }
            router.handle(PoolMethods.Audit.self) { params, _ in
                guard PageRequest.limits.contains(params.limit) else {
                    throw RPCError.invalidParams(field: "params.limit", "limit must be 1 to \(PageRequest.limits.upperBound)")
                }
                return try await database.transaction { try PoolStore.audit(params, in: $0) }
            }
            router.handle(PoolMethods.SetAvailability.self) { params, _ in
                try await database.transaction { try PoolStore.setAvailability(params, in: $0) }
                return params
            }
            router.handle(PoolMethods.Transfer.self) { params, _ in
                try await database.transaction { try PoolStore.transfer(params, at: clock.now(), in: $0) }
            }
            router.handle(PoolMethods.MarkTicket.self) { params, _ in
                try await database.transaction { try PoolStore.markTicket(params.conversationID, in: $0) }
                    ?? { throw PoolRefusal.notFound }()
            }
            router.handle(PoolMethods.Assign.self) { params, _ in
                try await database.transaction { try PoolStore.assign(params, at: clock.now(), in: $0) }
            }
            router.handle(PoolMethods.Items.self) { params, _ in
                guard params.conversationIDs.count <= PageRequest.limits.upperBound else {
                    throw RPCError.invalidParams(field: "params.conversation_ids", "at most \(PageRequest.limits.upperBound) ids")
                }
                return try await database.transaction { try PoolStore.items(params.conversationIDs, in: $0) }
            }
            router.handle(PoolMethods.Take.self) { params, _ in
                try await database.transaction { try PoolStore.take(params, at: clock.now(), in: $0) }
            }
        },
        workers: { context in
            let clock = context.clock
            return [
                OutboxConsumer.transactional(
                    name: "pool.items", database: context.database, listener: context.listener,
                    types: PoolStore.followed, logger: context.logger,
                    prepare: { $0 },
                    apply: { events, transaction in
                        for event in events { try PoolStore.apply(event, at: clock.now(), in: transaction) }
                    }
                )
            ]
        }
    )
}
