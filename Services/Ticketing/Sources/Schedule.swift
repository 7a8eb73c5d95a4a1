import Contracts
import Foundation

/// Working hours made ready to answer "is the desk open at T?" and "when does it open next?".
/// Pure: it is given the instant, it never reads a clock.
///
/// Ranges are wall-clock times in the desk's timezone: on a day that skips an hour (DST spring
/// forward) a range simply has an hour less, on a day that repeats one the repeated hour counts
/// twice. A holiday closes its whole local date; a closure closes `[from, to)` whatever else holds.
struct Schedule: Sendable {
    /// Minutes after local midnight: `end` ≤ 1440; an `end` before `start` runs past midnight.
    struct Range: Sendable, Hashable {
        var start: Int
        var end: Int
        var overnight: Bool { end < start }
    }

    /// A field of the `working_hours` document that is wrong, and why.
    struct Problem: Error, Equatable {
        var field: String
        var message: String
    }

    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    let calendar: Calendar
    /// By Calendar's weekday: 1 = Sunday … 7 = Saturday.
    let ranges: [Int: [Range]]
    let holidays: Set<String>
    let closures: [WorkingHours.Closure]

    init(_ hours: WorkingHours) throws(Problem) {
        guard let timeZone = TimeZone(identifier: hours.timezone) else {
            throw Problem(field: "working_hours.timezone", message: "\(hours.timezone) is not an IANA timezone")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        var ranges: [Int: [Range]] = [:]
        for (day, list) in hours.weekly {
            guard let index = Self.days.firstIndex(of: day) else {
                throw Problem(field: "working_hours.weekly.\(day)", message: "days are mon, tue, wed, thu, fri, sat, sun")
            }
            for (position, pair) in list.enumerated() {
                let field = "working_hours.weekly.\(day)[\(position)]"
                guard pair.count == 2 else { throw Problem(field: field, message: "a range is [\"HH:MM\", \"HH:MM\"]") }
                guard let start = Self.minutes(pair[0], allowing24: false) else {
                    throw Problem(field: field + "[0]", message: "\(pair[0]) is not a time from 00:00 to 23:59")
                }
                guard let end = Self.minutes(pair[1], allowing24: true) else {
                    throw Problem(field: field + "[1]", message: "\(pair[1]) is not a time from 00:00 to 24:00")
                }
                guard start != end else { throw Problem(field: field, message: "a range cannot start and end at the same time") }
                ranges[index + 1, default: []].append(Range(start: start, end: end))
            }
        }
        self.ranges = ranges
        for (position, holiday) in hours.holidays.enumerated() where Self.dateComponents(holiday) == nil {
            throw Problem(field: "working_hours.holidays[\(position)]", message: "\(holiday) is not a date (YYYY-MM-DD)")
        }
        holidays = Set(hours.holidays)
        for (position, closure) in hours.closures.enumerated() where closure.to <= closure.from {
            throw Problem(field: "working_hours.closures[\(position)].to", message: "a closure must end after it starts")
        }
        closures = hours.closures
    }

    /// Whether the desk is open at `instant`.
    func isOpen(at instant: Date) -> Bool {
        if closures.contains(where: { $0.from <= instant && instant < $0.to }) { return false }
        let local = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        guard let year = local.year, let month = local.month, let day = local.day, let weekday = local.weekday else { return false }
        if holidays.contains(String(format: "%04d-%02d-%02d", year, month, day)) { return false }
        let minute = (local.hour ?? 0) * 60 + (local.minute ?? 0)
        for range in ranges[weekday] ?? [] {
            if range.overnight ? minute >= range.start : (range.start..<range.end).contains(minute) { return true }
        }
        let yesterday = weekday == 1 ? 7 : weekday - 1
        return (ranges[yesterday] ?? []).contains { $0.overnight && minute < $0.end }
    }

    /// The first instant after `instant` at which the desk is open, looking a year ahead; `nil`
    /// when it is open at `instant` or does not open within that year.
    func nextOpening(after instant: Date) -> Date? {
        guard !isOpen(at: instant) else { return nil }
        let horizon = instant.addingTimeInterval(370 * 86_400)
        // Opening can only begin at a range's start, a local midnight (a holiday ends), a
        // closure's end, or a clock change (a range whose start the clock skipped).
        var candidates = closures.map(\.to)
        var transition = instant
        while let next = calendar.timeZone.nextDaylightSavingTimeTransition(after: transition), next < horizon {
            candidates.append(next)
            transition = next
        }
        let today = calendar.startOfDay(for: instant)
        for offset in 0...370 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today) else { continue }
            candidates.append(day)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            for range in ranges[parts.weekday ?? 0] ?? [] {
                var start = parts
                start.hour = range.start / 60
                start.minute = range.start % 60
                if let date = calendar.date(from: start) { candidates.append(date) }
            }
        }
        return candidates.filter { $0 > instant && $0 < horizon }.sorted().first { isOpen(at: $0) }
    }

    /// `HH:MM` as minutes after midnight; `24:00` only where an end is read.
    static func minutes(_ text: String, allowing24: Bool) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        if allowing24, hour == 24, minute == 0 { return 1440 }
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return hour * 60 + minute
    }

    /// `YYYY-MM-DD` when it names a real date.
    static func dateComponents(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = gregorian.date(from: components) else { return nil }
        let back = gregorian.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day ? components : nil
    }
}
