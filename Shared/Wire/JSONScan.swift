/// One pass over a line that should be one JSON object: checks that the whole line is strictly
/// well-formed JSON (RFC 8259: grammar, escapes, UTF-8) and returns its top-level members as
/// byte ranges, without building any value. The envelope's head and a reply's id are read from
/// those ranges; only `params` and `result` are decoded with Codable, once.
///
/// `nil` means "not a plain JSON object here": not JSON, not an object, or nested deeper than
/// `maximumDepth`. Callers then take the general path (Foundation's decoder), which names the
/// problem exactly as before; the scanner only has to be right about what it accepts.
struct JSONScan {
    /// One top-level member: where its key's characters and its value lie in the line.
    struct Member {
        /// Between the key's quotes.
        var key: Range<Int>
        /// The key holds an escape: compare it only after decoding.
        var keyEscaped: Bool
        /// The value, from its first byte to its last.
        var value: Range<Int>
    }

    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The members of the object `bytes` holds, in order.
    static func members(of bytes: UnsafeRawBufferPointer) -> [Member]? {
        var scan = JSONScan(bytes)
        return scan.object()
    }

    private mutating func object() -> [Member]? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return nil }
        index += 1
        var members: [Member] = []
        skipSpace()
        if peek == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { return nil }
                let keyStart = index + 1
                guard let escaped = string() else { return nil }
                let key = keyStart..<(index - 1)
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace()
                let valueStart = index
                guard value(depth: 1) else { return nil }
                members.append(Member(key: key, keyEscaped: escaped, value: valueStart..<index))
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard peek == UInt8(ascii: "}") else { return nil }
                index += 1
                break
            }
        }
        skipSpace()
        return index == bytes.count ? members : nil
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// Passes over one value; false if it is not well-formed.
    private mutating func value(depth: Int) -> Bool {
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["): return container(depth: depth)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func container(depth: Int) -> Bool {
        guard depth < Self.maximumDepth, let open = peek else { return false }
        let isObject = open == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipSpace()
        if peek == close {
            index += 1
            return true
        }
        while true {
            skipSpace()
            if isObject {
                guard peek == UInt8(ascii: "\""), string() != nil else { return false }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return false }
                index += 1
                skipSpace()
            }
            guard value(depth: depth + 1) else { return false }
            skipSpace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek == close else { return false }
            index += 1
            return true
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> Bool {
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { return false }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, isDigit(digit) else { return false }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, isDigit(digit) else { return false }
            skipDigits()
        }
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { index += 1 }
    }

    /// Passes over a string from its opening quote; returns whether it held an escape, or nil
    /// if it is not well-formed (an unknown escape, a control character, bad UTF-8, no end).
    private mutating func string() -> Bool? {
        index += 1
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard let next = peek else { return nil }
                switch next {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count else { return nil }
                    for offset in 1...4 where !isHex(bytes[index + offset]) { return nil }
                    index += 5
                default:
                    return nil
                }
            case 0..<0x20:
                return nil
            case 0x80...:
                guard let length = utf8Sequence(at: index) else { return nil }
                index += length
            default:
                index += 1
            }
        }
        return nil
    }

    private func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// The length of the well-formed UTF-8 sequence starting at `start` (Unicode table 3-7), or nil.
    private func utf8Sequence(at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return nil
        }
        guard start + length <= bytes.count else { return nil }
        let second = bytes[start + 1]
        guard second >= low && second <= high else { return nil }
        for offset in 2..<length where bytes[start + offset] & 0xC0 != 0x80 { return nil }
        return length
    }
}

extension JSONScan.Member {
    /// Whether the key is exactly `name` (an escaped key never is: the caller goes the general way).
    func keyIs(_ name: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard !keyEscaped, key.count == name.utf8CodeUnitCount else { return false }
        for offset in 0..<key.count where bytes[key.lowerBound + offset] != name.utf8Start[offset] { return false }
        return true
    }

    /// The value as a string, if it is one without escapes (nil otherwise: a number, null, an escape).
    func plainString(in bytes: UnsafeRawBufferPointer) -> String? {
        guard value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(value.lowerBound + 1)..<(value.upperBound - 1)])
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// The value as an integer, if it is a plain integer literal that fits.
    func integer(in bytes: UnsafeRawBufferPointer) -> Int64? {
        guard value.count <= 20 else { return nil }
        var text = ""
        for index in value {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else { return nil }
            text.unicodeScalars.append(Unicode.Scalar(byte))
        }
        return Int64(text)
    }

    func isNull(in bytes: UnsafeRawBufferPointer) -> Bool {
        value.count == 4 && bytes[value.lowerBound] == UInt8(ascii: "n")
    }
}
