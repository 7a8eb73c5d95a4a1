import Contracts
import Foundation
import Logging
import Runtime
import ServiceLifecycle
import Storage
import Wire

/// The ticketing service: working hours, offline messages as tickets, mail in and out.
public enum TicketingService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = definition(now: Date.init)

    /// The service with `now` as its clock.
    static func definition(now: @escaping @Sendable () -> Date) -> BackService {
        BackService(
            name: .ticketing, migrations: TicketingStore.migrations, calls: [.conversation, .pool],
            routes: { router, context in
                let database = context.database
                router.handle(TicketingMethods.GetSettings.self) { _, _ in
                    try await database.transaction { try TicketingStore.settings(in: $0) }
                }
                router.handle(TicketingMethods.PutSettings.self) { params, _ in
                    if let problem = check(params.settings) { throw problem }
                    if params.dryRun { return params.settings }
                    return try await database.transaction { try TicketingStore.save(params.settings, in: $0) }
                }
                router.handle(TicketingMethods.Status.self) { _, _ in
                    let settings = try await database.transaction { try TicketingStore.settings(in: $0) }
                    return status(settings, at: now())
                }
                router.handle(TicketingMethods.OfflineMessage.self) { params, request in
                    if let problem = check(params) { throw problem }
                    let ticket = try await database.transaction { try TicketingStore.write(params, in: $0) }
                    do {
                        return try await open(ticket, context: context)
                    } catch {
                        // The message is kept: the sweeper opens the ticket once the conversation service answers.
                        request.logger.warning("ticket left pending", metadata: ["ticket.number": "\(ticket.number)", "error": "\(error)"])
                        return .init(number: ticket.number, conversationID: nil)
                    }
                }
            },
            workers: { context in [Sweeper(context: context)] }
        )
    }

    /// The steps after the pending ticket is written, each safe to repeat: the ticket's e-mail
    /// conversation (keyed by the ticket, so a repeat finds the first), then the link.
    static func open(_ ticket: TicketingStore.Ticket, context: ServiceContext) async throws -> TicketingMethods.OfflineMessage.Result {
        if let conversationID = ticket.conversationID { return .init(number: ticket.number, conversationID: conversationID) }
        let started = try await context.client(.conversation).call(
            Conversations.Start.self,
            .init(
                channel: .email, name: ticket.name, email: ticket.email, visitorID: ticket.visitorID,
                message: .init(body: ticket.message, clientMessageID: "ticket-\(ticket.id.uuidString.lowercased())")),
            idempotencyKey: "ticket:\(ticket.id.uuidString.lowercased())"
        )
        try await context.database.transaction { try TicketingStore.link(ticket.id, to: started.conversation.id, in: $0) }
        return .init(number: ticket.number, conversationID: started.conversation.id)
    }

    /// Finishes tickets a crash or an outage left pending.
    struct Sweeper: Service {
        let context: ServiceContext

        func run() async throws {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let stalled = try await context.database.transaction { try TicketingStore.stalled(olderThan: 5, in: $0) }
                    for id in stalled {
                        guard let ticket = try await context.database.transaction({ try TicketingStore.ticket(id, in: $0) }) else {
                            continue
                        }
                        _ = try await open(ticket, context: context)
                        context.logger.notice("opened a pending ticket", metadata: ["ticket.number": "\(ticket.number)"])
                    }
                } catch {
                    context.logger.warning("ticket sweep failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
            }
        }
    }

    /// The first thing wrong with an offline message, naming its field.
    static func check(_ params: TicketingMethods.OfflineMessage.Params) -> RPCError? {
        let name = params.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { return .invalidParams(field: "params.name", "name must be 1 to 200 characters") }
        if !EmailAddress.isPlausible(params.email) { return .invalidParams(field: "params.email", "email must be an e-mail address") }
        if params.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || params.message.count > 10_000 {
            return .invalidParams(field: "params.message", "message must be 1 to 10000 characters")
        }
        return nil
    }

    /// Open at `instant` by the working hours alone, and when it opens next.
    static func status(_ settings: TicketingSettings, at instant: Date) -> TicketingMethods.Status.Result {
        // Stored hours were checked when saved; hours that no longer parse (a timezone dropped
        // from tzdata) count as always open rather than locking customers out.
        guard let hours = settings.workingHours, let schedule = try? Schedule(hours) else {
            return .init(open: true, nextOpenAt: nil, offlineWhenNoOperator: settings.offlineWhenNoOperator)
        }
        let open = schedule.isOpen(at: instant)
        return .init(
            open: open, nextOpenAt: open ? nil : schedule.nextOpening(after: instant), offlineWhenNoOperator: settings.offlineWhenNoOperator
        )
    }

    /// The first thing wrong with a settings part, naming its field.
    static func check(_ settings: TicketingSettings) -> RPCError? {
        let ack = settings.ackMessage.trimmingCharacters(in: .whitespacesAndNewlines)
        if ack.isEmpty || settings.ackMessage.count > 5_000 {
            return .invalidParams(field: "params.settings.ack_message", "ack_message must be 1 to 5000 characters")
        }
        if let hours = settings.workingHours {
            do {
                _ = try Schedule(hours)
            } catch {
                return .invalidParams(field: "params.settings.\(error.field)", error.message)
            }
        }
        return nil
    }
}
