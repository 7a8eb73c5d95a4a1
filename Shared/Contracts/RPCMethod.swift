/// One method of the internal wire. Caller and callee both name the method through this type,
/// so its name, params and result cannot drift apart.
public protocol RPCMethod: Sendable {
    associatedtype Params: Codable & Sendable
    associatedtype Result: Codable & Sendable
    /// The wire name, `service.verb` (`system.health`, `pool.take`).
    static var name: String { get }
    /// Safe to send twice: a caller may retry it once on another instance when a connection drops.
    static var isIdempotent: Bool { get }
}

extension RPCMethod {
    public static var isIdempotent: Bool { false }
}

/// Params or result of a method that has none: `{}` (any other members are ignored, but an
/// array or a scalar is refused).
public struct Empty: Codable, Sendable, Hashable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: NoKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: NoKeys.self)
    }

    private struct NoKeys: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
