import Contracts
import Foundation
import Harness
import Synchronization

/// The desk under a chat-start flood: one address starting chats at `floodRate` a second while
/// the legitimate visitors chat through the same gateway. The gateway trusts loopback as its
/// proxy, so the flood names its address in `X-Forwarded-For`, and keeps the default limits on
/// chat starts (20 in 10 minutes, 3 waiting per address).
enum FloodBench {
    static let floodRate = 200
    static let floodConnections = 20
    static let floodAddress = "203.0.113.66"

    struct Round: Sendable {
        var calm: ChatBench.Figures
        var flooded: ChatBench.Figures
        var floodSent: Int
        var floodRefused: Int
    }

    static func run(
        _ stack: Stack, desk: ChatBench.Desk, tracker: ChatBench.Tracker, environment: [String: String]
    ) async throws -> String {
        var limits = environment
        limits["SWITCHBOARD_TRUSTED_PROXIES"] = "127.0.0.1/32"
        limits["SWITCHBOARD_CHAT_STARTS_PER_ADDRESS"] = "20"
        limits["SWITCHBOARD_WAITING_PER_ADDRESS"] = "3"
        let port = try requireBench(try await stack.start(.gateway, environment: limits).httpPort, "the flood gateway's port")
        var rounds: [Round] = []
        for round in 0..<Bench.rounds {
            Bench.progress("flood round \(round + 1): legitimate visitors alone")
            let calm = try await ChatBench.measure(desk: desk, port: port, tracker: tracker, rate: nil, label: "calm\(round)")
            Bench.progress("flood round \(round + 1): with \(floodRate) chat starts/s from one address")
            let stop = Atomic<Bool>(false)
            let counts = Mutex((sent: 0, refused: 0, other: [Int]()))
            // Many connections, each at its share of the rate, so the flood is not held back by
            // waiting for its own answers.
            let flood = (0..<floodConnections).map { connection in
                Thread {
                    guard let http = try? BlockingHTTP(port: port) else { return }
                    let interval = UInt64(1_000_000_000 * floodConnections / floodRate)
                    var next = ChatBench.now() + interval * UInt64(connection) / UInt64(floodConnections)
                    var number = 0
                    while !stop.load(ordering: .relaxed) {
                        let time = ChatBench.now()
                        if next > time { usleep(UInt32((next - time) / 1000)) }
                        next += interval
                        number += 1
                        guard
                            let reply = try? http.send(
                                "POST", "/api/v1/visitor/conversations",
                                json: #"{"name":"Flood \#(round)-\#(connection)-\#(number)"}"#, forwardedFor: floodAddress)
                        else { break }
                        counts.withLock { counts in
                            counts.sent += 1
                            if reply.status == 429 {
                                counts.refused += 1
                            } else if reply.status != 201 {
                                counts.other.append(reply.status)
                            }
                        }
                    }
                }
            }
            for thread in flood { thread.start() }
            let flooded = try await ChatBench.measure(desk: desk, port: port, tracker: tracker, rate: nil, label: "flood\(round)")
            stop.store(true, ordering: .relaxed)
            let (sent, refused, other) = counts.withLock { ($0.sent, $0.refused, $0.other) }
            if let status = other.first { throw BenchError("a flood request answered \(status)") }
            rounds.append(Round(calm: calm, flooded: flooded, floodSent: sent, floodRefused: refused))
        }
        func m(_ value: (Round) -> Double) -> Double { Bench.median(rounds.map(value)) }
        func f(_ value: Double) -> String { Bench.format(value) }
        let share = m { Double($0.floodRefused) / Double(max(1, $0.floodSent)) }
        return """

            ## A chat-start flood while visitors chat

            One client address starts chats at \(floodRate)/s (through the gateway's trusted proxy,
            naming itself in `X-Forwarded-For`; the limits are the defaults: 20 starts in 10 minutes, 3
            waiting per address) while \(ChatBench.visitors) visitors chat as fast as they are answered
            through the same gateway. The same visitors alone first, each round. \(Bench.rounds) rounds of
            \(ChatBench.seconds) s; medians.

            | measure | visitors alone | visitors during the flood | during ÷ alone |
            |---|---|---|---|
            | messages/s | \(f(m { $0.calm.rate })) | \(f(m { $0.flooded.rate })) | \(Bench.ratio(m { $0.flooded.rate }, m { $0.calm.rate })) |
            | p50 latency (µs) | \(f(m { $0.calm.p50 })) | \(f(m { $0.flooded.p50 })) | \(Bench.ratio(m { $0.flooded.p50 }, m { $0.calm.p50 })) |
            | p99 latency (µs) | \(f(m { $0.calm.p99 })) | \(f(m { $0.flooded.p99 })) | \(Bench.ratio(m { $0.flooded.p99 }, m { $0.calm.p99 })) |

            Flood requests per round: \(f(m { Double($0.floodSent) })) sent (\(f(m { Double($0.floodSent) / Double(ChatBench.seconds) }))/s over
            \(floodConnections) keep-alive connections), \(String(format: "%.1f", share * 100)) % refused with 429
            (no more than 3 chats from the address wait at once, and no more than 20 start in 10 minutes).

            """
    }
}
