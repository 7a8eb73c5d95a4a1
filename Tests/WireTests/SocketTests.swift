import Contracts
import Foundation
import Harness
import Synchronization
import Testing

@testable import Wire

@Suite("JSON-RPC over real Unix sockets")
struct SocketTests {
    @Test("the socket is 0660 in a 0770 folder, and goes away with its lock on a clean stop")
    func socketFiles() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let attributes = try FileManager.default.attributesOfItem(atPath: server.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        let folder = try FileManager.default.attributesOfItem(atPath: server.directory.path)
        #expect((folder[.posixPermissions] as? Int) == 0o770)
        #expect(server.directory.isLive("a"))
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))
        #expect(!FileManager.default.fileExists(atPath: server.directory.lockPath("a")))
    }

    @Test("1,000 pipelined requests on one connection are each answered correctly")
    func pipelined() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        try await withClient(runtimeDirectory: runtime) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 0..<1000 {
                    group.addTask {
                        let result = try await client.call(Echo.self, .init(value: value, text: "ş\(value)"))
                        #expect(result == Echo.Result(value: value, text: "ş\(value)", instance: "a"))
                    }
                }
                try await group.waitForAll()
            }
        }
        await server.stop()
    }

    @Test("ten connections at once, fifty requests each written in one go")
    func manyConnections() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let sockets = try (0..<10).map { _ in try RawSocket(path: server.socketPath) }
        for (index, socket) in sockets.enumerated() {
            socket.send(
                (0..<50).map { "{\"jsonrpc\":\"2.0\",\"id\":\($0),\"method\":\"test.echo\",\"params\":{\"value\":\(index * 1000 + $0)}}\n" }
                    .joined())
        }
        for (index, socket) in sockets.enumerated() {
            var seen = Set<Int>()
            for _ in 0..<50 {
                let reply = try #require(try await socket.readJSON())
                let id = try #require(reply["id"] as? Int)
                #expect((reply["result"] as? [String: Any])?["value"] as? Int == index * 1000 + id)
                seen.insert(id)
            }
            #expect(seen == Set(0..<50))
        }
        await server.stop()
    }

    @Test("a client that half-closes still gets every reply, then the connection closes")
    func halfClose() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let socket = try RawSocket(path: server.socketPath)
        socket.send(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.sleep\",\"params\":{\"milliseconds\":50}}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"system.nope\"}\n"
        )
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"test.echo\",\"params\":{\"value\":3}}")
        socket.finishWriting()
        var ids = Set<Int>()
        while let reply = try await socket.readJSON() { ids.insert(try #require(reply["id"] as? Int)) }
        #expect(ids == [1, 2, 3])
        await server.stop()
    }

    @Test("garbage, empty lines and unknown methods leave the connection usable")
    func garbageKeepsConnection() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let socket = try RawSocket(path: server.socketPath)
        socket.send("this is not json\n\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"value\":1}}\n")
        let first = try #require(try await socket.readJSON())
        #expect((first["error"] as? [String: Any])?["code"] as? Int == -32700)
        let second = try #require(try await socket.readJSON())
        #expect((second["result"] as? [String: Any])?["value"] as? Int == 1)
        await server.stop()
    }

    @Test("a deadline too large for the clock's arithmetic is refused; the connection and process live on")
    func hugeDeadline() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let socket = try RawSocket(path: server.socketPath)
        let echo = "\"method\":\"test.echo\",\"params\":{\"value\":1}"
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":1,\(echo),\"deadline_ms\":9300000000000}\n")
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":2,\(echo),\"deadline_ms\":\(Deadline.maximumMilliseconds)}\n")
        let first = try #require(try await socket.readJSON())
        #expect(first["id"] as? Int == 1)
        #expect((first["error"] as? [String: Any])?["code"] as? Int == -32600)
        let second = try #require(try await socket.readJSON())
        #expect((second["result"] as? [String: Any])?["value"] as? Int == 1)
        await server.stop()
    }

    enum BadStream: String, CaseIterable {
        case oversizeLine, invalidUTF8
        var bytes: [UInt8] {
            switch self {
            case .oversizeLine: Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10) + [0x0A]
            case .invalidUTF8: [0x7B, 0xFF, 0xFE, 0x7D, 0x0A]
            }
        }
    }

    @Test("an oversize line or invalid UTF-8 is answered and closed; everyone else is still served", arguments: BadStream.allCases)
    func refusedInput(stream: BadStream) async throws {
        let bytes = stream.bytes
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let bystander = try RawSocket(path: server.socketPath)
        let offender = try RawSocket(path: server.socketPath)
        offender.send(bytes)
        let refusal = try #require(try await offender.readJSON())
        #expect((refusal["error"] as? [String: Any])?["code"] != nil)
        #expect(try await offender.readLine() == nil)
        bystander.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"value\":1}}\n")
        #expect((try await bystander.readJSON()?["result"] as? [String: Any])?["value"] as? Int == 1)
        await server.stop()
    }

    @Test("a call whose deadline passes fails with deadline_exceeded")
    func deadline() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        try await withClient(runtimeDirectory: runtime) { client in
            _ = try await client.call(Echo.self, .init(value: 1))
            let error = await #expect(throws: RPCError.self) {
                try await client.call(Sleep.self, .init(milliseconds: 5_000), timeout: .milliseconds(100))
            }
            #expect(error?.reason == .deadlineExceeded)
            // The connection is still good for the next call.
            #expect(try await client.call(Echo.self, .init(value: 2)).value == 2)
        }
        await server.stop()
    }

    @Test("with no instance at all, a call fails with no_instance when its deadline passes")
    func noInstance() async throws {
        let runtime = try makeRuntimeDirectory()
        try await withClient(runtimeDirectory: runtime) { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.call(Echo.self, .init(value: 1), timeout: .milliseconds(200))
            }
            #expect(error?.reason == .noInstance)
        }
    }

    @Test("a graceful stop lets requests in flight finish")
    func drain() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        try await withClient(runtimeDirectory: runtime) { client in
            _ = try await client.call(Echo.self, .init(value: 0))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await client.call(Hold.self, .init(milliseconds: 500)) }
                }
                // Stop once all twenty are being served.
                try await poll("all twenty calls in the server") { Hold.running.load(ordering: .relaxed) == 20 }
                await server.stop()
                try await group.waitForAll()
            }
        }
    }

    @Test("a live instance's name cannot be taken; a crashed one's stale socket is cleared")
    func locks() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let twin = RPCServer(directory: server.directory, instance: "a", router: testRouter(instance: "a"), logger: testLogger)
        await #expect(throws: SocketError.self) { try await twin.run() }
        // The live socket is untouched by the failed twin.
        // A generous deadline: at the start of the full suite two cores serve hundreds of tests.
        #expect(
            try await RPCClient.callOnce(Echo.self, .init(value: 1), socketPath: server.socketPath, timeout: .seconds(60)).instance == "a")

        // A crash leaves a socket file and a free lock behind.
        let stale = server.directory.socketPath("ghost")
        #expect(FileManager.default.createFile(atPath: stale, contents: nil))
        #expect(FileManager.default.createFile(atPath: server.directory.lockPath("ghost"), contents: nil))
        #expect(!server.directory.isLive("ghost"))
        #expect(server.directory.liveInstances() == ["a"])
        let other = try await TestServer(runtimeDirectory: runtime, instance: "b")
        #expect(!FileManager.default.fileExists(atPath: stale))
        await other.stop()
        await server.stop()
    }

    @Test("two instances share the calls; stopping one under load fails no idempotent call")
    func twoInstances() async throws {
        let runtime = try makeRuntimeDirectory()
        let first = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let second = try await TestServer(runtimeDirectory: runtime, instance: "b")
        try await withClient(runtimeDirectory: runtime) { client in
            try await poll("both instances connected") { client.connectedInstances == ["a", "b"] }
            // Round-robin: a burst of calls lands on both.
            let seen = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 0..<200 {
                    group.addTask { seen.add(try await client.call(Echo.self, .init(value: value)).instance) }
                }
                try await group.waitForAll()
            }
            #expect(seen.counts["a", default: 0] > 0)
            #expect(seen.counts["b", default: 0] > 0)

            // Under load, one goes away: every idempotent call still succeeds.
            let underLoad = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 0..<2000 {
                    group.addTask {
                        let result = try await client.call(Echo.self, .init(value: value))
                        #expect(result.value == value)
                        underLoad.add(result.instance)
                    }
                    if value == 1000 {
                        group.addTask { await first.stop() }
                    }
                    if value % 50 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                }
                try await group.waitForAll()
            }
            #expect(underLoad.counts.values.reduce(0, +) == 2000)
        }
        await second.stop()
    }

    @Test("a client stops at once, even holding a connection to an instance whose socket is gone (a draining one)")
    func stopsWhileConnected() async throws {
        let runtime = try makeRuntimeDirectory()
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a")
        let client = RPCClient(service: .pool, runtimeDirectory: runtime, logger: testLogger, defaultTimeout: .seconds(10))
        let stopped = Mutex(false)
        let running = Task {
            try? await client.run()
            stopped.withLock { $0 = true }
        }
        try await poll("the instance connected") { client.connectedInstances == ["a"] }
        // Its socket goes as a draining server's does; the server keeps the connection open.
        try FileManager.default.removeItem(atPath: server.socketPath)
        try await poll("the instance to be left") { client.connectedInstances.isEmpty }
        running.cancel()
        try await poll("the client to stop") { stopped.withLock { $0 } }
        await server.stop()
    }

    @Test("a trace and a deadline reach the handler")
    func contextPropagates() async throws {
        let runtime = try makeRuntimeDirectory()
        var router = RPCRouter()
        router.register(Echo.self) { params, context in
            Echo.Result(value: params.value, text: context.trace, instance: context.deadline == nil ? "none" : "set")
        }
        let server = try await TestServer(runtimeDirectory: runtime, instance: "a", router: router)
        try await withClient(runtimeDirectory: runtime) { client in
            let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let result = try await RPCContext.$current.withValue(RPCContext(trace: trace, logger: testLogger)) {
                try await client.call(Echo.self, .init(value: 1))
            }
            #expect(result.text == trace)
            #expect(result.instance == "set")
        }
        await server.stop()
    }
}
