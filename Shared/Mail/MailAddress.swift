import Foundation

/// A mailbox: an optional display name and an address.
public struct MailAddress: Sendable, Hashable, Codable {
    public var name: String?
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// The mailbox as a header writes it, its name encoded as needed.
    public var header: String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return "\(EncodedWords.displayName(name)) <\(address)>"
    }

    /// The domain after the `@`, for Message-IDs.
    public var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }

    /// Parses one mailbox (`Name <a@b>`, `"Name" <a@b>` or `a@b`); `nil` without a plausible address.
    public static func parse(_ text: String) -> MailAddress? { parseList(text).first }

    /// Parses a list of mailboxes separated by commas outside quotes and angle brackets.
    /// Group syntax and comments are tolerated, not interpreted.
    public static func parseList(_ text: String) -> [MailAddress] {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var inAngle = false
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\" where inQuotes: escaped = true
            case "\"": inQuotes.toggle()
            case "<" where !inQuotes: inAngle = true
            case ">" where !inQuotes: inAngle = false
            case "," where !inQuotes && !inAngle, ";" where !inQuotes && !inAngle:
                items.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        items.append(current)
        return items.compactMap(mailbox)
    }

    static func mailbox(_ raw: String) -> MailAddress? {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // A group's "name:" prefix.
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("<"), !text[..<colon].contains("@") {
            text = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            let address = String(text[text.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            var name = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            return plausible(address) ? MailAddress(name: name.isEmpty ? nil : name, address: address) : nil
        }
        // "a@b (Name)": a trailing comment is the old way to give a name.
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let address = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            let name = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            return plausible(address) ? MailAddress(name: name.isEmpty ? nil : name, address: address) : nil
        }
        return plausible(text) ? MailAddress(name: nil, address: text) : nil
    }

    static func plausible(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && address.count <= 254
            && !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" })
    }
}
