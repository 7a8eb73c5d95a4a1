import Foundation

/// The time of day as a service's decisions see it: is the desk open now, when did a
/// conversation change hands, has a mail waited too long. One is injected per service
/// (`BackService.clock`, handed on in `ServiceContext`) so a test can set the time; nothing
/// that decides reads `Date()` itself. Timeouts and metrics keep `ContinuousClock`, which
/// measures durations and cannot be set.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that tells the time `read` returns.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The current instant by this clock.
    public func now() -> Date { read() }

    /// The system's clock: what every process uses.
    public static let system = WallClock { Date() }

    /// A clock stopped at `instant` (for tests).
    public static func fixed(_ instant: Date) -> WallClock { WallClock { instant } }
}
