import Logging
import Synchronization

/// Sends the outbox's NOTIFY after commits, coalesced: at most one in flight and one more
/// queued, however many transactions commit meanwhile.
///
/// The NOTIFY is its own statement after the commit, never inside the writing transaction:
/// PostgreSQL serialises notifying commits behind one lock, which would cap writes.
final class EventNotifier: Sendable {
    private let state = Mutex<(sending: Bool, again: Bool)>((false, false))

    func signal(_ database: Database) {
        let start = state.withLock { state -> Bool in
            if state.sending {
                state.again = true
                return false
            }
            state.sending = true
            return true
        }
        guard start else { return }
        Task {
            repeat {
                do {
                    try await database.query("SELECT pg_notify(\(Outbox.channel), '')")
                } catch {
                    // Readers also poll, so a lost wake-up only delays them.
                    database.logger.debug("outbox notify failed", metadata: ["error": "\(error)"])
                }
            } while state.withLock { state -> Bool in
                if state.again {
                    state.again = false
                    return true
                }
                state.sending = false
                return false
            }
        }
    }
}
