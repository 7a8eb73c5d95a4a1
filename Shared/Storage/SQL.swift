/// A statement with its values. A value interpolated into it is bound as a parameter, never
/// pasted into the text (`"… WHERE id = \(id)"` sends `WHERE id = $1` and `id` apart), as in
/// postgres-nio. SQL text goes in only on purpose: another `SQL` (its values bound after the
/// ones before it), or `\(unescaped:)` for an identifier or keyword the code itself chooses.
public struct SQL: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    /// The text, with `$1`, `$2`, … where the values go.
    public private(set) var text: String
    /// The values, in parameter order.
    public private(set) var bindings: [any PostgresBindable]

    public init(stringLiteral text: String) {
        self.text = text
        bindings = []
    }

    public init(stringInterpolation: Interpolation) {
        text = stringInterpolation.text
        bindings = stringInterpolation.bindings
    }

    /// SQL text chosen by the code (a column list, `ASC`); never a value from outside.
    public init(unescaped text: String) {
        self.text = text
        bindings = []
    }

    public var description: String { text }

    /// `parts` one after another with `separator` between them, their values numbered in turn.
    public static func joined(_ parts: [SQL], separator: String = ", ") -> SQL {
        var result: SQL = ""
        for (index, part) in parts.enumerated() {
            result = index == 0 ? part : "\(result)\(unescaped: separator)\(part)"
        }
        return result
    }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        var bindings: [any PostgresBindable] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// A value: bound as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresBindable) {
            bindings.append(value)
            text += "$\(bindings.count)"
        }

        /// An optional value: bound as the next parameter, SQL NULL when it is `nil`.
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value?) {
            bindings.append(value)
            text += "$\(bindings.count)"
        }

        /// A fragment: its text goes in, its parameters renumbered after the ones before it.
        public mutating func appendInterpolation(_ fragment: SQL) {
            text += SQL.shifting(fragment.text, by: bindings.count)
            bindings += fragment.bindings
        }

        /// SQL text the code chooses (an identifier, a keyword): spliced as it is.
        public mutating func appendInterpolation(unescaped text: String) { self.text += text }
    }

    /// `text` with every `$n` made `$(n + offset)`.
    static func shifting(_ text: String, by offset: Int) -> String {
        guard offset > 0, text.contains("$") else { return text }
        var result = ""
        var digits = ""
        var inParameter = false
        for character in text {
            if inParameter, character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            if inParameter {
                result += digits.isEmpty ? "" : String(Int(digits)! + offset)
                inParameter = false
                digits = ""
            }
            if character == "$" {
                result.append(character)
                inParameter = true
            } else {
                result.append(character)
            }
        }
        if inParameter { result += digits.isEmpty ? "" : String(Int(digits)! + offset) }
        return result
    }
}
