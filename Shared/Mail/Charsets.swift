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

    /// Latin-1 with a few code points replaced: Turkish (ISO-8859-9) and Latin-9 (ISO-8859-15, with €),
    /// which Foundation does not name.
    static let latinVariants: [String: [UInt8: Unicode.Scalar]] = {
        let turkish: [UInt8: Unicode.Scalar] = [0xD0: "Ğ", 0xDD: "İ", 0xDE: "Ş", 0xF0: "ğ", 0xFD: "ı", 0xFE: "ş"]
        let latin9: [UInt8: Unicode.Scalar] = [0xA4: "€", 0xA6: "Š", 0xA8: "š", 0xB4: "Ž", 0xB8: "ž", 0xBC: "Œ", 0xBD: "œ", 0xBE: "Ÿ"]
        return [
            "iso-8859-9": turkish, "latin5": turkish, "iso8859-9": turkish,
            "iso-8859-15": latin9, "latin9": latin9, "iso8859-15": latin9,
        ]
    }()

    /// `bytes` as text in `charset` (case-insensitive); UTF-8 when the charset is unknown.
    public static func decode(_ bytes: [UInt8], charset: String) -> String {
        let name = charset.lowercased().trimmingCharacters(in: .whitespaces)
        if let overrides = latinVariants[name] {
            var text = String.UnicodeScalarView()
            for byte in bytes { text.append(overrides[byte] ?? Unicode.Scalar(byte)) }
            return String(text)
        }
        let encoding = encodings[name] ?? .utf8
        if encoding != .utf8, let text = String(bytes: bytes, encoding: encoding) { return text }
        // Lenient UTF-8: invalid sequences become U+FFFD instead of failing the whole text.
        return String(decoding: bytes, as: UTF8.self)
    }
}
