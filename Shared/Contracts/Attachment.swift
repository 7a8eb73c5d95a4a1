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
