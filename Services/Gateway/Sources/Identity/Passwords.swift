import Foundation
import HummingbirdBcrypt

/// bcrypt, run on threads of its own: one hash takes tens of milliseconds of CPU, which on
/// Swift's cooperative threads (two here) would stall every request.
enum Passwords {
    static let cost: UInt8 = 10

    static func hash(_ password: String) async -> String {
        await offload { Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String) async -> Bool {
        await offload { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash to verify against when the e-mail is unknown, so both failures take as long.
    static let decoy = Bcrypt.hash("decoy password that matches nothing", cost: cost)

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
