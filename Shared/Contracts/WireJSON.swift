import Foundation

/// The one JSON dialect of the suite, on the internal wire and in the public API alike:
/// instants as RFC 3339 UTC with milliseconds (`2026-11-25T14:23:02.123Z`).
public enum WireJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireJSON.format(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = FixedFormats.rfc3339(text) ?? (try? format.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
            else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 instant: \(text)")
            }
            guard instants.contains(date) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "an instant must be in the years 1970 to 9999: \(text)")
            }
            return date
        }
        return decoder
    }

    /// The instants the suite reads: none of its times is older than 1970, and far outside this
    /// range calendars and the database disagree (the year 1 reads as a Julian date, which
    /// PostgreSQL writes as the year 0 and refuses).
    public static let instants = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// An instant as the wire writes it.
    public static func format(_ date: Date) -> String { FixedFormats.rfc3339(date) ?? date.formatted(format) }

    static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
}
