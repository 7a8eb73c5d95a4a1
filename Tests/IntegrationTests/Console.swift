import Foundation
import Harness
import Testing

/// What the console does before a test's real work: log in, create operators.
extension Stack {
    static let adminEnvironment = ["SWITCHBOARD_ADMIN_EMAIL": "admin@example.com", "SWITCHBOARD_ADMIN_PASSWORD": "correct horse battery"]

    /// Logs in and returns the session token.
    func login(port: Int, _ email: String, _ password: String = "password-123") async throws -> String {
        let reply = try await json("POST", "/api/v1/auth/login", port: port, body: ["email": email, "password": password])
        return try #require(reply.object["token"] as? String, "login of \(email): \(reply.status)")
    }

    /// The first admin's session (the gateway was started with `adminEnvironment`).
    func adminToken(port: Int) async throws -> String {
        try await login(port: port, "admin@example.com", "correct horse battery")
    }

    /// Creates an operator as `admin` and returns their session token.
    func newOperator(port: Int, admin: String, name: String, email: String) async throws -> String {
        let created = try await json(
            "POST", "/api/v1/operators", port: port, token: admin,
            body: ["name": name, "email": email, "password": "password-123", "role": "operator"])
        #expect(created.status == 201, "creating \(email)")
        return try await login(port: port, email)
    }
}
