import Foundation

/// One frame of a live stream (`/api/v1/stream`, `/api/v1/visitor/stream`): `{type, cursor, data}`.
///
/// An event's frame carries the event's stored JSON as `data` untouched: `text` writes the frame
/// around it without parsing it. `Encodable` gives the same JSON the slow way (for tests and tools).
public struct StreamFrame: Encodable, Sendable, Hashable {
    /// `ready`, `heartbeat`, `resync`, `error`, or the kind of the event the frame carries.
    public struct FrameType: WireWord {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ kind: EventKind) { rawValue = kind.rawValue }

        /// The stream is caught up: live events follow.
        public static let ready = Self(rawValue: "ready")
        /// Nothing happened for a while; the cursor is where the stream stands.
        public static let heartbeat = Self(rawValue: "heartbeat")
        /// The stream fell behind and closes: reconnect with the cursor to catch up.
        public static let resync = Self(rawValue: "resync")
        /// The stream refuses or ends; `data` is the API's error body, and the socket closes.
        public static let error = Self(rawValue: "error")
    }

    public var type: FrameType
    /// Resume here after a reconnect (`null` only on a refusal before the stream had a position).
    public var cursor: EventCursor?
    public var data: RawJSON

    public init(type: FrameType, cursor: EventCursor?, data: RawJSON = .emptyObject) {
        self.type = type
        self.cursor = cursor
        self.data = data
    }

    /// An event's frame, its payload as stored.
    public init(_ event: StreamEvent) {
        self.init(type: FrameType(event.kind), cursor: event.cursor, data: RawJSON(event.payload))
    }

    /// An `error` frame: `data` is `{"error": {code, message, details}}`, as an HTTP answer's body.
    public static func error(_ body: APIErrorBody) -> StreamFrame {
        StreamFrame(type: .error, cursor: nil, data: (try? RawJSON(encoding: body)) ?? .emptyObject)
    }

    enum CodingKeys: String, CodingKey { case type, cursor, data }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(cursor, forKey: .cursor)
        try container.encode(data, forKey: .data)
    }

    /// The frame as a WebSocket text message.
    public var text: String {
        "{\"type\":\(RawJSON.quoted(type.rawValue)),\"cursor\":\(cursor.map { RawJSON.quoted($0.description) } ?? "null"),\"data\":\(data.text)}"
    }
}

/// A JSON document carried as its text, written out as it is.
public struct RawJSON: Encodable, Sendable, Hashable {
    /// The document; the maker vouches that it is JSON.
    public let text: String

    public init(_ text: String) { self.text = text }

    /// `value` encoded the wire's way, its keys sorted so the same value is the same text.
    public init(encoding value: some Encodable) throws {
        let encoder = WireJSON.encoder()
        encoder.outputFormatting = .sortedKeys
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static let emptyObject = RawJSON("{}")

    /// Encodes the document it holds (parsed, so the encoder can place it).
    public func encode(to encoder: any Encoder) throws {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).encode(to: encoder)
    }

    /// `string` as a JSON string literal.
    public static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The body of every error the public API answers, and the `data` of a stream's `error` frame:
/// `{"error": {"code", "message", "details"}}`.
public struct APIErrorBody: Codable, Sendable, Hashable {
    public struct Content: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public var details: [String: String]

        public init(code: String, message: String, details: [String: String] = [:]) {
            self.code = code
            self.message = message
            self.details = details
        }
    }

    public var error: Content

    public init(code: String, message: String, details: [String: String] = [:]) {
        error = Content(code: code, message: message, details: details)
    }
}
