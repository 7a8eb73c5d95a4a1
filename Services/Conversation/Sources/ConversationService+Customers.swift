import Contracts
import Foundation
import Logging
import Runtime
import ServiceLifecycle
import Storage
import Wire

extension ConversationService {
    /// The customer panel and blocked visitors.
    static func addCustomerMethods(to router: inout RPCRouter, _ context: ServiceContext) {
        let database = context.database
        router.handle(ConversationMethods.CustomerPanel.self) { params, _ in
            guard PageRequest.limits.contains(params.limit) else {
                throw RPCError.invalidParams(field: "params.limit", "limit must be 1 to \(PageRequest.limits.upperBound)")
            }
            return try await database.transaction { try ConversationStore.customerPanel(params, in: $0) }
                ?? { throw RPCError(.notFound, "no such customer") }()
        }
        router.handle(ConversationMethods.Block.self) { params, _ in
            switch try await database.transaction({ try ConversationStore.block(params, in: $0) }) {
            case .blocked(let block): return block
            case .notFound: throw notFound
            case .noVisitor: throw RPCError(.notAChat, "only a chat's visitor can be blocked")
            }
        }
        router.handle(ConversationMethods.Blocks.self) { params, _ in
            if let problem = params.page.problem() { throw problem }
            return try await database.transaction { try ConversationStore.blocks(params, in: $0) }
        }
        router.handle(ConversationMethods.Unblock.self) { params, _ in
            guard try await database.transaction({ try ConversationStore.unblock(params.visitorID, in: $0) }) else {
                throw RPCError(.notFound, "no such block")
            }
            return Empty()
        }
    }

    /// The refusal of a blocked visitor.
    static let blocked = RPCError(.blocked, "this visitor may no longer chat here")

    /// A blocked visitor starts no chat (tickets from their mail still come in: mail is not theirs to prove).
    static func refuseBlocked(_ params: ConversationMethods.Start.Params, database: Database) async throws {
        guard params.channel == .chat, let visitor = params.visitorID else { return }
        if try await database.transaction({ try ConversationStore.isBlocked(visitor: visitor, in: $0) }) { throw blocked }
    }

    /// Every few seconds, with `idle_close_minutes` set: closes the chats that went quiet
    /// (`ConversationStore.closeIdle`), a bounded batch at a time; instances skip each other's rows.
    struct IdleCloser: Service {
        let context: ServiceContext
        static let interval: Duration = .seconds(2)
        static let batch = 100

        func run() async throws {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let closed = try await context.database.transaction { transaction -> Int in
                        guard let minutes = try ConversationStore.idleCloseMinutes(in: transaction) else { return 0 }
                        let cutoff = context.clock.now().addingTimeInterval(-Double(minutes) * 60)
                        return try ConversationStore.closeIdle(before: cutoff, limit: Self.batch, in: transaction).count
                    }
                    if closed > 0 { context.logger.info("idle chats closed", metadata: ["conversation.closed": "\(closed)"]) }
                    // A full batch: there may be more at once.
                    if closed == Self.batch { continue }
                } catch {
                    context.logger.warning("idle close failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            }
        }
    }
}
