import Contracts
import Foundation
import Storage
import Testing

@Suite("Attachment storage")
struct AttachmentStoreTests {
    @Test(
        "a file goes in and out in chunks; an unfinished one is invisible; loose ones older than a day are swept, kept and attached ones stay"
    )
    func chunksAndSweep() async throws {
        try await withDatabase { database in
            let store = AttachmentStore(database: database)
            let uploader = AttachmentStore.Uploader(kind: .customer, id: UUID())
            let conversation = UUID()
            // Two chunks and a bit, written a few bytes at a time as a slow client sends them.
            let bytes = (0..<(2 * AttachmentStore.chunkSize + 1_000)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            var writer = try await AttachmentWriter(
                store: store, conversationID: conversation, uploader: uploader, filename: "a.bin", contentType: "application/pdf",
                signature: nil, maximum: bytes.count)
            var start = 0
            while start < bytes.count {
                let end = min(start + 40_000, bytes.count)
                try await writer.write(bytes[start..<end])
                start = end
            }
            #expect(try await store.find(writer.id) == nil, "invisible until finished")
            let attachment = try await writer.finish()
            let stored = try #require(try await store.find(attachment.id))
            #expect(stored.chunks == 3 && stored.attachment.size == Int64(bytes.count))
            var back: [UInt8] = []
            for n in 0..<stored.chunks { back += try await store.chunk(n, of: stored.attachment.id) }
            #expect(back == bytes)

            // Over the maximum while streaming: refused, and discarding leaves nothing.
            var over = try await AttachmentWriter(
                store: store, conversationID: conversation, uploader: uploader, filename: "b.bin", contentType: "text/plain",
                signature: .text, maximum: 10)
            await #expect(throws: AttachmentWriter.Refusal.tooLarge) { try await over.write(Array(repeating: UInt8(0x61), count: 11)) }
            await over.discard()

            // Sweeping: a loose file from two days ago goes; an attached one, a kept one and today's stay.
            let loose = try await store.store(
                [1, 2, 3], filename: "old", declaredType: "x/y", conversationID: conversation, uploader: uploader)
            let attached = try await store.store(
                [1], filename: "sent", declaredType: "x/y", conversationID: conversation, uploader: uploader)
            let kept = try await store.store([1], filename: "mail", declaredType: "x/y", conversationID: nil, uploader: uploader)
            #expect(loose.contentType == AttachmentRules.unknownType, "an unknown declared type is stored as unknown")
            try await database.query("UPDATE platform.attachments SET created_at = now() - interval '2 days'")
            try await database.query("UPDATE platform.attachments SET message_id = \(UUID()) WHERE id = \(attached.id)")
            try await database.query("UPDATE platform.attachments SET kept = true WHERE id = \(kept.id)")
            #expect(try await store.sweep() == 2, "the loose one and the first file, attached to nothing")
            let gone = (try await store.find(loose.id), try await store.find(attachment.id))
            #expect(gone.0 == nil && gone.1 == nil)
            let stayed = (try await store.find(attached.id), try await store.find(kept.id))
            #expect(stayed.0 != nil && stayed.1 != nil)
            let chunks = try await database.query("SELECT count(*) AS n FROM platform.attachment_chunks")
            #expect(try chunks[0].decode("n", as: Int.self) == 2, "the swept files' chunks went with them")
        }
    }
}
