import Foundation
import Mail
import SMTP
import Storage
import Synchronization

/// A queued mail's files, put in while it is sent: each marker line (`MailPart.attachmentMarker`)
/// becomes the file's base64 lines, read from storage a chunk at a time as the SMTP connection
/// asks for more. The queued mail stays small, and the mail going out is never whole in memory:
/// at most one chunk of a file (and the queued text) at a time.
enum MailFiles {
    /// Why a mail's file cannot be sent.
    struct Missing: Error {
        var id: String
    }

    /// The mail to send for `raw`, its files looked up first (a missing one is `Missing`, before
    /// a byte goes out).
    static func source(_ raw: String, store: AttachmentStore) async throws -> any MailSource {
        guard raw.contains("\r\n=?attachment:") else { return Streamed(pieces: [.text(Array(raw.utf8))], store: store) }
        var pieces: [Streamed.Piece] = []
        var text: [UInt8] = []
        for line in raw.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
            guard let id = MailPart.attachmentID(inMarker: line) else {
                text += Array(line.utf8) + [13, 10]
                continue
            }
            guard let uuid = UUID(uuidString: id), let stored = try await store.find(uuid) else { throw Missing(id: id) }
            pieces += [.text(text), .file(uuid, chunks: stored.chunks)]
            text = []
        }
        return Streamed(pieces: pieces + [.text(text)], store: store)
    }

    /// The pieces of a mail, given one after another on the sending thread; a file's chunks are
    /// read from storage there, waiting for the database.
    final class Streamed: MailSource, @unchecked Sendable {
        enum Piece {
            case text([UInt8])
            case file(UUID, chunks: Int)
        }

        private let pieces: [Piece]
        private let store: AttachmentStore
        private var index = 0
        private var chunk = 0
        /// Bytes of the file read but not yet encoded: base64 goes 57 bytes to a 76-character line.
        private var carry: [UInt8] = []

        init(pieces: [Piece], store: AttachmentStore) {
            self.pieces = pieces
            self.store = store
        }

        func next() throws -> [UInt8]? {
            while index < pieces.count {
                switch pieces[index] {
                case .text(let bytes):
                    index += 1
                    if !bytes.isEmpty { return bytes }
                case .file(let id, let chunks):
                    if chunk < chunks {
                        let n = chunk
                        let store = store
                        carry += try Self.wait { Array(try await store.chunk(n, of: id)) }
                        chunk += 1
                        let whole = carry.count / 57 * 57
                        let encoded = MailFiles.lines(carry[..<whole])
                        carry.removeFirst(whole)
                        if !encoded.isEmpty { return encoded }
                    } else {
                        let encoded = MailFiles.lines(carry[...])
                        carry = []
                        chunk = 0
                        index += 1
                        if !encoded.isEmpty { return encoded }
                    }
                }
            }
            return nil
        }

        /// `work`'s answer, waited for on this thread (a sending thread of its own, never one of
        /// the event loops that run `work`).
        static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
            let done = DispatchSemaphore(value: 0)
            let answer = Mutex<Result<T, any Error>?>(nil)
            Task {
                do {
                    let value = try await work()
                    answer.withLock { $0 = .success(value) }
                } catch {
                    answer.withLock { $0 = .failure(error) }
                }
                done.signal()
            }
            done.wait()
            return try answer.withLock { $0! }.get()
        }
    }

    /// `bytes` in base64, CRLF-ended lines of at most 76 characters.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        let text = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Array(text.utf8) + [13, 10]
    }
}
