import Contracts
import Foundation

/// What an admin sends to change an operator (`PATCH /operators/{id}`): only the fields given change.
struct OperatorEdit: Decodable, Sendable {
    var name: String?
    var email: String?
    var role: Operator.Role?
    var active: Bool?

    /// The first rule the fields break, as the 422 to answer; `nil` when all hold.
    func problem() -> APIError? {
        if name == nil, email == nil, role == nil, active == nil {
            return .invalid(field: "body", "give at least one of name, email, role and active")
        }
        if let name, let problem = Identity.nameProblem(name) { return .invalid(field: "name", problem) }
        if let email, let problem = Identity.emailProblem(email) { return .invalid(field: "email", problem) }
        return nil
    }

    /// The operator as this edit leaves them.
    func applied(to account: Operator) -> Operator {
        var changed = account
        if let name { changed.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let email { changed.email = Identity.normalized(email: email) }
        if let role { changed.role = role }
        if let active { changed.active = active }
        return changed
    }
}

/// One line of the operators' audit: who changed what of whom, and when.
struct OperatorChange: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case name, email, role, deactivated, reactivated
        /// An admin set a new password.
        case passwordSet = "password_set"
        /// The operator changed their own.
        case passwordChanged = "password_changed"
        /// Through a mailed link.
        case passwordReset = "password_reset"
    }

    var kind: Kind
    var from: String?
    var to: String?

    /// The lines an edit from `before` to `after` writes, one per thing changed.
    static func between(_ before: Operator, _ after: Operator) -> [OperatorChange] {
        var changes: [OperatorChange] = []
        if before.name != after.name { changes.append(.init(kind: .name, from: before.name, to: after.name)) }
        if before.email != after.email { changes.append(.init(kind: .email, from: before.email, to: after.email)) }
        if before.role != after.role { changes.append(.init(kind: .role, from: before.role.rawValue, to: after.role.rawValue)) }
        if before.active != after.active { changes.append(.init(kind: after.active ? .reactivated : .deactivated)) }
        return changes
    }
}

extension Identity {
    /// Whether changing `before` into `after` would leave the desk without an active admin, when
    /// `otherActiveAdmins` others are active admins: nobody could then manage operators or settings.
    static func leavesNoAdmin(_ before: Operator, _ after: Operator, otherActiveAdmins: Int) -> Bool {
        before.isActiveAdmin && !after.isActiveAdmin && otherActiveAdmins == 0
    }
}
