import Contracts
import Foundation
import Runtime
import Testing

@testable import GatewayService

@Suite("The rules of managing operators")
struct PeopleRulesTests {
    static let admin = Operator(id: UUID(), name: "Ayşe", email: "ayse@example.com", role: .admin)

    @Test(
        "a change leaves no active admin only when it demotes or deactivates the last one",
        arguments: [
            // role after, active after, other active admins, refused
            (Operator.Role.operator, true, 0, true),
            (.admin, false, 0, true),
            (.operator, false, 0, true),
            (.admin, true, 0, false),
            (.operator, true, 1, false),
            (.admin, false, 2, false),
        ])
    func lastAdmin(role: Operator.Role, active: Bool, others: Int, refused: Bool) {
        var after = Self.admin
        after.role = role
        after.active = active
        #expect(Identity.leavesNoAdmin(Self.admin, after, otherActiveAdmins: others) == refused)
    }

    @Test("an operator who is no active admin never counts as the last one")
    func notAnAdmin() {
        var before = Self.admin
        before.role = .operator
        var after = before
        after.active = false
        #expect(!Identity.leavesNoAdmin(before, after, otherActiveAdmins: 0))
        before.role = .admin
        before.active = false
        after = before
        after.role = .operator
        #expect(!Identity.leavesNoAdmin(before, after, otherActiveAdmins: 0))
    }

    @Test("an edit changes only what it names, trimmed and lower-cased, and the audit has a line per change")
    func edit() throws {
        let edit = OperatorEdit(name: "  Ayşe Yılmaz ", email: "Ayse.Yilmaz@Example.com", role: nil, active: false)
        #expect(edit.problem() == nil)
        let after = edit.applied(to: Self.admin)
        #expect(after.name == "Ayşe Yılmaz")
        #expect(after.email == "ayse.yilmaz@example.com")
        #expect(after.role == .admin)
        #expect(
            OperatorChange.between(Self.admin, after) == [
                .init(kind: .name, from: "Ayşe", to: "Ayşe Yılmaz"),
                .init(kind: .email, from: "ayse@example.com", to: "ayse.yilmaz@example.com"), .init(kind: .deactivated),
            ])
        #expect(OperatorChange.between(after, Self.admin).last == .init(kind: .reactivated))
        #expect(OperatorChange.between(Self.admin, Self.admin) == [])
    }

    @Test(
        "an edit names the field it breaks",
        arguments: [
            (OperatorEdit(name: nil, email: nil, role: nil, active: nil), "body"),
            (OperatorEdit(name: " ", email: nil, role: nil, active: nil), "name"),
            (OperatorEdit(name: nil, email: "nope", role: nil, active: true), "email"),
        ])
    func problems(edit: OperatorEdit, field: String) {
        #expect(edit.problem()?.details["field"] == field)
    }

    @Test("SWITCHBOARD_PUBLIC_URL: http(s) with a host, without its trailing slash; localhost and the port by default")
    func publicURL() throws {
        #expect(try GatewayConfiguration.publicURL(nil, port: 8080) == "http://localhost:8080")
        #expect(try GatewayConfiguration.publicURL("https://desk.example.com/", port: 8080) == "https://desk.example.com")
        #expect(try GatewayConfiguration.publicURL("https://example.com/support", port: 1) == "https://example.com/support")
        for bad in ["desk.example.com", "ftp://example.com", "https://", "https://example.com/?a=b", "https://example.com/#x"] {
            #expect(throws: Configuration.Invalid.self, "\(bad)") { try GatewayConfiguration.publicURL(bad, port: 8080) }
        }
        #expect(try GatewayConfiguration(environment: ["SWITCHBOARD_HTTP_PORT": "9000"]).publicURL == "http://localhost:9000")
    }

    @Test("the reset mail's link carries the token in the fragment of the console's address")
    func resetLink() {
        let notice = ResetLetter.notice(to: Self.admin, token: "abc_-123", publicURL: "https://desk.example.com")
        #expect(notice.to == "ayse@example.com")
        #expect(notice.text.contains("\nhttps://desk.example.com/console/#reset=abc_-123\n"))
        #expect(!notice.subject.contains("\n"))
    }
}
