import Contracts
import Foundation
import Harness
import Testing
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A desk for the Team tests: every service, gateways telling presence every second.
struct TeamDesk {
    let stack: Stack
    let gateways: [Int]
    let admin: String

    static let presence = ["SWITCHBOARD_PRESENCE_SECONDS": "1"]

    static func with(gateways: Int = 1, pools: Int = 1, _ body: (TeamDesk) async throws -> Void) async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            for _ in 0..<pools { try await stack.start(.pool) }
            try await stack.start(.ticketing)
            try await stack.start(.notification)
            var ports: [Int] = []
            for _ in 0..<gateways {
                let gateway = try await stack.start(.gateway, environment: Stack.adminEnvironment.merging(presence) { $1 })
                ports.append(try #require(gateway.httpPort))
            }
            try await body(TeamDesk(stack: stack, gateways: ports, admin: try await stack.adminToken(port: ports[0])))
        }
    }

    var port: Int { gateways[0] }

    func json(
        _ method: String, _ path: String, port: Int? = nil, token: String? = nil, body: [String: Any]? = nil
    ) async throws -> (status: Int, object: [String: Any], reply: HTTPReply) {
        try await stack.json(method, path, port: port ?? self.port, token: token, body: body)
    }

    /// Changes Customizations as an admin would: what GET gave, with `change` applied.
    func customize(_ change: ([String: Any]) -> [String: Any]) async throws {
        let current = try await json("GET", "/api/v1/settings", token: admin).object
        let saved = try await json("PUT", "/api/v1/settings", token: admin, body: change(current))
        #expect(saved.status == 200, "\(saved.object)")
    }

    func newOperator(_ name: String, role: String = "operator") async throws -> (token: String, id: String) {
        let email = name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
        let created = try await json(
            "POST", "/api/v1/operators", token: admin, body: ["name": name, "email": email, "password": "password-123", "role": role])
        #expect(created.status == 201, "creating \(name): \(created.object)")
        return (try await stack.login(port: port, email), try #require(created.object["id"] as? String))
    }

    func me(_ token: String, port: Int? = nil) async throws -> [String: Any] {
        try await json("GET", "/api/v1/me", port: port, token: token).object
    }

    func presence(_ token: String) async throws -> String? { try await me(token)["presence"] as? String }

    func availability(_ token: String) async throws -> [String: Bool] {
        try await me(token)["availability"] as? [String: Bool] ?? [:]
    }

    func available(_ token: String, _ body: [String: Any]) async throws {
        let reply = try await json("PUT", "/api/v1/me/availability", token: token, body: body)
        #expect(reply.status == 200, "\(reply.object)")
    }

    /// A chat started by a new visitor: their token and the conversation's id.
    func chat(_ name: String, message: String = "Merhaba") async throws -> (visitor: String, id: String) {
        let started = try await json(
            "POST", "/api/v1/visitor/conversations", body: ["name": name, "message": message, "client_message_id": UUID().uuidString])
        #expect(started.status == 201, "\(started.object)")
        let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
        // It reaches the Pool a moment after the start is answered.
        let pool = stack.client(.pool)
        try await Poll.until("\(name)'s chat in the Pool") {
            (try? await pool.call(PoolMethods.Item.self, .init(conversationID: try #require(UUID(uuidString: id))))) != nil
        }
        return (try #require(started.object["visitor_token"] as? String), id)
    }

    func conversation(_ id: String) async throws -> [String: Any] {
        try await json("GET", "/api/v1/conversations/\(id)", token: admin).object
    }

    func holder(_ id: String) async throws -> String? {
        (try await conversation(id)["assignee"] as? [String: Any])?["id"] as? String
    }

    func audit(_ id: String) async throws -> [[String: Any]] {
        try await conversation(id)["audit"] as? [[String: Any]] ?? []
    }

    func notifications(_ token: String) async throws -> [[String: Any]] {
        try await json("GET", "/api/v1/notifications?limit=500", token: token).reply.items
    }
}

@Suite("Running a desk: presence, availability, auto-assign, escalation, supervision", .serialized)
struct TeamTests {
    @Test("availability for chats and tickets is set apart or together, survives logout and login; presence follows the console's stream")
    func availabilityAndPresence() async throws {
        try await TeamDesk.with { desk in
            let can = try await desk.newOperator("Can Öztürk")
            #expect(try await desk.availability(can.token) == ["chats": false, "tickets": false])
            #expect(try await desk.presence(can.token) == "offline")

            let tickets = try await desk.json("PUT", "/api/v1/me/availability", token: can.token, body: ["tickets": true])
            #expect(tickets.object["availability"] as? [String: Bool] == ["chats": false, "tickets": true])
            #expect(tickets.object["available"] as? Bool == false)
            let nothing = try await desk.json("PUT", "/api/v1/me/availability", token: can.token, body: [:])
            #expect(nothing.status == 422 && errorField(nothing.object) == "available")
            let wrongType = try await desk.json("PUT", "/api/v1/me/availability", token: can.token, body: ["chats": "yes"])
            #expect(wrongType.status == 422)
            #expect(try await desk.json("PUT", "/api/v1/me/availability", body: ["available": true]).status == 401)
            #expect(try await desk.availability(can.token) == ["chats": false, "tickets": true], "refusals change nothing")

            try await desk.available(can.token, ["available": true])
            #expect(try await desk.availability(can.token) == ["chats": true, "tickets": true])

            let stream = try await LiveStream.open(port: desk.port, token: can.token)
            try await Poll.until("Can online") { try await desk.presence(can.token) == "online" }
            // The operators' list and the Team screen say the same.
            let listed = try await desk.json("GET", "/api/v1/operators", token: desk.admin).reply.items
            let line = try #require(listed.first { $0["id"] as? String == can.id })
            #expect(line["presence"] as? String == "online" && line["available"] as? Bool == true)

            stream.close()
            #expect(try await desk.json("POST", "/api/v1/auth/logout", token: can.token).status == 204)
            let again = try await desk.stack.login(port: desk.port, "can.öztürk@example.com")
            #expect(try await desk.presence(again) == "offline")
            #expect(try await desk.availability(again) == ["chats": true, "tickets": true], "availability survives logout and login")
        }
    }

    @Test(
        "presence across two gateways: moving between them or a gateway's restart is not leaving; away after away_after_seconds returns the chats, and coming back restores availability"
    )
    func awayAcrossGateways() async throws {
        try await TeamDesk.with(gateways: 2) { desk in
            let (one, two) = (desk.gateways[0], desk.gateways[1])
            try await desk.customize { document in
                var document = document
                document["away_after_seconds"] = 3
                document["return_when_away"] = true
                document["escalation"] = NSNull()
                return document
            }
            let can = try await desk.newOperator("Can Öztürk")
            // Ece is the clock: she leaves when Can moves, and once she is away, so would he be.
            let ece = try await desk.newOperator("Ece Demir")
            for token in [can.token, ece.token] { try await desk.available(token, ["chats": true]) }
            var canStream = try await LiveStream.open(port: one, token: can.token)
            let eceStream = try await LiveStream.open(port: one, token: ece.token)
            try await Poll.until("both online") {
                let (canIs, eceIs) = (try await desk.presence(can.token), try await desk.presence(ece.token))
                return canIs == "online" && eceIs == "online"
            }
            let chat = try await desk.chat("Ayşe")
            #expect(try await desk.json("POST", "/api/v1/pool/\(chat.id)/take", token: can.token).status == 200)
            let customer = try await LiveStream.open(port: two, visitor: true, token: chat.visitor)

            // Can's console reconnects through the other gateway; Ece closes hers.
            canStream.close()
            eceStream.close()
            canStream = try await LiveStream.open(port: two, token: can.token)
            try await Poll.until("Ece away", timeout: .seconds(60)) { try await desk.presence(ece.token) == "away" }
            #expect(try await desk.availability(ece.token)["chats"] == false, "going away switches chats off")
            #expect(try await desk.presence(can.token) == "online")
            #expect(try await desk.holder(chat.id) == can.id, "no chat returned early")

            // Can leaves for good: his chat goes back to the Pool, audited, and the customer is told.
            canStream.close()
            try await Poll.until("Can away", timeout: .seconds(60)) { try await desk.presence(can.token) == "away" }
            try await Poll.until("the chat back in the Pool") { try await desk.holder(chat.id) == nil }
            let returned = try #require(try await desk.audit(chat.id).last)
            #expect(returned["how"] as? String == "returned" && returned["reason"] as? String == "away")
            #expect((returned["from"] as? [String: Any])?["id"] as? String == can.id)
            #expect(try await desk.conversation(chat.id)["status"] as? String == "waiting")
            try await customer.next("conversation.returned", conversation: chat.id)
            #expect(try await desk.availability(can.token)["chats"] == false)

            // He comes back: online, with the availability going away took.
            let back = try await LiveStream.open(port: one, token: can.token)
            try await Poll.until("Can back with chats on") {
                let (presence, availability) = (try await desk.presence(can.token), try await desk.availability(can.token))
                return presence == "online" && availability["chats"] == true
            }
            back.close()
            customer.close()
        }
    }

    @Test("a gateway's restart shorter than away_after_seconds keeps everyone present and their chats theirs")
    func gatewayRestart() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            try await stack.start(.ticketing)
            try await stack.start(.notification)
            let environment = Stack.adminEnvironment.merging(TeamDesk.presence) { $1 }
            let first = try await stack.start(.gateway, environment: environment)
            let spare = try #require(try await stack.start(.gateway, environment: environment).httpPort)
            let desk = TeamDesk(stack: stack, gateways: [spare], admin: try await stack.adminToken(port: spare))
            try await desk.customize { document in
                var document = document
                document["away_after_seconds"] = 20
                return document
            }
            let can = try await desk.newOperator("Can Öztürk")
            let ece = try await desk.newOperator("Ece Demir")
            try await desk.available(can.token, ["chats": true])
            let canStream = try await LiveStream.open(port: try #require(first.httpPort), token: can.token)
            let eceStream = try await LiveStream.open(port: spare, token: ece.token)
            try await Poll.until("both online") {
                let (canIs, eceIs) = (try await desk.presence(can.token), try await desk.presence(ece.token))
                return canIs == "online" && eceIs == "online"
            }
            let chat = try await desk.chat("Ayşe")
            #expect(try await desk.json("POST", "/api/v1/pool/\(chat.id)/take", token: can.token).status == 200)

            // The gateway Can is connected to restarts; his console reconnects to the new one.
            eceStream.close()
            first.send(SIGTERM)
            _ = try await first.waitForExit()
            canStream.close()
            let restarted = try await stack.start(.gateway, environment: environment)
            let reconnected = try await LiveStream.open(port: try #require(restarted.httpPort), token: can.token)
            try await Poll.until("Ece away", timeout: .seconds(90)) { try await desk.presence(ece.token) == "away" }
            #expect(try await desk.presence(can.token) == "online")
            #expect(try await desk.holder(chat.id) == can.id)
            #expect(try await desk.availability(can.token)["chats"] == true)
            reconnected.close()
        }
    }

    @Test(
        "auto-assign gives waiting chats oldest first whenever room appears, never past the limit, one winner per chat with two pool instances"
    )
    func autoAssign() async throws {
        try await TeamDesk.with(pools: 2) { desk in
            try await desk.customize { document in
                var document = document
                document["auto_assign"] = true
                document["max_chats_per_operator"] = 2
                return document
            }
            let ada = try await desk.newOperator("Ada")
            let bora = try await desk.newOperator("Bora")
            var chats: [String] = []
            for index in 0..<6 { chats.append(try await desk.chat("Customer \(index)").id) }
            try await Poll.until("six chats in the Pool") {
                try await desk.json("GET", "/api/v1/pool", token: ada.token).reply.items.count == 6
            }

            // Ada becomes available: the two oldest are hers at once.
            try await desk.available(ada.token, ["chats": true])
            try await Poll.until("Ada's two") { try await desk.holder(chats[1]) == ada.id }
            #expect(try await desk.holder(chats[0]) == ada.id)
            try await desk.available(bora.token, ["chats": true])
            try await Poll.until("Bora's two") { try await desk.holder(chats[3]) == bora.id }
            #expect(try await desk.holder(chats[2]) == bora.id)
            #expect(try await desk.holder(chats[4]) == nil, "nobody past the limit")

            // Ada closes one: the next waiting chat is hers; Bora hands one back: it goes out again.
            #expect(try await desk.json("POST", "/api/v1/conversations/\(chats[0])/close", token: ada.token).status == 200)
            try await Poll.until("the fifth to Ada") { try await desk.holder(chats[4]) == ada.id }
            // Bora hands one back: it waits at the end, and the oldest waiting chat is his.
            #expect(try await desk.json("POST", "/api/v1/conversations/\(chats[2])/return", token: bora.token).status == 200)
            try await Poll.until("the oldest waiting chat to Bora") { try await desk.holder(chats[5]) == bora.id }
            #expect(try await desk.holder(chats[2]) == nil)

            // A burst of new chats against room for ten across three operators, two pool instances.
            let cem = try await desk.newOperator("Cem")
            try await desk.available(cem.token, ["chats": true])
            try await desk.customize { document in
                var document = document
                document["max_chats_per_operator"] = 5
                return document
            }
            let burst = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 { group.addTask { try await desk.chat("Burst \(index)").id } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = chats + burst
            try await Poll.until("every operator full", timeout: .seconds(60)) {
                let operators = try await desk.json("GET", "/api/v1/operators", token: desk.admin).reply.items
                return operators.filter { ($0["load"] as? Int) == 5 }.count == 3
            }
            for id in burst {
                let given = try await desk.audit(id).filter { $0["how"] as? String == "auto" }
                #expect(given.count <= 1, "\(id) given out \(given.count) times")
            }
            let operators = try await desk.json("GET", "/api/v1/operators", token: desk.admin).reply.items
            #expect(operators.allSatisfy { ($0["load"] as? Int ?? 0) <= 5 })
            let waiting = try await desk.json("GET", "/api/v1/pool", token: ada.token).reply.items
            #expect(waiting.count == all.count - 1 - 15, "room for 15, one closed: the rest wait")
        }
    }

    @Test("a chat waiting past escalation.after_seconds alerts the available again, then the admins; once per level; never a taken chat")
    func escalation() async throws {
        try await TeamDesk.with { desk in
            try await desk.customize { document in
                var document = document
                document["escalation"] = ["after_seconds": 1, "admins_after_seconds": 2]
                return document
            }
            let can = try await desk.newOperator("Can Öztürk")
            try await desk.available(can.token, ["chats": true])
            let first = try await desk.chat("Ayşe")
            let taken = try await desk.chat("Mehmet")
            #expect(try await desk.json("POST", "/api/v1/pool/\(taken.id)/take", token: can.token).status == 200)
            let later = try await desk.chat("Zeynep")

            func alerts(_ token: String, _ id: String) async throws -> [String] {
                try await desk.notifications(token).filter { $0["conversation_id"] as? String == id }.compactMap { $0["kind"] as? String }
                    .filter { $0.hasPrefix("pool.") }.sorted()
            }
            try await Poll.until("the admins told of the last chat", timeout: .seconds(60)) {
                try await alerts(desk.admin, later.id) == ["pool.waiting_long"]
            }
            #expect(try await alerts(can.token, first.id) == ["pool.waiting", "pool.waiting_long"])
            #expect(try await alerts(desk.admin, first.id) == ["pool.waiting_long"])
            let takenAlerts = try await desk.notifications(can.token).filter {
                $0["conversation_id"] as? String == taken.id && ($0["kind"] as? String ?? "").hasPrefix("pool.")
            }
            #expect(takenAlerts.allSatisfy { $0["kind"] as? String == "pool.waiting" && $0["read_at"] is String })
            #expect(try await alerts(desk.admin, taken.id) == [])
            let text = try #require(
                try await desk.notifications(desk.admin).first { $0["conversation_id"] as? String == first.id }?["text"] as? String)
            #expect(text.hasPrefix("Ayşe has waited") && text.hasSuffix("nobody has taken it"))
        }
    }

    @Test("admins return, hand on and close anyone's job, audited as theirs; the Team screen shows presence, availability and jobs")
    func supervision() async throws {
        try await TeamDesk.with { desk in
            let can = try await desk.newOperator("Can Öztürk")
            let ece = try await desk.newOperator("Ece Demir")
            for token in [can.token, ece.token] { try await desk.available(token, ["chats": true]) }
            let one = try await desk.chat("Ayşe", message: "Kargom nerede?")
            let two = try await desk.chat("Mehmet")
            for id in [one.id, two.id] {
                #expect(try await desk.json("POST", "/api/v1/pool/\(id)/take", token: can.token).status == 200)
            }

            // The Team screen: Can holds two; Ayşe's question waits for an answer.
            #expect(try await desk.json("GET", "/api/v1/team", token: ece.token).status == 403)
            let team = try await desk.json("GET", "/api/v1/team", token: desk.admin).reply.items
            let canLine = try #require(team.first { $0["id"] as? String == can.id })
            #expect(canLine["open_jobs"] as? Int == 2)
            #expect(canLine["availability"] as? [String: Bool] == ["chats": true, "tickets": false])
            #expect(canLine["presence"] as? String == "offline")
            let jobs = try #require(canLine["jobs"] as? [[String: Any]])
            let ayse = try #require(jobs.first { $0["conversation_id"] as? String == one.id })
            #expect(ayse["customer_waiting_since"] is String && (ayse["waiting_seconds"] as? Int ?? -1) >= 0)
            _ = try await desk.json(
                "POST", "/api/v1/conversations/\(one.id)/messages", token: can.token,
                body: ["body": "Bakıyorum", "client_message_id": "a1"])
            try await Poll.until("answered: nobody waits") {
                let line = try await desk.json("GET", "/api/v1/team", token: desk.admin).reply.items.first { $0["id"] as? String == can.id }
                let job = (line?["jobs"] as? [[String: Any]])?.first { $0["conversation_id"] as? String == one.id }
                return job?["customer_waiting_since"] is NSNull
            }

            // Ece may not return Can's job; an admin may, and the audit names the admin.
            let refused = try await desk.json("POST", "/api/v1/conversations/\(one.id)/return", token: ece.token)
            #expect(refused.status == 403 && errorCode(refused.object) == "not_assignee")
            #expect(try await desk.json("POST", "/api/v1/conversations/\(UUID())/return", token: ece.token).status == 404)
            let returned = try await desk.json("POST", "/api/v1/conversations/\(one.id)/return", token: desk.admin)
            #expect(returned.status == 200)
            let change = try #require(try await desk.audit(one.id).last)
            #expect(change["how"] as? String == "returned" && (change["by"] as? [String: Any])?["name"] as? String == "admin")
            #expect(try await desk.holder(one.id) == nil)

            // An admin hands Can's other job to Ece, then closes it: both recorded as the admin's.
            let handed = try await desk.json(
                "POST", "/api/v1/conversations/\(two.id)/transfer", token: desk.admin, body: ["operator_id": ece.id])
            #expect(handed.status == 200)
            let transfer = try #require(try await desk.audit(two.id).last)
            #expect(transfer["how"] as? String == "transfer" && (transfer["by"] as? [String: Any])?["name"] as? String == "admin")
            #expect((transfer["from"] as? [String: Any])?["id"] as? String == can.id)
            #expect(try await desk.holder(two.id) == ece.id)
            #expect(try await desk.json("POST", "/api/v1/conversations/\(two.id)/close", token: can.token).status == 403)
            #expect(try await desk.json("POST", "/api/v1/conversations/\(two.id)/close", token: desk.admin).status == 200)
            let archived = try await desk.json("GET", "/api/v1/archive", token: desk.admin).reply.items
            let closed = try #require(archived.first { $0["id"] as? String == two.id })
            #expect((closed["closed_by"] as? [String: Any])?["name"] as? String == "admin")
            let again = try await desk.json("POST", "/api/v1/conversations/\(two.id)/return", token: desk.admin)
            #expect(again.status == 409 && errorCode(again.object) == "closed")
        }
    }

    @Test("the Team settings are range-checked, all or nothing; a document without them keeps them")
    func teamSettings() async throws {
        try await TeamDesk.with { desk in
            let initial = try await desk.json("GET", "/api/v1/settings", token: desk.admin).object
            #expect(initial["away_after_seconds"] as? Int == 120 && initial["return_when_away"] as? Bool == true)
            #expect(initial["escalation"] as? [String: Int] == ["after_seconds": 60, "admins_after_seconds": 180])
            for (field, value, named) in [
                ("away_after_seconds", 2 as Any, "away_after_seconds"),
                ("away_after_seconds", 604_801 as Any, "away_after_seconds"),
                ("escalation", ["after_seconds": 5, "admins_after_seconds": 1] as Any, "escalation.admins_after_seconds"),
                ("escalation", ["after_seconds": 0, "admins_after_seconds": 1] as Any, "escalation.after_seconds"),
            ] {
                var document = initial
                document[field] = value
                document["greeting_message"] = "changed"
                let refused = try await desk.json("PUT", "/api/v1/settings", token: desk.admin, body: document)
                #expect(refused.status == 422 && errorField(refused.object) == named, "\(field)=\(value): \(refused.object)")
            }
            #expect(try await desk.json("GET", "/api/v1/settings", token: desk.admin).object["greeting_message"] as? String != "changed")

            var older = initial
            for field in ["away_after_seconds", "return_when_away", "escalation"] { older[field] = nil }
            older["escalation"] = nil
            try await desk.customize { document in
                var document = document
                document["escalation"] = NSNull()
                document["away_after_seconds"] = 300
                return document
            }
            older["auto_assign"] = true
            #expect(try await desk.json("PUT", "/api/v1/settings", token: desk.admin, body: older).status == 200)
            let kept = try await desk.json("GET", "/api/v1/settings", token: desk.admin).object
            #expect(kept["escalation"] is NSNull && kept["away_after_seconds"] as? Int == 300 && kept["auto_assign"] as? Bool == true)
        }
    }
}
