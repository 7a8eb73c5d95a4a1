import Blocking
import Foundation
import HummingbirdBcrypt
import ServiceLifecycle

/// bcrypt, on a small executor of its own: one hash takes tens of milliseconds of CPU, which on
/// Swift's cooperative threads (two here) would stall every request. Two threads and a bounded
/// queue: a burst of logins waits its turn or is answered 503, and never starts a thread per
/// attempt. A `Service`; its threads start in `run()`.
final class Passwords: Service, Sendable {
    static let cost: UInt8 = 10
    private let executor: BlockingExecutor<Void>

    /// About eight seconds of hashing may wait (a hash is ~60 ms on a thread); the login rate
    /// limits keep an honest burst far below that.
    init(threads: Int = 2, queueLimit: Int = 256) {
        executor = BlockingExecutor(label: "bcrypt", threads: threads, queueLimit: queueLimit, makeState: {})
    }

    func run() async throws {
        try await executor.run()
    }

    /// Stops taking work; `run()` returns once what is queued is hashed.
    func close() {
        executor.close()
    }

    func hash(_ password: String) async throws -> String {
        try await offload { Bcrypt.hash(password, cost: Self.cost) }
    }

    /// Whether `password` matches `hash`; with no hash (an unknown e-mail) it is checked against
    /// a decoy, so both failures take as long.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        try await offload { Bcrypt.verify(password, hash: hash ?? Self.decoy) }
    }

    /// Made on first use, on the executor's thread like every other hash.
    static let decoy = Bcrypt.hash("decoy password that matches nothing", cost: cost)

    private func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        do {
            return try await executor.perform { _ in work() }
        } catch is BlockingError {
            // Full, shutting down, or the caller left: try again shortly.
            throw APIError.unavailable
        }
    }
}
