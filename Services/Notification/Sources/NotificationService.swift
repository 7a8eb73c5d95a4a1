import Contracts
import Foundation
import Runtime
import Storage
import Wire

/// The notification service: per-operator notifications from the outbox's events.
public enum NotificationService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(
        name: .notification, migrations: NotificationStore.migrations, calls: [.conversation, .pool],
        routes: { router, context in
            let database = context.database
            router.handle(NotificationMethods.List.self) { params, _ in
                try await database.transaction { try NotificationStore.list(params, in: $0) }
            }
            router.handle(NotificationMethods.Read.self) { params, _ in
                guard let marked = try await database.transaction({ try NotificationStore.read(params, in: $0) }) else {
                    throw RPCError.domain("not_found", "no such notification")
                }
                return .init(marked: marked)
            }
        },
        workers: { context in
            [
                OutboxConsumer(
                    name: "notification.operators", database: context.database, listener: context.listener,
                    types: ["conversation.assigned", "message.created"], logger: context.logger
                ) { events in
                    for event in events {
                        // Who to tell needs other services' answers: ask first, then store in one short transaction.
                        let drafts = try await recipients(of: event, context: context)
                        guard !drafts.isEmpty else { continue }
                        try await context.database.transaction { try NotificationStore.insert(drafts, source: event.cursor, in: $0) }
                    }
                }
            ]
        }
    )

    static func recipients(of event: OutboxEvent, context: ServiceContext) async throws -> [NotificationStore.Draft] {
        let decoder = WireJSON.decoder()
        let payload = Data(event.payload.utf8)
        switch event.type {
        case "conversation.assigned":
            let change = try decoder.decode(AssignmentChange.self, from: payload)
            let record = try await context.client(.conversation).call(Conversations.Get.self, .init(conversationID: change.conversationID))
            return Recipients.forAssignment(change, customer: record.customer.name)
        case "message.created":
            let message = try decoder.decode(Message.self, from: payload)
            guard message.author.kind == .customer else { return [] }
            do {
                let item = try await context.client(.pool).call(PoolMethods.Item.self, .init(conversationID: message.conversationID))
                return Recipients.forMessage(message, holder: item.holder)
            } catch let error as RPCError where error.reason == "not_found" {
                return []
            }
        default:
            return []
        }
    }
}
