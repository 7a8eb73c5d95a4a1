import Contracts
import Foundation
import Logging
import Runtime
import ServiceLifecycle
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
                if let problem = check(params.settings) { throw problem }
                if params.dryRun { return params.settings }
                return try await database.transaction { try PoolStore.save(params.settings, at: clock.now(), in: $0) }
            }
            router.handle(PoolMethods.Available.self) { _, _ in
                .init(operators: try await database.transaction { try PoolStore.availableCount(in: $0) })
            }
            router.handle(PoolMethods.Staffing.self) { params, _ in
                try checkCount(params.operatorIDs, field: "params.operator_ids")
                return try await database.transaction { try PoolStore.staffing(params.operatorIDs, in: $0) }
            }
            router.handle(PoolMethods.Team.self) { params, _ in
                try checkCount(params.operatorIDs, field: "params.operator_ids")
                guard PoolMethods.Team.Params.jobLimits.contains(params.jobs) else {
                    throw RPCError.invalidParams(field: "params.jobs", "jobs must be 1 to \(PoolMethods.Team.Params.jobLimits.upperBound)")
                }
                return try await database.transaction { try PoolStore.team(params, in: $0) }
            }
            router.handle(PoolMethods.Seen.self) { params, _ in
                try checkCount(params.operators, field: "params.operators")
                try await database.transaction { try PoolStore.seen(params.operators, at: clock.now(), in: $0) }
                return Empty()
            }
            router.handle(PoolMethods.Roster.self) { params, _ in
                try checkCount(params.operators, field: "params.operators")
                try await database.transaction { try PoolStore.roster(params.operators, in: $0) }
                return Empty()
            }
            router.handle(PoolMethods.Left.self) { params, _ in
                try checkCount(params.operatorIDs, field: "params.operator_ids")
                try await database.transaction { try PoolStore.left(params.operatorIDs, at: clock.now(), in: $0) }
                return Empty()
            }
            router.handle(PoolMethods.Release.self) { params, _ in
                .init(returned: try await database.transaction { try PoolStore.release(params, at: clock.now(), in: $0) })
            }
            router.handle(PoolMethods.Return.self) { params, _ in
                try await database.transaction { try PoolStore.giveBack(params, at: clock.now(), in: $0) }
            }
            router.handle(PoolMethods.Dismiss.self) { params, _ in
                try await database.transaction { try PoolStore.dismiss(params, at: clock.now(), in: $0) }
            }
            router.handle(PoolMethods.Queue.self) { params, _ in
                .init(place: try await database.transaction { try PoolStore.queue(params.conversationID, at: clock.now(), in: $0) })
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
                try await database.transaction { try PoolStore.setAvailability(params, at: clock.now(), in: $0) }
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
                Sweeper(context: context),
                OutboxConsumer.transactional(
                    name: "pool.items", database: context.database, listener: context.listener,
                    // At most a read every 10 ms: busy chats update the previews in batches.
                    types: PoolStore.followed, pace: .milliseconds(10), logger: context.logger,
                    prepare: { $0 },
                    apply: { events, transaction in try PoolStore.apply(events, at: clock.now(), in: transaction) }
                ),
            ]
        }
    )

    /// A list of ids from a peer: at most a page of them.
    static func checkCount<T>(_ list: [T], field: String) throws {
        guard list.count <= PageRequest.limits.upperBound else {
            throw RPCError.invalidParams(field: field, "at most \(PageRequest.limits.upperBound) entries")
        }
    }

    /// The first number of the pool's Customizations out of its range, naming its field.
    static func check(_ settings: PoolSettings) -> RPCError? {
        let seconds = PoolSettings.secondsRange
        guard PoolSettings.maxChatsRange.contains(settings.maxChatsPerOperator) else {
            return .invalidParams(field: "params.settings.max_chats_per_operator", "max_chats_per_operator must be 1 to 100")
        }
        guard seconds.contains(settings.awayAfterSeconds) else {
            return .invalidParams(
                field: "params.settings.away_after_seconds", "away_after_seconds must be \(seconds.lowerBound) to \(seconds.upperBound)")
        }
        if let escalation = settings.escalation {
            guard seconds.contains(escalation.afterSeconds) else {
                return .invalidParams(
                    field: "params.settings.escalation.after_seconds",
                    "escalation.after_seconds must be \(seconds.lowerBound) to \(seconds.upperBound)")
            }
            guard seconds.contains(escalation.adminsAfterSeconds), escalation.adminsAfterSeconds >= escalation.afterSeconds else {
                return .invalidParams(
                    field: "params.settings.escalation.admins_after_seconds",
                    "escalation.admins_after_seconds must be at least after_seconds and at most \(seconds.upperBound)")
            }
        }
        return nil
    }

    /// Once a second: presence, returns, escalation, and auto-assign's safety net
    /// (`PoolStore.sweep`); one pool instance at a time does it.
    struct Sweeper: Service {
        let context: ServiceContext
        static let interval: Duration = .seconds(1)

        func run() async throws {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let swept = try await context.database.transaction { try PoolStore.sweep(at: context.clock.now(), in: $0) }
                    if swept != PoolStore.Sweep() {
                        context.logger.info(
                            "pool swept",
                            metadata: [
                                "pool.away": "\(swept.away)", "pool.returned": "\(swept.returned)", "pool.alerted": "\(swept.alerted)",
                            ])
                    }
                } catch {
                    context.logger.warning("pool sweep failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            }
        }
    }
}
