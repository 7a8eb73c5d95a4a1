import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real SMTP server for a test (`scripts/smtp-sink.py`, aiosmtpd in the project's virtual
/// environment) on a loopback port. What it received is read back as Python's mail parser saw it.
public final class SMTPSink: @unchecked Sendable {
    public let port: Int
    let folder: String
    var outPath: String { folder + "/mails.jsonl" }
    private let lock = NSLock()
    private var child: ChildProcess?

    /// One received mail, as Python decoded it.
    public struct Mail: Sendable {
        public let fields: [String: String]
        public let recipients: [String]
        /// The files it carries, as Python's mail parser read them.
        public var attachments: [File] = []
        public subscript(_ name: String) -> String { fields[name] ?? "" }
    }

    /// A file of a received mail.
    public struct File: Sendable {
        public let filename: String
        public let contentType: String
        public let bytes: Data
    }

    public init() throws {
        folder = try Scratch.makeDirectory(prefix: "smtp")
        port = try Stack.freePort()
    }

    /// `smtp://127.0.0.1:<port>`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Starts (or starts again, on the same port) and waits until it listens.
    public func start() async throws {
        guard FileManager.default.isExecutableFile(atPath: Command.python) else {
            throw HarnessError("no \(Command.python): run scripts/setup.sh --test (it installs aiosmtpd)")
        }
        let log = folder + "/sink.log"
        try? FileManager.default.removeItem(atPath: log)
        let child = try ChildProcess(
            executable: Command.python, arguments: ["\(Scripts.root)/scripts/smtp-sink.py", "--port", "\(port)", "--out", outPath],
            environment: ProcessInfo.processInfo.environment, outputPath: log)
        lock.withLock { self.child = child }
        try await Poll.until("the SMTP sink to listen on \(port)", timeout: .seconds(30), every: .milliseconds(20)) {
            if !child.isRunning {
                throw HarnessError("the SMTP sink exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("ready \(self.port)")
        }
    }

    /// Stops it (the port is refused until `start` again).
    public func stop() async throws {
        guard let child = lock.withLock({ self.child }) else { return }
        child.send(SIGTERM)
        try await child.wait(timeout: .seconds(10), what: "the SMTP sink")
        lock.withLock { self.child = nil }
    }

    /// While slow, the sink holds its reply to each mail's data (the client waits, mid-send).
    public func setSlow(_ slow: Bool) {
        if slow {
            _ = FileManager.default.createFile(atPath: outPath + ".slow", contents: Data())
        } else {
            try? FileManager.default.removeItem(atPath: outPath + ".slow")
        }
    }

    /// How many mails' replies a slow sink has held since it started.
    public var held: Int {
        ((try? String(contentsOfFile: folder + "/sink.log", encoding: .utf8)) ?? "").split(separator: "\n").filter { $0 == "data" }.count
    }

    /// Every mail received so far, oldest first.
    public func mails() -> [Mail] {
        guard let text = try? String(contentsOfFile: outPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            var fields: [String: String] = [:]
            for (key, value) in object { if let text = value as? String { fields[key] = text } else { fields[key] = "\(value)" } }
            var mail = Mail(fields: fields, recipients: object["rcpt_tos"] as? [String] ?? [])
            mail.attachments = (object["attachments"] as? [[String: Any]] ?? []).map {
                File(
                    filename: $0["filename"] as? String ?? "", contentType: $0["content_type"] as? String ?? "",
                    bytes: Data(base64Encoded: $0["base64"] as? String ?? "") ?? Data())
            }
            return mail
        }
    }

    /// Waits until `count` mails satisfy `filter`, and returns them.
    @discardableResult
    public func waitFor(
        _ count: Int, _ what: String, timeout: Duration = .seconds(30), where filter: @escaping @Sendable (Mail) -> Bool = { _ in true }
    ) async throws -> [Mail] {
        try await Poll.until("\(count) \(what)", timeout: timeout) { self.mails().filter(filter).count >= count }
        return mails().filter(filter)
    }

    public func tearDown() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
