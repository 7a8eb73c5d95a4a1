import Contracts
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Runtime
import ServiceLifecycle
import Storage
import Wire

/// The public door: HTTP and WebSocket in, JSON-RPC to the back services out.
public struct Gateway: ProcessDefinition {
    public let name = ServiceName.gateway
    public let migrations = IdentityStore.migrations
    /// The gateway's own settings (HTTP, limits, sessions, the first admin, proxies).
    public let settings: GatewayConfiguration

    /// The gateway with `settings`, read by `main` from the environment.
    public init(settings: GatewayConfiguration) {
        self.settings = settings
    }

    /// Everything the gateway serves, once the schema is current: the back services' clients,
    /// the event hub, the streams' revocations, and HTTP last (so it drains first).
    public func makeServices(configuration: Configuration, database: Database, logger: Logger) throws -> [any Service] {
        let proxies = try TrustedProxies(settings.trustedProxies)
        let identity = Self.identity(database, settings)
        let backends = Backends(configuration: configuration, logger: logger)
        let passwords = Passwords()
        let hub = EventHub(runtimeDirectory: configuration.runtimeDirectory, logger: logger)
        let streams = Router(context: BasicWebSocketRequestContext.self)
        // One listening connection for the streams: sessions ended and typing, from every gateway.
        let revocations = Listener(
            url: configuration.databaseURL, channels: [IdentityStore.revocations, TypingRelay.channel], logger: logger)
        let sessions = SessionStreams(limit: settings.streamsPerToken, listener: revocations, logger: logger)
        let typing = TypingRelay(database: database, listener: revocations, logger: logger)
        let presence = Presence(pool: backends[.pool], interval: settings.presenceInterval, logger: logger)
        StreamRoutes(store: identity, backends: backends, hub: hub, sessions: sessions, presence: presence, typing: typing).add(
            to: streams)
        let proxyNames = ProxyNames(proxies.names, logger: logger)
        let connections = OpenConnections(
            limits: .init(
                perAddress: settings.connectionsPerAddress, headerTimeout: settings.headerTimeout,
                exempt: { proxies.trusts($0, resolved: proxyNames.current) }))
        // Past the cap the server stops accepting: new connections wait in the kernel's queue
        // while the ones open are served, and the process never meets its descriptor limit.
        let fileLimit = ProcessLimits.raiseFileLimit()
        let maxConnections = settings.maxConnections ?? ProcessLimits.connectionBudget(fileLimit: fileLimit)
        logger.info("connection limits", metadata: ["fd.limit": "\(fileLimit)", "http.max_connections": "\(maxConnections)"])
        let idleTimeout = settings.idleTimeout
        let application = Application(
            router: Self.makeRouter(
                database: database, backends: backends, identity: identity, passwords: passwords, configuration: configuration,
                settings: settings, clientAddress: ClientAddressMiddleware(proxies: proxies, names: proxyNames)),
            server: .http1WebSocketUpgrade(
                webSocketRouter: streams,
                configuration: .init(
                    http1: .init(
                        additionalChannelHandlers: [RequestHeadDeadline(timeout: idleTimeout)],
                        // A head is small: a few KiB of cookies at most, never hundreds of fields.
                        httpDecoderConfiguration: .init(
                            maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 100)
                    ),
                    // A text message that is not UTF-8 closes the stream with 1007 (RFC 6455, 8.1).
                    ws: .init(validateUTF8: true))),
            configuration: .init(
                address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "switchboard",
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            onServerRunning: { channel in
                try? await connections.follow(channel)
                logger.info("http listening", metadata: ["http.address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger
        )
        let http = DrainDeadline(application, deadline: settings.drainDeadline, logger: logger) { connections.closeAll() }
        // Sockets come and go by the thousand here: what they freed is given back.
        return [proxyNames, passwords, revocations] + backends.all + [hub, sessions, typing, presence, HeapTrim(logger: logger), http]
    }

    /// Before serving: the first admin, when the settings name one, and a word in the log while
    /// nobody can log in.
    public func prepare(configuration: Configuration, database: Database, logger: Logger) async throws {
        let identity = Self.identity(database, settings)
        if let email = settings.adminEmail, let password = settings.adminPassword {
            // The serving executor starts after the prelude: one of its own, for this one hash.
            let passwords = Passwords(threads: 1, queueLimit: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await passwords.run() }
                defer { passwords.close() }
                try await Self.ensureAdmin(identity, passwords: passwords, email: email, password: password, logger: logger)
            }
        }
        if let missing = await Self.adminAttention(identity, settings: settings) {
            logger.warning("\(missing.message)", metadata: ["attention": "\(missing.code.rawValue)"])
        }
    }

    /// `GET /healthz` on the configured address.
    public func health(configuration: Configuration, logger: Logger) async -> Int32 {
        HealthProbe.check(host: settings.httpHost, port: settings.httpPort)
    }

    static func identity(_ database: Database, _ settings: GatewayConfiguration) -> IdentityStore {
        IdentityStore(
            database: database,
            policy: .init(lifetime: settings.sessionLifetime, idle: settings.sessionIdle, visitorIdle: settings.visitorTokenIdle))
    }

    /// The routes; separate from `makeServices` so tests can serve them.
    static func makeRouter(
        database: Database, backends: Backends, identity: IdentityStore, passwords: Passwords, configuration: Configuration,
        settings: GatewayConfiguration, clientAddress: ClientAddressMiddleware? = nil
    ) -> Router<GatewayContext> {
        let router = Router(context: GatewayContext.self)
        if let clientAddress { router.add(middleware: clientAddress) }
        router.add(middleware: TraceMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: UnexpectedErrors())
        router.add(middleware: RequestRules())
        router.add(middleware: PageHeaders())
        router.add(middleware: WebPages.files(logger: Logger(label: "switchboard.gateway.files")))
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ in
            let readiness = await Readiness.check(database: database, backends: backends, identity: identity, settings: settings)
            return try Response.json(readiness, status: readiness.ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: await CellMetrics.scrape(runtimeDirectory: configuration.runtimeDirectory, instance: configuration.instance)
                    ))
            )
        }
        router.get("api/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: OpenAPI.json))
        }
        let identityRoutes = IdentityRoutes(store: identity, backends: backends, passwords: passwords)
        identityRoutes.add(to: router)
        OperatorRoutes(identity: identityRoutes).add(to: router)
        PasswordRoutes(identity: identityRoutes, publicURL: settings.publicURL).add(to: router)
        let visitorRoutes = VisitorRoutes(
            store: identity, backends: backends,
            limits: VisitorLimits(
                chatStartsPerAddress: settings.chatStartsPerAddress, waitingPerAddress: settings.waitingPerAddress,
                messagesPerMinute: settings.visitorMessagesPerMinute, offlinePerAddress: settings.offlinePerAddress,
                offlinePerRecipient: settings.offlinePerRecipient)
        )
        visitorRoutes.add(to: router)
        ConversationRoutes(identity: identityRoutes, backends: backends).add(to: router)
        AttachmentRoutes(
            identity: identityRoutes, visitors: visitorRoutes, backends: backends, store: AttachmentStore(database: database),
            limits: settings.attachments
        ).add(to: router)
        ArchiveRoutes(identity: identityRoutes, backends: backends).add(to: router)
        SettingsRoutes(identity: identityRoutes, backends: backends, presenceInterval: settings.presenceInterval).add(to: router)
        TeamRoutes(identity: identityRoutes, backends: backends).add(to: router)
        ReportRoutes(identity: identityRoutes, backends: backends).add(to: router)
        CustomerRoutes(identity: identityRoutes, backends: backends).add(to: router)
        CannedRoutes(identity: identityRoutes, backends: backends).add(to: router)
        NoteRoutes(identity: identityRoutes, backends: backends).add(to: router)
        NotificationRoutes(identity: identityRoutes, backends: backends).add(to: router)
        TicketRoutes(
            identity: identityRoutes, backends: backends, inboundSecret: settings.inboundSecret, inboundLimit: settings.inboundMaxBytes,
            attachments: AttachmentStore(database: database)
        ).add(to: router)
        StreamRoutes.addPlainHTTP(to: router, store: identity)
        return router
    }

    /// Why nobody can log in, while no admin exists (nil once one does, or when the database
    /// cannot tell).
    static func adminAttention(_ identity: IdentityStore, settings: GatewayConfiguration) async -> Attention? {
        guard let exists = try? await identity.adminExists(), !exists else { return nil }
        let missing = [
            settings.adminEmail == nil ? "SWITCHBOARD_ADMIN_EMAIL" : nil,
            settings.adminPassword == nil ? "SWITCHBOARD_ADMIN_PASSWORD" : nil,
        ].compactMap { $0 }
        guard !missing.isEmpty else {
            return Attention(
                .noAdmin,
                "no admin exists, so nobody can log in: SWITCHBOARD_ADMIN_EMAIL is an operator's who is not an admin; name a new e-mail"
            )
        }
        return Attention(
            .noAdmin,
            "no admin exists, so nobody can log in: set \(missing.joined(separator: " and ")) (the first admin's e-mail and password) and restart the gateway"
        )
    }

    /// `SWITCHBOARD_ADMIN_EMAIL` / `SWITCHBOARD_ADMIN_PASSWORD`: the first admin, made once.
    static func ensureAdmin(_ identity: IdentityStore, passwords: Passwords, email: String, password: String, logger: Logger) async throws {
        if let problem = Identity.emailProblem(email) { throw Configuration.Invalid(variable: "SWITCHBOARD_ADMIN_EMAIL", reason: problem) }
        if let problem = Identity.passwordProblem(password) {
            throw Configuration.Invalid(variable: "SWITCHBOARD_ADMIN_PASSWORD", reason: problem)
        }
        let name = String(email.split(separator: "@").first ?? "Admin")
        if try await identity.ensureAdmin(name: name, email: email, passwordHash: try await passwords.hash(password)) {
            logger.notice("created the first admin", metadata: ["operator.email": "\(Identity.normalized(email: email))"])
        }
    }
}

/// One RPC client per back service.
struct Backends: Sendable {
    let clients: [ServiceName: RPCClient]

    init(configuration: Configuration, logger: Logger) {
        var clients: [ServiceName: RPCClient] = [:]
        for service in ServiceName.back {
            clients[service] = RPCClient(
                service: service, runtimeDirectory: configuration.runtimeDirectory, logger: logger,
                defaultTimeout: configuration.rpcTimeout
            )
        }
        self.clients = clients
    }

    var all: [any Service] { ServiceName.back.compactMap { clients[$0] } }

    subscript(service: ServiceName) -> RPCClient { clients[service]! }
}
