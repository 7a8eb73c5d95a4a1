import Foundation

/// A mail as it is queued: every header fixed, so sending it again sends the same mail.
public struct OutgoingMail: Sendable {
    public var from: MailAddress
    public var to: MailAddress
    public var replyTo: MailAddress?
    public var subject: String
    /// Without angle brackets.
    public var messageID: String
    public var inReplyTo: String?
    /// Oldest first, without angle brackets.
    public var references: [String]
    public var date: Date
    public var body: String
    /// The same words as HTML (`HTMLLetter`): with it the mail is multipart/alternative, the plain
    /// text first for the clients that show only that.
    public var html: String?
    /// Extra headers such as `Auto-Submitted`, written as given (ASCII).
    public var extraHeaders: [(String, String)]
    /// Files sent with it: each becomes a part of a `multipart/mixed` mail whose bytes are put in
    /// at send time (see `MailPart.attachmentMarker`), so the queued mail stays small.
    public var attachments: [OutgoingAttachment] = []

    public init(
        from: MailAddress, to: MailAddress, replyTo: MailAddress?, subject: String, messageID: String, inReplyTo: String?,
        references: [String], date: Date, body: String, html: String? = nil, extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.body = body
        self.html = html
        self.extraHeaders = extraHeaders
    }

    /// The RFC 5322 message: ASCII only, CRLF line ends, every text in UTF-8 quoted-printable.
    public func rendered() -> String {
        var headers: [(String, String)] = [
            ("Date", Self.format(date)),
            ("From", from.header),
            ("To", to.header),
        ]
        if let replyTo { headers.append(("Reply-To", replyTo.header)) }
        headers.append(("Subject", EncodedWords.encode(subject)))
        headers.append(("Message-ID", "<\(messageID)>"))
        if let inReplyTo { headers.append(("In-Reply-To", "<\(inReplyTo)>")) }
        if !references.isEmpty { headers.append(("References", references.map { "<\($0)>" }.joined(separator: "\r\n "))) }
        headers += extraHeaders
        headers.append(("MIME-Version", "1.0"))
        let (partHeaders, partBody) = content.rendered()
        let head = (headers + partHeaders).map { Self.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n")
        return head + "\r\n\r\n" + partBody
    }

    /// The body as a tree of parts: the text (with `html`, a `multipart/alternative` of the plain
    /// text first and the HTML), and with files a `multipart/mixed` of that and one part per file.
    public var content: MailPart {
        let token = Self.boundaryToken(messageID)
        let plain = Self.textPart("plain", body)
        let text =
            html.map { MailPart.multipart(subtype: "alternative", boundary: "=_alt_" + token, parts: [plain, Self.textPart("html", $0)]) }
            ?? plain
        guard !attachments.isEmpty else { return text }
        return .multipart(subtype: "mixed", boundary: "=_sb_" + token, parts: [text] + attachments.map(\.part))
    }

    /// One text part, quoted-printable.
    static func textPart(_ subtype: String, _ text: String) -> MailPart {
        .leaf(
            headers: [("Content-Type", "text/\(subtype); charset=UTF-8"), ("Content-Transfer-Encoding", "quoted-printable")],
            body: QuotedPrintable.encode(text) + "\r\n")
    }

    /// Up to 32 of the Message-ID's letters and digits: with a prefix starting "=_", a boundary no
    /// line of ours can start with (quoted-printable never writes "=_").
    static func boundaryToken(_ messageID: String) -> String {
        String(messageID.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(32))
    }

    /// Moves a mailbox's `<address>` onto its own line when the line would pass 78 characters.
    static func fold(_ line: String) -> String {
        guard (line.components(separatedBy: "\r\n").last?.count ?? 0) > 78, let space = line.range(of: " <", options: .backwards) else {
            return line
        }
        return line.replacingCharacters(in: space, with: "\r\n <")
    }

    /// A new Message-ID under `domain`.
    public static func newMessageID(domain: String) -> String { "\(UUID().uuidString.lowercased())@\(domain)" }

    /// RFC 5322 date-time in UTC, e.g. `Thu, 26 Nov 2026 23:22:05 +0000`.
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value! < 10 ? "0\(value!)" : "\(value!)" }
        return "\(days[parts.weekday! - 1]), \(two(parts.day)) \(months[parts.month! - 1]) \(parts.year!) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
