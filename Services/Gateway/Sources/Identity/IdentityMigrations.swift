import Storage

/// The `identity` schema's history, oldest first; an applied step never changes.
extension IdentityStore {
    static let migrations = [
        Migration(schema: "identity", version: 1, name: "schema", sql: "CREATE SCHEMA identity;"),
        Migration(
            schema: "identity", version: 2, name: "operators and sessions",
            sql: """
                CREATE TABLE identity.operators (
                    id uuid PRIMARY KEY,
                    name text NOT NULL,
                    email text NOT NULL,
                    role text NOT NULL CHECK (role IN ('admin', 'operator')),
                    password_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE UNIQUE INDEX operators_email ON identity.operators (lower(email));
                CREATE TABLE identity.sessions (
                    token_hash bytea PRIMARY KEY,
                    operator_id uuid NOT NULL REFERENCES identity.operators (id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX sessions_expires_at ON identity.sessions (expires_at);
                CREATE TABLE identity.login_failures (
                    key text NOT NULL,
                    failed_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX login_failures_key ON identity.login_failures (key, failed_at);
                """
        ),
        Migration(
            schema: "identity", version: 3, name: "visitors",
            sql: """
                CREATE TABLE identity.visitors (
                    id uuid PRIMARY KEY,
                    token_hash bytea NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                """
        ),
        Attempts.migration,
        Migration(
            schema: "identity", version: 5, name: "sessions and visitor tokens expire unused",
            sql: """
                ALTER TABLE identity.sessions ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
                ALTER TABLE identity.visitors ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
                CREATE INDEX visitors_last_used_at ON identity.visitors (last_used_at);
                """
        ),
        Migration(
            schema: "identity", version: 6, name: "deactivation, the operators' audit, password resets",
            sql: """
                ALTER TABLE identity.operators ADD COLUMN active boolean NOT NULL DEFAULT true;
                -- Who changed whom, what and when: an admin's edits, passwords set, changed or reset.
                CREATE TABLE identity.operator_changes (
                    id bigserial PRIMARY KEY,
                    operator_id uuid NOT NULL REFERENCES identity.operators (id) ON DELETE CASCADE,
                    by_id uuid,
                    by_name text,
                    change text NOT NULL,
                    from_value text,
                    to_value text,
                    at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX operator_changes_operator ON identity.operator_changes (operator_id, id);
                -- Single-use links mailed for a forgotten password, stored only as hashes.
                CREATE TABLE identity.password_resets (
                    token_hash bytea PRIMARY KEY,
                    operator_id uuid NOT NULL REFERENCES identity.operators (id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL,
                    used_at timestamptz
                );
                CREATE INDEX password_resets_operator ON identity.password_resets (operator_id);
                CREATE INDEX password_resets_expires_at ON identity.password_resets (expires_at);
                """
        ),
    ]
}
