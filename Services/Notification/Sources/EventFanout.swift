import Contracts
import Foundation
import Logging
import Metrics
import Storage
import Synchronization
import Wire

/// Fans the outbox out to the gateways subscribed to this instance.
///
/// One tail per process follows the outbox in memory (nothing is saved: a restarted instance
/// starts at the present, and subscribers resume by cursor). Each subscription first replays
/// from the database after the subscriber's cursor, then passes on the live batches it buffered
/// meanwhile, dropping what the replay already sent: no gap, no duplicate.
final class EventFanout: Sendable {
    /// Batches a subscriber may fall behind by before it is dropped (it resubscribes by cursor).
    static let queueLimit = 256
    /// The least time between two reads of the tail (`OutboxConsumer.pace`).
    static let pace: Duration = .milliseconds(3)

    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<[StreamEvent]>.Continuation] = [:]
        /// How far the tail has delivered (where it started, then its last event); `nil` until it
        /// knows where it starts: subscriptions wait for that.
        var delivered: EventCursor?
    }

    private let state = Mutex(State())
    private let gauge = Gauge(label: "event_subscribers")

    /// The outbox tail that feeds every subscription.
    func tail(database: Database, listener: Listener, logger: Logger) -> OutboxConsumer {
        var tail = OutboxConsumer(
            name: "notification.fanout", database: database, listener: listener, types: EventMethods.streamed, start: .present,
            logger: logger
        ) { [self] events in
            publish(events.map(\.streamEvent))
        }
        tail.onStart = { [self] start in state.withLock { $0.delivered = start } }
        // Under a stream of commits, one read every 3 ms carries several of them to the gateways.
        tail.pace = Self.pace
        return tail
    }

    /// Hands a batch to every subscriber; one whose queue is full is ended.
    func publish(_ events: [StreamEvent]) {
        guard !events.isEmpty else { return }
        state.withLock { state in
            state.delivered = events.last?.cursor
            for (id, subscriber) in state.subscribers {
                if case .dropped = subscriber.yield(events) {
                    subscriber.finish()
                    state.subscribers[id] = nil
                }
            }
        }
    }

    /// Serves one `events.subscribe` until the connection closes or the subscriber falls too far behind.
    ///
    /// It waits until the tail knows where it starts. The replay reads at least as far as the
    /// tail had delivered when the subscription began, so nothing falls between the two.
    func serve(after start: EventCursor?, database: Database, push: RPCPush) async throws -> EventMethods.Subscribe.Result {
        while state.withLock({ $0.delivered == nil }) { try await Task.sleep(for: .milliseconds(5)) }
        let (batches, continuation) = AsyncStream.makeStream(
            of: [StreamEvent].self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
        let (id, delivered) = state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            gauge.record(state.subscribers.count)
            return (state.nextID, state.delivered)
        }
        defer {
            state.withLock { state in
                state.subscribers[id]?.finish()
                state.subscribers[id] = nil
                gauge.record(state.subscribers.count)
            }
        }
        var last = start
        if var cursor = start {
            // Everything before the live batches began is in the database: send it first.
            while true {
                let page = try await database.readEvents(
                    after: cursor, limit: 500, types: EventMethods.streamed, settledThrough: delivered)
                if !page.events.isEmpty {
                    try await push.send(
                        method: EventMethods.Batch.method, params: EventMethods.Batch(events: page.events.map(\.streamEvent)))
                }
                cursor = page.scannedThrough ?? cursor
                if !page.full { break }
            }
            last = cursor
        }
        for await batch in batches {
            let fresh = last.map { last in batch.filter { $0.cursor > last } } ?? batch
            guard let end = fresh.last?.cursor else { continue }
            try await push.send(method: EventMethods.Batch.method, params: EventMethods.Batch(events: fresh))
            last = end
        }
        return .init(reason: Task.isCancelled ? "draining" : "behind")
    }
}
