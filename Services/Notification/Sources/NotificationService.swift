import Contracts
import Foundation
import Runtime
import Storage
import Wire

/// The notification service: per-operator notifications from the outbox's events, and the
/// event feed the gateways follow to push changes to browsers.
public enum NotificationService {
    /// Everything `ServiceMain` needs to run this service.
    public static var definition: BackService {
        let fanout = EventFanout()
        return BackService(
            name: .notification, migrations: NotificationStore.migrations, calls: [.conversation, .pool],
            routes: { router, context in
                let database = context.database
                router.handle(EventMethods.Read.self) { params, _ in
                    guard (1...1000).contains(params.limit) else { throw RPCError.invalidParams(field: "limit", "limit must be 1 to 1000") }
                    let batch = try await database.readEvents(
                        after: params.after, limit: params.limit, types: params.types, settledThrough: params.settledThrough)
                    return .init(
                        events: batch.events.map(\.streamEvent), scannedThrough: batch.scannedThrough,
                        caughtUp: !batch.full)
                }
                router.registerStream(EventMethods.Subscribe.self) { params, push, _ in
                    try await fanout.serve(after: params.after, database: database, push: push)
                }
                router.handle(NotificationMethods.List.self) { params, _ in
                    if let problem = params.page.problem() { throw problem }
                    return try await database.transaction { try NotificationStore.list(params, in: $0) }
                }
                router.handle(NotificationMethods.Read.self) { params, _ in
                    guard let marked = try await database.transaction({ try NotificationStore.read(params, in: $0) }) else {
                        throw RPCError(.notFound, "no such notification")
                    }
                    return .init(marked: marked)
                }
            },
            workers: { context in
                [
                    fanout.tail(database: context.database, listener: context.listener, logger: context.logger),
                    OutboxConsumer.transactional(
                        name: "notification.operators", database: context.database, listener: context.listener,
                        types: [PoolEvents.Assigned.kind, ConversationEvents.MessageCreated.kind, PoolEvents.Alert.kind],
                        logger: context.logger,
                        // Who to tell needs other services' answers: ask first, then store in one short transaction.
                        prepare: { events in
                            var drafts: [(source: EventCursor, drafts: [NotificationStore.Draft], settles: UUID?)] = []
                            for event in events {
                                // A chat someone took no longer waits: its Pool alerts are read for everyone.
                                let settles = event.kind == PoolEvents.Assigned.kind ? event.subject : nil
                                drafts.append((event.cursor, try await recipients(of: event, context: context), settles))
                            }
                            return drafts
                        },
                        apply: { drafts, transaction in
                            for draft in drafts {
                                if let taken = draft.settles {
                                    try NotificationStore.settleAlerts(of: taken, in: transaction)
                                }
                                if !draft.drafts.isEmpty {
                                    try NotificationStore.insert(draft.drafts, source: draft.source, in: transaction)
                                }
                            }
                        }
                    ),
                ]
            }
        )
    }

    static func recipients(of event: OutboxEvent, context: ServiceContext) async throws -> [NotificationStore.Draft] {
        switch event.kind {
        case PoolEvents.Assigned.kind:
            let change = try event.decode(PoolEvents.Assigned.self)
            let record = try await context.client(.conversation).call(
                ConversationMethods.Get.self, .init(conversationID: change.conversationID))
            return Recipients.forAssignment(change, customer: record.customer.name)
        case ConversationEvents.MessageCreated.kind:
            let message = try event.decode(ConversationEvents.MessageCreated.self)
            guard message.author.kind == .customer else { return [] }
            do {
                let item = try await context.client(.pool).call(PoolMethods.Item.self, .init(conversationID: message.conversationID))
                return Recipients.forMessage(message, holder: item.holder)
            } catch let error as RPCError where error.reason == .notFound {
                return []
            }
        case PoolEvents.Alert.kind:
            let alert = try event.decode(PoolEvents.Alert.self)
            // Taken (or closed) since: nobody needs telling any more.
            do {
                let item = try await context.client(.pool).call(PoolMethods.Item.self, .init(conversationID: alert.conversationID))
                guard item.status == .waiting else { return [] }
            } catch let error as RPCError where error.reason == .notFound {
                return []
            }
            return Recipients.forAlert(alert, now: context.clock.now())
        default:
            return []
        }
    }
}
