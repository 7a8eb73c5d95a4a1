import Contracts
import Foundation

/// A value sent as a query parameter, in PostgreSQL's text format. `nil` is SQL NULL.
///
/// Values travel apart from the SQL text (`$1`, `$2`, ...), never spliced into it.
public protocol PostgresBindable: Sendable {
    var postgresText: String? { get }
}

/// A value read back from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    init?(postgresText: String)
    /// What SQL NULL decodes to; `nil` means NULL is an error for this type.
    static var nullValue: Self? { get }
}

extension String: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { self }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension UInt64: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { self ? "true" : "false" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { FixedFormats.text(self) }
    public init?(postgresText: String) {
        guard let uuid = FixedFormats.uuid(postgresText) ?? UUID(uuidString: postgresText) else { return nil }
        self = uuid
    }
}

extension Date: PostgresBindable, PostgresDecodable {
    /// Sent as `YYYY-MM-DD HH:MM:SS.ffffff+00`, with the microseconds `timestamptz` keeps.
    public var postgresText: String? {
        if let text = FixedFormats.postgres(self) { return text }
        let micros = Int64((timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000)
        let fraction = micros - Int64(seconds) * 1_000_000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, fraction
        )
    }

    /// Reads `timestamptz` as the server prints it with `DateStyle=ISO` and `TimeZone=UTC`
    /// (every connection of ours sets both): `2026-11-25 14:23:02.123456+00`.
    public init?(postgresText text: String) {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count >= 19, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                fraction += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            let sign = utf8[index] == UInt8(ascii: "-") ? -1 : 1
            let hours = number(index + 1..<index + 3) ?? 0
            var minutes = 0
            if index + 3 < utf8.count, utf8[index + 3] == UInt8(ascii: ":") { minutes = number(index + 4..<index + 6) ?? 0 }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let whole = Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
        self = whole.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}

/// A JSON document for a `jsonb` parameter.
public struct PostgresJSON: PostgresBindable {
    public let postgresText: String?

    public init(_ value: some Encodable) throws {
        let data = try WireJSON.encoder().encode(value)
        postgresText = String(decoding: data, as: UTF8.self)
    }

    public init(raw: String) {
        postgresText = raw
    }
}

extension Data: PostgresBindable {
    /// `bytea` in hex format.
    public var postgresText: String? {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 2 + count * 2)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        // Through raw buffers: a 256 KiB attachment chunk goes by here whole.
        withUnsafeBytes { bytes in
            text.withUnsafeMutableBufferPointer { output in
                var position = 2
                for byte in bytes {
                    output[position] = digits[Int(byte >> 4)]
                    output[position + 1] = digits[Int(byte & 15)]
                    position += 2
                }
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension Array: PostgresBindable where Element: PostgresBindable {
    /// An array literal (`{"a","b"}`, cast it: `::uuid[]`), every element quoted as its text.
    public var postgresText: String? {
        var text = "{"
        for (index, element) in enumerated() {
            if index > 0 { text.append(",") }
            guard let value = element.postgresText else {
                text.append("NULL")
                continue
            }
            text.append("\"")
            // Backslashes and quotes escaped; most values have neither and go in whole.
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) {
                for character in value.unicodeScalars {
                    if character == "\\" || character == "\"" { text.append("\\") }
                    text.unicodeScalars.append(character)
                }
            } else {
                text.append(value)
            }
            text.append("\"")
        }
        text.append("}")
        return text
    }
}
