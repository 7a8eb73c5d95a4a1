import Foundation

/// Undoes a part's Content-Transfer-Encoding a piece at a time: whatever the pieces' sizes, the
/// bytes out are those of decoding the whole body at once, and the decoder holds at most a few
/// bytes between pieces.
struct TransferDecoder {
    enum Encoding {
        case identity, base64, quotedPrintable
    }

    let encoding: Encoding
    /// base64: the sextets of the quantum being read; quoted-printable: what follows an `=`.
    private var held: [UInt8] = []
    /// base64: a `=` has been read, so no more data may come.
    private var padded = false

    /// The decoder for a part's `Content-Transfer-Encoding` value (7bit when absent).
    init(_ field: String?) throws {
        switch field?.lowercased().trimmingCharacters(in: .whitespaces) ?? "7bit" {
        case "quoted-printable": encoding = .quotedPrintable
        case "base64": encoding = .base64
        case "7bit", "8bit", "binary", "": encoding = .identity
        case let other: throw MailError("unknown Content-Transfer-Encoding \"\(other)\"")
        }
    }

    /// The decoded bytes of the next piece of the body, appended to `output`.
    mutating func decode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) throws {
        switch encoding {
        case .identity: output.append(contentsOf: bytes)
        case .base64: for byte in bytes { try base64(byte, into: &output) }
        case .quotedPrintable: for byte in bytes { quotedPrintable(byte, into: &output) }
        }
    }

    /// What the end of the body leaves: an unfinished base64 quantum of two or three characters
    /// (a sender that drops the padding), or an `=` that starts no escape.
    mutating func finish(into output: inout [UInt8]) throws {
        switch encoding {
        case .identity: break
        case .base64:
            guard held.count != 1 else { throw MailError("a base64 part is not valid base64") }
            emit(&output)
        case .quotedPrintable:
            // "=" at the very end is a soft break; anything else is kept as written.
            if !held.dropFirst().allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { output.append(contentsOf: held) }
        }
        held.removeAll()
    }

    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    private mutating func base64(_ byte: UInt8, into output: inout [UInt8]) throws {
        switch byte {
        case 13, 10, 32, 9: return
        case UInt8(ascii: "="):
            // Padding ends the data: it may complete a quantum of two or three characters only.
            guard held.count >= 2 || (padded && held.isEmpty) else { throw MailError("a base64 part is not valid base64") }
            emit(&output)
            held.removeAll()
            padded = true
        default:
            let value = Self.sextets[Int(byte)]
            guard value != 0xFF, !padded else { throw MailError("a base64 part is not valid base64") }
            held.append(value)
            if held.count == 4 {
                emit(&output)
                held.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The bytes of the held sextets (2, 3 or 4 of them).
    private func emit(_ output: inout [UInt8]) {
        guard held.count >= 2 else { return }
        output.append(held[0] << 2 | held[1] >> 4)
        if held.count >= 3 { output.append(held[1] << 4 | held[2] >> 2) }
        if held.count == 4 { output.append(held[2] << 6 | held[3]) }
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` then white space then a line break
    /// is a soft break, and a malformed `=` sequence is kept as it is rather than losing the text.
    private mutating func quotedPrintable(_ byte: UInt8, into output: inout [UInt8]) {
        guard !held.isEmpty || byte == UInt8(ascii: "=") else {
            output.append(byte)
            return
        }
        if byte == UInt8(ascii: "="), held.isEmpty {
            held.append(byte)
            return
        }
        let after = held.dropFirst()
        let blank = after.allSatisfy { $0 == 32 || $0 == 9 }
        if (byte == 32 || byte == 9) && blank && after.count < 76 {
            held.append(byte)
            return
        }
        if byte == 13 && blank {
            held.append(byte)
            return
        }
        if byte == 10 && (blank || (after.last == 13 && after.dropLast().allSatisfy { $0 == 32 || $0 == 9 })) {
            held.removeAll()
            return
        }
        if held.count == 2, let high = QuotedPrintable.hexValue(held[1]), let low = QuotedPrintable.hexValue(byte) {
            output.append(high << 4 | low)
            held.removeAll()
            return
        }
        if held.count == 1, QuotedPrintable.hexValue(byte) != nil {
            held.append(byte)
            return
        }
        // Not an escape: the "=" and what followed it stand as written, and this byte starts afresh.
        let kept = held
        held.removeAll()
        output.append(contentsOf: kept)
        quotedPrintable(byte, into: &output)
    }
}
