import Contracts
import Foundation
import Logging
import Mail
import Runtime
import SMTP
import ServiceLifecycle
import Storage
import Wire

/// The ticketing service: working hours, offline messages as tickets, mail in and out.
public enum TicketingService {
    /// Everything `ServiceMain` needs to run this service with its own `configuration` (the
    /// shared one comes in `ServiceContext`); `clock` is the system's, a test may set another.
    public static func definition(_ configuration: TicketingConfiguration) -> BackService {
        BackService(
            name: .ticketing, migrations: TicketingStore.migrations, calls: [.conversation, .pool],
            routes: { router, context in
                let tickets = Tickets(context: context, configuration: configuration)
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
                    return status(settings, at: context.clock.now())
                }
                router.handle(TicketingMethods.OfflineMessage.self) { params, request in
                    if let problem = check(params) { throw problem }
                    return try await tickets.offlineMessage(params, logger: request.logger)
                }
                router.handle(TicketingMethods.Ticket.self) { params, _ in
                    if let ids = params.messageIDs, ids.count > PageRequest.limits.upperBound {
                        throw RPCError.invalidParams(field: "params.message_ids", "at most \(PageRequest.limits.upperBound) ids")
                    }
                    return try await database.transaction { transaction in
                        guard let ticket = try TicketingStore.ticket(conversation: params.conversationID, in: transaction) else {
                            throw RPCError(.notFound, "no ticket for this conversation")
                        }
                        return TicketSummary(
                            number: ticket.number, email: ticket.email, subject: ticket.subject,
                            deliveries: try MailStore.deliveries(ticket.id, messageIDs: params.messageIDs, in: transaction))
                    }
                }
                router.handle(TicketingMethods.Tickets.self) { params, _ in
                    if let problem = params.page.problem() { throw problem }
                    if let ids = params.conversationIDs, ids.count > PageRequest.limits.upperBound {
                        throw RPCError.invalidParams(field: "params.conversation_ids", "at most \(PageRequest.limits.upperBound) ids")
                    }
                    return try await database.transaction { try TicketingStore.list(params, in: $0) }
                }
                router.handle(TicketingMethods.Inbound.self) { params, request in
                    try await tickets.inbound(params, logger: request.logger)
                }
                router.handle(TicketingMethods.SendNotice.self) { params, _ in
                    if let problem = Notices.check(params) { throw problem }
                    let mail = Notices.letter(
                        params, from: configuration.smtpFrom, messageID: OutgoingMail.newMessageID(domain: configuration.smtpFrom.domain),
                        date: context.clock.now())
                    try await database.transaction { try Notices.queue(mail, id: params.id, in: $0) }
                    return Empty()
                }
                router.handle(TicketingMethods.SendTranscript.self) { params, _ in
                    try await tickets.sendTranscript(params)
                }
                router.handle(TicketingMethods.TicketChat.self) { params, _ in
                    guard EmailAddress.isPlausible(params.email) else {
                        throw RPCError.invalidParams(field: "params.email", "email must be an e-mail address")
                    }
                    return try await tickets.ticketChat(params)
                }
            },
            workers: { context in
                let tickets = Tickets(context: context, configuration: configuration)
                let doorbell = Doorbell()
                let smtp = configuration.smtpURL.map {
                    SMTPClient(.init(url: $0, user: configuration.smtpUser, password: configuration.smtpPassword, connections: 4))
                }
                return [Sweeper(tickets: tickets)] + (smtp.map { [$0] } ?? []) + [
                    MailSender(context: context, doorbell: doorbell, client: smtp, retryBase: configuration.mailRetry),
                    Ring(listener: context.listener, doorbell: doorbell),
                    // Operators' messages in tickets become mails; started conversations open their tickets.
                    OutboxConsumer.transactional(
                        name: "ticketing.replies", database: context.database, listener: context.listener,
                        types: [ConversationEvents.MessageCreated.kind, ConversationEvents.Started.kind],
                        // A customer's chat message is none of ticketing's business: not even read.
                        matching: .messages(by: [.operator]),
                        // A reply goes out by mail: a few milliseconds later costs nothing, and busy
                        // chats make one read every 25 ms here rather than one per commit.
                        pace: .milliseconds(25), logger: context.logger,
                        prepare: { events in
                            var started: [UUID] = []
                            var replies: [Message] = []
                            for event in events {
                                if event.is(ConversationEvents.Started.self) {
                                    started.append(event.subject)
                                } else {
                                    let message = try event.decode(ConversationEvents.MessageCreated.self)
                                    if message.author.kind == .operator { replies.append(message) }
                                }
                            }
                            return (started, replies)
                        },
                        apply: { work, transaction in
                            try TicketingStore.opened(work.0, in: transaction)
                            for message in work.1 { try tickets.queueReply(message, in: transaction) }
                        }
                    ),
                ]
            },
            attention: { context in
                guard configuration.smtpURL == nil else { return [] }
                let queued = (try? await context.database.transaction { try MailStore.queuedCount(in: $0) }).map(String.init) ?? "some"
                return [MailSender.notConfigured(queued: queued)]
            }
        )
    }

    /// Rings the sender's doorbell after commits that appended events (a queued mail appends
    /// `mail.queued`, so every replica's sender looks at once), and when the listener reconnected.
    struct Ring: Service {
        let listener: Listener
        let doorbell: Doorbell

        func run() async throws {
            for await event in listener.subscribe().cancelOnGracefulShutdown() {
                switch event {
                case .notification, .reconnected: doorbell.ring()
                }
            }
        }
    }

    /// Finishes what a crash or an outage left half done: tickets without their conversation,
    /// received replies not yet in theirs.
    struct Sweeper: Service {
        let tickets: Tickets

        func run() async throws {
            let context = tickets.context
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let stalled = try await context.database.transaction { try TicketingStore.stalled(olderThan: 5, in: $0) }
                    for id in stalled {
                        guard let ticket = try await context.database.transaction({ try TicketingStore.ticket(id, in: $0) }) else {
                            continue
                        }
                        _ = try await tickets.open(ticket)
                        context.logger.notice("opened a pending ticket", metadata: ["ticket.number": "\(ticket.number)"])
                    }
                    for key in try await context.database.transaction({ try Inbound.stalled(olderThan: 5, in: $0) }) {
                        try await tickets.deliverReply(key)
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
        if params.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .invalidParams(field: "params.message", "message must not be empty")
        }
        if let excess = MessageBody.excess(params.message) {
            return .invalidParams(field: "params.message", excess.replacingOccurrences(of: "body", with: "message"))
        }
        for (field, text) in [("name", params.name), ("message", params.message)] where TextRules.hasRefused(text) {
            return .invalidParams(field: "params.\(field)", "\(field) must not hold control characters other than tab and newline")
        }
        return nil
    }

    /// Open at `instant` by the working hours alone, and when it opens next.
    static func status(_ settings: TicketingSettings, at instant: Date) -> TicketingMethods.Status.Result {
        // Stored hours were checked when saved; hours that no longer parse (a timezone dropped
        // from ICU's zone data) count as always open rather than locking customers out.
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
