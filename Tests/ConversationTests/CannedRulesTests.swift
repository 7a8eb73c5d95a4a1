import Contracts
import Foundation
import Testing

@testable import ConversationService

@Suite("What a canned response accepts, and how it is filled in")
struct CannedRulesTests {
    static func draft(
        shortcut: String = "hello", title: String = "Hello", body: String = "Hi", scope: CannedScope = .personal
    ) -> CannedDraft {
        .init(shortcut: shortcut, title: title, body: body, scope: scope)
    }

    @Test(
        "drafts",
        arguments: [
            (draft(), nil as String?),
            (draft(shortcut: "a"), nil),
            (draft(shortcut: "refund_policy-2"), nil),
            (draft(shortcut: String(repeating: "a", count: 32)), nil),
            (draft(shortcut: String(repeating: "a", count: 33)), "params.draft.shortcut"),
            (draft(shortcut: ""), "params.draft.shortcut"),
            (draft(shortcut: "Hello"), "params.draft.shortcut"),
            (draft(shortcut: "merhaba-ş"), "params.draft.shortcut"),
            (draft(shortcut: "two words"), "params.draft.shortcut"),
            (draft(title: " \n"), "params.draft.title"),
            (draft(title: String(repeating: "t", count: 101)), "params.draft.title"),
            (draft(title: "tab\there"), nil),
            (draft(title: "bell\u{7}"), "params.draft.title"),
            (draft(body: ""), "params.draft.body"),
            (draft(body: String(repeating: "b", count: 5_000)), nil),
            (draft(body: String(repeating: "b", count: 5_001)), "params.draft.body"),
            (draft(body: "Hi {{customer.name}}, {{ operator.first_name }} here"), nil),
            (draft(body: "{{customer.email}} {{customer.first_name}} {{operator.name}}"), nil),
            (draft(body: "Hi {{customer.surname}}"), "params.draft.body"),
            (draft(body: "Hi {{}}"), "params.draft.body"),
            (draft(body: "a lone {{ brace is text"), nil),
        ]
    )
    func drafts(draft: CannedDraft, field: String?) {
        #expect(CannedRules.check(draft)?.data?.field == field)
    }

    @Test("an unknown placeholder is named in the refusal")
    func unknownNamed() {
        #expect(CannedRules.check(Self.draft(body: "{{customer.name}} {{order.id}}"))?.message.contains("{{order.id}}") == true)
    }

    static let values = CannedRules.Values(
        customer: Customer(id: UUID(), name: "Ayşe Yılmaz", email: "ayse@example.org"),
        operator: OperatorRef(id: UUID(), name: "Can Öztürk"))

    @Test(
        "fills",
        arguments: [
            ("Hello {{customer.first_name}}!", "Hello Ayşe!"),
            ("{{customer.name}} <{{ customer.email }}>", "Ayşe Yılmaz <ayse@example.org>"),
            ("— {{operator.name}} ({{operator.first_name}})", "— Can Öztürk (Can)"),
            ("no placeholders", "no placeholders"),
            ("{{customer.name}}{{customer.name}}", "Ayşe YılmazAyşe Yılmaz"),
            ("unclosed {{customer.name", "unclosed {{customer.name"),
            ("{{unknown}} stays", "{{unknown}} stays"),
        ]
    )
    func fills(template: String, expected: String) {
        #expect(CannedRules.fill(template, with: Self.values) == expected)
    }

    @Test("a customer without an e-mail or with a one-word name")
    func sparseCustomer() {
        let values = CannedRules.Values(customer: Customer(id: UUID(), name: "Mehmet", email: nil), operator: Self.values.operator)
        #expect(CannedRules.fill("{{customer.first_name}}:{{customer.email}}.", with: values) == "Mehmet:.")
    }
}
