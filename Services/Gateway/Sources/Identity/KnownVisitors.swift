import Foundation
import Synchronization

/// Visitor tokens this gateway found valid in the last seconds, and whose they are. The widget
/// sends its token with every message; a token ends only by lying unused for days
/// (`SWITCHBOARD_VISITOR_TOKEN_DAYS`), so an answer kept for `lifetime` is still the truth,
/// and a chat's messages cost no look-up each. Unknown tokens are never kept (a flood of made-up
/// ones finds nothing to fill). Bounded; past the bound it forgets.
final class KnownVisitors: Sendable {
    static let capacity = 10_000
    static let lifetime: Duration = .seconds(10)
    private let known = Mutex<[String: (visitor: UUID, until: ContinuousClock.Instant)]>([:])

    var count: Int { known.withLock { $0.count } }

    func visitor(for token: String, now: ContinuousClock.Instant = .now) -> UUID? {
        known.withLock { known in known[token].flatMap { $0.until > now ? $0.visitor : nil } }
    }

    func note(_ token: String, is visitor: UUID, now: ContinuousClock.Instant = .now) {
        known.withLock { known in
            if known.count >= Self.capacity { known = known.filter { $0.value.until > now } }
            if known.count >= Self.capacity { known.removeAll() }
            known[token] = (visitor, now + Self.lifetime)
        }
    }
}
