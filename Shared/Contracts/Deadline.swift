/// How long a peer may ask the callee to keep working, and time spans as whole nanoseconds
/// without overflow (a peer's `deadline_ms` is range-checked before any arithmetic).
public enum Deadline {
    /// The longest `deadline_ms` a request may carry: one hour. No call is meant to take that
    /// long; the bound only keeps the arithmetic finite.
    public static let maximumMilliseconds: Int64 = 3_600_000

    /// Whether a peer's `deadline_ms` is one to act on.
    public static func isValid(milliseconds: Int64) -> Bool {
        (0...maximumMilliseconds).contains(milliseconds)
    }

    /// `duration` in nanoseconds, clamped to `0...Int64.max`.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (sum, overflowSum) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowSum ? .max : max(0, sum)
    }
}
