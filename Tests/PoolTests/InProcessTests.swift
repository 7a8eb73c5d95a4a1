import Contracts
import Foundation
import Harness
import Logging
import PoolService
import Runtime
import ServiceLifecycle
import Storage
import Testing
import Wire

/// The seam every service has: `makeServices` is a whole instance, so it runs inside a test.
@Suite("The pool service inside the test process")
struct InProcessTests {
    static let logger: Logger = {
        var logger = Logger(label: "pool-in-process")
        logger.logLevel = .critical
        return logger
    }()

    @Test("makeServices migrates, serves its socket with its refusals typed, and stops cleanly on a graceful shutdown")
    func servesAndStops() async throws {
        let runtime = try Scratch.makeDirectory(prefix: "pool")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let configuration = try Configuration(environment: [
            "DATABASE_URL": try await TestDatabase.create(), "SWITCHBOARD_RUNTIME_DIR": runtime, "SWITCHBOARD_INSTANCE": "in-process",
        ])
        let group = ServiceGroup(
            configuration: .init(
                services: try PoolService.definition.makeServices(configuration: configuration, logger: Self.logger).map {
                    .init(service: $0)
                },
                logger: Self.logger))
        let client = RPCClient(service: .pool, runtimeDirectory: runtime, logger: Self.logger, defaultTimeout: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { try await client.run() }
            try await Poll.until("the in-process pool answers") {
                (try? await client.call(SystemMethods.Ping.self, .init(payload: "hi")))?.payload == "hi"
            }
            // Health gives the database 2 s; while the whole suite starts, one look may miss it, so wait for a yes.
            try await Poll.until("the in-process pool reports its database reachable", timeout: .seconds(120)) {
                (try? await client.call(SystemMethods.Health.self, Empty()))?.databaseReachable == true
            }
            let health = try await client.call(SystemMethods.Health.self, Empty())
            #expect(health.service == "pool" && health.instance == "in-process")
            // The schema is there (the prelude ran before the server listened): an unknown item is a typed refusal.
            let missing = await #expect(throws: RPCError.self) {
                try await client.call(
                    PoolMethods.Take.self, .init(conversationID: UUID(), taker: OperatorRef(id: UUID(), name: "Can")))
            }
            #expect(missing?.reason == .notFound)
            await group.triggerGracefulShutdown()
            // The group returns without an error: every service, the database last, stopped.
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    @Test("a take is stamped by the service's injected clock, not the machine's")
    func takeUsesTheInjectedClock() async throws {
        let runtime = try Scratch.makeDirectory(prefix: "pool")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let configuration = try Configuration(environment: [
            "DATABASE_URL": try await TestDatabase.create(), "SWITCHBOARD_RUNTIME_DIR": runtime, "SWITCHBOARD_INSTANCE": "clocked",
        ])
        let instant = Date(timeIntervalSince1970: 1_000_000_000)
        var definition = PoolService.definition
        definition.clock = .fixed(instant)
        let services = try definition.makeServices(configuration: configuration, logger: Self.logger)
        let client = RPCClient(service: .pool, runtimeDirectory: runtime, logger: Self.logger, defaultTimeout: .seconds(60))
        let database = Database(url: configuration.databaseURL, size: 1, logger: Self.logger)
        try await withRunning(services + [client, database], logger: Self.logger) {
            try await Poll.until("the in-process pool answers") {
                (try? await client.call(SystemMethods.Ping.self, .init(payload: "hi")))?.payload == "hi"
            }
            let conversation = UUID()
            let taker = OperatorRef(id: UUID(), name: "Can")
            try await database.query(
                "INSERT INTO pool.items (conversation_id, kind, status, customer_name, waiting_since) VALUES (\(conversation), 'chat', 'waiting', 'Ayşe', now())"
            )
            _ = try await client.call(
                PoolMethods.SetAvailability.self, .init(operatorID: taker.id, operatorName: taker.name, chats: true, tickets: true))
            _ = try await client.call(PoolMethods.Take.self, .init(conversationID: conversation, taker: taker))
            let payload = try #require(
                try await database.query(
                    "SELECT payload::text AS payload FROM platform.events WHERE type = \(PoolEvents.Assigned.kind.rawValue)"
                )
                .first?.decode("payload", as: String.self))
            let change = try WireJSON.decoder().decode(AssignmentChange.self, from: Data(payload.utf8))
            #expect(change.at == instant)
            #expect(change.how == .take && change.to == taker)
        }
    }
}

@Suite("The pool's Team calls refuse what is out of range and change nothing")
struct TeamRefusalTests {
    @Test("too many operators, a jobs count out of range, an unknown or closed conversation: typed refusals")
    func refusals() async throws {
        let runtime = try Scratch.makeDirectory(prefix: "pool")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let configuration = try Configuration(environment: [
            "DATABASE_URL": try await TestDatabase.create(), "SWITCHBOARD_RUNTIME_DIR": runtime, "SWITCHBOARD_INSTANCE": "refusals",
        ])
        let services = try PoolService.definition.makeServices(configuration: configuration, logger: InProcessTests.logger)
        let client = RPCClient(service: .pool, runtimeDirectory: runtime, logger: InProcessTests.logger, defaultTimeout: .seconds(60))
        try await withRunning(services + [client], logger: InProcessTests.logger) {
            try await Poll.until("the in-process pool answers") {
                (try? await client.call(SystemMethods.Ping.self, .init(payload: "hi")))?.payload == "hi"
            }
            let many = (0...PageRequest.limits.upperBound).map { RosterEntry(id: UUID(), name: "Op \($0)", role: .operator) }
            let refused: [(String, () async throws -> Void)] = [
                ("params.operators", { _ = try await client.call(PoolMethods.Seen.self, .init(operators: many)) }),
                ("params.operators", { _ = try await client.call(PoolMethods.Roster.self, .init(operators: many)) }),
                ("params.operator_ids", { _ = try await client.call(PoolMethods.Left.self, .init(operatorIDs: many.map(\.id))) }),
                ("params.operator_ids", { _ = try await client.call(PoolMethods.Team.self, .init(operatorIDs: many.map(\.id))) }),
                ("params.jobs", { _ = try await client.call(PoolMethods.Team.self, .init(operatorIDs: [], jobs: 0)) }),
                ("params.jobs", { _ = try await client.call(PoolMethods.Team.self, .init(operatorIDs: [], jobs: 101)) }),
            ]
            for (field, call) in refused {
                let error = await #expect(throws: RPCError.self) { try await call() }
                #expect(error?.code == RPCError.invalidParamsCode && error?.data?.field == field, "\(field): \(String(describing: error))")
            }
            let nobody = OperatorRef(id: UUID(), name: "Can")
            for call in [
                { _ = try await client.call(PoolMethods.Return.self, .init(conversationID: UUID(), by: nobody, admin: true)) },
                { _ = try await client.call(PoolMethods.Dismiss.self, .init(conversationID: UUID(), by: nobody)) },
            ] as [() async throws -> Void] {
                let error = await #expect(throws: RPCError.self) { try await call() }
                #expect(error?.reason == .notFound)
            }
            #expect(try await client.call(PoolMethods.Queue.self, .init(conversationID: UUID())).place == nil)
            #expect(
                try await client.call(PoolMethods.Release.self, .init(operatorID: nobody.id, reason: .deactivated, by: nil)).returned == 0)
            // Nothing above reached the roster.
            #expect(try await client.call(PoolMethods.Staffing.self, .init(operatorIDs: [many[0].id])).first?.presence == .offline)
        }
    }
}
