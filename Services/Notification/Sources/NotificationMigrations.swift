import Storage

/// The `notification` schema's history, oldest first; an applied step never changes.
extension NotificationStore {
    static let migrations = [
        Migration(schema: "notification", version: 1, name: "schema", sql: "CREATE SCHEMA notification;"),
        Migration(
            schema: "notification", version: 2, name: "notifications",
            sql: """
                CREATE TABLE notification.notifications (
                    id uuid PRIMARY KEY,
                    operator_id uuid NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('assigned', 'taken_over', 'message')),
                    conversation_id uuid NOT NULL,
                    text text NOT NULL,
                    source text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    read_at timestamptz,
                    UNIQUE (source, operator_id)
                );
                CREATE INDEX notifications_operator ON notification.notifications (operator_id, created_at DESC);
                """
        ),
        Migration(
            schema: "notification", version: 3, name: "chats waiting in the Pool",
            sql: """
                ALTER TABLE notification.notifications DROP CONSTRAINT notifications_kind_check,
                    ADD CONSTRAINT notifications_kind_check
                        CHECK (kind IN ('assigned', 'taken_over', 'message', 'pool.waiting', 'pool.waiting_long'));
                CREATE INDEX notifications_conversation ON notification.notifications (conversation_id) WHERE read_at IS NULL;
                """
        ),
    ]
}
