import Foundation
import Runtime

/// The gateway's own settings, beside the shared `Configuration`, with the defaults the
/// README documents.
public struct GatewayConfiguration: Sendable {
    /// The gateway's HTTP port (`SWITCHBOARD_HTTP_PORT`, default 8080).
    public var httpPort: Int
    /// The gateway's HTTP address (`SWITCHBOARD_HTTP_HOST`, default `127.0.0.1`; `0.0.0.0` in containers).
    public var httpHost: String
    /// How long the gateway lets requests finish after SIGTERM before it closes the connections
    /// still open (`SWITCHBOARD_DRAIN_SECONDS`, default 10; keep it under the orchestrator's grace period).
    public var drainDeadline: Duration
    /// First admin, created on start when no admin exists (`SWITCHBOARD_ADMIN_EMAIL`, `SWITCHBOARD_ADMIN_PASSWORD`).
    public var adminEmail: String?
    /// The first admin's password (`SWITCHBOARD_ADMIN_PASSWORD`).
    public var adminPassword: String?
    /// Offline messages a client address may leave in an hour (`SWITCHBOARD_OFFLINE_PER_ADDRESS`, default 30).
    public var offlinePerAddress: Int
    /// Offline messages (so acknowledgements) one recipient may get in an hour (`SWITCHBOARD_OFFLINE_PER_RECIPIENT`, default 10).
    public var offlinePerRecipient: Int
    /// Chats a client address may start in 10 minutes (`SWITCHBOARD_CHAT_STARTS_PER_ADDRESS`, default 20).
    public var chatStartsPerAddress: Int
    /// Chats from one client address waiting in the Pool at once (`SWITCHBOARD_WAITING_PER_ADDRESS`, default 3).
    public var waitingPerAddress: Int
    /// Messages a visitor may send in a minute (`SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE`, default 30).
    public var visitorMessagesPerMinute: Int
    /// The shared secret of `POST /api/v1/inbound/email` (`SWITCHBOARD_INBOUND_SECRET`); unset refuses inbound mail.
    public var inboundSecret: String?
    /// Peers whose `X-Forwarded-For` names the client (`SWITCHBOARD_TRUSTED_PROXIES`: CIDRs or
    /// host names, comma-separated; default none).
    public var trustedProxies: [String]
    /// Open HTTP connections the gateway holds at most (`SWITCHBOARD_MAX_CONNECTIONS`); past it new
    /// ones wait in the kernel's queue. Unset: the file-descriptor limit less room for the rest.
    public var maxConnections: Int?
    /// Open connections from one peer address, a trusted proxy excepted
    /// (`SWITCHBOARD_CONNECTIONS_PER_ADDRESS`, default 100); past it a new one is answered 503.
    public var connectionsPerAddress: Int
    /// How long a client may take to send a request's head (`SWITCHBOARD_HEADER_TIMEOUT_SECONDS`, default 10).
    public var headerTimeout: Duration
    /// How long a kept-alive connection may sit idle between requests (`SWITCHBOARD_IDLE_TIMEOUT_SECONDS`, default 60).
    public var idleTimeout: Duration
    /// Live streams one session or visitor token may hold open (`SWITCHBOARD_STREAMS_PER_TOKEN`, default 10).
    public var streamsPerToken: Int
    /// An operator session's whole life (`SWITCHBOARD_SESSION_HOURS`, default 12).
    public var sessionLifetime: Duration
    /// An operator session unused this long ends (`SWITCHBOARD_SESSION_IDLE_MINUTES`, default 60).
    public var sessionIdle: Duration
    /// A visitor token unused this long expires (`SWITCHBOARD_VISITOR_TOKEN_DAYS`, default 30).
    public var visitorTokenIdle: Duration
    /// How often the gateway tells the pool which operators have a console open
    /// (`SWITCHBOARD_PRESENCE_SECONDS`, default 10); `away_after_seconds` must be at least three times it.
    public var presenceInterval: Duration
    /// Where people reach the suite, for links in mails (`SWITCHBOARD_PUBLIC_URL`, default
    /// `http://localhost:<port>`): a password reset link is `<this>/console/#reset=<token>`.
    public var publicURL: String
    /// A received mail's size at most (`SWITCHBOARD_INBOUND_MAX_BYTES`, default 25 MiB).
    public var inboundMaxBytes: Int
    /// The attachments' limits and types (`SWITCHBOARD_ATTACHMENT_*`).
    public var attachments: AttachmentLimits

    /// Reads the gateway's settings; throws `Configuration.Invalid` naming the first unusable one.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let reader = EnvironmentReader(environment)
        httpPort = try reader.integer("SWITCHBOARD_HTTP_PORT", default: 8080, range: 0...65535)
        httpHost = reader.value("SWITCHBOARD_HTTP_HOST") ?? "127.0.0.1"
        drainDeadline = .seconds(try reader.integer("SWITCHBOARD_DRAIN_SECONDS", default: 10, range: 1...3600))
        adminEmail = reader.value("SWITCHBOARD_ADMIN_EMAIL")
        adminPassword = reader.value("SWITCHBOARD_ADMIN_PASSWORD")
        inboundSecret = reader.value("SWITCHBOARD_INBOUND_SECRET")
        trustedProxies = (reader.value("SWITCHBOARD_TRUSTED_PROXIES") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        offlinePerAddress = try reader.integer("SWITCHBOARD_OFFLINE_PER_ADDRESS", default: 30, range: 1...100_000_000)
        offlinePerRecipient = try reader.integer("SWITCHBOARD_OFFLINE_PER_RECIPIENT", default: 10, range: 1...100_000_000)
        chatStartsPerAddress = try reader.integer("SWITCHBOARD_CHAT_STARTS_PER_ADDRESS", default: 20, range: 1...100_000_000)
        waitingPerAddress = try reader.integer("SWITCHBOARD_WAITING_PER_ADDRESS", default: 3, range: 1...1_000_000)
        visitorMessagesPerMinute = try reader.integer("SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE", default: 30, range: 1...100_000_000)
        maxConnections = try reader.value("SWITCHBOARD_MAX_CONNECTIONS").map { _ in
            try reader.integer("SWITCHBOARD_MAX_CONNECTIONS", default: 0, range: 1...10_000_000)
        }
        connectionsPerAddress = try reader.integer("SWITCHBOARD_CONNECTIONS_PER_ADDRESS", default: 100, range: 1...10_000_000)
        headerTimeout = .seconds(try reader.integer("SWITCHBOARD_HEADER_TIMEOUT_SECONDS", default: 10, range: 1...3600))
        idleTimeout = .seconds(try reader.integer("SWITCHBOARD_IDLE_TIMEOUT_SECONDS", default: 60, range: 1...86_400))
        streamsPerToken = try reader.integer("SWITCHBOARD_STREAMS_PER_TOKEN", default: 10, range: 1...10_000)
        sessionLifetime = .seconds(3600 * (try reader.integer("SWITCHBOARD_SESSION_HOURS", default: 12, range: 1...8760)))
        sessionIdle = .seconds(60 * (try reader.integer("SWITCHBOARD_SESSION_IDLE_MINUTES", default: 60, range: 1...525_600)))
        visitorTokenIdle = .seconds(86_400 * (try reader.integer("SWITCHBOARD_VISITOR_TOKEN_DAYS", default: 30, range: 1...3650)))
        presenceInterval = .seconds(try reader.integer("SWITCHBOARD_PRESENCE_SECONDS", default: 10, range: 1...60))
        publicURL = try Self.publicURL(reader.value("SWITCHBOARD_PUBLIC_URL"), port: httpPort)
        attachments = try AttachmentLimits(reader)
        inboundMaxBytes = try reader.integer("SWITCHBOARD_INBOUND_MAX_BYTES", default: 25 << 20, range: 1024...(1 << 30))
    }

    /// `SWITCHBOARD_PUBLIC_URL` without its trailing slash; an http(s) address with a host.
    static func publicURL(_ value: String?, port: Int) throws -> String {
        guard let value else { return "http://localhost:\(port)" }
        var trimmed = value.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
            url.query == nil, url.fragment == nil
        else {
            throw Configuration.Invalid(
                variable: "SWITCHBOARD_PUBLIC_URL", reason: "must be an http or https address such as https://desk.example.com")
        }
        return trimmed
    }
}
