import Contracts
import Foundation
import Testing

@testable import TicketingService

/// An instant from an RFC 3339 text.
func at(_ text: String) -> Date {
    try! Date(text, strategy: .iso8601)
}

@Suite("Is the desk open at T, and when does it open next")
struct ScheduleTests {
    static let weekdays = WorkingHours(
        timezone: "Europe/Istanbul",  // UTC+3 all year
        weekly: [
            "mon": [["09:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]], "fri": [["22:00", "02:00"]],
            "sat": [["10:00", "24:00"]],
        ],
        holidays: ["2026-12-01"],
        closures: [.init(from: at("2026-11-24T10:00:00Z"), to: at("2026-11-24T10:30:00Z"))]
    )

    @Test(
        "a week in Istanbul: ranges, a lunch break, over midnight, to 24:00, empty days, a holiday, a closure",
        arguments: [
            // Monday 2026-11-23, 09:00–18:00 local = 06:00–15:00Z.
            ("2026-11-23T05:59:00Z", false, "2026-11-23T06:00:00Z" as String?),
            ("2026-11-23T06:00:00Z", true, nil),
            ("2026-11-23T14:59:59Z", true, nil),
            ("2026-11-23T15:00:00Z", false, "2026-11-24T06:00:00Z"),
            // Tuesday: a lunch break 12:00–13:00 local, and a closure 13:00–13:30 local.
            ("2026-11-24T09:30:00Z", false, "2026-11-24T10:30:00Z"),
            ("2026-11-24T10:15:00Z", false, "2026-11-24T10:30:00Z"),
            ("2026-11-24T10:30:00Z", true, nil),
            // Wednesday and Thursday have no hours: next is Friday 22:00 local.
            ("2026-11-25T09:00:00Z", false, "2026-11-27T19:00:00Z"),
            // Friday 22:00 → Saturday 02:00 local, then Saturday 10:00 → 24:00.
            ("2026-11-27T22:30:00Z", true, nil),  // Saturday 01:30 local
            ("2026-11-27T23:00:00Z", false, "2026-11-28T07:00:00Z"),  // Saturday 02:00 local
            ("2026-11-28T20:59:00Z", true, nil),  // Saturday 23:59 local
            ("2026-11-28T21:00:00Z", false, "2026-11-30T06:00:00Z"),  // Sunday 00:00 local: closed until Monday
            // Monday 2026-11-30 is open; Tuesday 2026-12-01 is a holiday: next is Friday 22:00.
            ("2026-12-01T07:00:00Z", false, "2026-12-04T19:00:00Z"),
        ])
    func istanbul(instant: String, open: Bool, next: String?) throws {
        let schedule = try Schedule(Self.weekdays)
        #expect(schedule.isOpen(at: at(instant)) == open)
        #expect(schedule.nextOpening(after: at(instant)) == next.map(at))
    }

    @Test(
        "clock changes in both directions: Berlin skips 02:00–03:00 on 2026-03-29, New York repeats 01:00–02:00 on 2026-11-01",
        arguments: [
            // Berlin, Sunday 01:00–04:00 local: 00:00Z–01:00Z (CET) and 01:00Z–02:00Z (CEST): two real hours.
            ("Europe/Berlin", ["sun": [["01:00", "04:00"]]], "2026-03-28T23:59:00Z", false, "2026-03-29T00:00:00Z" as String?),
            ("Europe/Berlin", ["sun": [["01:00", "04:00"]]], "2026-03-29T00:30:00Z", true, nil),
            ("Europe/Berlin", ["sun": [["01:00", "04:00"]]], "2026-03-29T01:30:00Z", true, nil),
            ("Europe/Berlin", ["sun": [["01:00", "04:00"]]], "2026-03-29T02:00:00Z", false, "2026-04-04T23:00:00Z"),
            // A range starting in the skipped hour opens when the clock lands after it: 03:00 CEST.
            ("Europe/Berlin", ["sun": [["02:30", "05:00"]]], "2026-03-28T23:00:00Z", false, "2026-03-29T01:00:00Z"),
            // New York, Sunday 00:00–01:30 local: 01:15 happens twice (EDT then EST) and is open both times.
            ("America/New_York", ["sun": [["00:00", "01:30"]]], "2026-11-01T05:15:00Z", true, nil),
            ("America/New_York", ["sun": [["00:00", "01:30"]]], "2026-11-01T06:15:00Z", true, nil),
            ("America/New_York", ["sun": [["00:00", "01:30"]]], "2026-11-01T06:45:00Z", false, "2026-11-08T05:00:00Z"),
        ])
    func clockChanges(zone: String, weekly: [String: [[String]]], instant: String, open: Bool, next: String?) throws {
        let schedule = try Schedule(WorkingHours(timezone: zone, weekly: weekly))
        #expect(schedule.isOpen(at: at(instant)) == open)
        #expect(schedule.nextOpening(after: at(instant)) == next.map(at))
    }

    @Test("a timezone far from UTC: Monday 09:00 in Kiritimati (UTC+14) is Sunday 19:00Z")
    func farFromUTC() throws {
        let schedule = try Schedule(WorkingHours(timezone: "Pacific/Kiritimati", weekly: ["mon": [["09:00", "17:00"]]]))
        #expect(!schedule.isOpen(at: at("2026-11-22T18:59:00Z")))
        #expect(schedule.isOpen(at: at("2026-11-22T19:00:00Z")))
        #expect(schedule.nextOpening(after: at("2026-11-22T12:00:00Z")) == at("2026-11-22T19:00:00Z"))
        let samoa = try Schedule(WorkingHours(timezone: "Pacific/Pago_Pago", weekly: ["mon": [["09:00", "17:00"]]]))
        #expect(samoa.nextOpening(after: at("2026-11-23T12:00:00Z")) == at("2026-11-23T20:00:00Z"))
    }

    @Test("no hours at all never opens; a closure over the whole year neither")
    func neverOpens() throws {
        let empty = try Schedule(WorkingHours(timezone: "UTC", weekly: [:]))
        #expect(!empty.isOpen(at: at("2026-11-23T12:00:00Z")))
        #expect(empty.nextOpening(after: at("2026-11-23T12:00:00Z")) == nil)
        let closed = try Schedule(
            WorkingHours(
                timezone: "UTC", weekly: ["mon": [["00:00", "24:00"]]],
                closures: [.init(from: at("2026-01-01T00:00:00Z"), to: at("2028-01-01T00:00:00Z"))]))
        #expect(closed.nextOpening(after: at("2026-11-23T12:00:00Z")) == nil)
    }

    @Test(
        "bad working hours name the field",
        arguments: [
            (WorkingHours(timezone: "Mars/Olympus", weekly: [:]), "working_hours.timezone"),
            (WorkingHours(timezone: "UTC", weekly: ["monday": [["09:00", "18:00"]]]), "working_hours.weekly.monday"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["09:00"]]]), "working_hours.weekly.mon[0]"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["9:00", "18:00"]]]), "working_hours.weekly.mon[0][0]"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["24:00", "18:00"]]]), "working_hours.weekly.mon[0][0]"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["09:00", "24:30"]]]), "working_hours.weekly.mon[0][1]"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["09:00", "18:60"]]]), "working_hours.weekly.mon[0][1]"),
            (WorkingHours(timezone: "UTC", weekly: ["mon": [["09:00", "09:00"]]]), "working_hours.weekly.mon[0]"),
            (WorkingHours(timezone: "UTC", weekly: [:], holidays: ["2026-02-30"]), "working_hours.holidays[0]"),
            (WorkingHours(timezone: "UTC", weekly: [:], holidays: ["31.12.2026"]), "working_hours.holidays[0]"),
            (
                WorkingHours(
                    timezone: "UTC", weekly: [:], closures: [.init(from: at("2026-12-02T00:00:00Z"), to: at("2026-12-01T00:00:00Z"))]),
                "working_hours.closures[0].to"
            ),
        ])
    func problems(hours: WorkingHours, field: String) {
        #expect(throws: Schedule.Problem.self) { try Schedule(hours) }
        do {
            _ = try Schedule(hours)
        } catch {
            #expect(error.field == field)
        }
    }
}
