import Foundation

/// Reads a raw RFC 5322 / MIME message held whole into an `InboundMail` with its files: the
/// `MailReader` fed at once, for mail known to be small (and for tests).
public enum MailParser {
    /// Parses `bytes`, fed to the reader `pieceSize` bytes at a time (at once by default);
    /// throws `MailError` saying what is wrong (no header fields, no sender, broken MIME, no text).
    public static func parse(_ bytes: [UInt8], pieceSize: Int = .max) throws -> InboundMail {
        var reader = MailReader()
        var files: [MailAttachment] = []
        func take(_ pieces: [MailReader.Piece]) {
            for piece in pieces {
                switch piece {
                case .file(let filename, let contentType):
                    files.append(MailAttachment(filename: filename, contentType: contentType, bytes: []))
                case .bytes(let bytes): files[files.count - 1].bytes += bytes
                case .end: break
                }
            }
        }
        var start = 0
        while start < bytes.count {
            let end = bytes.count - start > pieceSize ? start + pieceSize : bytes.count
            take(try reader.feed(bytes[start..<end]))
            start = end
        }
        take(try reader.finish())
        var mail = try reader.mail()
        mail.attachments = files
        return mail
    }
}
