import Foundation

/// Quoted-printable (RFC 2045 §6.7): text bodies that stay readable and whose lines stay
/// under SMTP's 998-octet limit however long the written lines are.
public enum QuotedPrintable {
    /// Encodes `text` as UTF-8 with CRLF line ends and soft breaks so no line exceeds 76 characters.
    public static func encode(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { encode(line: Array($0.utf8)) }.joined(separator: "\r\n")
    }

    static func encode(line bytes: [UInt8]) -> String {
        var output = ""
        var width = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal =
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
            // A leading dot is escaped too, so no relay's dot handling can touch it.
            let token = literal && !(width == 0 && byte == UInt8(ascii: ".")) ? String(UnicodeScalar(byte)) : hex(byte)
            // Room is kept for the "=" of a soft break (76 characters in all).
            if width + token.count > (isLast ? 76 : 75) {
                output += "=\r\n"
                width = 0
            }
            output += token
            width += token.count
        }
        return output
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
    }

    /// Decodes quoted-printable bytes. Soft breaks are removed; a malformed `=` sequence is kept
    /// as it is, as RFC 2045 advises, rather than losing the text.
    public static func decode(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            // A soft break: "=" then optional trailing white space then CRLF or LF.
            var after = index + 1
            while after < bytes.count, bytes[after] == UInt8(ascii: " ") || bytes[after] == UInt8(ascii: "\t") { after += 1 }
            if after < bytes.count, bytes[after] == UInt8(ascii: "\r") || bytes[after] == UInt8(ascii: "\n") {
                index =
                    after
                    + (bytes[after] == UInt8(ascii: "\r") && after + 1 < bytes.count && bytes[after + 1] == UInt8(ascii: "\n") ? 2 : 1)
                continue
            }
            if after == bytes.count {
                index = after
                continue
            }
            if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
