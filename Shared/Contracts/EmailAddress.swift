/// The one e-mail rule of the suite, for operators, customers and (later) tickets.
public enum EmailAddress {
    /// A practical check, not RFC 5322: at most 254 characters, one `@` with something before it,
    /// a dotted domain after it, no white space.
    public static func isPlausible(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
    }
}
