import Foundation

/// A position in the outbox: everything at or before it has been read.
public struct EventCursor: Sendable, Hashable, Comparable, Codable, LosslessStringConvertible {
    public var xid: UInt64
    public var seq: Int64

    public init(xid: UInt64, seq: Int64) {
        self.xid = xid
        self.seq = seq
    }

    /// Before every event.
    public static let start = EventCursor(xid: 0, seq: 0)

    public static func < (lhs: EventCursor, rhs: EventCursor) -> Bool {
        (lhs.xid, lhs.seq) < (rhs.xid, rhs.seq)
    }

    /// `xid-seq`, as it appears in stream frames and the API's `cursor`.
    public var description: String { "\(xid)-\(seq)" }

    public init?(_ description: String) {
        let parts = description.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let xid = UInt64(parts[0]), let seq = Int64(parts[1]), seq >= 0 else { return nil }
        self.init(xid: xid, seq: seq)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let cursor = EventCursor(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a cursor: \(text)"))
        }
        self = cursor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
