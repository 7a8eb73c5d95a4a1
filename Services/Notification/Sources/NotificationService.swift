import Contracts
import Runtime
import Storage

/// The notification service: per-operator notifications and the event fan-out to gateways.
public enum NotificationService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(name: .notification, migrations: migrations)

    static let migrations = [
        Migration(schema: "notification", version: 1, name: "schema", sql: "CREATE SCHEMA notification;")
    ]
}
