/// A word of the wire's fixed vocabulary (an event kind, an error reason, a frame type): a
/// string on the wire, a type in code, so a word of one list cannot stand where another's goes.
/// The constants beside each type are the words there are; one this build does not know (a
/// newer peer's) still decodes and keeps its spelling.
public protocol WireWord: RawRepresentable<String>, Hashable, Sendable, Codable, CustomStringConvertible {
    init(rawValue: String)
}

extension WireWord {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
