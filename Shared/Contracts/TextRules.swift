/// What text may hold wherever it enters (HTTP bodies, mail): no NUL or other C0 control except
/// tab and newline, and no DEL. PostgreSQL refuses NUL in text outright; the others have no
/// meaning in a message, a name or an address and only hide what a text says.
public enum TextRules {
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F
    }

    public static func hasRefused(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isRefused)
    }

    /// The path (`customer.name`, `items[2]`) of the first string in a parsed JSON document
    /// that holds a refused control, or `nil` when there is none.
    public static func firstRefused(in json: Any, path: String = "") -> String? {
        switch json {
        case let text as String:
            return hasRefused(text) ? (path.isEmpty ? "body" : path) : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstRefused(in: object[key]!, path: path.isEmpty ? key : path + "." + key) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstRefused(in: element, path: path + "[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
