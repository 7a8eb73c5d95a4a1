import Contracts
import Foundation
import Harness
import Testing

/// A stack whose ticketing sends to a real SMTP server and takes mail in with a secret.
struct MailDesk {
    static let secret = "inbound-secret-for-tests"
    static let environment = [
        "SWITCHBOARD_SMTP_FROM": "Destek Ekibi <support@example.com>",
        "SWITCHBOARD_INBOUND_SECRET": secret,
        "SWITCHBOARD_MAIL_RETRY_MS": "200",
    ]

    let stack: Stack
    let sink: SMTPSink
    let port: Int

    /// Starts the sink (unless `sinkRunning` is false), the back services and a gateway; or, with
    /// `replicas`, that many instances of each service, named `<service>-<n>` (every gateway can
    /// log in the first admin; `port` is the first gateway's).
    static func with(
        sinkRunning: Bool = true, replicas: [ServiceName: Int] = [:], _ body: (MailDesk) async throws -> Void
    ) async throws {
        let sink = try SMTPSink()
        do {
            if sinkRunning { try await sink.start() }
            try await run(sink: sink, replicas: replicas, body)
        } catch {
            await sink.tearDown()
            throw error
        }
        await sink.tearDown()
    }

    static func run(sink: SMTPSink, replicas: [ServiceName: Int] = [:], _ body: (MailDesk) async throws -> Void) async throws {
        try await Stack.with { stack in
            var environment = Self.environment.merging(["SWITCHBOARD_SMTP_URL": sink.url]) { $1 }
            // Many replicas share the test server with every other test: two connections each will do.
            if !replicas.isEmpty { environment["SWITCHBOARD_DB_POOL_SIZE"] = "2" }
            var started: [ServiceProcess] = []
            for service in ServiceName.back + [.gateway] {
                let extra = service == .gateway ? environment.merging(Stack.adminEnvironment) { $1 } : environment
                for number in 1...(replicas[service] ?? 1) {
                    let instance = replicas.isEmpty ? nil : "\(service.rawValue)-\(number)"
                    started.append(try await stack.start(service, instance: instance, environment: extra, waitUntilReady: false))
                }
            }
            for process in started { try await stack.waitUntilReady(process) }
            let port = try #require(started.first { $0.service == .gateway }?.httpPort)
            try await body(MailDesk(stack: stack, sink: sink, port: port))
        }
    }

    /// The same desk, through another gateway.
    func through(_ gateway: ServiceProcess) throws -> MailDesk {
        MailDesk(stack: stack, sink: sink, port: try #require(gateway.httpPort))
    }

    /// The running instances of `service`, in the order they were started.
    func replicas(_ service: ServiceName) -> [ServiceProcess] {
        stack.all.filter { $0.service == service && $0.isRunning }
    }

    func json(
        _ method: String, _ path: String, token: String? = nil, body: [String: Any]? = nil
    ) async throws -> (
        status: Int, object: [String: Any]
    ) {
        let reply = try await stack.json(method, path, port: port, token: token, body: body)
        return (reply.status, reply.object)
    }

    func array(_ path: String, token: String) async throws -> [[String: Any]] {
        let reply = try await stack.http("GET", path, port: port, headers: ["Authorization": "Bearer \(token)"])
        return reply.items
    }

    /// Posts a raw mail to the inbound endpoint.
    func inbound(
        _ raw: String, secret: String? = MailDesk.secret, type: String = "message/rfc822"
    ) async throws -> (
        status: Int, object: [String: Any]
    ) {
        var headers = ["Content-Type": type]
        if let secret { headers["Authorization"] = "Bearer \(secret)" }
        let reply = try await stack.http(
            "POST", "/api/v1/inbound/email", port: port, body: Data(raw.replacingOccurrences(of: "\n", with: "\r\n").utf8),
            headers: headers)
        return (reply.status, (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:])
    }

    /// Closes the desk for good (no opening hours), so the widget offers the offline form.
    func closeDesk(admin: String) async throws {
        var settings = try await json("GET", "/api/v1/settings", token: admin).object
        settings["working_hours"] = ["timezone": "Europe/Istanbul", "weekly": [String: Any]()]
        let saved = try await json("PUT", "/api/v1/settings", token: admin, body: settings)
        #expect(saved.status == 200, "\(saved.object)")
    }

    /// Files an offline message and returns the ticket number and conversation id.
    func leave(name: String, email: String, message: String) async throws -> (number: Int, conversation: String) {
        let filed = try await json("POST", "/api/v1/visitor/offline-messages", body: ["name": name, "email": email, "message": message])
        #expect(filed.status == 201, "\(filed.object)")
        let ticket = try #require(filed.object["ticket"] as? [String: Any])
        return (try #require(ticket["number"] as? Int), try #require(ticket["conversation_id"] as? String))
    }

    /// Waits until `id` is in the Pool, then takes it as `token` (whose availability is switched on).
    func take(_ id: String, token: String) async throws {
        #expect(try await json("PUT", "/api/v1/me/availability", token: token, body: ["available": true]).status == 200)
        try await Poll.until("\(id) in the Pool") { try await array("/api/v1/pool", token: token).contains { $0["id"] as? String == id } }
        let taken = try await json("POST", "/api/v1/pool/\(id)/take", token: token)
        #expect(taken.status == 200, "\(taken.object)")
    }

    /// The operator's view of a conversation's messages, with delivery states.
    func messages(_ id: String, token: String) async throws -> [[String: Any]] {
        try await array("/api/v1/conversations/\(id)/messages", token: token)
    }
}
