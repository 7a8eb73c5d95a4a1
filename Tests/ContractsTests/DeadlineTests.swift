import Contracts
import Testing

@Suite("Deadlines from peers")
struct DeadlineTests {
    @Test(
        "deadline_ms is acted on only from 0 to an hour",
        arguments: [
            (Int64(0), true), (1, true), (3_600_000, true), (3_600_001, false), (-1, false),
            (9_300_000_000_000, false), (.max, false), (.min, false),
        ])
    func range(milliseconds: Int64, valid: Bool) {
        #expect(Deadline.isValid(milliseconds: milliseconds) == valid)
    }

    @Test(
        "spans become nanoseconds clamped to 0...Int64.max",
        arguments: [
            (Duration.zero, Int64(0)), (.milliseconds(1), 1_000_000), (.seconds(-5), 0), (.nanoseconds(-1), 0),
            (.seconds(9_300_000_000), .max), (.seconds(Int64.max), .max), (.seconds(9_223_372_036), 9_223_372_036_000_000_000),
        ])
    func nanoseconds(duration: Duration, expected: Int64) {
        #expect(Deadline.nanoseconds(duration) == expected)
    }
}
