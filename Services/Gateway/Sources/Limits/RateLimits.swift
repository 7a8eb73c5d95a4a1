import Foundation
import Storage
import Synchronization

/// At most `limit` attempts under `key` in the last `window` seconds.
struct RateRule: Sendable, Hashable {
    var key: String
    var limit: Int
    var window: Int
    /// The rule holds only while this other key has attempts in its own window: the per-e-mail
    /// login limit slows guesses from addresses that have failed for that e-mail, never the
    /// owner from a new one.
    var onlyAfter: String?

    init(_ key: String, limit: Int, window: Int, onlyAfter: String? = nil) {
        self.key = key
        self.limit = limit
        self.window = window
        self.onlyAfter = onlyAfter
    }
}

/// What one key's window holds now.
struct WindowCount: Sendable, Equatable {
    var count: Int
    /// Seconds until the oldest attempt in the window leaves it.
    var oldestLeavesIn: Int
}

enum RateLimits {
    /// Whether one more attempt fits every rule; when not, the Retry-After seconds (the longest
    /// wait among the rules it breaks). Pure: `counts` has every rule's key.
    static func verdict(_ rules: [RateRule], counts: [String: WindowCount]) -> Int? {
        var wait: Int?
        for rule in rules {
            if let gate = rule.onlyAfter, (counts[gate]?.count ?? 0) == 0 { continue }
            guard let window = counts[rule.key], window.count >= rule.limit else { continue }
            wait = max(wait ?? 1, min(max(window.oldestLeavesIn, 1), rule.window))
        }
        return wait
    }
}

/// The attempts behind every rate limit, counted in PostgreSQL so that a limit holds across
/// gateways. A reservation is taken before the work it guards: per key an advisory lock (taken
/// in key order, so two reservations never deadlock) serializes the count and the insert, so
/// of N concurrent requests against a limit of L at most L get through.
struct Attempts: Sendable {
    let database: Database
    let full: FullKeys

    static let migration = Migration(
        schema: "identity", version: 4, name: "attempts behind the rate limits",
        sql: """
            CREATE TABLE identity.attempts (
                id bigserial PRIMARY KEY,
                key text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX attempts_key ON identity.attempts (key, at);
            CREATE INDEX attempts_at ON identity.attempts (at);
            DROP TABLE identity.login_failures;
            """
    )

    /// The longest window any rule uses; older attempts are swept.
    static let longestWindow = 24 * 3600

    /// The rows one reservation added, to be given back when the work did not happen.
    struct Reservation: Sendable {
        var ids: [Int64]
    }

    /// What each key's window holds (`windows[i]` seconds for `keys[i]`).
    /// Each key's attempts in its window and when the oldest of them leaves it.
    static func count(_ keys: [String], windows: [String]) -> SQL {
        """
        SELECT r.key, count(a.id),
               coalesce(ceil(extract(epoch FROM min(a.at) + make_interval(secs => r.secs) - now())), 0)::bigint
        FROM unnest(\(keys)::text[], \(windows)::float8[]) AS r(key, secs)
        LEFT JOIN identity.attempts a ON a.key = r.key AND a.at > now() - make_interval(secs => r.secs)
        GROUP BY r.key, r.secs
        """
    }

    static func counts(_ rows: PGRows) throws -> [String: WindowCount] {
        var counts: [String: WindowCount] = [:]
        for row in rows {
            let (key, count, oldestLeavesIn) = try row.decode((String, Int, Int).self)
            counts[key] = WindowCount(count: count, oldestLeavesIn: oldestLeavesIn)
        }
        return counts
    }

    /// Counts one attempt under every rule's key, or throws 429 `rate_limited` with Retry-After
    /// (counting nothing) when one more would break a rule.
    ///
    /// A key this gateway has lately found over its limit is first read without the lock:
    /// counts in a window only grow until their oldest attempt leaves it, so that read can
    /// refuse but never admit. A flood against a full key thus never queues on the key's lock,
    /// holding database connections the rightful users need; everything else goes straight to
    /// the locked count (one round trip fewer).
    func reserve(_ rules: [RateRule], message: String = "too many attempts; try again later") async throws -> Reservation {
        let keys = Array(Set(rules.map(\.key))).sorted()
        let windows = keys.map { key in String(rules.filter { $0.key == key }.map(\.window).max() ?? 0) }
        if full.any(of: keys) {
            let seen = try Self.counts(try await database.query(Self.count(keys, windows: windows)))
            if let wait = RateLimits.verdict(rules, counts: seen) { throw APIError.rateLimited(retryAfter: wait, message) }
        }
        let reserved: Result<[Int64], APIError> = try await database.transaction { transaction in
            for key in keys {
                try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended('attempts ' || \(key), 0))")
            }
            let counts = try Self.counts(try transaction.query(Self.count(keys, windows: windows)))
            if let wait = RateLimits.verdict(rules, counts: counts) {
                full.note(keys, for: wait)
                return .failure(.rateLimited(retryAfter: wait, message))
            }
            let ids = try transaction.query("INSERT INTO identity.attempts (key) SELECT unnest(\(keys)::text[]) RETURNING id")
                .map { try $0.decode("id", as: Int64.self) }
            return .success(ids)
        }
        // Old rows are no use to any window; swept now and then rather than on every attempt.
        if UInt8.random(in: 0..<64) == 0 {
            try await database.query(
                "DELETE FROM identity.attempts WHERE at < now() - make_interval(secs => \(Double(Self.longestWindow)))")
        }
        return Reservation(ids: try reserved.get())
    }

    /// Gives a reservation back: the work it guarded did not happen (or should not count).
    func release(_ reservation: Reservation) async {
        _ = try? await database.query("DELETE FROM identity.attempts WHERE id = ANY(\(reservation.ids)::bigint[])")
    }

    /// Forgets every attempt under `key` (a successful login clears its failures).
    func clear(_ key: String) async throws {
        try await database.query("DELETE FROM identity.attempts WHERE key = \(key)")
    }

    /// Runs `work` under a reservation that is given back if `work` throws.
    func guarded<T: Sendable>(
        _ rules: [RateRule], message: String = "too many attempts; try again later", _ work: () async throws -> T
    )
        async throws -> T
    {
        let reservation = try await reserve(rules, message: message)
        do {
            return try await work()
        } catch {
            await release(reservation)
            throw error
        }
    }
}

/// The keys this gateway found over their limit lately, each until its Retry-After: only which
/// way `Attempts.reserve` counts, never whether it admits. Bounded; past the bound it forgets.
final class FullKeys: Sendable {
    static let capacity = 4_096
    private let until = Mutex<[String: ContinuousClock.Instant]>([:])

    var count: Int { until.withLock { $0.count } }

    func any(of keys: [String]) -> Bool {
        let now = ContinuousClock.now
        return until.withLock { until in keys.contains { until[$0].map { $0 > now } ?? false } }
    }

    func note(_ keys: [String], for seconds: Int) {
        let now = ContinuousClock.now
        until.withLock { until in
            if until.count >= Self.capacity { until = until.filter { $0.value > now } }
            if until.count >= Self.capacity { until.removeAll() }
            for key in keys { until[key] = now + .seconds(seconds) }
        }
    }
}
