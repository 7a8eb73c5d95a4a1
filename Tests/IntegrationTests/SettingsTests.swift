import Contracts
import Foundation
import Harness
import Testing

@Suite("Customizations and the widget's status", .serialized)
struct SettingsTests {
    @Test("admins read and write the document all or nothing; new chats use the new greeting")
    func settings() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            try await stack.start(.ticketing)
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let op = try await stack.newOperator(port: port, admin: admin, name: "Op", email: "op@example.com")

            let initial = try await stack.json("GET", "/api/v1/settings", port: port, token: admin)
            #expect(initial.status == 200)
            #expect(initial.object["greeting_message"] as? String == "Hello! I'm here to help you.")
            #expect(initial.object["auto_assign"] as? Bool == false)
            #expect(try await stack.json("GET", "/api/v1/settings", port: port, token: op).status == 403)
            #expect(try await stack.json("PUT", "/api/v1/settings", port: port, token: op, raw: Data("{broken".utf8)).status == 403)
            #expect(try await stack.json("GET", "/api/v1/settings", port: port).status == 401)

            var document = initial.object
            document["greeting_message"] = "Merhaba! Size nasıl yardımcı olabilirim?"
            document["max_chats_per_operator"] = 0
            let refused = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: document)
            #expect(refused.status == 422)
            #expect(errorField(refused.object) == "max_chats_per_operator")
            // All or nothing: the valid greeting in the same PUT was not applied either.
            #expect(
                try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object["greeting_message"] as? String
                    == "Hello! I'm here to help you.")

            var blank = initial.object
            blank["offline_message"] = "  "
            #expect(
                errorField(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: blank).object)
                    == "offline_message")
            var missing = initial.object
            missing["auto_assign"] = nil
            #expect(
                errorField(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: missing).object) == "auto_assign"
            )

            document["max_chats_per_operator"] = 3
            let saved = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: document)
            #expect(saved.status == 200)
            #expect(saved.object["max_chats_per_operator"] as? Int == 3)
            let chat = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            #expect(
                ((chat.object["conversation"] as? [String: Any])?["last_message"] as? [String: Any])?["body"] as? String
                    == "Merhaba! Size nasıl yardımcı olabilirim?")

            let status = try await stack.json("GET", "/api/v1/widget/status", port: port)
            #expect(status.object["open"] as? Bool == true)
            #expect(status.object["operators_available"] as? Bool == false)
            #expect(status.object["greeting_message"] as? String == "Merhaba! Size nasıl yardımcı olabilirim?")
            #expect(status.object.keys.contains("next_open_at"))
            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: op, body: ["available": true]).status == 200)
            #expect(try await stack.json("GET", "/api/v1/widget/status", port: port).object["operators_available"] as? Bool == true)
        }
    }

    @Test("with auto-assign on, a new chat goes to the available operator with the most room, else waits")
    func autoAssign() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            try await stack.start(.ticketing)
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            var settings = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            settings["auto_assign"] = true
            settings["max_chats_per_operator"] = 1
            #expect(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings).status == 200)
            var tokens: [String] = []
            for name in ["Ayşe", "Can"] {
                let email = "\(name == "Ayşe" ? "ayse" : "can")@example.com"
                _ = try await stack.json(
                    "POST", "/api/v1/operators", port: port, token: admin,
                    body: ["name": name, "email": email, "password": "password-123", "role": "operator"])
                let token = try #require(
                    try await stack.json("POST", "/api/v1/auth/login", port: port, body: ["email": email, "password": "password-123"])
                        .object["token"] as? String)
                #expect(
                    try await stack.json("PUT", "/api/v1/me/availability", port: port, token: token, body: ["available": true]).status
                        == 200)
                tokens.append(token)
            }
            func held(_ token: String) async throws -> Int {
                try await stack.http("GET", "/api/v1/messages", port: port, headers: ["Authorization": "Bearer \(token)"]).page?.items.count
                    ?? -1
            }
            var ids: [String] = []
            for index in 0..<3 {
                let chat = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Müşteri \(index)"])
                ids.append(try #require((chat.object["conversation"] as? [String: Any])?["id"] as? String))
                if index < 2 {
                    try await Poll.until("chat \(index) auto-assigned") {
                        try await stack.json("GET", "/api/v1/conversations/\(ids[index])", port: port, token: admin).object["status"]
                            as? String == "assigned"
                    }
                }
            }
            // The admins' list shows availability and load.
            let staff =
                try await stack.http("GET", "/api/v1/operators", port: port, headers: ["Authorization": "Bearer \(admin)"]).items
            #expect(staff.filter { $0["available"] as? Bool == true }.count == 2)
            #expect(staff.compactMap { $0["load"] as? Int }.reduce(0, +) == 2)

            // One each (the limit is one), and the third waits in the Pool.
            #expect(try await held(tokens[0]) == 1)
            #expect(try await held(tokens[1]) == 1)
            try await Poll.until("the third chat in the Pool") {
                try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(admin)"]).items.contains {
                    $0["id"] as? String == ids[2]
                }
            }
            let audit =
                try await stack.json("GET", "/api/v1/conversations/\(ids[0])", port: port, token: admin).object["audit"] as? [[String: Any]]
            #expect(audit?.first?["how"] as? String == "auto")
        }
    }
}
