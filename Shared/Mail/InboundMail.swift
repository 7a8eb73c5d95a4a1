import Foundation

/// What the suite needs of a received mail, decoded.
public struct InboundMail: Sendable, Hashable {
    public var from: MailAddress
    /// To, Cc and the envelope headers relays add (Delivered-To, X-Original-To, Envelope-To):
    /// where a reply token may be.
    public var recipients: [MailAddress]
    public var subject: String
    /// The Message-ID without angle brackets; `nil` when the mail has none.
    public var messageID: String?
    public var inReplyTo: [String]
    /// Oldest first.
    public var references: [String]
    /// The text the customer wrote: the plain text part (or the HTML one as text).
    public var text: String
    /// Sent by a machine (an auto-reply, a bounce, a list): it gets no acknowledgement.
    public var isAutomatic: Bool
    /// The files it carries, in the order they appear (decoded).
    public var attachments: [MailAttachment]

    public init(
        from: MailAddress, recipients: [MailAddress], subject: String, messageID: String?, inReplyTo: [String], references: [String],
        text: String, isAutomatic: Bool, attachments: [MailAttachment] = []
    ) {
        self.attachments = attachments
        self.from = from
        self.recipients = recipients
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.text = text
        self.isAutomatic = isAutomatic
    }
}

/// A file a received mail carries: its name as the sender gave it (decoded, unchecked), its
/// declared media type in lower case, and its bytes with the transfer encoding undone.
public struct MailAttachment: Sendable, Hashable {
    public var filename: String?
    public var contentType: String
    public var bytes: [UInt8]

    public init(filename: String?, contentType: String, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// Why a mail could not be read, in words for the one who sent it.
public struct MailError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
