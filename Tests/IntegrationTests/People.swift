import Foundation
import Harness
import Logging
import Storage
import Testing

/// What the people tests share: reading the identity schema as an operator with psql would.
extension Stack {
    /// Rows of one query against the stack's database, each column as text (NULL as "").
    func rows(_ statement: String) async throws -> [[String: String]] {
        let database = Database(url: databaseURL, size: 1, logger: Logger(label: "test"))
        return try await withRunning(database) {
            let rows = try await database.query(SQL(unescaped: statement))
            return try rows.map { row in
                var values: [String: String] = [:]
                for column in rows.columns { values[column] = try row.decode(column, as: String?.self) ?? "" }
                return values
            }
        }
    }

    /// The operators' audit of `operatorID`, oldest first, as `change from→to by`.
    func operatorChanges(_ operatorID: String) async throws -> [String] {
        try await rows(
            """
            SELECT change, from_value, to_value, by_name FROM identity.operator_changes WHERE operator_id = '\(operatorID)' ORDER BY id
            """
        ).map { row in
            let (change, from, to, by) = (row["change"] ?? "", row["from_value"] ?? "", row["to_value"] ?? "", row["by_name"] ?? "")
            return from.isEmpty && to.isEmpty ? "\(change) by \(by)" : "\(change) \(from)→\(to) by \(by)"
        }
    }

    /// The id of the operator behind `token`.
    func operatorID(port: Int, token: String) async throws -> String {
        try #require(try await json("GET", "/api/v1/me", port: port, token: token).object["id"] as? String)
    }

    /// The operators list as `[email: entry]`.
    func operatorsByEmail(port: Int, token: String) async throws -> [String: [String: Any]] {
        let list = try await http("GET", "/api/v1/operators?limit=500", port: port, headers: ["Authorization": "Bearer \(token)"])
        return Dictionary(list.items.map { ($0["email"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }
}
