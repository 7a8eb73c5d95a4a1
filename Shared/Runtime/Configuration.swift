import Contracts
import Foundation
import Mail

/// Everything a process reads from its environment, with the defaults the README documents.
public struct Configuration: Sendable {
    /// libpq connection string or URI (`DATABASE_URL`, required).
    public var databaseURL: String
    /// Where the back services' sockets live (`SWITCHBOARD_RUNTIME_DIR`, default `.data/run`).
    public var runtimeDirectory: String
    /// This process's instance name (`SWITCHBOARD_INSTANCE`, default `<hostname>-<pid>`).
    public var instance: String
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical` (`LOG_LEVEL`, default `info`).
    public var logLevel: String
    /// Connections in this process's database pool (`SWITCHBOARD_DB_POOL_SIZE`, default 8).
    public var databasePoolSize: Int
    /// The gateway's HTTP port (`SWITCHBOARD_HTTP_PORT`, default 8080).
    public var httpPort: Int
    /// The gateway's HTTP address (`SWITCHBOARD_HTTP_HOST`, default `127.0.0.1`; `0.0.0.0` in containers).
    public var httpHost: String
    /// How long an internal call may take unless its caller says less (`SWITCHBOARD_RPC_TIMEOUT_MS`, default 10000).
    public var rpcTimeout: Duration
    /// How long the gateway lets requests finish after SIGTERM before it closes the connections
    /// still open (`SWITCHBOARD_DRAIN_SECONDS`, default 10; keep it under the orchestrator's grace period).
    public var drainDeadline: Duration
    /// How long outbox events are kept (`SWITCHBOARD_EVENT_RETENTION_HOURS`, default 168).
    public var eventRetention: Duration
    /// First admin, created on start when no admin exists (`SWITCHBOARD_ADMIN_EMAIL`, `SWITCHBOARD_ADMIN_PASSWORD`).
    public var adminEmail: String?
    public var adminPassword: String?
    /// Where mail goes out (`SWITCHBOARD_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or `smtps://…`); unset keeps mails queued.
    public var smtpURL: String?
    public var smtpUser: String?
    public var smtpPassword: String?
    /// The sender of every mail (`SWITCHBOARD_SMTP_FROM`, default `Support <support@localhost>`).
    public var smtpFrom: MailAddress
    /// The address replies go to, plus-addressed with each ticket's token (`SWITCHBOARD_REPLY_ADDRESS`, default the From address).
    public var replyAddress: MailAddress
    /// The first wait before a failed delivery is tried again; it doubles each time (`SWITCHBOARD_MAIL_RETRY_MS`, default 10000).
    public var mailRetry: Duration
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

    /// A setting that is present but unusable.
    public struct Invalid: Error, CustomStringConvertible {
        public var variable: String
        public var reason: String
        public var description: String { "\(variable): \(reason)" }

        public init(variable: String, reason: String) {
            self.variable = variable
            self.reason = reason
        }
    }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw Invalid(variable: name, reason: "expected a whole number in \(range.lowerBound)...\(range.upperBound), got \(text)")
            }
            return number
        }
        guard let databaseURL = value("DATABASE_URL") else {
            throw Invalid(
                variable: "DATABASE_URL",
                reason: "not set; give a libpq connection string such as postgresql:///switchboard?host=/run/postgresql")
        }
        self.databaseURL = databaseURL
        runtimeDirectory = value("SWITCHBOARD_RUNTIME_DIR") ?? ".data/run"
        instance = value("SWITCHBOARD_INSTANCE") ?? "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")-\(getpid())"
        guard instance.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !instance.hasPrefix(".") else {
            throw Invalid(variable: "SWITCHBOARD_INSTANCE", reason: "use letters, digits, '-', '_' and '.' only, not starting with '.'")
        }
        logLevel = value("LOG_LEVEL")?.lowercased() ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw Invalid(variable: "LOG_LEVEL", reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        databasePoolSize = try integer("SWITCHBOARD_DB_POOL_SIZE", default: 8, range: 1...256)
        httpPort = try integer("SWITCHBOARD_HTTP_PORT", default: 8080, range: 0...65535)
        httpHost = value("SWITCHBOARD_HTTP_HOST") ?? "127.0.0.1"
        rpcTimeout = .milliseconds(try integer("SWITCHBOARD_RPC_TIMEOUT_MS", default: 10_000, range: 10...600_000))
        drainDeadline = .seconds(try integer("SWITCHBOARD_DRAIN_SECONDS", default: 10, range: 1...3600))
        eventRetention = .seconds(3600 * (try integer("SWITCHBOARD_EVENT_RETENTION_HOURS", default: 168, range: 1...87_600)))
        adminEmail = value("SWITCHBOARD_ADMIN_EMAIL")
        adminPassword = value("SWITCHBOARD_ADMIN_PASSWORD")
        smtpURL = value("SWITCHBOARD_SMTP_URL")
        if let smtpURL, !(smtpURL.hasPrefix("smtp://") || smtpURL.hasPrefix("smtps://")) {
            throw Invalid(variable: "SWITCHBOARD_SMTP_URL", reason: "expected smtp://host:port or smtps://host:port, got \(smtpURL)")
        }
        smtpUser = value("SWITCHBOARD_SMTP_USER")
        smtpPassword = value("SWITCHBOARD_SMTP_PASSWORD")
        func mailbox(_ name: String, default fallback: MailAddress) throws -> MailAddress {
            guard let text = value(name) else { return fallback }
            guard let address = MailAddress.parse(text) else {
                throw Invalid(variable: name, reason: "expected an address such as Support <support@example.com>, got \(text)")
            }
            return address
        }
        smtpFrom = try mailbox("SWITCHBOARD_SMTP_FROM", default: MailAddress(name: "Support", address: "support@localhost"))
        replyAddress = try mailbox("SWITCHBOARD_REPLY_ADDRESS", default: smtpFrom)
        mailRetry = .milliseconds(try integer("SWITCHBOARD_MAIL_RETRY_MS", default: 10_000, range: 10...3_600_000))
        inboundSecret = value("SWITCHBOARD_INBOUND_SECRET")
        trustedProxies = (value("SWITCHBOARD_TRUSTED_PROXIES") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        offlinePerAddress = try integer("SWITCHBOARD_OFFLINE_PER_ADDRESS", default: 30, range: 1...100_000_000)
        offlinePerRecipient = try integer("SWITCHBOARD_OFFLINE_PER_RECIPIENT", default: 10, range: 1...100_000_000)
        chatStartsPerAddress = try integer("SWITCHBOARD_CHAT_STARTS_PER_ADDRESS", default: 20, range: 1...100_000_000)
        waitingPerAddress = try integer("SWITCHBOARD_WAITING_PER_ADDRESS", default: 3, range: 1...1_000_000)
        visitorMessagesPerMinute = try integer("SWITCHBOARD_VISITOR_MESSAGES_PER_MINUTE", default: 30, range: 1...100_000_000)
        maxConnections = try value("SWITCHBOARD_MAX_CONNECTIONS").map { _ in
            try integer("SWITCHBOARD_MAX_CONNECTIONS", default: 0, range: 1...10_000_000)
        }
        connectionsPerAddress = try integer("SWITCHBOARD_CONNECTIONS_PER_ADDRESS", default: 100, range: 1...10_000_000)
        headerTimeout = .seconds(try integer("SWITCHBOARD_HEADER_TIMEOUT_SECONDS", default: 10, range: 1...3600))
        idleTimeout = .seconds(try integer("SWITCHBOARD_IDLE_TIMEOUT_SECONDS", default: 60, range: 1...86_400))
        streamsPerToken = try integer("SWITCHBOARD_STREAMS_PER_TOKEN", default: 10, range: 1...10_000)
        sessionLifetime = .seconds(3600 * (try integer("SWITCHBOARD_SESSION_HOURS", default: 12, range: 1...8760)))
        sessionIdle = .seconds(60 * (try integer("SWITCHBOARD_SESSION_IDLE_MINUTES", default: 60, range: 1...525_600)))
        visitorTokenIdle = .seconds(86_400 * (try integer("SWITCHBOARD_VISITOR_TOKEN_DAYS", default: 30, range: 1...3650)))
    }
}
