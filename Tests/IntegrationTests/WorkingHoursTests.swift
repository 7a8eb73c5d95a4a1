import Contracts
import Foundation
import Harness
import Testing

@Suite("Working hours through the public API", .serialized)
struct WorkingHoursTests {
    /// Open every day all day, but closed by a closure around now that ends at `reopens`.
    static func closedNow(until reopens: Date) -> [String: Any] {
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        return [
            "timezone": "Europe/Istanbul",
            "weekly": Dictionary(uniqueKeysWithValues: days.map { ($0, [["00:00", "24:00"]]) }),
            "holidays": [],
            "closures": [["from": Date().addingTimeInterval(-3600).formatted(.iso8601), "to": reopens.formatted(.iso8601)]],
        ]
    }

    static func instant(_ value: Any?) -> Date? {
        (value as? String).flatMap { try? Date($0, strategy: .iso8601) }
            ?? (value as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }
    }

    @Test("outside hours the widget says closed and when it opens, and a chat is refused with 409 offline; null hours open again")
    func closedAndOpen() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            var settings = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            #expect(settings.keys.contains("working_hours") && settings["working_hours"] is NSNull)
            #expect(settings["offline_when_no_operator"] as? Bool == false)
            #expect((settings["ack_message"] as? String)?.isEmpty == false)

            let reopens = Date().addingTimeInterval(7200).rounded()
            settings["working_hours"] = Self.closedNow(until: reopens)
            let saved = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings)
            #expect(saved.status == 200, "\(saved.object)")
            #expect((saved.object["working_hours"] as? [String: Any])?["timezone"] as? String == "Europe/Istanbul")

            let status = try await stack.json("GET", "/api/v1/widget/status", port: port).object
            #expect(status["open"] as? Bool == false)
            #expect(Self.instant(status["next_open_at"]) == reopens)
            let refused = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            #expect(refused.status == 409)
            #expect(errorCode(refused.object) == "offline")

            settings["working_hours"] = NSNull()
            #expect(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings).status == 200)
            let open = try await stack.json("GET", "/api/v1/widget/status", port: port).object
            #expect(open["open"] as? Bool == true)
            #expect(open["next_open_at"] is NSNull)
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"]).status == 201)
        }
    }

    @Test("with offline_when_no_operator, no available operator means closed; one switching on opens the desk")
    func noOperator() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let op = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            var settings = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            settings["offline_when_no_operator"] = true
            #expect(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: settings).status == 200)

            let closed = try await stack.json("GET", "/api/v1/widget/status", port: port).object
            #expect(closed["open"] as? Bool == false && closed["operators_available"] as? Bool == false)
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"]).status == 409)

            #expect(try await stack.json("PUT", "/api/v1/me/availability", port: port, token: op, body: ["available": true]).status == 200)
            let open = try await stack.json("GET", "/api/v1/widget/status", port: port).object
            #expect(open["open"] as? Bool == true && open["operators_available"] as? Bool == true)
            #expect(try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"]).status == 201)
        }
    }

    @Test("bad working hours are refused naming the field, and nothing changes")
    func refused() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let before = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            let cases: [(Any, String)] = [
                (["timezone": "Mars/Olympus", "weekly": [:]], "working_hours.timezone"),
                (["timezone": "UTC", "weekly": ["mon": [["09:00", "25:00"]]]], "working_hours.weekly.mon[0][1]"),
                (["timezone": "UTC", "weekly": ["someday": [["09:00", "18:00"]]]], "working_hours.weekly.someday"),
                (["timezone": "UTC", "weekly": [:], "holidays": ["2026-13-01"]], "working_hours.holidays[0]"),
                (["timezone": "UTC"], "working_hours.weekly"),
                ("always", "working_hours"),
            ]
            for (hours, field) in cases {
                var wanted = before
                wanted["greeting_message"] = "Changed?"
                wanted["working_hours"] = hours
                let reply = try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: wanted)
                #expect(reply.status == 422, "\(hours)")
                #expect(errorField(reply.object) == field, "\(hours): \(reply.object)")
            }
            var missing = before
            missing.removeValue(forKey: "working_hours")
            #expect(
                errorField(try await stack.json("PUT", "/api/v1/settings", port: port, token: admin, body: missing).object)
                    == "working_hours")
            let after = try await stack.json("GET", "/api/v1/settings", port: port, token: admin).object
            #expect(after["greeting_message"] as? String == before["greeting_message"] as? String)
            #expect(after["working_hours"] is NSNull)
        }
    }
}

extension Date {
    /// To the whole second, as a closure's end written without fractions reads back.
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
