import Foundation

/// Header text outside ASCII (RFC 2047): encoding names and subjects for the wire, decoding
/// what arrives (encoded words, or raw UTF-8 as RFC 6532 allows).
public enum EncodedWords {
    /// `text` as it goes into a header: itself when plain ASCII, else UTF-8 "B" encoded words
    /// of at most 75 characters each, split between characters and folded onto their own lines.
    public static func encode(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text where !character.isNewline {
            let bytes = Array(String(character).utf8)
            // 39 bytes are 52 base64 characters: with "=?UTF-8?B?" and "?=" a 64-character word, so
            // even the first, after "Subject: ", stays within 78.
            if chunk.count + bytes.count > 39 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?\(Data(bytes).base64EncodedString())?=" }

    /// A display name for an address header: quoted when it has specials, encoded when not ASCII.
    public static func displayName(_ name: String) -> String {
        let clean = name.filter { !$0.isNewline }
        if !clean.allSatisfy(\.isASCII) { return encode(clean) }
        let specials = Set("()<>[]:;@\\,.\"")
        guard clean.contains(where: { specials.contains($0) }) else { return clean }
        return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Decodes a header value: encoded words in any charset this module knows, and the
    /// white space between two adjacent encoded words dropped (RFC 2047 §6.2).
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var pendingSpace = ""
        var lastWasWord = false
        var rest = Substring(value)
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (decoded, length) = decodeWord(rest) {
                if !lastWasWord { output += pendingSpace }
                pendingSpace = ""
                output += decoded
                rest = rest.dropFirst(length)
                lastWasWord = true
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingSpace.append(character)
            } else {
                output += pendingSpace
                pendingSpace = ""
                output.append(character)
                lastWasWord = false
            }
        }
        return output + pendingSpace
    }

    /// One encoded word at the start of `text`, and how many characters it took.
    static func decodeWord(_ text: Substring) -> (String, Int)? {
        let parts = text.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("=") else { return nil }
        // "charset*language" (RFC 2231) names the charset before the star.
        let charset = String(parts[0].split(separator: "*").first ?? "")
        let encoded = Array(parts[2].utf8)
        let bytes: [UInt8]
        switch parts[1].lowercased() {
        case "b":
            guard let data = Data(base64Encoded: String(parts[2]), options: .ignoreUnknownCharacters) else { return nil }
            bytes = Array(data)
        case "q":
            bytes = QuotedPrintable.decode(encoded.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 })
        default:
            return nil
        }
        let length = 2 + parts[0].count + 1 + parts[1].count + 1 + parts[2].count + 2
        return (Charsets.decode(bytes, charset: charset), length)
    }
}
