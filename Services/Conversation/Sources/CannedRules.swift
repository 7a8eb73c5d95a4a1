import Contracts
import Foundation

/// What a canned response must be, and how its placeholders are filled. Pure.
enum CannedRules {
    static let maximumTitle = 100
    static let maximumBody = 5_000
    /// How many the desk may have, and how many personal ones each operator may.
    static let maximumDesk = 500
    static let maximumPersonal = 200

    /// The placeholders there are, each with what it becomes.
    static let placeholders: [String: @Sendable (Values) -> String] = [
        "customer.name": { $0.customer.name },
        "customer.first_name": { firstName($0.customer.name) },
        "customer.email": { $0.customer.email ?? "" },
        "operator.name": { $0.operator.name },
        "operator.first_name": { firstName($0.operator.name) },
    ]

    /// What placeholders are filled from.
    struct Values: Sendable {
        var customer: Customer
        var `operator`: OperatorRef
    }

    /// The first broken rule of a draft, as the error to answer.
    static func check(_ draft: CannedDraft) -> RPCError? {
        let shortcut = draft.shortcut
        if shortcut.isEmpty || shortcut.count > 32 || !shortcut.unicodeScalars.allSatisfy(isShortcutScalar) {
            return .invalidParams(field: "params.draft.shortcut", "shortcut must be 1 to 32 of a-z, 0-9, _ and -")
        }
        for (field, text, maximum) in [("title", draft.title, maximumTitle), ("body", draft.body, maximumBody)] {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || text.unicodeScalars.count > maximum {
                return .invalidParams(field: "params.draft.\(field)", "\(field) must be 1 to \(maximum) characters, not blank")
            }
            if TextRules.hasRefused(text) {
                return .invalidParams(
                    field: "params.draft.\(field)", "\(field) must not hold control characters other than tab and newline")
            }
        }
        if let unknown = names(in: draft.body).first(where: { placeholders[$0] == nil }) {
            let known = placeholders.keys.sorted().map { "{{\($0)}}" }.joined(separator: ", ")
            return .invalidParams(field: "params.draft.body", "unknown placeholder {{\(unknown)}}; known: \(known)")
        }
        return nil
    }

    static func isShortcutScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    /// The names of the `{{ name }}` placeholders in `body`, in order (spaces inside the braces
    /// do not count).
    static func names(in body: String) -> [String] {
        spans(in: body).map(\.name)
    }

    /// `body` with every known placeholder replaced; an unknown one stays as written.
    static func fill(_ body: String, with values: Values) -> String {
        var result = ""
        var rest = body[...]
        for span in spans(in: body) {
            result += rest[rest.startIndex..<span.range.lowerBound]
            result += placeholders[span.name].map { $0(values) } ?? String(body[span.range])
            rest = body[span.range.upperBound...]
        }
        return result + rest
    }

    /// Each `{{…}}` of `body`: where it is and the name inside it, trimmed.
    static func spans(in body: String) -> [(range: Range<String.Index>, name: String)] {
        var found: [(Range<String.Index>, String)] = []
        var searchFrom = body.startIndex
        while let open = body.range(of: "{{", range: searchFrom..<body.endIndex),
            let close = body.range(of: "}}", range: open.upperBound..<body.endIndex)
        {
            let name = body[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            found.append((open.lowerBound..<close.upperBound, name))
            searchFrom = close.upperBound
        }
        return found
    }

    /// The first word of a name ("Ada" of "Ada Lovelace"); the whole name when it has one word.
    static func firstName(_ name: String) -> String {
        name.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? name
    }
}
