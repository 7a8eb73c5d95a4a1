import Contracts
import Foundation
import Harness
import Logging
import Storage
import Testing
import Wire

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Conversations through a real conversation process", .serialized)
struct ConversationFlowTests {
    func events(_ stack: Stack) async throws -> [OutboxEvent] {
        let database = Database(url: stack.databaseURL, size: 1, logger: Logger(label: "test"))
        return try await withRunning(database) {
            var batch = try await database.readEvents(after: .start, limit: 10_000)
            try await Poll.until("the outbox to settle") {
                batch = try await database.readEvents(after: .start, limit: 10_000)
                return !batch.heldBack
            }
            return batch.events
        }
    }

    @Test("start greets first, posts never duplicate, seq has no gaps, reads resume exactly, close refuses more")
    func story() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            let client = stack.client(.conversation)
            let visitor = UUID()
            let started = try await client.call(
                ConversationMethods.Start.self,
                .init(
                    channel: .chat, name: "Nazlıcan", email: "Nazlican@Example.com", visitorID: visitor,
                    message: .init(body: "Siparişim nerede?", clientMessageID: "m-1")),
                idempotencyKey: "start-1"
            )
            #expect(started.messages.map(\.seq) == [1, 2])
            #expect(started.messages[0].author.kind == .system)
            #expect(started.messages[0].body == "Hello! I'm here to help you.")
            #expect(started.messages[1].body == "Siparişim nerede?")
            #expect(started.conversation.customer.email == "nazlican@example.com")
            let id = started.conversation.id

            // The same start again (a retried call) is the same conversation.
            let again = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Nazlıcan", email: nil, visitorID: nil, message: nil),
                idempotencyKey: "start-1"
            )
            #expect(again.conversation.id == id)
            #expect(again.messages == started.messages)
            #expect(started.conversation.lastMessage == started.messages[1])

            // The same visitor's next chat: the same customer, renamed, the e-mail kept.
            let next = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Nazlıcan K.", email: nil, visitorID: visitor, message: nil))
            #expect(next.conversation.id != id && next.messages.map(\.seq) == [1])
            #expect(next.conversation.customer.id == started.conversation.customer.id)
            #expect(next.conversation.customer.name == "Nazlıcan K." && next.conversation.customer.email == "nazlican@example.com")
            #expect(next.conversation.lastMessage == next.messages[0])

            let customer = Author(kind: .customer, id: started.conversation.customer.id, name: "Nazlıcan")
            // Fifty different messages at once, and ten copies of one more.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        _ = try await client.call(
                            ConversationMethods.Post.self,
                            .init(conversationID: id, author: customer, draft: .init(body: "mesaj \(index)", clientMessageID: "p-\(index)"))
                        )
                    }
                }
                for _ in 0..<10 {
                    group.addTask {
                        _ = try await client.call(
                            ConversationMethods.Post.self,
                            .init(conversationID: id, author: customer, draft: .init(body: "tekrar", clientMessageID: "dup")))
                    }
                }
                try await group.waitForAll()
            }
            let all = try await client.call(ConversationMethods.Messages.self, .init(conversationID: id, afterSeq: 0, limit: 500)).items
            #expect(all.map(\.seq) == Array(1...53))
            #expect(all.filter { $0.clientMessageID == "dup" }.count == 1)
            let repeated = try await client.call(
                ConversationMethods.Post.self,
                .init(conversationID: id, author: customer, draft: .init(body: "tekrar", clientMessageID: "dup")))
            #expect(!repeated.created)

            let tail = try await client.call(ConversationMethods.Messages.self, .init(conversationID: id, afterSeq: 50, limit: 500)).items
            #expect(tail.map(\.seq) == [51, 52, 53])

            let closed = try await client.call(ConversationMethods.Close.self, .init(conversationID: id))
            #expect(closed.closedAt != nil)
            #expect(try await client.call(ConversationMethods.Close.self, .init(conversationID: id)).closedAt == closed.closedAt)
            let refused = await #expect(throws: RPCError.self) {
                try await client.call(
                    ConversationMethods.Post.self,
                    .init(conversationID: id, author: customer, draft: .init(body: "late", clientMessageID: "late")))
            }
            #expect(refused?.reason == .closed)

            let outbox = try await events(stack)
            #expect(Set(outbox.map(\.subject)) == [id, next.conversation.id])
            let log = outbox.filter { $0.subject == id }
            #expect(log.filter { $0.is(ConversationEvents.Started.self) }.count == 1)
            #expect(log.filter { $0.is(ConversationEvents.MessageCreated.self) }.count == 53)
            #expect(log.filter { $0.is(ConversationEvents.Closed.self) }.count == 1)
            // The start's events carry what the call answered, the conversation first.
            let decoder = WireJSON.decoder()
            #expect(log.first?.is(ConversationEvents.Started.self) == true)
            #expect(try decoder.decode(ConversationRecord.self, from: Data(log[0].payload.utf8)) == started.conversation)
            #expect(try log[1...2].map { try decoder.decode(Message.self, from: Data($0.payload.utf8)) } == started.messages)
        }
    }

    @Test("bad params are refused naming the field, and nothing is stored")
    func badParams() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            let client = stack.client(.conversation)
            let started = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Ayşe", email: nil, visitorID: nil, message: nil))
            let id = started.conversation.id
            let author = Author(kind: .customer, id: started.conversation.customer.id, name: "Ayşe")
            let cases: [(String, () async throws -> Void)] = [
                (
                    "params.name",
                    {
                        _ = try await client.call(
                            ConversationMethods.Start.self, .init(channel: .chat, name: " ", email: nil, visitorID: nil, message: nil))
                    }
                ),
                (
                    "params.email",
                    {
                        _ = try await client.call(
                            ConversationMethods.Start.self, .init(channel: .chat, name: "A", email: "nope", visitorID: nil, message: nil))
                    }
                ),
                (
                    "params.draft.body",
                    {
                        _ = try await client.call(
                            ConversationMethods.Post.self,
                            .init(
                                conversationID: id, author: author,
                                draft: .init(body: String(repeating: "x", count: 10_001), clientMessageID: "x")))
                    }
                ),
                (
                    "params.draft.body",
                    {
                        _ = try await client.call(
                            ConversationMethods.Post.self,
                            .init(conversationID: id, author: author, draft: .init(body: "", clientMessageID: "y"))
                        )
                    }
                ),
                (
                    "params.limit",
                    { _ = try await client.call(ConversationMethods.Messages.self, .init(conversationID: id, afterSeq: 0, limit: 0)) }
                ),
            ]
            for (field, call) in cases {
                let error = await #expect(throws: RPCError.self) { try await call() }
                #expect(error?.data?.field == field)
            }
            let unknown = await #expect(throws: RPCError.self) {
                try await client.call(
                    ConversationMethods.Post.self,
                    .init(conversationID: UUID(), author: author, draft: .init(body: "hi", clientMessageID: "z")))
            }
            #expect(unknown?.reason == .notFound)
            #expect(try await client.call(ConversationMethods.Messages.self, .init(conversationID: id)).items.map(\.seq) == [1])
            let log = try await events(stack)
            #expect(log.count == 2)
        }
    }
    @Test("a visitor's post: theirs only, written as their customer, counted once per new message, refused past the budget")
    func visitorPost() async throws {
        try await Stack.with { stack in
            try await stack.start(.conversation)
            let client = stack.client(.conversation)
            let visitor = UUID()
            let mine = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Ayşe", email: nil, visitorID: visitor, message: nil))
            let theirs = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Mehmet", email: nil, visitorID: UUID(), message: nil))
            let budget = VisitorWrite(visitorID: visitor, perMinute: 3)
            @Sendable func post(
                _ conversation: UUID, _ clientID: String, budget: VisitorWrite = budget
            ) async throws
                -> ConversationMethods.Post.Result
            {
                try await client.call(
                    ConversationMethods.VisitorPost.self,
                    .init(conversationID: conversation, visitor: budget, draft: .init(body: clientID, clientMessageID: clientID)))
            }
            let first = try await post(mine.conversation.id, "a")
            #expect(first.created && first.message.author == Author(kind: .customer, id: mine.conversation.customer.id, name: "Ayşe"))
            // A retry is the same message, and not counted.
            for _ in 0..<5 { #expect(try await post(mine.conversation.id, "a") == .init(message: first.message, created: false)) }
            // Another visitor's conversation is not there for this one; nothing is written or counted.
            let foreign = await #expect(throws: RPCError.self) { try await post(theirs.conversation.id, "b") }
            #expect(foreign?.reason == .notFound)
            let unknown = await #expect(throws: RPCError.self) { try await post(UUID(), "b") }
            #expect(unknown?.reason == .notFound)
            // Two more fill the three; ten at once are all refused with when to try again.
            #expect(try await post(mine.conversation.id, "b").created)
            #expect(try await post(mine.conversation.id, "c").created)
            let refusals = try await withThrowingTaskGroup(of: RPCError?.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do {
                            _ = try await post(mine.conversation.id, "late-\(index)")
                            return nil
                        } catch let error as RPCError { return error }
                    }
                }
                return try await group.reduce(into: [RPCError?]()) { $0.append($1) }
            }
            #expect(refusals.allSatisfy { $0?.reason == .rateLimited }, "\(refusals)")
            let wait = refusals.compactMap { $0?.data?.details?["retry_after"] }.compactMap { value -> Int? in
                if case .string(let text) = value { Int(text) } else { nil }
            }
            #expect(wait.count == 10 && wait.allSatisfy { (1...VisitorWrite.window).contains($0) }, "\(wait)")
            // The visitor's close counts too (the budget is shared): refused now, the chat stays open.
            let close = await #expect(throws: RPCError.self) {
                try await client.call(
                    ConversationMethods.Close.self, .init(conversationID: mine.conversation.id, reason: .customer, visitor: budget))
            }
            #expect(close?.reason == .rateLimited)
            // A budget out of range is the caller's mistake, named.
            let bad = await #expect(throws: RPCError.self) {
                try await post(mine.conversation.id, "d", budget: VisitorWrite(visitorID: visitor, perMinute: 0))
            }
            #expect(bad?.data?.field == "params.visitor.per_minute")
            let stored = try await client.call(ConversationMethods.Messages.self, .init(conversationID: mine.conversation.id)).items
            #expect(stored.map(\.body) == ["Hello! I'm here to help you.", "a", "b", "c"])
            #expect(try await client.call(ConversationMethods.Get.self, .init(conversationID: mine.conversation.id)).closedAt == nil)
        }
    }
}

@Suite("Messages survive a conversation instance dying", .serialized)
struct ConversationFailoverTests {
    @Test("kill one of two conversation instances while 200 messages are sent: every acknowledged one is stored exactly once")
    func failover() async throws {
        try await Stack.with { stack in
            let first = try await stack.start(.conversation, instance: "c1")
            try await stack.start(.conversation, instance: "c2")
            let client = stack.client(.conversation)
            try await Poll.until("both instances connected") { client.connectedInstances == ["c1", "c2"] }
            let started = try await client.call(
                ConversationMethods.Start.self, .init(channel: .chat, name: "Ayşe", email: nil, visitorID: nil, message: nil))
            let id = started.conversation.id
            let author = Author(kind: .customer, id: started.conversation.customer.id, name: "Ayşe")
            let acknowledged = Takes()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        // A sender retries until acknowledged, as the widget does; the client id makes it safe.
                        while true {
                            do {
                                let reply = try await client.call(
                                    ConversationMethods.Post.self,
                                    .init(conversationID: id, author: author, draft: .init(body: "m\(index)", clientMessageID: "k\(index)"))
                                )
                                acknowledged.won(reply.message.id)
                                return
                            } catch let error as RPCError where error.code == RPCError.unavailableCode {
                                continue
                            }
                        }
                    }
                    if index == 60 { first.send(SIGKILL) }
                    if index % 20 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                }
                try await group.waitForAll()
            }
            let stored = try await client.call(ConversationMethods.Messages.self, .init(conversationID: id, afterSeq: 1, limit: 500)).items
            #expect(acknowledged.winners.count == 200)
            #expect(stored.count == 200)
            #expect(Set(stored.compactMap(\.clientMessageID)).count == 200)
            #expect(Set(acknowledged.winners) == Set(stored.map(\.id)))
            #expect(stored.map(\.seq) == Array(2...201))
        }
    }
}
