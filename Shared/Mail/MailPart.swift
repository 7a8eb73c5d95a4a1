import Foundation

/// A MIME entity of a mail we send: a leaf with its header fields and encoded body, or a
/// multipart of other entities. Rendering gives the fields and the body apart, so the top
/// entity's fields join the mail's own header.
public indirect enum MailPart: Sendable {
    case leaf(headers: [(String, String)], body: String)
    case multipart(subtype: String, boundary: String, parts: [MailPart])

    /// The entity's header fields and its body (CRLF line ends).
    public func rendered() -> (headers: [(String, String)], body: String) {
        switch self {
        case .leaf(let headers, let body):
            return (headers, body)
        case .multipart(let subtype, let boundary, let parts):
            var body = "This is a message in MIME format.\r\n"
            for part in parts {
                let (headers, content) = part.rendered()
                body += "--\(boundary)\r\n" + headers.map { OutgoingMail.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n")
                body += "\r\n\r\n" + content
            }
            body += "--\(boundary)--\r\n"
            // The boundary on a line of its own: the header stays within 78 characters.
            return ([("Content-Type", "multipart/\(subtype);\r\n boundary=\"\(boundary)\"")], body)
        }
    }

    /// The line standing for a file's base64 lines in a queued mail: `=?attachment:<id>?=`. No
    /// base64 line starts with `=`, nor does any header or quoted-printable line of ours.
    public static func attachmentMarker(_ id: String) -> String { "=?attachment:\(id)?=" }

    /// The file id a queued mail's line stands for, if it is a marker.
    public static func attachmentID(inMarker line: Substring) -> String? {
        guard line.hasPrefix("=?attachment:"), line.hasSuffix("?=") else { return nil }
        return String(line.dropFirst("=?attachment:".count).dropLast(2))
    }
}

/// A file to send with a mail: its id in storage, name and media type.
public struct OutgoingAttachment: Sendable, Hashable {
    public var id: String
    public var filename: String
    public var contentType: String

    public init(id: String, filename: String, contentType: String) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
    }

    /// Its part, the bytes base64 at send time.
    var part: MailPart {
        let ascii = String(
            String.UnicodeScalarView(
                filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? $0 : "_" }))
        var encoded = ""
        for byte in filename.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "-._~".utf8.contains(byte)
            {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        // The exact name as RFC 2231 says (`filename*`) where today's readers look; the old `name`
        // as an RFC 2047 word for those that know only it.
        let name = filename.unicodeScalars.allSatisfy(\.isASCII) ? ascii : EncodedWords.encode(filename)
        return .leaf(
            headers: [
                ("Content-Type", "\(contentType); name=\"\(name)\""),
                ("Content-Disposition", "attachment; filename*=UTF-8''\(encoded)"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            body: MailPart.attachmentMarker(id) + "\r\n")
    }
}
