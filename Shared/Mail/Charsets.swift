import Foundation

/// Text in the charsets mail arrives in. Unknown charsets and invalid bytes decode leniently:
/// a customer's words with a replacement character beat a rejected reply.
public enum Charsets {
    static let encodings: [String: String.Encoding] = [
        "utf-8": .utf8, "utf8": .utf8, "us-ascii": .utf8, "ascii": .utf8,
        "iso-8859-1": .isoLatin1, "latin1": .isoLatin1, "iso8859-1": .isoLatin1, "l1": .isoLatin1,
        "windows-1252": .windowsCP1252, "cp1252": .windowsCP1252,
        "iso-8859-2": .isoLatin2, "latin2": .isoLatin2, "windows-1250": .windowsCP1250,
        "windows-1251": .windowsCP1251, "windows-1253": .windowsCP1253, "windows-1254": .windowsCP1254,
        "utf-16": .utf16, "utf-16le": .utf16LittleEndian, "utf-16be": .utf16BigEndian,
        "shift_jis": .shiftJIS, "euc-jp": .japaneseEUC, "iso-2022-jp": .iso2022JP,
    ]

    /// `bytes` as text in `charset` (case-insensitive); UTF-8 when the charset is unknown.
    public static func decode(_ bytes: [UInt8], charset: String) -> String {
        let encoding = encodings[charset.lowercased().trimmingCharacters(in: .whitespaces)] ?? .utf8
        if encoding != .utf8, let text = String(bytes: bytes, encoding: encoding) { return text }
        // Lenient UTF-8: invalid sequences become U+FFFD instead of failing the whole text.
        return String(decoding: bytes, as: UTF8.self)
    }
}
