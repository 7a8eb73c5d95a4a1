import Contracts
import Foundation
import Runtime
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
            }
        )
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
