import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Wire

/// Which operators have a console stream open on this gateway, told to the pool: at once when
/// one's first stream opens, and every `interval` for all of them. The pool keeps the time each
/// was last seen, by any gateway, so several gateways agree and a restart (or a reload, or a
/// short network cut) shorter than `away_after_seconds` is not leaving.
final class Presence: Service, Sendable {
    private struct Present {
        var entry: RosterEntry
        var streams: Int
    }

    let interval: Duration
    private let pool: RPCClient
    private let logger: Logger
    private let present = Mutex<[UUID: Present]>([:])
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(pool: RPCClient, interval: Duration, logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A stream of `entry`'s opened; the first one is told at once.
    func arrive(_ entry: RosterEntry) {
        let first = present.withLock { present in
            present[entry.id, default: Present(entry: entry, streams: 0)].streams += 1
            present[entry.id]?.entry = entry
            return present[entry.id]?.streams == 1
        }
        if first { wake.yield() }
    }

    /// One of their streams closed. Nothing is told: they stay seen until the pool finds them
    /// gone for `away_after_seconds`.
    func leave(_ id: UUID) {
        present.withLock { present in
            present[id]?.streams -= 1
            if present[id]?.streams ?? 0 <= 0 { present[id] = nil }
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [wake, interval] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        wake.yield()
                    }
                }
                for await _ in wakes { await tell() }
                group.cancelAll()
            }
        } onGracefulShutdown: { [wake] in
            wake.finish()
        }
    }

    /// Sends everyone present, a page at a time.
    private func tell() async {
        let entries = present.withLock { $0.values.map(\.entry) }
        guard !entries.isEmpty else { return }
        for start in stride(from: 0, to: entries.count, by: PageRequest.limits.upperBound) {
            let page = Array(entries[start..<min(start + PageRequest.limits.upperBound, entries.count)])
            do {
                _ = try await pool.call(PoolMethods.Seen.self, .init(operators: page))
            } catch {
                logger.warning("could not tell the pool who is present", metadata: ["error": "\(error)"])
            }
        }
    }
}
