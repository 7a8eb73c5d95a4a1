import CCurl
import Foundation

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

/// Delivers mails over SMTP with libcurl. Each connection is a thread of its own holding a curl
/// handle (whose connection curl keeps open between mails); blocking transfers never run on
/// Swift's cooperative threads.
public final class SMTPClient: Sendable {
    let jobs = SMTPJobs()

    /// `curl_global_init` is not thread-safe: done once, before the first handle.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(_ configuration: SMTPConfiguration) {
        precondition(Self.initialized, "curl_global_init failed")
        let jobs = jobs
        for index in 0..<max(1, configuration.connections) {
            let thread = Thread {
                let connection = SMTPConnection(configuration)
                while let job = jobs.next() { job.done(connection.send(job.envelope)) }
                connection.close()
            }
            thread.name = "smtp-\(index)"
            thread.start()
        }
    }

    /// Delivers `message` (CRLF line ends) from `sender` to `recipients`.
    public func send(from sender: String, to recipients: [String], message: [UInt8]) async -> SMTPOutcome {
        await withCheckedContinuation { continuation in
            let job = SMTPJob(envelope: .init(sender: sender, recipients: recipients, message: message)) {
                continuation.resume(returning: $0)
            }
            if !jobs.push(job) { continuation.resume(returning: .temporary("the mail sender is shutting down")) }
        }
    }

    /// Stops the threads once queued mails are through.
    public func shutdown() { jobs.close() }
}

struct SMTPEnvelope: Sendable {
    var sender: String
    var recipients: [String]
    var message: [UInt8]
}

struct SMTPJob: Sendable {
    var envelope: SMTPEnvelope
    var done: @Sendable (SMTPOutcome) -> Void
}

/// Mails waiting for a connection thread.
final class SMTPJobs: @unchecked Sendable {
    // The condition guards both fields.
    private let condition = NSCondition()
    private var queue: [SMTPJob] = []
    private var closed = false

    func push(_ job: SMTPJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        queue.append(job)
        condition.signal()
        return true
    }

    func next() -> SMTPJob? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !closed { condition.wait() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
