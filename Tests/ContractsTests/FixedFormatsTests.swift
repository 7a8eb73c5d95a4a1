import Contracts
import Foundation
import Testing

@Suite("Instants and UUIDs written and read by hand")
struct FixedFormatsTests {
    static let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    @Test(
        "an instant is written in UTC with milliseconds, cut (not rounded) to the millisecond, half a microsecond short counting as reached",
        arguments: [
            (0, "1970-01-01T00:00:00.000Z"), (0.1239, "1970-01-01T00:00:00.123Z"), (1.001, "1970-01-01T00:00:01.001Z"),
            (0.9999, "1970-01-01T00:00:00.999Z"), (0.999_999_6, "1970-01-01T00:00:01.000Z"), (-0.5, "1969-12-31T23:59:59.500Z"),
            (951_782_400, "2000-02-29T00:00:00.000Z"), (951_868_799.25, "2000-02-29T23:59:59.250Z"),
            (1_796_690_460.123, "2026-12-08T00:41:00.123Z"), (4_107_542_400, "2100-03-01T00:00:00.000Z"),
            (-62_167_219_200, "0000-01-01T00:00:00.000Z"), (253_402_300_799, "9999-12-31T23:59:59.000Z"),
        ] as [(Double, String)])
    func writes(seconds: Double, text: String) {
        #expect(FixedFormats.rfc3339(Date(timeIntervalSince1970: seconds)) == text)
        #expect(WireJSON.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test("past the year 9999 the hand-written form declines, and the wire falls back to Foundation's")
    func farFuture() {
        let date = Date(timeIntervalSince1970: 253_402_300_800)
        #expect(FixedFormats.rfc3339(date) == nil)
        #expect(FixedFormats.postgres(date) == nil)
        #expect(WireJSON.format(date) == date.formatted(Self.foundation))
        #expect(FixedFormats.rfc3339(Date(timeIntervalSince1970: .infinity)) == nil)
    }

    @Test(
        "PostgreSQL's form keeps the microseconds",
        arguments: [
            (0, "1970-01-01 00:00:00.000000+00"), (1_796_690_460.123456, "2026-12-08 00:41:00.123456+00"),
            (-0.000_001, "1969-12-31 23:59:59.999999+00"),
        ] as [(Double, String)])
    func postgres(seconds: Double, text: String) {
        #expect(FixedFormats.postgres(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test(
        "only the exact form is read: a real date and time of day, 0 to 9 digits of fraction, Z",
        arguments: [
            ("2026-12-08T00:41:00.123Z", 1_796_690_460.123), ("2026-12-08T00:41:00Z", 1_796_690_460),
            ("2026-12-08T00:41:00.1Z", 1_796_690_460.1),
            ("2026-12-08T00:41:00.123456789Z", 1_796_690_460.123_456_789), ("2000-02-29T23:59:59.999Z", 951_868_799.999),
            ("1969-12-31T23:59:59.500Z", -0.5),
            ("2026-12-08T00:41:00.123+01:00", nil), ("2026-12-08T00:41:00,5Z", nil), ("2026-02-30T00:00:00Z", nil),
            ("2100-02-29T00:00:00Z", nil), ("2026-12-08T24:00:00Z", nil), ("2026-12-08T23:59:60Z", nil), ("2026-13-01T00:00:00Z", nil),
            ("2026-12-08T00:41:00.Z", nil), ("2026-12-08T00:41:00.1234567890Z", nil), ("2026-12-08t00:41:00Z", nil),
            ("2026-12-08T00:41:00z", nil), ("2026-12-08 00:41:00Z", nil), ("+026-12-08T00:41:00Z", nil), ("2026-1-08T00:41:00.00Z", nil),
            ("", nil), ("Z", nil), ("2026-12-08T00:41:0٠Z", nil),
        ] as [(String, Double?)])
    func reads(text: String, seconds: Double?) throws {
        let read = FixedFormats.rfc3339(text)
        guard let seconds else {
            #expect(read == nil)
            return
        }
        #expect(abs(try #require(read).timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test("what Foundation reads from a text with milliseconds is written back as that text; both read it alike")
    func agreesWithFoundation() throws {
        // Instants spread over the years 1970 to 9999, milliseconds of every kind.
        for step in Int64(0)..<5_000 {
            let millis = step * 50_680_460_159 % 253_402_300_799_999
            let text = Date(timeIntervalSince1970: Double(millis) / 1000).formatted(Self.foundation)
            let theirs = try Self.foundation.parse(text)
            let ours = try #require(FixedFormats.rfc3339(text), "\(text)")
            #expect(abs(ours.timeIntervalSince1970 - theirs.timeIntervalSince1970) <= 4 * theirs.timeIntervalSince1970.ulp, "\(text)")
            #expect(FixedFormats.rfc3339(theirs) == text)
            #expect(FixedFormats.rfc3339(ours) == text)
        }
    }

    @Test("a UUID is written in lowercase with hyphens, and read in either case; nothing else is read")
    func uuids() {
        for _ in 0..<1_000 {
            let uuid = UUID()
            #expect(FixedFormats.text(uuid) == uuid.uuidString.lowercased())
            #expect(FixedFormats.uuid(uuid.uuidString) == uuid)
            #expect(FixedFormats.uuid(uuid.uuidString.lowercased()) == uuid)
        }
        for bad in [
            "", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b810-9dad-11d1-80b4-00c04fd430c8a", "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
            "6ba7b8109dad11d180b400c04fd430c8", "6ba7b810-9dad-11d1-80b4_00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
            "6ba7b81-09dad-11d1-80b4-00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430ç",
        ] {
            #expect(FixedFormats.uuid(bad) == nil, "\(bad)")
        }
    }
}
