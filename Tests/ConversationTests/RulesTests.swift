import Contracts
import Foundation
import Testing

@testable import ConversationService

@Suite("What a conversation accepts")
struct RulesTests {
    static func start(
        name: String = "Ayşe", email: String? = nil, body: String? = nil, clientID: String = "c-1"
    ) -> ConversationMethods.Start.Params {
        .init(channel: .chat, name: name, email: email, visitorID: nil, message: body.map { .init(body: $0, clientMessageID: clientID) })
    }

    @Test(
        "starts",
        arguments: [
            (start(), nil as String?),
            (start(name: "  Nazlıcan  "), nil),
            (start(name: ""), "params.name"),
            (start(name: " \n "), "params.name"),
            (start(name: String(repeating: "n", count: 201)), "params.name"),
            (start(email: "ayse@example.com"), nil),
            (start(email: "not an address"), "params.email"),
            (start(email: "a@b"), "params.email"),
            (start(body: "Merhaba, siparişim nerede?"), nil),
            (start(body: "   "), "params.message.body"),
            (start(body: String(repeating: "ğ", count: 10_000)), nil),
            (start(body: String(repeating: "ğ", count: 10_001)), "params.message.body"),
            // PostgreSQL counts Unicode scalars: 5,000 decomposed "é" are 10,000 of them; 5,001 are too many.
            (start(body: String(repeating: "e\u{301}", count: 5_000)), nil),
            (start(body: String(repeating: "e\u{301}", count: 5_001)), "params.message.body"),
            // 8,192 emoji are 32 KiB of UTF-8; one more is over the byte bound.
            (start(body: String(repeating: "😀", count: 8_192)), nil),
            (start(body: String(repeating: "😀", count: 8_193)), "params.message.body"),
            (start(body: "a\u{0}b"), "params.message.body"),
            (start(name: "Ay\u{7}şe"), "params.name"),
            (start(body: "hi", clientID: ""), "params.message.client_message_id"),
            (start(body: "hi", clientID: String(repeating: "x", count: 101)), "params.message.client_message_id"),
        ])
    func starts(params: ConversationMethods.Start.Params, field: String?) {
        #expect(Rules.check(params)?.data?.field == field)
    }

    @Test(
        "reads",
        arguments: [
            (0, nil, 200, nil as String?), (5, nil, 1, nil), (-1, nil, 10, "params.after_seq"), (0, nil, 0, "params.limit"),
            (0, nil, 501, "params.limit"), (0, 10, 100, nil), (0, 1, 100, nil), (0, 0, 100, "params.before_seq"),
            (3, 10, 100, "params.before_seq"),
        ] as [(Int64, Int64?, Int, String?)])
    func reads(after: Int64, before: Int64?, limit: Int, field: String?) {
        let params = ConversationMethods.Messages.Params(conversationID: .init(), afterSeq: after, beforeSeq: before, limit: limit)
        #expect(Rules.check(params)?.data?.field == field)
    }

    @Test(
        "idle_close_minutes: a minute to a week, or never",
        arguments: [(nil, true), (1, true), (10_080, true), (0, false), (-5, false), (10_081, false)] as [(Int?, Bool)])
    func idleClose(minutes: Int?, allowed: Bool) {
        let settings = ConversationSettings(greetingMessage: "Hello", offlineMessage: "Away", idleCloseMinutes: minutes)
        let field = Rules.check(settings)?.data?.field
        #expect(field == (allowed ? nil : "params.settings.idle_close_minutes"))
    }
}
