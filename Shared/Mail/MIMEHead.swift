import Foundation

/// The header of one MIME entity: its fields, unfolded and undecoded.
public struct MIMEHead: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public var fields: [Field] = []

    /// The first field called `name` (case-insensitive).
    public func field(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func allFields(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The media type in lower case (`text/plain` when absent, as RFC 2045 says) and its parameters.
    public var contentType: (type: String, parameters: [String: String]) {
        guard let value = field("Content-Type") else { return ("text/plain", [:]) }
        let (type, parameters) = Self.splitParameters(value)
        return (type.isEmpty || !type.contains("/") ? "text/plain" : type.lowercased(), parameters)
    }

    public var isMultipart: Bool { contentType.type.hasPrefix("multipart/") }

    public var isAttachment: Bool {
        guard let value = field("Content-Disposition") else { return false }
        return Self.splitParameters(value).0.lowercased() == "attachment"
    }

    /// The file name the sender gave (decoded, unchecked): the disposition's `filename`, the
    /// type's `name`, or an RFC 2231 `filename*`.
    public var filename: String? {
        let disposition = field("Content-Disposition").map { Self.splitParameters($0).1 } ?? [:]
        let name = disposition["filename"] ?? contentType.parameters["name"] ?? disposition["filename*"].map(Self.extendedValue)
        return name.map(EncodedWords.decode)
    }

    /// A file rather than the text someone wrote: marked as an attachment, named, or of a type
    /// that is not text (an image pasted inline, a PDF).
    public var isFile: Bool { isAttachment || filename != nil || !contentType.type.hasPrefix("text/") }

    /// An RFC 2231 value (`UTF-8''%C3%BC.pdf`) as text.
    static func extendedValue(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        let encoded = parts.count == 3 ? String(parts[2]) : value
        return encoded.removingPercentEncoding ?? encoded
    }

    /// `value; name=param; name="quoted param"` → the value and the parameters (names lower-cased).
    static func splitParameters(_ value: String) -> (String, [String: String]) {
        var pieces: [String] = []
        var current = ""
        var inQuotes = false
        for character in value {
            if character == "\"" { inQuotes.toggle() }
            if character == ";" && !inQuotes {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var parameter = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if parameter.hasPrefix("\""), parameter.hasSuffix("\""), parameter.count >= 2 {
                parameter = String(parameter.dropFirst().dropLast())
            }
            parameters[name] = parameter
        }
        return (pieces[0].trimmingCharacters(in: .whitespaces), parameters)
    }

    /// Header bytes as text: UTF-8 (RFC 6532) when valid, else Latin-1 so nothing is lost.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(UnicodeScalar($0)) })
    }
}
