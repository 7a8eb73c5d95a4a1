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
        readEvents,
    ]
}

extension Migration {
    /// The outbox read as functions, so that its plan is made once per connection and is always
    /// the one it should be. As a statement of its own it was either planned anew on every read
    /// (about 1 ms, more than running it) or, planned once while the table was small, kept a
    /// sequential scan and a sort as the table grew (4 ms a read, measured). A plpgsql function
    /// keeps its statements' plans for the session, and the settings it is declared with make
    /// that plan generic and the index scan from the cursor.
    ///
    /// Both are `STABLE`: they read with the calling statement's snapshot, so the horizon and the
    /// events are seen at the same instant.
    ///
    /// `outbox_horizon()`: events of transactions below it can no longer be overtaken. It is the
    /// oldest transaction the snapshot sees running, leaving out those positively known to run in
    /// another database or outside a client session (autovacuum): they cannot write this outbox,
    /// so a long transaction elsewhere in the cluster does not hold its readers back. A
    /// transaction that ended since the snapshot cannot be placed and counts as ours. (xids are
    /// matched on their low 32 bits, which is what `pg_stat_activity` shows.)
    ///
    /// `read_events(...)`: see `Database.readEvents`.
    static let readEvents = Migration(
        schema: "platform", version: 3, name: "the outbox read, planned once",
        sql: """
            CREATE FUNCTION platform.outbox_horizon() RETURNS xid8
            LANGUAGE plpgsql STABLE
            AS $fn$
            BEGIN
                RETURN (
                    WITH snapshot AS (SELECT pg_current_snapshot() AS snap),
                    elsewhere AS (
                        SELECT a.backend_xid::text::bigint AS xid FROM pg_stat_get_activity(NULL) a
                        WHERE a.backend_xid IS NOT NULL
                          AND (a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database())
                               OR a.backend_type <> 'client backend')
                    )
                    SELECT coalesce(
                        (SELECT min(x::text::numeric) FROM (SELECT pg_snapshot_xip(snap) AS x FROM snapshot) running
                         WHERE (x::text::numeric % 4294967296)::bigint NOT IN (SELECT xid FROM elsewhere))::text::xid8,
                        (SELECT pg_snapshot_xmax(snap) FROM snapshot)));
            END
            $fn$;

            CREATE FUNCTION platform.read_events(
                after_xid xid8, after_seq bigint, floor_xid xid8, floor_seq bigint,
                kinds text[], narrowed text, authors text[], max_bytes bigint, max_rows integer)
            RETURNS TABLE (xid text, seq bigint, type text, subject text, payload text, created_at timestamptz,
                           settled boolean, within_budget boolean)
            LANGUAGE plpgsql STABLE
            SET plan_cache_mode = force_generic_plan
            SET enable_seqscan = off
            SET enable_bitmapscan = off
            AS $fn$
            #variable_conflict use_column
            BEGIN
                RETURN QUERY
                SELECT r.xid, r.seq, r.type, r.subject, CASE WHEN r.before_it < max_bytes THEN r.payload END,
                       r.created_at, r.settled, r.before_it < max_bytes
                FROM (
                    SELECT e.xid::text AS xid, e.seq, e.type, e.subject, p.payload, e.created_at,
                           e.xid < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
                           OR (e.xid, e.seq) <= (floor_xid, floor_seq)
                           OR e.xid < (SELECT platform.outbox_horizon()) AS settled,
                           coalesce(sum(octet_length(p.payload)) OVER (ORDER BY e.xid, e.seq), 0)
                               - coalesce(octet_length(p.payload), 0) AS before_it
                    FROM platform.events e
                    CROSS JOIN LATERAL (
                        SELECT CASE WHEN (kinds IS NULL OR e.type = ANY(kinds))
                                     AND (narrowed IS NULL OR e.type <> narrowed OR e.payload->'author'->>'kind' = ANY(authors))
                            THEN e.payload::text END AS payload
                    ) p
                    WHERE (e.xid, e.seq) > (after_xid, after_seq)
                    ORDER BY e.xid, e.seq
                    LIMIT max_rows
                ) r
                ORDER BY r.xid::xid8, r.seq;
            END
            $fn$;
            """
    )
}
