import Contracts
import Foundation
import Harness
import Synchronization
import Testing

@testable import Wire

/// `test.count`: pushes `test.number` 1…`upTo`, then holds the subscription open until it ends.
enum Count: RPCMethod {
    static let name = "test.count"
    struct Params: Codable, Sendable, Hashable { var upTo: Int }
    struct Result: Codable, Sendable, Hashable { var ended: String }
    struct Number: Codable, Sendable, Hashable { var value: Int }
}

@Suite("Stream methods: notifications pushed on the caller's connection")
struct StreamMethodTests {
    /// A server with `test.count`, recording how each subscription ended.
    func server(_ runtime: String, endings: Tally) async throws -> TestServer {
        var router = testRouter(instance: "a")
        router.registerStream(Count.self) { params, push, _ in
            for value in 1...params.upTo { try await push.send(method: "test.number", params: Count.Number(value: value)) }
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                endings.add("cancelled")
            }
            return .init(ended: "draining")
        }
        return try await TestServer(runtimeDirectory: runtime, instance: "a", router: router)
    }

    @Test("every pushed line arrives in order; the caller leaving ends the handler; a drain ends the stream with its reply")
    func pushes() async throws {
        let runtime = try makeRuntimeDirectory()
        let endings = Tally()
        let server = try await server(runtime, endings: endings)
        let received = Numbers()

        // The caller goes away: the server's handler is cancelled, nothing is left running.
        let leaving = Task {
            try await RPCConnection.subscribe(Count.self, .init(upTo: 100), socketPath: server.socketPath, pushed: Count.Number.self) {
                number in received.append(number.value)
            }
        }
        // Alone this takes milliseconds; at the start of the full suite, with dozens of services
        // starting on two cores, fresh-clone runs took 48, 64 and over 60 s: the wait is long.
        do {
            try await poll("100 numbers", timeout: .seconds(300)) { received.all.count == 100 }
        } catch {
            Issue.record("\(received.all.count) numbers arrived; the handler ended: \(endings.counts)")
            throw error
        }
        #expect(received.all == Array(1...100))
        leaving.cancel()
        await #expect(throws: (any Error).self) { try await leaving.value }
        try await poll("the handler to end", timeout: .seconds(300)) { endings.counts == ["cancelled": 1] }

        // Ordinary calls on other connections go on meanwhile; a drain ends the stream with its reply.
        received.clear()
        let staying = Task {
            try await RPCConnection.subscribe(Count.self, .init(upTo: 50), socketPath: server.socketPath, pushed: Count.Number.self) {
                number in received.append(number.value)
            }
        }
        try await poll("50 numbers", timeout: .seconds(300)) { received.all.count == 50 }
        let echoed = try await withClient(runtimeDirectory: runtime) { try await $0.call(Echo.self, .init(value: 7, text: "x")) }
        #expect(echoed.value == 7)
        await server.stop()
        #expect(try await staying.value == Count.Result(ended: "draining"))
        #expect(received.all == Array(1...50))
    }

    @Test("a stream method called as a plain request on a busy connection does not hold up the others")
    func sharedConnection() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await server(runtime, endings: Tally())
        let socket = try RawSocket(path: server.socketPath)
        socket.send(#"{"jsonrpc":"2.0","id":1,"method":"test.count","params":{"upTo":2}}"# + "\n")
        socket.send(#"{"jsonrpc":"2.0","id":2,"method":"test.echo","params":{"value":5}}"# + "\n")
        var lines: [[String: Any]] = []
        for _ in 0..<3 { lines.append(try #require(try await socket.readJSON())) }
        #expect(lines.compactMap { ($0["params"] as? [String: Any])?["value"] as? Int } == [1, 2])
        #expect(lines.contains { $0["id"] as? Int == 2 && ($0["result"] as? [String: Any])?["value"] as? Int == 5 })
        await server.stop()
    }
}

/// Numbers received from many tasks, in the order they came.
final class Numbers: Sendable {
    private let state = Mutex<[Int]>([])
    func append(_ value: Int) { state.withLock { $0.append(value) } }
    func clear() { state.withLock { $0 = [] } }
    var all: [Int] { state.withLock { $0 } }
}
