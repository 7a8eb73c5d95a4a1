import Foundation

/// Reads a raw RFC 5322 / MIME message held whole into an `InboundMail` with its files: the
/// `MailReader` fed at once, for mail known to be small (and for tests).
public enum MailParser {
    /// Parses `bytes`; throws `MailError` saying what is wrong (no header fields, no sender,
    /// broken MIME, no text).
    public static func parse(_ bytes: [UInt8]) throws -> InboundMail {
        var reader = MailReader()
        var files: [MailAttachment] = []
        for piece in try reader.feed(bytes) + reader.finish() {
            switch piece {
            case .file(let filename, let contentType): files.append(MailAttachment(filename: filename, contentType: contentType, bytes: []))
            case .bytes(let bytes): files[files.count - 1].bytes += bytes
            case .end: break
            }
        }
        var mail = try reader.mail()
        mail.attachments = files
        return mail
    }
}
