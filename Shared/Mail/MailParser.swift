import Foundation

/// Reads a raw RFC 5322 / MIME message into an `InboundMail`.
public enum MailParser {
    /// Parses `bytes`; throws `MailError` saying what is wrong (no header fields, no sender,
    /// broken MIME, no text).
    public static func parse(_ bytes: [UInt8]) throws -> InboundMail {
        let message = try MIMEPart.parse(bytes[...], requireFields: true)
        guard let fromField = message.field("From") else { throw MailError("the mail has no From header") }
        guard let from = MailAddress.parse(EncodedWords.decode(fromField)) else {
            throw MailError("the From header has no e-mail address")
        }
        let recipients = ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"]
            .flatMap { message.allFields($0) }
            .flatMap { MailAddress.parseList(EncodedWords.decode($0)) }
        guard let text = try text(of: message, depth: 0, preferring: "text/plain") ?? text(of: message, depth: 0, preferring: "text/html")
        else { throw MailError("the mail has no text part") }
        let automatic =
            (message.field("Auto-Submitted").map { $0.lowercased() != "no" } ?? false)
            || ["bulk", "junk", "list", "auto_reply"].contains(message.field("Precedence")?.lowercased() ?? "")
            || message.field("List-Id") != nil
        return InboundMail(
            from: from, recipients: recipients, subject: EncodedWords.decode(message.field("Subject") ?? ""),
            messageID: message.field("Message-ID").flatMap { ids(in: $0).first ?? nonEmpty($0) },
            inReplyTo: message.field("In-Reply-To").map(ids) ?? [], references: message.field("References").map(ids) ?? [],
            text: text, isAutomatic: automatic, attachments: try attachments(of: message, depth: 0)
        )
    }

    /// The parts that are files, depth first: marked as attachments, named, or of a type that is
    /// not text (an image pasted inline, a PDF). The text the customer wrote is not one.
    static func attachments(of part: MIMEPart, depth: Int) throws -> [MailAttachment] {
        let (type, parameters) = part.contentType
        if type.hasPrefix("multipart/") {
            return try part.children(depth: depth + 1).flatMap { try attachments(of: $0, depth: depth + 1) }
        }
        let disposition = part.field("Content-Disposition").map { MIMEPart.splitParameters($0).1 } ?? [:]
        let name = disposition["filename"] ?? parameters["name"] ?? disposition["filename*"].map(extendedValue)
        guard part.isAttachment || name != nil || !type.hasPrefix("text/") else { return [] }
        return [MailAttachment(filename: name.map(EncodedWords.decode), contentType: type, bytes: try part.decodedBody())]
    }

    /// An RFC 2231 value (`UTF-8''%C3%BC.pdf`) as text.
    static func extendedValue(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        let encoded = parts.count == 3 ? String(parts[2]) : value
        return encoded.removingPercentEncoding ?? encoded
    }

    /// The first non-attachment part of type `wanted`, depth first, as text.
    static func text(of part: MIMEPart, depth: Int, preferring wanted: String) throws -> String? {
        let type = part.contentType.type
        if type.hasPrefix("multipart/") {
            for child in try part.children(depth: depth + 1) {
                if let text = try text(of: child, depth: depth + 1, preferring: wanted) { return text }
            }
            return nil
        }
        guard type == wanted, !part.isAttachment else { return nil }
        let decoded = Charsets.decode(try part.decodedBody(), charset: part.contentType.parameters["charset"] ?? "us-ascii")
        return type == "text/html" ? HTMLText.plain(decoded) : decoded
    }

    /// Every `<id>` in a Message-ID, In-Reply-To or References field, without the brackets.
    static func ids(in value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
