import Contracts
import Foundation
import Testing

@Suite("Instants on the wire")
struct WireJSONTests {
    struct Holder: Codable, Equatable { var at: Date }

    func decode(_ text: String) -> Date? {
        try? WireJSON.decoder().decode(Holder.self, from: Data(#"{"at":"\#(text)"}"#.utf8)).at
    }

    @Test(
        "RFC 3339 instants in the years 1970 to 9999 are read; others, and what is not an instant, are refused",
        arguments: [
            ("2026-11-25T14:23:02.123Z", true),
            ("2026-11-25T14:23:02Z", true),
            ("2026-11-25T17:23:02+03:00", true),
            ("1970-01-01T00:00:00.000Z", true),
            ("9999-12-31T23:59:59.999Z", true),
            ("0001-01-01T01:22:00.0Z", false),
            ("1969-12-31T23:59:59.999Z", false),
            ("tomorrow", false),
            ("", false),
        ])
    func range(text: String, read: Bool) {
        #expect((decode(text) != nil) == read)
    }

    @Test("what is written reads back the same, to the millisecond")
    func roundTrip() throws {
        let at = Date(timeIntervalSince1970: 1_795_000_000.123)
        let data = try WireJSON.encoder().encode(Holder(at: at))
        let back = try WireJSON.decoder().decode(Holder.self, from: data)
        #expect(abs(back.at.timeIntervalSince(at)) < 0.001)
    }
}
