import Contracts
import Runtime
import Storage

/// The conversation service: customers, conversations, messages, the Archive.
public enum ConversationService {
    /// Everything `ServiceMain` needs to run this service.
    public static let definition = BackService(name: .conversation, migrations: migrations, calls: [.pool])

    static let migrations = [
        Migration(schema: "conversation", version: 1, name: "schema", sql: "CREATE SCHEMA conversation;")
    ]
}
