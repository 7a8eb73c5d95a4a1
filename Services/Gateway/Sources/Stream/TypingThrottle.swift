/// How many typing frames one stream may have relayed: a bucket of `burst` frames that refills
/// one frame every `interval`. Pure: the caller gives the instant. A client types at one frame
/// every two seconds; more than that is dropped, so a flood costs the desk nothing.
struct TypingThrottle: Sendable {
    var burst = 3
    var interval: Duration = .milliseconds(500)
    private var tokens: Int?
    private var refilled: ContinuousClock.Instant?

    init(burst: Int = 3, interval: Duration = .milliseconds(500)) {
        self.burst = burst
        self.interval = interval
    }

    /// Whether a frame arriving at `now` is relayed (and spends a token).
    mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        var available = tokens ?? burst
        if let refilled, now > refilled {
            let earned = Int((now - refilled) / interval)
            if earned > 0 {
                available = min(burst, available + earned)
                self.refilled = available == burst ? now : refilled + interval * earned
            }
        } else if refilled == nil {
            refilled = now
        }
        guard available > 0 else {
            tokens = 0
            return false
        }
        tokens = available - 1
        return true
    }
}
