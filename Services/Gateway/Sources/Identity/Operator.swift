import Contracts
import Foundation

/// Someone who answers customers. Admins also manage operators and Customizations.
struct Operator: Codable, Sendable, Equatable {
    enum Role: String, Codable, Sendable, CaseIterable {
        case admin
        case `operator`
    }

    var id: UUID
    var name: String
    var email: String
    var role: Role
    /// A deactivated operator cannot log in and holds no session; admins may reactivate them.
    var active = true

    /// Whether they count towards "an active admin remains".
    var isActiveAdmin: Bool { active && role == .admin }
}

extension Operator {
    /// How the pool's roster names them.
    var rosterEntry: RosterEntry {
        RosterEntry(id: id, name: name, role: role == .admin ? .admin : .operator)
    }
}

/// What an admin sends to create an operator, checked before anything is stored.
struct NewOperator: Decodable, Sendable {
    var name: String
    var email: String
    var password: String
    var role: Operator.Role

    /// The first rule the fields break, as the 422 to answer; `nil` when all hold.
    func problem() -> APIError? {
        if let problem = Identity.nameProblem(name) { return .invalid(field: "name", problem) }
        if let problem = Identity.emailProblem(email) { return .invalid(field: "email", problem) }
        if let problem = Identity.passwordProblem(password) { return .invalid(field: "password", problem) }
        return nil
    }
}

/// The pure rules of identity: what a name, an e-mail and a password must be.
enum Identity {
    static func nameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "name must not be empty" }
        if trimmed.count > 200 { return "name must be at most 200 characters" }
        return nil
    }

    static func emailProblem(_ email: String) -> String? {
        EmailAddress.isPlausible(email) ? nil : "email must be an address like name@example.com"
    }

    /// bcrypt reads at most 72 bytes: a longer password would be silently cut.
    static func passwordProblem(_ password: String) -> String? {
        let bytes = password.utf8.count
        if bytes < 8 { return "password must be at least 8 bytes" }
        if bytes > 72 { return "password must be at most 72 bytes" }
        return nil
    }

    /// E-mail addresses compare without case.
    static func normalized(email: String) -> String {
        email.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
