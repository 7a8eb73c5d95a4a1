import Contracts
import Foundation
import Harness
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Runtime
import ServiceLifecycle
import Storage
import Synchronization
import Testing
import Wire

@testable import GatewayService

/// Gateway routes served in this process (Hummingbird's test client), against back services
/// faked on the wire: a real RPC server in the test whose handlers answer what the test says.
/// The cross-process stories stay with the harness; this is for what the gateway itself decides.
@Suite("Gateway routes in-process, against fake back services")
struct RouteTests {
    static let logger: Logger = {
        var logger = Logger(label: "gateway-routes")
        logger.logLevel = .critical
        return logger
    }()

    /// A refusal of the pool and how the API must read it.
    @Test(
        "a take's refusals read as the API documents them",
        arguments: [
            (RPCError(.alreadyTaken, "Nazlıcan already took it", details: ["operator": "Nazlıcan"]), 409, "already_taken"),
            (RPCError(.availabilityOff, "switch your availability on to take tickets"), 403, "unavailable"),
            (RPCError(.closed, "the conversation is closed"), 409, "closed"),
            (RPCError(.notFound, "no such item in the pool"), 404, "not_found"),
            (RPCError.unavailable("draining"), 503, "unavailable"),
            (RPCError(RPCError.Reason(rawValue: "something_new"), "a newer pool's refusal"), 409, "something_new"),
        ])
    func takeRefusals(refusal: RPCError, status: Int, code: String) async throws {
        var pool = RPCRouter()
        pool.register(PoolMethods.Take.self) { _, _ in throw refusal }
        try await Self.withGateway(fakes: [.pool: pool]) { client, token in
            try await client.execute(
                uri: "/api/v1/pool/\(UUID())/take", method: .post, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status.code == status)
                let body = try JSONDecoder().decode(APIErrorBody.self, from: Data(buffer: response.body))
                #expect(body.error.code == code)
                if code == "already_taken" { #expect(body.error.details["operator"] == "Nazlıcan") }
            }
        }
    }

    @Test("every domain refusal of every service has its reading in the API")
    func everyRefusalMapped() {
        for reason in RPCError.Reason.refusals {
            #expect(RPCError.refusals[reason] != nil, "\(reason) has no HTTP status and code")
            let error = RPCError(reason, "refused").apiError
            #expect((400..<500).contains(error.status.code), "\(reason) reads as \(error.status)")
        }
    }

    @Test("a take that wins answers the conversation, now the taker's, from the conversation and pool services")
    func takeWins() async throws {
        let id = UUID()
        let record = ConversationRecord(
            id: id, channel: .chat, customer: Customer(id: UUID(), name: "Ayşe", email: nil), visitorID: nil, createdAt: Date(),
            closedAt: nil, lastMessage: nil)
        var conversation = RPCRouter()
        conversation.register(ConversationMethods.Get.self) { params, _ in
            guard params.conversationID == id else { throw RPCError(.notFound, "no such conversation") }
            return record
        }
        var pool = RPCRouter()
        let holder = Mutex<OperatorRef?>(nil)
        pool.register(PoolMethods.Take.self) { params, _ in
            holder.withLock { $0 = params.taker }
            return Self.item(id, holder: params.taker)
        }
        pool.register(PoolMethods.Item.self) { _, _ in Self.item(id, holder: holder.withLock { $0 }) }
        pool.register(PoolMethods.Audit.self) { _, _ in [] }
        try await Self.withGateway(fakes: [.conversation: conversation, .pool: pool]) { client, token in
            try await client.execute(uri: "/api/v1/pool/\(id)/take", method: .post, headers: [.authorization: "Bearer \(token)"]) {
                response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let view = body?["conversation"] as? [String: Any]
                #expect(view?["status"] as? String == "assigned")
                #expect((view?["assignee"] as? [String: Any])?["name"] as? String == "Can Öztürk")
            }
        }
    }

    @Test("without a session nothing reaches a back service")
    func unauthenticated() async throws {
        var pool = RPCRouter()
        pool.register(PoolMethods.Take.self) { _, _ in
            Issue.record("the pool was called")
            throw RPCError.internalError()
        }
        try await Self.withGateway(fakes: [.pool: pool]) { client, _ in
            try await client.execute(uri: "/api/v1/pool/\(UUID())/take", method: .post, headers: [.authorization: "Bearer nope"]) {
                response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    static func item(_ id: UUID, holder: OperatorRef?) -> PoolItem {
        PoolItem(
            conversationID: id, kind: .chat, status: holder == nil ? .waiting : .assigned, customerName: "Ayşe", preview: "Merhaba",
            waitingSince: Date(), holder: holder)
    }

    /// The gateway's routes on a fresh database with one operator's session, the back services
    /// in `fakes` served from this process; `body` gets the test client and the session token.
    static func withGateway(
        fakes: [ServiceName: RPCRouter], _ body: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void
    ) async throws {
        let runtime = try Scratch.makeDirectory(prefix: "gw")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let configuration = try Configuration(environment: [
            "DATABASE_URL": try await TestDatabase.create(), "SWITCHBOARD_RUNTIME_DIR": runtime, "SWITCHBOARD_RPC_TIMEOUT_MS": "60000",
        ])
        let database = Database(url: configuration.databaseURL, size: 2, logger: logger)
        try await withRunning(database) {
            try await Migrator.apply(Migration.platform + IdentityStore.migrations, to: database, logger: logger)
            let identity = IdentityStore(database: database)
            let me = try #require(
                try await identity.create(
                    NewOperator(name: "Can Öztürk", email: "can@example.com", password: "a long secret", role: .operator), passwordHash: "x"
                ))
            let token = try await identity.openSession(for: me.id)
            let backends = Backends(configuration: configuration, logger: logger)
            let servers = fakes.map { service, router in
                RPCServer(
                    directory: SocketDirectory(runtimeDirectory: runtime, service: service), instance: "fake", router: router,
                    logger: logger)
            }
            let application = Application(
                router: Gateway.makeRouter(
                    database: database, backends: backends, identity: identity, passwords: Passwords(), configuration: configuration,
                    settings: try GatewayConfiguration(environment: [:])))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for service in servers + backends.all.map({ $0 as any Service }) {
                    tasks.addTask { try await service.run() }
                }
                for service in fakes.keys {
                    try await Poll.until("the fake \(service.rawValue) is reachable") { !backends[service].connectedInstances.isEmpty }
                }
                try await application.test(.router) { client in try await body(client, token) }
                tasks.cancelAll()
            }
        }
    }
}
