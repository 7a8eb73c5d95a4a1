import Foundation
import Mail
import SMTP
import Storage

/// A queued mail's files, put in at send time: each marker line (`MailPart.attachmentMarker`)
/// becomes the file's base64 lines, read from storage a chunk at a time. The queued mail stays
/// small; the mail being sent is whole in memory while it goes out (curl is handed one buffer),
/// at most a message's files (`AttachmentRules.maximumPerMessage` × the upload limit) beyond its text.
enum MailFiles {
    /// Why a mail's file cannot be sent.
    struct Missing: Error {
        var id: String
    }

    /// The bytes to send for `raw`: itself when it has no files.
    static func expand(_ raw: String, store: AttachmentStore) async throws -> [UInt8] {
        guard raw.contains("\r\n=?attachment:") else { return Array(raw.utf8) }
        var output: [UInt8] = []
        output.reserveCapacity(raw.utf8.count)
        for line in raw.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
            guard let id = MailPart.attachmentID(inMarker: line) else {
                output += Array(line.utf8) + [13, 10]
                continue
            }
            guard let uuid = UUID(uuidString: id), let stored = try await store.find(uuid) else { throw Missing(id: id) }
            // 57 bytes make one 76-character line; what a chunk leaves over goes with the next.
            var carry: [UInt8] = []
            for n in 0..<stored.chunks {
                carry += try await store.chunk(n, of: uuid)
                let whole = carry.count / 57 * 57
                output += lines(carry[..<whole])
                carry.removeFirst(whole)
            }
            output += lines(carry[...])
        }
        return output
    }

    /// `bytes` in base64, CRLF-ended lines of at most 76 characters.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        let text = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Array(text.utf8) + [13, 10]
    }
}
