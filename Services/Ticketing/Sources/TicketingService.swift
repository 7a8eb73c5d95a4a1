import Contracts
import Runtime
import Storage

/// The ticketing service: working hours, offline messages as tickets, mail in and out.
public enum TicketingService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(name: .ticketing, migrations: migrations, calls: [.conversation, .pool])

    static let migrations = [
        Migration(schema: "ticketing", version: 1, name: "schema", sql: "CREATE SCHEMA ticketing;")
    ]
}
