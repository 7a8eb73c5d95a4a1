import CLibPQ
import Foundation

/// Reads and rewrites libpq connection strings, in either form (`key=value ...` or a URI).
public enum ConnectionString {
    /// The string's settings, or `nil` with libpq's reason when it does not parse.
    public static func parse(_ conninfo: String) -> Result<[String: String], DatabaseError> {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "invalid connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            return .failure(DatabaseError(.connection, message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        defer { PQconninfoFree(options) }
        var settings: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                settings[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return .success(settings)
    }

    /// The same connection with some settings replaced (e.g. another `dbname`), as `key=value`.
    public static func replacing(_ replacements: [String: String], in conninfo: String) throws -> String {
        var settings = try parse(conninfo).get()
        settings.merge(replacements) { $1 }
        return settings.sorted { $0.key < $1.key }
            .map { "\($0.key)='\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
            .joined(separator: " ")
    }
}
