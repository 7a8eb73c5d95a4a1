import Foundation

/// The two text forms every message, event and row carries, written and read by hand: an RFC 3339
/// instant in UTC with milliseconds, and a UUID in lowercase. Foundation's general formatters
/// (`ISO8601FormatStyle` through a calendar and a time zone, `uuidString` and `UUID(uuidString:)`
/// through printf and scanf) were a few per cent of every process's CPU under load.
public enum FixedFormats {
    /// `2026-12-08T00:41:00.123Z`: the instant cut to the millisecond, as Foundation writes it,
    /// but read as at least half a microsecond (or a few units of the `Double`'s precision) later,
    /// so that an instant read from this text, which may land a hair below it, is written back as
    /// the same text. `nil` outside the years 0 to 9999.
    public static func rfc3339(_ date: Date) -> String? {
        write(date, fractionDigits: 3, separator: "T", zone: "Z")
    }

    /// `2026-12-08 00:41:00.123456+00`, PostgreSQL's `timestamptz` with the microseconds it keeps;
    /// `nil` outside the years 0 to 9999.
    public static func postgres(_ date: Date) -> String? {
        write(date, fractionDigits: 6, separator: " ", zone: "+00")
    }

    private static func write(_ date: Date, fractionDigits: Int, separator: Unicode.Scalar, zone: String) -> String? {
        let since1970 = date.timeIntervalSince1970
        // The years 0 to 9999, whole: the digits below are four to a year.
        guard since1970.isFinite, abs(since1970) < 3e11 else { return nil }
        let fraction =
            fractionDigits == 3
            ? Int64(((since1970 + max(5e-7, 4 * since1970.ulp)) * 1000).rounded(.down))
            : Int64((since1970 * 1_000_000).rounded())
        let perSecond: Int64 = fractionDigits == 3 ? 1000 : 1_000_000
        let seconds = floorDivide(fraction, perSecond)
        let days = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(days: days)
        guard (0...9999).contains(year) else { return nil }
        let inDay = seconds - days * 86_400
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        digits(year, 4, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2, into: &bytes)
        bytes.append(UInt8(ascii: separator))
        digits(inDay / 3600, 2, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay % 3600 / 60, 2, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay % 60, 2, into: &bytes)
        bytes.append(UInt8(ascii: "."))
        digits(fraction - seconds * perSecond, fractionDigits, into: &bytes)
        bytes.append(contentsOf: zone.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with a real date and time of day (1 to 9 digits of
    /// fraction); `nil` for any other text, which the caller may hand to a general parser.
    public static func rfc3339(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { utf8 -> Date? in
            guard utf8.count >= 20, utf8.count <= 30, utf8[utf8.count - 1] == UInt8(ascii: "Z") else { return nil }
            for (index, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")] as [(Int, Unicode.Scalar)]
            where utf8[index] != UInt8(ascii: separator) {
                return nil
            }
            guard let year = number(utf8, 0, 4), let month = number(utf8, 5, 2), let day = number(utf8, 8, 2),
                let hour = number(utf8, 11, 2), let minute = number(utf8, 14, 2), let second = number(utf8, 17, 2),
                (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
            else { return nil }
            var fraction = 0.0
            let end = utf8.count - 1
            if end > 19 {
                let count = end - 20
                guard utf8[19] == UInt8(ascii: "."), (1...9).contains(count), let value = number(utf8, 20, count) else { return nil }
                fraction = Double(value) / pow(10, Double(count))
            } else if end != 19 {
                return nil
            }
            let seconds = days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }
    }

    /// The UUID as the database and the wire write it: lowercase, with hyphens.
    public static func text(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(36)
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Reads `8-4-4-4-12` hexadecimal digits, either case; `nil` for anything else.
    public static func uuid(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
                var position = 0
                for index in 0..<16 {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard utf8[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = nibble(utf8[position]), let low = nibble(utf8[position + 1]) else { return false }
                    bytes[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    // MARK: Calendar arithmetic (proleptic Gregorian, days from 1970-01-01)

    /// Year, month and day of a day number (Howard Hinnant's `civil_from_days`).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day number of a date (`days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let year = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(year, 400)
        let yearOfEra = year - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }

    private static func digits(_ value: Int64, _ width: Int, into bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func number(_ utf8: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for byte in utf8[start..<start + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
