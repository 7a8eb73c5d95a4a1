import Contracts
import Foundation
import Harness
import Synchronization
import Testing
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// docker-compose.yml's topology as plain processes: replicas of every service sharing one socket
/// folder, two gateways on their own ports with nothing in front of them.
@Suite("The compose topology with plain processes", .serialized)
struct TopologyTests {
    static let replicas: [ServiceName: Int] = [.gateway: 2, .conversation: 3, .pool: 2, .ticketing: 2, .notification: 2]

    @Test(
        "2 gateways, 3 conversation, 2 pool, 2 ticketing, 2 notification: the chat and ticket stories cross gateways; one replica of each back service killed under load loses no acknowledged message or mail; replicas started later get traffic"
    )
    func topology() async throws {
        try await MailDesk.with(replicas: Self.replicas) { desk in
            let gateways = desk.replicas(.gateway)
            let (one, two) = (try desk.through(gateways[0]), try desk.through(gateways[1]))
            let admin = try await desk.stack.adminToken(port: one.port)
            let can = try await desk.stack.newOperator(port: two.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            let operatorStream = try await LiveStream.open(port: two.port, token: can)
            // Read only at the end, as a browser it answers pings meanwhile.
            let pinging = LiveStream.answeringPings(operatorStream)
            defer { pinging.cancel() }

            // The chat story, half through each gateway.
            let started = try await one.json(
                "POST", "/api/v1/visitor/conversations", body: ["name": "Ayşe Yılmaz", "message": "Merhaba", "client_message_id": "w-0"])
            #expect(started.status == 201, "\(started.object)")
            let visitor = try #require(started.object["visitor_token"] as? String)
            let chat = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await two.take(chat, token: can)
            let reply = try await two.json(
                "POST", "/api/v1/conversations/\(chat)/messages", token: can, body: ["body": "Hoş geldiniz", "client_message_id": "o-1"])
            #expect(reply.status == 201)
            let read = try await one.array("/api/v1/visitor/conversations/\(chat)/messages?after_seq=1", token: visitor)
            #expect(read.compactMap { $0["body"] as? String } == ["Merhaba", "Hoş geldiniz"])

            // The ticket story: a mail in through one gateway, acknowledged; taken and answered through the other.
            let mailed = try await two.inbound(Self.mail(from: "mehmet@example.net", id: "story"))
            #expect(mailed.status == 201, "\(mailed.object)")
            let number = try #require((mailed.object["ticket"] as? [String: Any])?["number"] as? Int)
            try await desk.sink.waitFor(1, "acknowledgement") { $0.recipients == ["mehmet@example.net"] }
            var ticket = ""
            try await Poll.until("ticket #\(number) on the Tickets screen") {
                let line = try await one.array("/api/v1/tickets?filter=all", token: can).first { $0["number"] as? Int == number }
                ticket = line?["id"] as? String ?? ""
                return !ticket.isEmpty
            }
            try await one.take(ticket, token: can)
            let answer = try await one.json(
                "POST", "/api/v1/conversations/\(ticket)/messages", token: can,
                body: ["body": "Kargoya verildi.", "client_message_id": "o-2"])
            #expect(answer.status == 201)
            try await desk.sink.waitFor(2, "mails to Mehmet") { $0.recipients == ["mehmet@example.net"] }

            // Under load, one replica of each back service dies; senders retry as the widget and an MTA do.
            let victims = ServiceName.back.map { desk.replicas($0)[0] }
            let load = Load(stack: desk.stack, ports: [one.port, two.port])
            var tickets: [Int] = []
            let acknowledged = try await load.messages(0..<300, conversation: chat, visitor: visitor) { sent in
                if sent == 100 { for victim in victims { victim.send(SIGKILL) } }
                // Mails arrive all along, a third of them before the kill.
                if sent % 15 == 0 { tickets.append(try await load.mail(sent / 15)) }
            }
            for victim in victims { _ = try await victim.waitForExit() }
            pinging.cancel()
            await pinging.value

            // Every acknowledged message is stored once, and reached the operator's screen once.
            let stored = try await desk.stack.client(.conversation).call(
                ConversationMethods.Messages.self, .init(conversationID: try #require(UUID(uuidString: chat)), afterSeq: 3, limit: 500)
            ).items
            #expect(stored.count == 300)
            #expect(Set(stored.map(\.seq)).symmetricDifference(acknowledged.map(Int64.init)).isEmpty)
            #expect(Set(stored.compactMap(\.clientMessageID)) == Set((0..<300).map { "load-\($0)" }))
            try await operatorStream.next("all 300 messages", timeout: .seconds(60)) { _ in
                Set(operatorStream.bodies(prefix: "load ")).count == 300
            }
            let seen = operatorStream.bodies(prefix: "load ")
            #expect(seen.count == 300 && Set(seen).count == 300, "the operator saw \(seen.count), \(Set(seen).count) different")

            // Every mail taken in is one ticket, acknowledged (a copy sent twice is the same mail).
            #expect(Set(tickets).count == 20)
            let acks = try await desk.sink.waitFor(20, "acknowledgements of the load") { $0.recipients.first?.hasPrefix("load-") == true }
            #expect(Set(acks.map { $0["message_id"] }).count == 20)
            #expect(Set(acks.flatMap(\.recipients)) == Set((1...20).map { "load-\($0)@example.net" }))

            // Replicas started now get their share without restarting anything.
            let late = try await [ServiceName.conversation, .pool, .ticketing, .notification].asyncMap { service in
                try await desk.stack.start(
                    service, instance: "\(service.rawValue)-late",
                    environment: MailDesk.environment.merging(["SWITCHBOARD_SMTP_URL": desk.sink.url]) { $1 })
            }
            try await Poll.until("every late replica to serve requests", timeout: .seconds(60)) {
                for port in [one.port, two.port] {
                    _ = try await desk.stack.json(
                        "POST", "/api/v1/conversations/\(chat)/messages", port: port, token: can,
                        body: ["body": "late", "client_message_id": UUID().uuidString])
                    for path in ["/api/v1/pool", "/api/v1/tickets?filter=all", "/api/v1/notifications"] {
                        #expect(
                            try await desk.stack.http("GET", path, port: port, headers: ["Authorization": "Bearer \(can)"]).status == 200)
                    }
                }
                return try await late.asyncMap { try await served($0) }.allSatisfy { $0 > 0 }
            }
        }
    }

    static func mail(from address: String, id: String) -> String {
        "From: \(address)\nTo: support@example.com\nSubject: Sipariş \(id)\nMessage-ID: <\(id)@example.net>\n\nSiparişim \(id) nerede?\n"
    }
}

/// What `docker compose stop` and a rolling update do to a replica: SIGTERM while it is busy.
@Suite("SIGTERM under load", .serialized)
struct DrainTests {
    @Test(
        "one replica of each service stopped by SIGTERM under chat and mail load exits 0 within the 30 s grace period; no request fails or is lost; its streams move on"
    )
    func drain() async throws {
        try await MailDesk.with(replicas: [.gateway: 2, .conversation: 2, .pool: 2, .ticketing: 2, .notification: 2]) { desk in
            let gateways = desk.replicas(.gateway)
            let (one, two) = (try desk.through(gateways[0]), try desk.through(gateways[1]))
            let admin = try await desk.stack.adminToken(port: two.port)
            let can = try await desk.stack.newOperator(port: two.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            let started = try await two.json("POST", "/api/v1/visitor/conversations", body: ["name": "Ayşe Yılmaz"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let chat = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await two.take(chat, token: can)
            // Streams stay open meanwhile: the operator's on the gateway that stays, the visitor's on the one that goes.
            let operatorStream = try await LiveStream.open(port: two.port, token: can)
            let visitorStream = try await LiveStream.open(port: one.port, visitor: true, token: visitor)

            // A browser answers the server's pings whatever its page is doing; this test reads its
            // streams only at the end (a slow machine takes over a minute to get there), so pings
            // are answered meanwhile.
            let pinging = LiveStream.answeringPings(operatorStream, visitorStream)
            defer { pinging.cancel() }
            let load = Load(stack: desk.stack, ports: [one.port, two.port])
            var acknowledged: [Int] = []
            var mails: [Int] = []
            let victims = ServiceName.back.map { desk.replicas($0)[0] } + [gateways[0]]
            for (round, victim) in victims.enumerated() {
                var exited: Task<Int32, any Error>?
                let range = round * 100..<(round + 1) * 100
                acknowledged += try await load.messages(range, conversation: chat, visitor: visitor) { sent in
                    if sent == 20 {
                        victim.send(SIGTERM)
                        exited = Task { try await victim.waitForExit(timeout: .seconds(30)) }
                    }
                    if sent % 25 == 0 { mails.append(try await load.mail(range.lowerBound + sent)) }
                }
                let name = "\(victim.service.rawValue)/\(victim.instance)"
                #expect(try await exited?.value == 0, "\(name) exits 0 within the grace period")
                #expect(victim.log.contains("exited cleanly"), "\(name)")
            }
            pinging.cancel()
            await pinging.value
            #expect(load.troubles.isEmpty, "answers other than 2xx while draining: \(load.troubles)")

            // Every acknowledged message is stored once and reached the operator once; every mail is a ticket.
            let stored = try await desk.stack.client(.conversation).call(
                ConversationMethods.Messages.self, .init(conversationID: try #require(UUID(uuidString: chat)), afterSeq: 1, limit: 500)
            ).items
            #expect(stored.count == 500)
            #expect(Set(stored.map(\.seq)).symmetricDifference(acknowledged.map(Int64.init)).isEmpty)
            try await operatorStream.next("all 500 messages", timeout: .seconds(60)) { _ in
                Set(operatorStream.bodies(prefix: "load ")).count == 500
            }
            #expect(operatorStream.bodies(prefix: "load ").count == 500)
            #expect(Set(mails).count == 20)
            // The stopped gateway said goodbye on its socket; the widget reconnects elsewhere.
            let ending = await #expect(throws: HarnessError.self) {
                try await visitorStream.next("the end of the stream", timeout: .seconds(30)) { _ in false }
            }
            #expect(ending.map { "\($0)".contains("ended") } == true, "\(String(describing: ending))")
        }
    }
}

extension DrainTests {
    @Test("a connection that never sends a request (a browser's pre-opened one) holds the gateway no longer than its drain deadline")
    func idleConnection() async throws {
        try await Stack.with { stack in
            let gateway = try await stack.start(.gateway, environment: ["SWITCHBOARD_DRAIN_SECONDS": "1"])
            let port = try #require(gateway.httpPort)
            let idle = try Loopback.connect(port: port, nonBlocking: false)
            defer { close(idle) }
            // Connections are accepted in order: once a later one is answered, the idle one is the server's.
            #expect(try await stack.http("GET", "/healthz", port: port).status == 200)
            // Without the deadline the drain waits for this connection forever. (Usually the log
            // then says "drain deadline reached"; a connection still being set up on another event
            // loop when the drain begins is closed by the server itself, so that line is not asked for.)
            gateway.send(SIGTERM)
            #expect(try await gateway.waitForExit(timeout: .seconds(30)) == 0)
        }
    }
}

/// Requests a process answered other than `system.*` ones, from its own metrics.
func served(_ process: ServiceProcess) async throws -> Int {
    let metrics = try await RPCClient.callOnce(SystemMethods.Metrics.self, Empty(), socketPath: process.socketPath)
    return metrics.text.split(separator: "\n")
        .filter { $0.hasPrefix("rpc_server_requests_total{") && !$0.contains("method=\"system.") }
        .compactMap { $0.split(separator: " ").last.flatMap { Int(Double($0) ?? 0) } }
        .reduce(0, +)
}

/// Load through the public API, sent the way real senders send: a widget retries a message with
/// its client id until acknowledged, an MTA retries a mail until accepted, each through whichever
/// gateway answers. A refusal other than "try again" fails the test; every 5xx answer on the way
/// is kept in `troubles`.
final class Load: Sendable {
    let stack: Stack
    let ports: [Int]
    private let answers = Mutex<[String]>([])

    init(stack: Stack, ports: [Int]) {
        self.stack = stack
        self.ports = ports
    }

    /// The 5xx answers seen (each was retried).
    var troubles: [String] { answers.withLock { $0 } }

    /// Sends messages `range` as the visitor ("load <n>", client id "load-<n>"), four at a time;
    /// `sent(n)` runs after the n-th is acknowledged. Returns the acknowledged seqs.
    func messages(
        _ range: Range<Int>, conversation: String, visitor: String, sent: (Int) async throws -> Void = { _ in }
    ) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var seqs: [Int] = []
            for index in range {
                if index - range.lowerBound >= 4, let seq = try await group.next() {
                    seqs.append(seq)
                    try await sent(seqs.count)
                }
                group.addTask {
                    let reply = try await self.retried("message \(index)", start: index) { port in
                        try await self.stack.json(
                            "POST", "/api/v1/visitor/conversations/\(conversation)/messages", port: port, token: visitor,
                            body: ["body": "load \(index)", "client_message_id": "load-\(index)"])
                    }
                    return try #require(reply.object["seq"] as? Int)
                }
            }
            for try await seq in group {
                seqs.append(seq)
                try await sent(seqs.count)
            }
            return seqs
        }
    }

    /// Delivers mail number `index` (its own sender) to the inbound endpoint; returns its ticket's number.
    func mail(_ index: Int) async throws -> Int {
        let reply = try await retried("mail \(index)", start: index) { port in
            let reply = try await stack.http(
                "POST", "/api/v1/inbound/email", port: port,
                body: Data(TopologyTests.mail(from: "load-\(index)@example.net", id: "load-\(index)").utf8),
                headers: ["Content-Type": "message/rfc822", "Authorization": "Bearer \(MailDesk.secret)"])
            return (reply.status, (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:], reply)
        }
        return try #require((reply.object["ticket"] as? [String: Any])?["number"] as? Int)
    }

    /// Tries `request` on the gateways in turn until it is answered 2xx; a 5xx or a connection
    /// closed before any answer means "again", as for a load balancer.
    private func retried(
        _ what: String, start: Int, _ request: (Int) async throws -> (status: Int, object: [String: Any], reply: HTTPReply)
    ) async throws -> (status: Int, object: [String: Any], reply: HTTPReply) {
        let deadline = ContinuousClock.now + .seconds(60)
        var attempt = start
        while true {
            attempt += 1
            let port = ports[attempt % ports.count]
            var problem = "no answer"
            if let reply = try? await request(port) {
                if (200..<300).contains(reply.status) { return reply }
                guard reply.status >= 500 else { throw HarnessError("\(what) refused: \(reply.status) \(reply.object)") }
                problem = "\(what): \(reply.status) \(reply.object)"
                answers.withLock { $0.append(problem) }
            }
            guard ContinuousClock.now < deadline else { throw HarnessError("\(what) never acknowledged: \(problem)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
