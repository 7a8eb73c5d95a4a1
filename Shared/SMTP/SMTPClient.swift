import Blocking
import CCurl
import Foundation
import ServiceLifecycle

/// Where and how to deliver mail.
public struct SMTPConfiguration: Sendable {
    /// `smtp://host:port` (STARTTLS when the server offers it) or `smtps://host:port`.
    public var url: String
    public var user: String?
    public var password: String?
    /// Connections kept open to the server, each on its own thread.
    public var connections: Int

    public init(url: String, user: String? = nil, password: String? = nil, connections: Int = 4) {
        self.url = url
        self.user = user
        self.password = password
        self.connections = connections
    }
}

/// How one delivery attempt ended.
public enum SMTPOutcome: Sendable, Hashable {
    case sent
    /// Worth trying again later: a 4xx reply, no connection, a timeout, refused credentials.
    case temporary(String)
    /// The server refused the mail for good (a 5xx reply).
    case permanent(String)
}

/// Delivers mails over SMTP with libcurl. Each connection is a thread of a `BlockingExecutor`
/// holding a curl handle (whose connection curl keeps open between mails); blocking transfers
/// never run on Swift's cooperative threads.
///
/// A `Service`: the threads start in `run()`, and mails sent before wait for them. Graceful
/// shutdown (or `shutdown()`) delivers what is queued, closes the handles, then `run()` returns.
public final class SMTPClient: Service, Sendable {
    private let executor: BlockingExecutor<SMTPConnection>

    /// `curl_global_init` is not thread-safe: done once, before the first handle.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// A client for `configuration`'s server; nothing connects before `run()`.
    public init(_ configuration: SMTPConfiguration, queueLimit: Int = 1024) {
        precondition(Self.initialized, "curl_global_init failed")
        executor = BlockingExecutor(
            label: "smtp", threads: max(1, configuration.connections), queueLimit: queueLimit,
            makeState: { SMTPConnection(configuration) }, endState: { $0.close() })
    }

    /// Opens the connections' threads; returns once they have delivered what was queued and ended.
    public func run() async throws {
        try await executor.run()
    }

    /// Delivers `message` (CRLF line ends) from `sender` to `recipients`.
    public func send(from sender: String, to recipients: [String], message: [UInt8]) async -> SMTPOutcome {
        await send(from: sender, to: recipients, reading: WholeMail(bytes: message))
    }

    /// Delivers the mail `source` gives piece by piece while it goes out, so a mail is never
    /// whole in memory; a source that fails stops the delivery (a temporary failure).
    public func send(from sender: String, to recipients: [String], reading source: any MailSource) async -> SMTPOutcome {
        let envelope = SMTPEnvelope(sender: sender, recipients: recipients, source: source)
        do {
            return try await executor.perform { connection in connection.send(envelope) }
        } catch let error as BlockingError where error.code == .full {
            return .temporary("too many mails wait for a connection")
        } catch let error as BlockingError where error.code == .closed {
            return .temporary("the mail sender is shutting down")
        } catch {
            return .temporary("the mail was not sent: \(error)")
        }
    }

    /// Stops taking mails; the threads end once queued mails are through.
    public func shutdown() { executor.close() }
}

struct SMTPEnvelope: Sendable {
    var sender: String
    var recipients: [String]
    var source: any MailSource
}

/// A mail's bytes (CRLF line ends) as they are sent: `next()` gives the next piece, `nil` at the
/// end. It is called on the sending thread, one call after another, and may block there.
public protocol MailSource: Sendable {
    func next() throws -> [UInt8]?
}

/// A mail already whole in memory: one piece.
final class WholeMail: MailSource, @unchecked Sendable {
    private var bytes: [UInt8]?
    init(bytes: [UInt8]) { self.bytes = bytes }

    func next() -> [UInt8]? {
        defer { bytes = nil }
        return bytes
    }
}
