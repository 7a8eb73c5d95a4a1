import Foundation
import Storage

/// The statements a benchmark round ran, from `pg_stat_statements` (loaded when `BENCH_DEBUG` is set).
extension Bench {
    static func resetStatements(_ database: Database) async throws {
        try await database.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        try await database.query("SELECT pg_stat_statements_reset()")
        try await database.query("SELECT pg_stat_reset_shared('wal')")
    }

    /// The statements that took the most time, per `unit` of work: calls, milliseconds, the text.
    static func printStatements(_ database: Database, per count: Int, unit: String) async throws {
        let rows = try await database.query(
            """
            SELECT calls, total_exec_time, total_plan_time, query FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time + total_plan_time DESC LIMIT 30
            """)
        let total = try await database.query(
            """
            SELECT coalesce(sum(calls), 0)::float8, coalesce(sum(total_exec_time), 0), coalesce(sum(total_plan_time), 0)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)[0]
        let per = Double(max(count, 1))
        let wal = try await database.query("SELECT wal_sync::float8, wal_sync_time FROM pg_stat_wal")[0]
        let syncs = try wal.decode(Double.self, at: 0)
        var lines = [
            String(
                format: "statements per %@: %.1f calls, %.2f ms executing, %.2f ms planning; the top ones (calls, executing, planning):",
                unit, try total.decode(Double.self, at: 0) / per, try total.decode(Double.self, at: 1) / per,
                try total.decode(Double.self, at: 2) / per),
            String(
                format: "WAL flushes per %@: %.2f, %.2f ms each on average", unit, syncs / per,
                try wal.decode(Double.self, at: 1) / max(syncs, 1)),
        ]
        for row in rows {
            let text = try row.decode(String.self, at: 3).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            lines.append(
                String(
                    format: "  %6.2f calls %7.3f ms %7.3f ms  %@", Double(try row.decode(Int64.self, at: 0)) / per,
                    try row.decode(Double.self, at: 1) / per, try row.decode(Double.self, at: 2) / per, String(text.prefix(150))))
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
