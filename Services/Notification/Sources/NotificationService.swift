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
                        // Only a customer's message tells anyone anything.
                        matching: .messages(by: [.customer]), pace: .milliseconds(10), logger: context.logger,
                        // Who to tell needs other services' answers: ask first, then store in one short transaction.
                        prepare: { events in try await drafts(for: events, context: context) },
                        apply: { prepared, transaction in
                            var batch: [(draft: NotificationStore.Draft, source: EventCursor)] = []
                            for event in prepared {
                                if let taken = event.settles {
                                    // In event order: what was told before the take is settled by it.
                                    try NotificationStore.insert(batch, in: transaction)
                                    batch = []
                                    try NotificationStore.settleAlerts(of: taken, in: transaction)
                                }
                                batch += event.drafts.map { ($0, event.source) }
                            }
                            try NotificationStore.insert(batch, in: transaction)
                        }
                    ),
                ]
            }
        )
    }

    /// What one event may tell someone, decoded once.
    enum Told {
        case assigned(AssignmentChange)
        case message(Message)
        case alert(PoolAlert)
        case nothing

        init(_ event: OutboxEvent) throws {
            switch event.kind {
            case PoolEvents.Assigned.kind: self = .assigned(try event.decode(PoolEvents.Assigned.self))
            case ConversationEvents.MessageCreated.kind: self = .message(try event.decode(ConversationEvents.MessageCreated.self))
            case PoolEvents.Alert.kind: self = .alert(try event.decode(PoolEvents.Alert.self))
            default: self = .nothing
            }
        }

        /// The conversation whose Pool item decides who is told, if any: a customer's message
        /// goes to its holder, an alert only while the chat still waits.
        var askingPool: UUID? {
            switch self {
            case .message(let message): message.author.kind == .customer ? message.conversationID : nil
            case .alert(let alert): alert.conversationID
            case .assigned, .nothing: nil
            }
        }
    }

    typealias Prepared = (source: EventCursor, drafts: [NotificationStore.Draft], settles: UUID?)

    /// Who to tell of each event. The Pool is asked once for the whole batch (a busy chat's
    /// messages need one look at their holders, not one call each).
    static func drafts(for events: [OutboxEvent], context: ServiceContext) async throws -> [Prepared] {
        let told = try events.map { try Told($0) }
        let asked = Array(Set(told.compactMap(\.askingPool)))
        var items: [UUID: PoolItem] = [:]
        for start in stride(from: 0, to: asked.count, by: PageRequest.limits.upperBound) {
            let chunk = Array(asked[start..<min(start + PageRequest.limits.upperBound, asked.count)])
            for item in try await context.client(.pool).call(PoolMethods.Items.self, .init(conversationIDs: chunk)) {
                items[item.conversationID] = item
            }
        }
        var prepared: [Prepared] = []
        for (event, told) in zip(events, told) {
            switch told {
            case .assigned(let change):
                // A chat someone took no longer waits: its Pool alerts are read for everyone.
                let record = try await context.client(.conversation).call(
                    ConversationMethods.Get.self, .init(conversationID: change.conversationID))
                prepared.append((event.cursor, Recipients.forAssignment(change, customer: record.customer.name), event.subject))
            case .message(let message):
                // A conversation the Pool does not know (gone, or never a chat of the desk) has nobody to tell.
                let holder = items[message.conversationID]?.holder
                prepared.append((event.cursor, Recipients.forMessage(message, holder: holder), nil))
            case .alert(let alert):
                // Taken (or closed) since: nobody needs telling any more.
                let waiting = items[alert.conversationID]?.status == .waiting
                prepared.append((event.cursor, waiting ? Recipients.forAlert(alert, now: context.clock.now()) : [], nil))
            case .nothing:
                prepared.append((event.cursor, [], nil))
            }
        }
        return prepared
    }
}
