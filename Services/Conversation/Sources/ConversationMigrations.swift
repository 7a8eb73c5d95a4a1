import Storage

/// The `conversation` schema's history, oldest first; an applied step never changes.
extension ConversationStore {
    static let migrations = [
        Migration(schema: "conversation", version: 1, name: "schema", sql: "CREATE SCHEMA conversation;"),
        Migration(
            schema: "conversation", version: 2, name: "customers, conversations, messages",
            sql: """
                CREATE TABLE conversation.customers (
                    id uuid PRIMARY KEY,
                    name text NOT NULL,
                    email text,
                    visitor_id uuid UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE conversation.conversations (
                    id uuid PRIMARY KEY,
                    channel text NOT NULL CHECK (channel IN ('chat', 'email')),
                    customer_id uuid NOT NULL REFERENCES conversation.customers (id),
                    last_seq bigint NOT NULL DEFAULT 0,
                    idempotency_key text UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    closed_at timestamptz
                );
                CREATE INDEX conversations_customer ON conversation.conversations (customer_id, created_at DESC);
                CREATE TABLE conversation.messages (
                    conversation_id uuid NOT NULL REFERENCES conversation.conversations (id),
                    seq bigint NOT NULL,
                    id uuid NOT NULL UNIQUE,
                    author_kind text NOT NULL CHECK (author_kind IN ('customer', 'operator', 'system')),
                    author_id uuid,
                    author_name text NOT NULL,
                    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
                    client_message_id text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (conversation_id, seq),
                    UNIQUE (conversation_id, client_message_id)
                );
                CREATE TABLE conversation.settings (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    greeting_message text NOT NULL,
                    offline_message text NOT NULL
                );
                INSERT INTO conversation.settings (greeting_message, offline_message) VALUES (
                    'Hello! I''m here to help you.',
                    'We''re away right now. Leave your message and e-mail, and we''ll answer by e-mail.'
                );
                """
        ),
        Migration(
            schema: "conversation", version: 3, name: "archive: closer, hides, search",
            sql: """
                ALTER TABLE conversation.conversations ADD COLUMN closed_by_id uuid, ADD COLUMN closed_by_name text;
                CREATE INDEX conversations_archive ON conversation.conversations (closed_at DESC, id DESC) WHERE closed_at IS NOT NULL;
                CREATE INDEX messages_search ON conversation.messages USING gin (to_tsvector('simple', body));
                CREATE TABLE conversation.reads (
                    operator_id uuid NOT NULL,
                    conversation_id uuid NOT NULL REFERENCES conversation.conversations (id),
                    seq bigint NOT NULL,
                    PRIMARY KEY (operator_id, conversation_id)
                );
                CREATE TABLE conversation.hides (
                    operator_id uuid NOT NULL,
                    conversation_id uuid NOT NULL REFERENCES conversation.conversations (id),
                    hidden_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (operator_id, conversation_id)
                );
                """
        ),
        Migration(
            schema: "conversation", version: 4, name: "message bodies bounded in bytes",
            sql: """
                ALTER TABLE conversation.messages ADD CONSTRAINT messages_body_bytes CHECK (octet_length(body) <= 32768) NOT VALID;
                """
        ),
        Migration(
            schema: "conversation", version: 5, name: "why a conversation closed, idle close, blocked visitors",
            sql: """
                ALTER TABLE conversation.conversations
                    ADD COLUMN close_reason text CHECK (close_reason IN ('operator', 'customer', 'idle', 'dismissed'));
                UPDATE conversation.conversations SET close_reason = 'operator' WHERE closed_at IS NOT NULL AND closed_by_id IS NOT NULL;
                CREATE INDEX conversations_open_chats ON conversation.conversations (created_at) WHERE closed_at IS NULL AND channel = 'chat';
                ALTER TABLE conversation.settings ADD COLUMN idle_close_minutes integer CHECK (idle_close_minutes BETWEEN 1 AND 10080);
                CREATE TABLE conversation.blocks (
                    visitor_id uuid PRIMARY KEY,
                    customer_name text NOT NULL,
                    conversation_id uuid,
                    blocked_by_id uuid NOT NULL,
                    blocked_by_name text NOT NULL,
                    blocked_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX blocks_latest ON conversation.blocks (blocked_at DESC, visitor_id DESC);
                """
        ),
        Migration(
            schema: "conversation", version: 6, name: "one customer per e-mail address without a visitor",
            sql: """
                CREATE TEMPORARY TABLE customer_merges ON COMMIT DROP AS
                SELECT id, keep FROM (
                    SELECT id, first_value(id) OVER (PARTITION BY lower(email) ORDER BY created_at, id) AS keep
                    FROM conversation.customers WHERE visitor_id IS NULL AND email IS NOT NULL
                ) ranked WHERE id <> keep;
                UPDATE conversation.conversations c SET customer_id = m.keep FROM customer_merges m WHERE c.customer_id = m.id;
                UPDATE conversation.messages x SET author_id = m.keep FROM customer_merges m
                WHERE x.author_kind = 'customer' AND x.author_id = m.id;
                DELETE FROM conversation.customers u USING customer_merges m WHERE u.id = m.id;
                UPDATE conversation.customers SET email = lower(email) WHERE email <> lower(email);
                CREATE UNIQUE INDEX customers_email_only ON conversation.customers (lower(email)) WHERE visitor_id IS NULL;
                CREATE INDEX customers_email ON conversation.customers (lower(email), created_at DESC);
                """
        ),
        attachmentsMigration,
        Migration(
            schema: "conversation", version: 8, name: "the customer's reading position, ratings",
            sql: """
                ALTER TABLE conversation.conversations ADD COLUMN customer_read_seq bigint NOT NULL DEFAULT 0;
                CREATE INDEX reads_conversation ON conversation.reads (conversation_id, seq DESC);
                CREATE TABLE conversation.ratings (
                    conversation_id uuid PRIMARY KEY REFERENCES conversation.conversations (id),
                    score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
                    comment text CHECK (length(comment) BETWEEN 1 AND 1000),
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX ratings_given ON conversation.ratings (created_at DESC, conversation_id DESC);
                """
        ),
        Migration(
            schema: "conversation", version: 9, name: "internal notes, canned responses",
            sql: """
                ALTER TABLE conversation.messages DROP CONSTRAINT messages_author_kind_check,
                    ADD CONSTRAINT messages_author_kind_check CHECK (author_kind IN ('customer', 'operator', 'system', 'note'));
                CREATE TABLE conversation.canned_responses (
                    id uuid PRIMARY KEY,
                    scope text NOT NULL CHECK (scope IN ('desk', 'personal')),
                    owner_id uuid,
                    shortcut text NOT NULL CHECK (shortcut ~ '^[a-z0-9_-]{1,32}$'),
                    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
                    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    CHECK ((scope = 'desk') = (owner_id IS NULL))
                );
                CREATE UNIQUE INDEX canned_desk_shortcut ON conversation.canned_responses (shortcut) WHERE scope = 'desk';
                CREATE UNIQUE INDEX canned_personal_shortcut ON conversation.canned_responses (owner_id, shortcut) WHERE scope = 'personal';
                CREATE INDEX canned_order ON conversation.canned_responses (created_at, id);
                """
        ),
        visitorWritesMigration,
    ]
}
