import Contracts
import Foundation
import Harness
import Testing
import Wire

/// Requests that must keep being served while the test's big reads run; returns their statuses.
private func bystander(_ stack: Stack, port: Int, token: String, until done: @escaping @Sendable () -> Bool) async throws -> [Int] {
    var statuses: [Int] = []
    var round = 0
    while !done() || round < 3 {
        for path in ["/healthz", "/readyz", "/api/v1/messages", "/api/v1/notifications"] {
            statuses.append(try await stack.http("GET", path, port: port, headers: ["Authorization": "Bearer \(token)"]).status)
        }
        let other = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Bystander \(round)"])
        statuses.append(other.status)
        round += 1
    }
    return statuses
}

/// A flag a reader sets when it is done.
private final class Done: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

@Suite("Large data: lists and conversations read a bounded page at a time", .serialized)
struct LargeDataTests {
    @Test(
        "5,000 waiting chats: the Pool reads page by page, each reply bounded, every chat once in waiting order; the desk is served meanwhile"
    )
    func fullPool() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            // Started on the conversation service's own socket, 25 at a time: what fills the
            // Pool does not matter here, reading it does.
            let conversations = stack.client(.conversation)
            var started = Set<String>()
            for batch in stride(from: 0, to: 5_000, by: 25) {
                let ids = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in batch..<(batch + 25) {
                        group.addTask {
                            let result = try await conversations.call(
                                ConversationMethods.Start.self,
                                .init(channel: .chat, name: "Waiting \(index)", email: nil, visitorID: UUID(), message: nil),
                                idempotencyKey: "full-pool-\(index)")
                            return result.conversation.id.uuidString.lowercased()
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                started.formUnion(ids)
            }
            #expect(started.count == 5_000)
            try await Poll.until("5,000 chats in the Pool", timeout: .seconds(180)) {
                try await stack.http("GET", "/api/v1/pool?limit=1", port: port, headers: ["Authorization": "Bearer \(admin)"]).page?.total
                    == 5_000
            }

            let done = Done()
            async let served = bystander(stack, port: port, token: admin, until: { done.isSet })
            var seen: [String] = []
            var waitingSince: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/api/v1/pool?limit=500" + (cursor.map { "&cursor=\($0)" } ?? "")
                let reply = try await stack.http("GET", path, port: port, headers: ["Authorization": "Bearer \(admin)"])
                #expect(reply.status == 200)
                #expect(reply.body.count < 512 * 1024, "a page of \(reply.body.count) bytes")
                let page = try #require(reply.page)
                #expect((page.total ?? 0) >= 5_000)
                seen += page.items.compactMap { ($0["id"] as? String)?.lowercased() }
                waitingSince += page.items.compactMap { $0["waiting_since"] as? String }
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 100
            done.set()
            #expect(try await served.allSatisfy { $0 == 200 || $0 == 201 })
            #expect(pages >= 10)
            #expect(Set(seen).count == seen.count, "a chat shown twice")
            #expect(started.subtracting(seen).count == 0, "chats never shown")
            #expect(waitingSince == waitingSince.sorted(), "not in waiting order")

            // The default page is 100; out-of-range limits and made-up cursors are 422 naming the parameter.
            let first = try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(admin)"])
            #expect(first.items.count == 100 && first.page?.nextCursor != nil)
            for (query, field) in [("limit=501", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"), ("cursor=made-up!", "cursor")] {
                let refused = try await stack.json("GET", "/api/v1/pool?\(query)", port: port, token: admin)
                #expect(refused.status == 422 && errorField(refused.object) == field, "\(query): \(refused.status)")
            }
        }
    }

    @Test("100 messages of the largest size: read forwards and back a bounded page at a time, streamed live, replayed from a cursor")
    func largestMessages() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let id = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("the chat in the Pool") {
                try await stack.json("POST", "/api/v1/pool/\(id)/take", port: port, token: admin).status == 200
            }
            let live = try await LiveStream.open(port: port, token: admin)
            let before = try #require(live.cursor)

            // 8,192 emoji are 32 KiB of UTF-8, the most a body may hold; one more is refused.
            let largest = String(repeating: "😀", count: MessageBody.maximumBytes / 4)
            let path = "/api/v1/visitor/conversations/\(id)/messages"
            let over = try await stack.json(
                "POST", path, port: port, token: visitor, body: ["body": largest + "😀", "client_message_id": "over"])
            #expect(over.status == 422 && errorField(over.object) == "body")
            for index in 0..<100 {
                let posted = try await stack.json(
                    "POST", path, port: port, token: visitor,
                    body: ["body": "\(index) " + largest.dropFirst(), "client_message_id": "big-\(index)"])
                #expect(posted.status == 201, "message \(index): \(posted.status) \(posted.object)")
            }
            for index in 0..<100 {
                try await live.next("message \(index) live", timeout: .seconds(60)) { frame in
                    frame["type"] as? String == "message.created"
                        && ((frame["data"] as? [String: Any])?["body"] as? String)?.hasPrefix("\(index) ") == true
                }
            }

            let done = Done()
            async let served = bystander(stack, port: port, token: admin, until: { done.isSet })
            // Forwards, as the operator and as the visitor: 101 messages (the greeting first), in order.
            for (reader, token) in [("/api/v1/conversations/\(id)/messages", admin), (path, visitor)] {
                var seqs: [Int] = []
                var cursor: String?
                repeat {
                    let reply = try await stack.http(
                        "GET", reader + "?limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), port: port,
                        headers: ["Authorization": "Bearer \(token)"])
                    #expect(reply.status == 200)
                    #expect(reply.body.count < 512 * 1024, "a page of \(reply.body.count) bytes")
                    let page = try #require(reply.page)
                    #expect(!page.items.isEmpty)
                    seqs += page.items.compactMap { $0["seq"] as? Int }
                    cursor = page.nextCursor
                } while cursor != nil && seqs.count < 1_000
                #expect(seqs == Array(1...101))
            }
            // Back from the end, as the console and widget scroll: the same messages, newest page first.
            var back: [[Int]] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "cursor=\($0)" } ?? "before_seq=102"
                let page = try #require(
                    try await stack.http(
                        "GET", "/api/v1/conversations/\(id)/messages?\(query)", port: port, headers: ["Authorization": "Bearer \(admin)"]
                    ).page)
                back.append(page.items.compactMap { $0["seq"] as? Int })
                cursor = page.nextCursor
            } while cursor != nil && back.count < 200
            #expect(back.count > 1)
            #expect(back.reversed().flatMap { $0 } == Array(1...101))
            done.set()
            #expect(try await served.allSatisfy { $0 == 200 || $0 == 201 })

            // A console that was away over all of them catches up from its cursor (the replay comes
            // before `ready`, so some or all of it is read by the time the stream opens), in order.
            func number(_ frame: [String: Any]) -> Int? {
                guard frame["type"] as? String == "message.created", let body = (frame["data"] as? [String: Any])?["body"] as? String,
                    body.utf8.count > 30_000
                else { return nil }
                return Int(body.prefix { $0 != " " })
            }
            let resumed = try await LiveStream.open(port: port, token: admin, cursor: before)
            var replayed = resumed.frames.compactMap(number)
            while replayed.count < 100 {
                replayed.append(number(try await resumed.next("the replayed messages", timeout: .seconds(60)) { number($0) != nil })!)
            }
            #expect(replayed == Array(0..<100))
        }
    }
}
