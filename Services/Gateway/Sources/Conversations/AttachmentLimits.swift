import Contracts
import Foundation
import Runtime

/// What an upload may be, from the gateway's settings.
public struct AttachmentLimits: Sendable {
    /// A file's size at most (`SWITCHBOARD_ATTACHMENT_MAX_BYTES`, default 10 MiB): 413 above.
    public var maximumBytes: Int
    /// The media types taken (`SWITCHBOARD_ATTACHMENT_TYPES`, comma-separated; default images
    /// png/jpeg/gif/webp, PDF, plain text and CSV, and the Office and OpenDocument formats): 415
    /// for others. Only types whose bytes the desk can check may be named.
    public var types: Set<String>
    /// Files one visitor may upload in a day (`SWITCHBOARD_ATTACHMENT_UPLOADS_PER_DAY`, default 50): 429 above.
    public var uploadsPerDay: Int
    /// Bytes one visitor may upload in a day (`SWITCHBOARD_ATTACHMENT_BYTES_PER_DAY`, default 100 MiB): 429 above.
    public var bytesPerDay: Int64

    static let day = 24 * 3600

    public init(
        maximumBytes: Int = AttachmentRules.defaultMaximumBytes, types: Set<String> = Set(AttachmentRules.defaultTypes),
        uploadsPerDay: Int = 50, bytesPerDay: Int64 = 100 << 20
    ) {
        self.maximumBytes = maximumBytes
        self.types = types
        self.uploadsPerDay = uploadsPerDay
        self.bytesPerDay = bytesPerDay
    }

    init(_ reader: EnvironmentReader) throws {
        maximumBytes = try reader.integer(
            "SWITCHBOARD_ATTACHMENT_MAX_BYTES", default: AttachmentRules.defaultMaximumBytes, range: 1...(1 << 30))
        if let listed = reader.value("SWITCHBOARD_ATTACHMENT_TYPES") {
            let named = listed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            if let unknown = named.first(where: { AttachmentRules.signatures[$0] == nil }) {
                throw Configuration.Invalid(
                    variable: "SWITCHBOARD_ATTACHMENT_TYPES",
                    reason:
                        "\(unknown) cannot be checked against its bytes; choose among \(AttachmentRules.defaultTypes.joined(separator: ", "))"
                )
            }
            types = Set(named)
        } else {
            types = Set(AttachmentRules.defaultTypes)
        }
        uploadsPerDay = try reader.integer("SWITCHBOARD_ATTACHMENT_UPLOADS_PER_DAY", default: 50, range: 1...1_000_000)
        bytesPerDay = Int64(
            try reader.integer("SWITCHBOARD_ATTACHMENT_BYTES_PER_DAY", default: 100 << 20, range: 1...(1 << 40)))
    }
}
