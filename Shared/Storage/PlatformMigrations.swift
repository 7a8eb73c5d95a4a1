/// The `platform` schema's history (the outbox, consumers' cursors), oldest first.
extension Migration {
    /// The platform's own tables, applied by every process before its service's migrations.
    public static let platform: [Migration] = [
        Migration(
            schema: "platform", version: 1, name: "events outbox",
            sql: """
                CREATE TABLE platform.events (
                    seq bigserial NOT NULL,
                    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    type text NOT NULL,
                    subject text NOT NULL,
                    payload jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (xid, seq)
                );
                CREATE INDEX events_created_at ON platform.events (created_at);
                CREATE TABLE platform.consumer_cursors (
                    consumer text PRIMARY KEY,
                    xid xid8 NOT NULL,
                    seq bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                """
        ),
        attachments,
    ]
}
