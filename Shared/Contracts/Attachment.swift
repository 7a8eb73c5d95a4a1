import Foundation

/// A file a message carries: what the API shows of it. The bytes are in storage, fetched with
/// `GET /api/v1/attachments/{id}`, never in a message or on a wire line.
public struct Attachment: Codable, Sendable, Hashable {
    public var id: UUID
    /// The sanitized name (no path, no controls, at most `AttachmentRules.maximumFilename` characters).
    public var filename: String
    /// The media type without parameters, checked against the bytes (`image/png`).
    public var contentType: String
    /// Bytes.
    public var size: Int64

    public init(id: UUID, filename: String, contentType: String, size: Int64) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size
        case contentType = "content_type"
    }
}

extension Message {
    /// The message's first line for a list or a notification; for files without words, what they are
    /// ("📎 fatura.pdf", "📎 3 files").
    public var firstLine: String {
        let line = body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard line.trimmingCharacters(in: .whitespaces).isEmpty, let first = attachments.first else { return line }
        return attachments.count == 1 ? "📎 \(first.filename)" : "📎 \(attachments.count) files"
    }
}
