import Foundation
import Harness
import Testing

@Suite("The Tickets screen", .serialized)
struct TicketsScreenTests {
    @Test("tickets listed by filter with number, customer and holder; assigned to an available colleague; chats and bad input refused")
    func screen() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            let can = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can", email: "can@example.com")
            let elif = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Elif", email: "elif@example.com")
            let canID = try #require(try await desk.json("GET", "/api/v1/me", token: can).object["id"] as? String)
            let elifID = try #require(try await desk.json("GET", "/api/v1/me", token: elif).object["id"] as? String)
            let first = try await desk.leave(name: "Ayşe", email: "ayse@example.org", message: "Birinci")
            let second = try await desk.leave(name: "Mehmet", email: "mehmet@example.org", message: "İkinci")
            try await Poll.until("both tickets in the Pool") { try await desk.array("/api/v1/pool", token: can).count == 2 }

            let all = try await desk.array("/api/v1/tickets?filter=all", token: can)
            #expect(all.compactMap { $0["number"] as? Int } == [1002, 1001], "newest first")
            #expect((all.last?["customer"] as? [String: Any])?["email"] as? String == "ayse@example.org")
            #expect(all.allSatisfy { $0["status"] as? String == "waiting" })

            // Elif is away: refused. Available: the ticket is hers, and off the unassigned list.
            let away = try await desk.json(
                "POST", "/api/v1/tickets/\(first.conversation)/assign", token: can, body: ["operator_id": elifID])
            #expect(away.status == 409 && errorCode(away.object) == "colleague_unavailable")
            #expect(try await desk.json("PUT", "/api/v1/me/availability", token: elif, body: ["available": true]).status == 200)
            let given = try await desk.json(
                "POST", "/api/v1/tickets/\(first.conversation)/assign", token: can, body: ["operator_id": elifID])
            #expect(given.status == 200, "\(given.object)")
            let mine = try await desk.array("/api/v1/tickets?filter=mine", token: elif)
            #expect(mine.compactMap { $0["number"] as? Int } == [1001])
            #expect((mine.first?["holder"] as? [String: Any])?["name"] as? String == "Elif")
            #expect(try await desk.array("/api/v1/tickets?filter=unassigned", token: can).compactMap { $0["number"] as? Int } == [1002])
            let audit =
                try await desk.json("GET", "/api/v1/conversations/\(first.conversation)", token: can).object["audit"] as? [[String: Any]]
            #expect(audit?.last?["how"] as? String == "assign")
            try await Poll.until("Elif told she was given it") {
                try await desk.array("/api/v1/notifications", token: elif).contains {
                    ($0["text"] as? String)?.contains("given the ticket") == true
                }
            }

            // Refusals: a chat is taken, not assigned; unknown colleague; bad filter.
            let chat = try await desk.json("POST", "/api/v1/visitor/conversations", body: ["name": "Zeynep"])
            let chatID = try #require((chat.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("the chat in the Pool") {
                try await desk.array("/api/v1/pool", token: can).contains { $0["id"] as? String == chatID }
            }
            _ = try await desk.json("PUT", "/api/v1/me/availability", token: can, body: ["available": true])
            let notATicket = try await desk.json("POST", "/api/v1/tickets/\(chatID)/assign", token: elif, body: ["operator_id": canID])
            #expect(notATicket.status == 409 && errorCode(notATicket.object) == "not_a_ticket")
            let nobody = try await desk.json(
                "POST", "/api/v1/tickets/\(second.conversation)/assign", token: can, body: ["operator_id": UUID().uuidString])
            #expect(nobody.status == 422)
            let filter = try await desk.json("GET", "/api/v1/tickets?filter=everything", token: can)
            #expect(filter.status == 422)
        }
    }
}
