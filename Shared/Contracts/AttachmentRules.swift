import Foundation

/// What an attachment may be: its media types, how its bytes are told apart, its name, and how
/// it is served back. Pure, so the gateway (uploads, downloads) and ticketing (mail) agree.
public enum AttachmentRules {
    /// A file name's length, in characters (Unicode scalars).
    public static let maximumFilename = 200
    /// Attachments one message carries at most.
    public static let maximumPerMessage = 10
    /// `SWITCHBOARD_ATTACHMENT_MAX_BYTES`' default: 10 MiB.
    public static let defaultMaximumBytes = 10 << 20

    /// How a type's bytes are recognised.
    public enum Signature: Sendable, Hashable {
        case png, jpeg, gif, webp, pdf
        /// Office Open XML and OpenDocument files are ZIP archives.
        case zip
        /// The older Office formats are OLE compound files.
        case ole
        /// UTF-8 without NUL.
        case text
    }

    /// Every type the desk can check, and how.
    public static let signatures: [String: Signature] = [
        "image/png": .png, "image/jpeg": .jpeg, "image/gif": .gif, "image/webp": .webp,
        "application/pdf": .pdf, "text/plain": .text, "text/csv": .text,
        "application/msword": .ole, "application/vnd.ms-excel": .ole, "application/vnd.ms-powerpoint": .ole,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": .zip,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": .zip,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": .zip,
        "application/vnd.oasis.opendocument.text": .zip, "application/vnd.oasis.opendocument.spreadsheet": .zip,
        "application/vnd.oasis.opendocument.presentation": .zip,
    ]

    /// `SWITCHBOARD_ATTACHMENT_TYPES`' default: every type the desk can check.
    public static let defaultTypes: [String] = signatures.keys.sorted()

    /// The types shown inline (as images, under a sandbox CSP); everything else downloads.
    public static let inlineTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// What a stored file of unknown or unchecked type is served as (mail's attachments).
    public static let unknownType = "application/octet-stream"

    /// The media type of a `Content-Type` value, lower case and without parameters; `nil` when
    /// it is not `type/subtype`.
    public static func mediaType(_ header: String?) -> String? {
        guard let header, let bare = header.split(separator: ";", omittingEmptySubsequences: false).first else { return nil }
        let type = bare.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = type.split(separator: "/", omittingEmptySubsequences: false)
        let token = { (part: Substring) in
            !part.isEmpty
                && part.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"()<>@,;:\\\"/[]?={}".unicodeScalars.contains($0) }
        }
        guard parts.count == 2, token(parts[0]), token(parts[1]) else { return nil }
        return type
    }

    /// The header a stored type is served with (text says its charset).
    public static func servedType(_ type: String) -> String {
        signatures[type] == .text ? "\(type); charset=utf-8" : type
    }

    /// Why a file name cannot be kept.
    public struct FilenameProblem: Error, Sendable, Equatable {
        public var message: String
    }

    /// The name kept for `raw`: its last path part, trimmed. Refused: empty, `.`/`..`, control
    /// or bidirectional-override characters (which hide an extension), over `maximumFilename`.
    public static func filename(_ raw: String) -> Result<String, FilenameProblem> {
        let last = raw.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        let name = last.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name == "." || name == ".." { return .failure(.init(message: "filename must name a file")) }
        if name.unicodeScalars.contains(where: isRefusedInName) {
            return .failure(.init(message: "filename must not hold control or direction characters"))
        }
        if name.unicodeScalars.count > maximumFilename {
            return .failure(.init(message: "filename must be at most \(maximumFilename) characters"))
        }
        return .success(name)
    }

    static func isRefusedInName(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x200E...0x200F).contains(value)
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0xFEFF
    }

    /// `Content-Disposition` for serving `filename`: `inline` or `attachment`, with an ASCII
    /// `filename` for old clients and the exact one as `filename*` (RFC 6266, RFC 5987).
    public static func contentDisposition(filename: String, inline: Bool) -> String {
        let fallback = String(
            String.UnicodeScalarView(
                filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0 != "%" ? $0 : "_" }))
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        var encoded = ""
        for byte in filename.utf8 {
            if allowed.contains(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                encoded += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
            }
        }
        return "\(inline ? "inline" : "attachment"); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}

/// Checks that bytes are what their declared type says, as they stream in: a magic number at
/// the start, or for text valid UTF-8 without NUL from the first byte to the last. Holds at most
/// a few bytes, however large the file.
public struct ContentCheck: Sendable {
    public let signature: AttachmentRules.Signature
    private var prefix: [UInt8] = []
    private var broken = false
    /// UTF-8: continuation bytes still expected, and the range the next one must fall in.
    private var expecting = 0
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    public private(set) var count: Int64 = 0

    static let prefixLength = 16

    public init(_ signature: AttachmentRules.Signature) {
        self.signature = signature
    }

    /// Reads the next bytes of the file.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        // Past the magic number only text has more to check: the rest is counted, not read.
        if signature != .text, prefix.count >= Self.prefixLength {
            count += Int64(bytes.count)
            return
        }
        for byte in bytes {
            count += 1
            if prefix.count < Self.prefixLength { prefix.append(byte) }
            if signature == .text, !broken { text(byte) }
        }
    }

    private mutating func text(_ byte: UInt8) {
        if expecting > 0 {
            guard byte >= low, byte <= high else { return broken = true }
            expecting -= 1
            (low, high) = (0x80, 0xBF)
            return
        }
        switch byte {
        case 0x00: broken = true
        case 0x01...0x7F: break
        case 0xC2...0xDF: (expecting, low, high) = (1, 0x80, 0xBF)
        case 0xE0: (expecting, low, high) = (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (expecting, low, high) = (2, 0x80, 0xBF)
        case 0xED: (expecting, low, high) = (2, 0x80, 0x9F)
        case 0xF0: (expecting, low, high) = (3, 0x90, 0xBF)
        case 0xF1...0xF3: (expecting, low, high) = (3, 0x80, 0xBF)
        case 0xF4: (expecting, low, high) = (3, 0x80, 0x8F)
        default: broken = true
        }
    }

    /// Whether what was fed so far can still be the declared type (text fails at its first bad byte).
    public var stillPossible: Bool { !broken }

    /// Whether the whole file, now that it has ended, is the declared type.
    public var matches: Bool {
        guard !broken, count > 0 else { return false }
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + magic.count && Array(prefix[offset..<offset + magic.count]) == magic
        }
        switch signature {
        case .png: return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case .jpeg: return starts([0xFF, 0xD8, 0xFF])
        case .gif: return starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8))
        case .webp: return starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8)
        case .pdf: return starts(Array("%PDF-".utf8))
        case .zip: return starts([0x50, 0x4B, 0x03, 0x04])
        case .ole: return starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        case .text: return expecting == 0
        }
    }
}
