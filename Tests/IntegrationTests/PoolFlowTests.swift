import Contracts
import Foundation
import Harness
import Synchronization
import Testing
import Wire

/// Outcomes of many takes at once.
final class Takes: Sendable {
    private let state = Mutex<(winners: [UUID], refusals: [String])>(([], []))
    func won(_ id: UUID) { state.withLock { $0.winners.append(id) } }
    func refused(_ name: String) { state.withLock { $0.refusals.append(name) } }
    var winners: [UUID] { state.withLock { $0.winners } }
    var refusals: [String] { state.withLock { $0.refusals } }
}

@Suite("The Pool through real processes", .serialized)
struct PoolFlowTests {
    func waitForItem(_ pool: RPCClient, _ id: UUID) async throws -> PoolItem {
        try await Poll.until("the conversation to reach the Pool") {
            try await pool.call(PoolMethods.Waiting.self, .init()).items.contains { $0.conversationID == id }
        }
        return try await pool.call(PoolMethods.Item.self, .init(conversationID: id))
    }

    @Test("a new chat waits in the Pool; of 50 simultaneous takes by 5 operators exactly one wins")
    func takeRace() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            let conversation = stack.client(.conversation), pool = stack.client(.pool)
            let started = try await conversation.call(
                ConversationMethods.Start.self,
                .init(
                    channel: .chat, name: "Nazlıcan", email: nil, visitorID: nil,
                    message: .init(body: "Kargom gelmedi\nikinci satır", clientMessageID: "1"))
            )
            let id = started.conversation.id
            let waiting = try await waitForItem(pool, id)
            #expect(waiting.status == .waiting)
            #expect(waiting.kind == .chat)
            #expect(waiting.preview == "Kargom gelmedi")
            #expect(waiting.customerName == "Nazlıcan")

            let operators = (0..<5).map { OperatorRef(id: UUID(), name: "Operator \($0)") }
            let takes = Takes()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    let taker = operators[index % 5]
                    group.addTask {
                        do {
                            let item = try await pool.call(PoolMethods.Take.self, .init(conversationID: id, taker: taker))
                            #expect(item.holder == taker)
                            takes.won(taker.id)
                        } catch let error as RPCError where error.reason == .alreadyTaken {
                            if case .string(let name) = error.data?.details?["operator"] { takes.refused(name) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            // The winner's own repeated clicks succeed too ("taking what you already hold").
            let winner = try #require(operators.first { $0.id == takes.winners.first })
            #expect(Set(takes.winners) == [winner.id])
            #expect(takes.winners.count + takes.refusals.count == 50)
            #expect(takes.refusals.allSatisfy { $0 == winner.name })
            #expect(takes.refusals.count == 50 - takes.winners.count)
            #expect(takes.winners.count == 10)  // the winner took it once and held it for its other 9 clicks
            #expect(try await pool.call(PoolMethods.Waiting.self, .init()).items.isEmpty)
            #expect(try await pool.call(PoolMethods.Audit.self, .init(conversationID: id)).count == 1)

            // A colleague takes the job over; the audit keeps both changes.
            let colleague = operators.first { $0.id != winner.id }!
            let over = try await pool.call(PoolMethods.Take.self, .init(conversationID: id, taker: colleague, takeover: true))
            #expect(over.holder == colleague)
            let audit = try await pool.call(PoolMethods.Audit.self, .init(conversationID: id))
            #expect(audit.map(\.how) == [.take, .takeover])
            #expect(audit.last?.from == winner)

            // Only the holder writes as an operator.
            let holderAuthor = Author(kind: .operator, id: colleague.id, name: colleague.name)
            let formerAuthor = Author(kind: .operator, id: winner.id, name: winner.name)
            let reply = try await conversation.call(
                ConversationMethods.Post.self,
                .init(conversationID: id, author: holderAuthor, draft: .init(body: "Bakıyorum", clientMessageID: "op-1")))
            #expect(reply.message.author.kind == .operator)
            let refusedWrite = await #expect(throws: RPCError.self) {
                try await conversation.call(
                    ConversationMethods.Post.self,
                    .init(conversationID: id, author: formerAuthor, draft: .init(body: "ben de", clientMessageID: "op-2")))
            }
            #expect(refusedWrite?.reason == .notAssignee)

            _ = try await conversation.call(ConversationMethods.Close.self, .init(conversationID: id))
            try await Poll.until("the item to close") {
                try await pool.call(PoolMethods.Item.self, .init(conversationID: id)).status == .closed
            }
            let late = await #expect(throws: RPCError.self) {
                try await pool.call(PoolMethods.Take.self, .init(conversationID: id, taker: winner))
            }
            #expect(late?.reason == .closed)
        }
    }

    @Test("a ticket needs the taker's availability switched on")
    func ticketsNeedAvailability() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            try await stack.start(.pool)
            let conversation = stack.client(.conversation), pool = stack.client(.pool)
            let started = try await conversation.call(
                ConversationMethods.Start.self,
                .init(channel: .email, name: "Ayşe Yılmaz", email: "ayse@example.com", visitorID: nil, message: nil)
            )
            let item = try await waitForItem(pool, started.conversation.id)
            #expect(item.kind == .ticket)
            let taker = OperatorRef(id: UUID(), name: "Can")
            let refused = await #expect(throws: RPCError.self) {
                try await pool.call(PoolMethods.Take.self, .init(conversationID: item.conversationID, taker: taker))
            }
            #expect(refused?.reason == .availabilityOff)
            _ = try await pool.call(
                PoolMethods.SetAvailability.self, .init(operatorID: taker.id, operatorName: taker.name, chats: nil, tickets: true))
            #expect(try await pool.call(PoolMethods.Take.self, .init(conversationID: item.conversationID, taker: taker)).holder == taker)
            let unknown = await #expect(throws: RPCError.self) {
                try await pool.call(PoolMethods.Take.self, .init(conversationID: UUID(), taker: taker))
            }
            #expect(unknown?.reason == .notFound)
        }
    }
}
