import Storage

/// The `pool` schema's history, oldest first; an applied step never changes.
extension PoolStore {
    static let migrations = [
        Migration(schema: "pool", version: 1, name: "schema", sql: "CREATE SCHEMA pool;"),
        Migration(
            schema: "pool", version: 2, name: "items, availability, audit",
            sql: """
                CREATE TABLE pool.items (
                    conversation_id uuid PRIMARY KEY,
                    kind text NOT NULL CHECK (kind IN ('chat', 'ticket')),
                    status text NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
                    customer_name text NOT NULL,
                    preview text NOT NULL DEFAULT '',
                    waiting_since timestamptz NOT NULL,
                    holder_id uuid,
                    holder_name text,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX items_waiting ON pool.items (waiting_since) WHERE status = 'waiting';
                CREATE INDEX items_holder ON pool.items (holder_id) WHERE status = 'assigned';
                CREATE TABLE pool.availability (
                    operator_id uuid PRIMARY KEY,
                    available boolean NOT NULL,
                    changed_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE pool.audit (
                    id bigserial PRIMARY KEY,
                    conversation_id uuid NOT NULL,
                    from_id uuid,
                    from_name text,
                    to_id uuid NOT NULL,
                    to_name text NOT NULL,
                    how text NOT NULL CHECK (how IN ('take', 'takeover', 'transfer', 'auto')),
                    at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX audit_conversation ON pool.audit (conversation_id, id);
                """
        ),
        Migration(
            schema: "pool", version: 3, name: "settings",
            sql: """
                CREATE TABLE pool.settings (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    auto_assign boolean NOT NULL,
                    max_chats_per_operator integer NOT NULL CHECK (max_chats_per_operator BETWEEN 1 AND 100)
                );
                INSERT INTO pool.settings (auto_assign, max_chats_per_operator) VALUES (false, 5);
                """
        ),
        Migration(
            schema: "pool", version: 4, name: "operator names and last assignment for auto-assign",
            sql: """
                ALTER TABLE pool.availability ADD COLUMN operator_name text NOT NULL DEFAULT '', ADD COLUMN last_assigned_at timestamptz;
                """
        ),
        Migration(
            schema: "pool", version: 5, name: "a reopened ticket back with its holder",
            sql: """
                ALTER TABLE pool.audit DROP CONSTRAINT audit_how_check,
                    ADD CONSTRAINT audit_how_check CHECK (how IN ('take', 'takeover', 'transfer', 'auto', 'reopen'));
                """
        ),
        Migration(
            schema: "pool", version: 6, name: "tickets assigned from the Tickets screen",
            sql: """
                ALTER TABLE pool.audit DROP CONSTRAINT audit_how_check,
                    ADD CONSTRAINT audit_how_check CHECK (how IN ('take', 'takeover', 'transfer', 'auto', 'reopen', 'assign'));
                """
        ),
        Migration(
            schema: "pool", version: 7, name: "waiting chats per client address",
            sql: """
                ALTER TABLE pool.items ADD COLUMN origin text;
                CREATE INDEX items_waiting_origin ON pool.items (origin) WHERE status = 'waiting';
                CREATE TABLE pool.admissions (
                    conversation_id uuid PRIMARY KEY,
                    origin text NOT NULL,
                    admitted_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX admissions_origin ON pool.admissions (origin, admitted_at);
                CREATE INDEX admissions_admitted_at ON pool.admissions (admitted_at);
                """
        ),
        Migration(
            schema: "pool", version: 8, name: "the desk's people: presence, availability for chats and tickets, returns, escalation",
            sql: """
                ALTER TABLE pool.availability RENAME TO operators;
                ALTER TABLE pool.operators RENAME COLUMN available TO chats;
                ALTER TABLE pool.operators
                    ADD COLUMN tickets boolean NOT NULL DEFAULT false,
                    ADD COLUMN role text NOT NULL DEFAULT 'operator' CHECK (role IN ('admin', 'operator')),
                    ADD COLUMN active boolean NOT NULL DEFAULT true,
                    ADD COLUMN signed_in boolean NOT NULL DEFAULT false,
                    ADD COLUMN seen_at timestamptz,
                    ADD COLUMN away_since timestamptz,
                    ADD COLUMN away_switched_off boolean NOT NULL DEFAULT false;
                UPDATE pool.operators SET tickets = chats;
                CREATE INDEX operators_present ON pool.operators (seen_at) WHERE away_since IS NULL;
                ALTER TABLE pool.audit ALTER COLUMN to_id DROP NOT NULL, ALTER COLUMN to_name DROP NOT NULL,
                    ADD COLUMN by_id uuid, ADD COLUMN by_name text, ADD COLUMN reason text CHECK (reason IN ('deactivated', 'away')),
                    DROP CONSTRAINT audit_how_check,
                    ADD CONSTRAINT audit_how_check
                        CHECK (how IN ('take', 'takeover', 'transfer', 'auto', 'reopen', 'assign', 'returned', 'dismissed'));
                CREATE INDEX audit_recent_takes ON pool.audit (at) WHERE how IN ('take', 'auto');
                ALTER TABLE pool.items
                    ADD COLUMN alerted smallint NOT NULL DEFAULT 0 CHECK (alerted BETWEEN 0 AND 3),
                    ADD COLUMN customer_waiting_since timestamptz;
                CREATE INDEX items_waiting_chats ON pool.items (waiting_since, conversation_id) WHERE status = 'waiting' AND kind = 'chat';
                ALTER TABLE pool.settings
                    ADD COLUMN away_after_seconds integer NOT NULL DEFAULT 120 CHECK (away_after_seconds BETWEEN 1 AND 604800),
                    ADD COLUMN return_when_away boolean NOT NULL DEFAULT true,
                    ADD COLUMN escalation_after_seconds integer DEFAULT 60 CHECK (escalation_after_seconds BETWEEN 1 AND 604800),
                    ADD COLUMN escalation_admins_after_seconds integer DEFAULT 180
                        CHECK (escalation_admins_after_seconds BETWEEN 1 AND 604800);
                """
        ),
    ]
}
