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
    ]
}
