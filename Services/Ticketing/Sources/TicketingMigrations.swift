import Storage

/// The `ticketing` schema's history, oldest first; an applied step never changes.
extension TicketingStore {
    static let migrations = [
        Migration(schema: "ticketing", version: 1, name: "schema", sql: "CREATE SCHEMA ticketing;"),
        Migration(
            schema: "ticketing", version: 2, name: "settings",
            sql: """
                CREATE TABLE ticketing.settings (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    ack_message text NOT NULL,
                    working_hours jsonb,
                    offline_when_no_operator boolean NOT NULL DEFAULT false
                );
                INSERT INTO ticketing.settings (ack_message) VALUES (
                    'Thank you for your message. We have opened a ticket and will answer you by e-mail as soon as we can.'
                );
                """
        ),
        Migration(
            schema: "ticketing", version: 3, name: "tickets",
            sql: """
                CREATE SEQUENCE ticketing.ticket_numbers START 1001;
                CREATE TABLE ticketing.tickets (
                    id uuid PRIMARY KEY,
                    number bigint NOT NULL UNIQUE DEFAULT nextval('ticketing.ticket_numbers'),
                    status text NOT NULL CHECK (status IN ('pending', 'open')),
                    name text NOT NULL,
                    email text NOT NULL,
                    message text NOT NULL,
                    visitor_id uuid,
                    reply_token text NOT NULL UNIQUE,
                    conversation_id uuid UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX tickets_pending ON ticketing.tickets (created_at) WHERE status = 'pending';
                """
        ),
        Migration(
            schema: "ticketing", version: 4, name: "mail",
            sql: """
                ALTER TABLE ticketing.tickets ADD COLUMN subject text NOT NULL DEFAULT '';
                -- The mail outbox: each mail rendered once, so every retry sends the same bytes.
                CREATE TABLE ticketing.mails (
                    id uuid PRIMARY KEY,
                    key text NOT NULL UNIQUE,
                    ticket_id uuid NOT NULL REFERENCES ticketing.tickets (id),
                    message_id uuid,
                    header_message_id text NOT NULL UNIQUE,
                    sender text NOT NULL,
                    recipient text NOT NULL,
                    raw text NOT NULL,
                    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    leased_by text,
                    lease_until timestamptz,
                    last_error text,
                    sent_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
                );
                CREATE INDEX mails_due ON ticketing.mails (next_attempt_at) WHERE status = 'queued';
                CREATE INDEX mails_ticket ON ticketing.mails (ticket_id, created_at);
                -- Received mail, raw, keyed by its Message-ID so a second delivery stores nothing.
                CREATE TABLE ticketing.inbound (
                    message_id text PRIMARY KEY,
                    ticket_id uuid NOT NULL REFERENCES ticketing.tickets (id),
                    raw bytea NOT NULL,
                    text text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'done')),
                    received_at timestamptz NOT NULL DEFAULT clock_timestamp()
                );
                CREATE INDEX inbound_ticket ON ticketing.inbound (ticket_id, received_at);
                CREATE INDEX inbound_pending ON ticketing.inbound (received_at) WHERE status = 'pending';
                """
        ),
        Migration(
            schema: "ticketing", version: 5, name: "notices: mails without a ticket",
            sql: """
                ALTER TABLE ticketing.mails ALTER COLUMN ticket_id DROP NOT NULL;
                """
        ),
        Migration(
            schema: "ticketing", version: 6, name: "received mails' files; the raw mail in platform storage",
            sql: """
                ALTER TABLE ticketing.inbound ALTER COLUMN raw DROP NOT NULL;
                ALTER TABLE ticketing.inbound ADD COLUMN raw_id uuid;
                ALTER TABLE ticketing.inbound ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}';
                """
        ),
    ]
}
