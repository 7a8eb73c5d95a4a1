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

    /// `text` without refused controls: for what arrives by mail, which is kept whole as sent
    /// and so is cleaned rather than refused.
    public static func cleaned(_ text: String) -> String {
        hasRefused(text) ? String(String.UnicodeScalarView(text.unicodeScalars.filter { !isRefused($0) })) : text
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

/// What a message's body may be: at most 10,000 characters as PostgreSQL counts them (Unicode
/// scalars, so a flag or a family emoji counts as several) and 32 KiB of UTF-8, so that no
/// message, and no event carrying one, comes near a wire line.
public enum MessageBody {
    public static let maximumCharacters = 10_000
    public static let maximumBytes = 32 * 1024

    /// Why `body` is too long, or `nil`.
    public static func excess(_ body: String) -> String? {
        if body.unicodeScalars.count > maximumCharacters { return "body must be at most \(maximumCharacters) characters" }
        if body.utf8.count > maximumBytes { return "body must be at most \(maximumBytes) bytes of UTF-8" }
        return nil
    }

    /// `text` cut (at a character's end) to fit both bounds with `note` after it; `text` itself when it fits.
    public static func fitted(_ text: String, note: String) -> String {
        guard excess(text) != nil else { return text }
        let room = (characters: maximumCharacters - note.unicodeScalars.count, bytes: maximumBytes - note.utf8.count)
        var kept = Substring()
        var scalars = 0
        var bytes = 0
        for character in text {
            let size = (character.unicodeScalars.count, character.utf8.count)
            if scalars + size.0 > room.characters || bytes + size.1 > room.bytes { break }
            scalars += size.0
            bytes += size.1
            kept = text[..<text.index(after: kept.endIndex)]
        }
        return kept + note
    }
}
