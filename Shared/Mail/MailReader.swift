import Foundation

/// Reads a received mail a piece at a time: its files come out as they are decoded, for the
/// caller to store as they come, and the rest (sender, thread, the text the customer wrote) is
/// gathered into an `InboundMail` at the end. What it holds is bounded whatever the mail's size:
/// a line, a header, `textLimit` bytes of each text form.
public struct MailReader {
    /// A file of the mail, as it is read.
    public enum Piece: Sendable, Hashable {
        /// A file starts: its name as the sender gave it (decoded, unchecked) and its declared
        /// media type in lower case.
        case file(filename: String?, contentType: String)
        /// Its next decoded bytes.
        case bytes([UInt8])
        /// It ends.
        case end
    }

    /// Text past this many bytes of a part is not kept: the message it becomes is shorter still,
    /// and the whole mail is kept with its ticket.
    public let textLimit: Int
    /// Files past this many are not decoded (they stay in the raw mail).
    public let fileLimit: Int
    /// Files the mail has past `fileLimit`.
    public private(set) var filesLeft = 0

    private var mime = MIMEReader()
    private var head: MIMEHead?
    private var roles: Roles
    /// What the part being read is.
    private var current = Role()
    private var plain: Text?
    private var html: Text?

    private struct Text {
        var charset: String
        var bytes: [UInt8] = []

        mutating func keep(_ more: [UInt8], upTo limit: Int) {
            bytes.append(contentsOf: more.prefix(max(0, limit - bytes.count)))
        }
    }

    public init(textLimit: Int = 1 << 20, fileLimit: Int = .max) {
        self.textLimit = textLimit
        self.fileLimit = fileLimit
        roles = Roles(fileLimit: fileLimit)
    }

    /// The files' pieces in the next bytes of the mail; throws `MailError` when the mail is
    /// broken (nothing of it is to be kept then).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [Piece] {
        var roles = self.roles
        var decided: [Role] = []
        let events = try mime.feed(bytes) { part in
            decided.append(roles.assign(part))
            return decided[decided.count - 1].wanted
        }
        self.roles = roles
        return consume(events, decided)
    }

    /// The files' last pieces; then `mail()` says what the mail is.
    public mutating func finish() throws -> [Piece] {
        var roles = self.roles
        var decided: [Role] = []
        let events = try mime.finish { part in
            decided.append(roles.assign(part))
            return decided[decided.count - 1].wanted
        }
        self.roles = roles
        return consume(events, decided)
    }

    /// The mail, after `finish`: throws when it names no sender or has no text.
    public func mail() throws -> InboundMail {
        guard let head else { throw MailError("the mail has no header fields") }
        guard let fromField = head.field("From") else { throw MailError("the mail has no From header") }
        guard let from = MailAddress.parse(EncodedWords.decode(fromField)) else {
            throw MailError("the From header has no e-mail address")
        }
        let recipients = ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"]
            .flatMap { head.allFields($0) }
            .flatMap { MailAddress.parseList(EncodedWords.decode($0)) }
        let text: String
        if let plain {
            text = Charsets.decode(plain.bytes, charset: plain.charset)
        } else if let html {
            text = HTMLText.plain(Charsets.decode(html.bytes, charset: html.charset))
        } else {
            throw MailError("the mail has no text part")
        }
        let automatic =
            (head.field("Auto-Submitted").map { $0.lowercased() != "no" } ?? false)
            || ["bulk", "junk", "list", "auto_reply"].contains(head.field("Precedence")?.lowercased() ?? "")
            || head.field("List-Id") != nil
        return InboundMail(
            from: from, recipients: recipients, subject: EncodedWords.decode(head.field("Subject") ?? ""),
            messageID: head.field("Message-ID").flatMap { Self.ids(in: $0).first ?? Self.nonEmpty($0) },
            inReplyTo: head.field("In-Reply-To").map(Self.ids) ?? [], references: head.field("References").map(Self.ids) ?? [],
            text: text, isAutomatic: automatic)
    }

    /// What a leaf part is read as: the text the customer wrote (the first plain text and the
    /// first HTML not marked as an attachment), a file (up to the limit), both, or neither.
    private struct Role {
        enum Text { case plain, html }
        var text: Text?
        var file = false
        var fileOverLimit = false
        var wanted: Bool { text != nil || file }
    }

    private struct Roles {
        let fileLimit: Int
        var plainTaken = false
        var htmlTaken = false
        var files = 0

        mutating func assign(_ part: MIMEHead) -> Role {
            var role = Role()
            let type = part.contentType.type
            if !part.isAttachment, type == "text/plain", !plainTaken {
                plainTaken = true
                role.text = .plain
            } else if !part.isAttachment, type == "text/html", !htmlTaken {
                htmlTaken = true
                role.text = .html
            }
            if part.isFile {
                files += 1
                role.file = files <= fileLimit
                role.fileOverLimit = !role.file
            }
            return role
        }
    }

    private mutating func consume(_ events: [MIMEReader.Event], _ decided: [Role]) -> [Piece] {
        var pieces: [Piece] = []
        var roles = decided.makeIterator()
        for event in events {
            switch event {
            case .message(let message):
                head = message
            case .begin(let part, _):
                current = roles.next() ?? Role()
                let charset = part.contentType.parameters["charset"] ?? "us-ascii"
                switch current.text {
                case .plain: plain = Text(charset: charset)
                case .html: html = Text(charset: charset)
                case nil: break
                }
                if current.file { pieces.append(.file(filename: part.filename, contentType: part.contentType.type)) }
                if current.fileOverLimit { filesLeft += 1 }
            case .bytes(let bytes):
                if current.file { pieces.append(.bytes(bytes)) }
                switch current.text {
                case .plain: plain?.keep(bytes, upTo: textLimit)
                case .html: html?.keep(bytes, upTo: textLimit)
                case nil: break
                }
            case .end:
                if current.file { pieces.append(.end) }
                current = Role()
            }
        }
        return pieces
    }

    /// Every `<id>` in a Message-ID, In-Reply-To or References field, without the brackets.
    static func ids(in value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
