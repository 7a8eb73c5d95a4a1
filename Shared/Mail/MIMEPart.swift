import Foundation

/// One entity of a MIME message: its header fields (unfolded, undecoded) and its raw body.
struct MIMEPart {
    var fields: [(name: String, value: String)]
    var body: ArraySlice<UInt8>

    /// The first field called `name` (case-insensitive).
    func field(_ name: String) -> String? { fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }

    func allFields(_ name: String) -> [String] { fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value) }

    /// The media type in lower case (`text/plain` when absent, as RFC 2045 says) and its parameters.
    var contentType: (type: String, parameters: [String: String]) {
        guard let value = field("Content-Type") else { return ("text/plain", [:]) }
        let (type, parameters) = Self.splitParameters(value)
        return (type.isEmpty || !type.contains("/") ? "text/plain" : type.lowercased(), parameters)
    }

    var isAttachment: Bool {
        guard let value = field("Content-Disposition") else { return false }
        return Self.splitParameters(value).0.lowercased() == "attachment"
    }

    /// Parses an entity: header fields up to the first empty line, then the body.
    static func parse(_ bytes: ArraySlice<UInt8>, requireFields: Bool) throws -> MIMEPart {
        var fields: [(name: String, value: String)] = []
        var index = bytes.startIndex
        var lineNumber = 0
        while index < bytes.endIndex {
            let (line, next) = Self.line(in: bytes, from: index)
            lineNumber += 1
            if line.isEmpty {
                index = next
                return MIMEPart(fields: fields, body: bytes[index...])
            }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                guard !fields.isEmpty else { throw MailError("line \(lineNumber) continues a header field that does not exist") }
                fields[fields.count - 1].value += " " + text(line).trimmingCharacters(in: .whitespaces)
            } else if lineNumber == 1, line.starts(with: Array("From ".utf8)) {
                // An mbox separator before the first field: not part of the message.
            } else {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                    line[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
                else {
                    if fields.isEmpty && requireFields { throw MailError("the mail has no header fields") }
                    throw MailError("line \(lineNumber) of the header is not a header field (\"Name: value\")")
                }
                fields.append((text(line[..<colon]), text(line[(colon + 1)...]).trimmingCharacters(in: .whitespaces)))
            }
            index = next
        }
        if fields.isEmpty && requireFields { throw MailError("the mail has no header fields") }
        return MIMEPart(fields: fields, body: bytes[bytes.endIndex...])
    }

    /// The line starting at `start` without its CRLF or LF, and where the next line starts.
    static func line(in bytes: ArraySlice<UInt8>, from start: Int) -> (ArraySlice<UInt8>, Int) {
        guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return (bytes[start...], bytes.endIndex) }
        let end = newline > start && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
        return (bytes[start..<end], newline + 1)
    }

    /// Header bytes as text: UTF-8 (RFC 6532) when valid, else Latin-1 so nothing is lost.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(UnicodeScalar($0)) })
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

    /// The body with its Content-Transfer-Encoding undone.
    func decodedBody() throws -> [UInt8] {
        switch field("Content-Transfer-Encoding")?.lowercased().trimmingCharacters(in: .whitespaces) ?? "7bit" {
        case "quoted-printable":
            return QuotedPrintable.decode(Array(body))
        case "base64":
            let compact = body.filter { !($0 == 13 || $0 == 10 || $0 == 32 || $0 == 9) }
            guard let data = Data(base64Encoded: Data(compact)) else { throw MailError("a base64 part is not valid base64") }
            return Array(data)
        case "7bit", "8bit", "binary", "":
            return Array(body)
        case let other:
            throw MailError("unknown Content-Transfer-Encoding \"\(other)\"")
        }
    }

    /// The parts of a multipart body, split at its boundary; the preamble and epilogue dropped.
    func children(depth: Int) throws -> [MIMEPart] {
        guard depth < 10 else { throw MailError("MIME parts are nested more than 10 deep") }
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
            throw MailError("a multipart part has no boundary parameter")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [(bodyStart: Int, lineStart: Int)] = []
        var closedAt: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let (line, next) = Self.line(in: body, from: index)
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                if rest.starts(with: Array("--".utf8)) {
                    closedAt = index
                    break
                }
                if rest.allSatisfy({ $0 == 32 || $0 == 9 }) { starts.append((next, index)) }
            }
            index = next
        }
        guard !starts.isEmpty else { throw MailError("no part of the multipart body starts with its boundary \"\(boundary)\"") }
        var parts: [MIMEPart] = []
        for (position, start) in starts.enumerated() {
            var end = position + 1 < starts.count ? starts[position + 1].lineStart : (closedAt ?? body.endIndex)
            // The CRLF before a delimiter belongs to the delimiter.
            if end > start.bodyStart, body[end - 1] == UInt8(ascii: "\n") { end -= 1 }
            if end > start.bodyStart, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            parts.append(try MIMEPart.parse(body[start.bodyStart..<max(end, start.bodyStart)], requireFields: false))
        }
        return parts
    }
}
