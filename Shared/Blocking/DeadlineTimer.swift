import Dispatch
import Synchronization

/// A one-shot timer for a call's deadline, cancelled when the call ends first: a timer left
/// to fire would keep its call (and what it holds) alive until then, one per call made.
public final class DeadlineTimer: @unchecked Sendable {
    // A dispatch source may be cancelled from any thread.
    private let source: any DispatchSourceTimer

    /// Calls `fire` once at `deadline` (at once if it has passed), unless cancelled before.
    public init(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) {
        let remaining = deadline - .now
        let nanoseconds: Int
        if remaining <= .zero {
            nanoseconds = 0
        } else if remaining >= .seconds(86_400 * 365) {
            nanoseconds = 86_400 * 365 * 1_000_000_000
        } else {
            nanoseconds = Int(remaining.components.seconds) * 1_000_000_000 + Int(remaining.components.attoseconds / 1_000_000_000)
        }
        // The global queue, not a serial one: what fires may block a moment (`PQcancel` talks to
        // the server) and must not hold back another call's deadline.
        source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds))
        source.setEventHandler(handler: fire)
        source.activate()
    }

    /// The timer will not fire (unless it is firing right now).
    public func cancel() {
        source.cancel()
    }
}

/// What a call holds while it waits or runs: its deadline's timer and its place in the queue,
/// each set once and read from any thread.
public final class CallHold: Sendable {
    private let state = Mutex<(timer: DeadlineTimer?, ticket: BlockingTicket?)>((nil, nil))

    public init() {}

    /// The deadline's timer, to cancel once the call's outcome is known.
    public var timer: DeadlineTimer? {
        get { state.withLock { $0.timer } }
        set { state.withLock { $0.timer = newValue } }
    }

    /// Set once queued, to take the call out of the queue when its caller gives up.
    public var ticket: BlockingTicket? {
        get { state.withLock { $0.ticket } }
        set { state.withLock { $0.ticket = newValue } }
    }
}
