import Contracts
import Foundation

extension Migration {
    /// Attachments: platform-level storage, like the outbox, because three services meet them
    /// (the gateway stores uploads and serves them, the conversation service attaches them to a
    /// message in the post's transaction, ticketing stores mail's and reads them to send). A
    /// received mail's raw bytes are a file too (no conversation, `kept` with its ticket).
    static let attachments = Migration(
        schema: "platform", version: 2, name: "attachments in chunks",
        sql: """
            CREATE TABLE platform.attachments (
                id uuid PRIMARY KEY,
                conversation_id uuid,
                uploader_kind text NOT NULL,
                uploader_id uuid,
                filename text NOT NULL,
                content_type text NOT NULL,
                size bigint NOT NULL DEFAULT 0,
                chunks integer NOT NULL DEFAULT 0,
                complete boolean NOT NULL DEFAULT false,
                message_id uuid,
                kept boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX attachments_loose ON platform.attachments (created_at) WHERE message_id IS NULL AND NOT kept;
            CREATE INDEX attachments_uploader ON platform.attachments (uploader_id, created_at);
            CREATE INDEX attachments_message ON platform.attachments (message_id) WHERE message_id IS NOT NULL;
            CREATE TABLE platform.attachment_chunks (
                attachment_id uuid NOT NULL REFERENCES platform.attachments ON DELETE CASCADE,
                n integer NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (attachment_id, n)
            );
            -- Images and office files are compressed already: TOAST stores chunks as they are.
            ALTER TABLE platform.attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
            """
    )
}

/// The attachments' bytes in PostgreSQL, in chunks of `chunkSize`: a file goes in and comes out
/// one chunk per statement, so no process holds a whole file and no statement, reply or wire
/// line grows with it. A file is invisible until `finish` marks it complete; one abandoned
/// half-way (or never attached to a message) is swept after a day.
public struct AttachmentStore: Sendable {
    /// Bytes per chunk row: 256 KiB (512 KiB as the hex text libpq carries).
    public static let chunkSize = 256 << 10
    /// Uploads attached to nothing this long are swept.
    public static let looseLifetime = 24 * 3600

    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Who stored a file: the message author it may be attached by.
    public struct Uploader: Sendable, Hashable {
        public var kind: Author.Kind
        public var id: UUID?

        public init(kind: Author.Kind, id: UUID?) {
            self.kind = kind
            self.id = id
        }
    }

    /// A complete file's record.
    public struct Stored: Sendable, Hashable {
        public var attachment: Attachment
        /// `nil` for a received mail's raw bytes.
        public var conversationID: UUID?
        public var uploader: Uploader
        public var messageID: UUID?
        public var chunks: Int
    }

    /// A day's bytes for one uploader: the limit, and the bytes the next file may take (its
    /// announced length, else the most a file may be).
    public struct Quota: Sendable {
        public var bytesPerDay: Int64
        public var reserve: Int64

        public init(bytesPerDay: Int64, reserve: Int64) {
            self.bytesPerDay = bytesPerDay
            self.reserve = reserve
        }
    }

    /// The uploader is over its day's bytes.
    public struct OverQuota: Error, Sendable {}

    /// Starts a file (incomplete, so invisible); returns its id. With a `quota`, the file counts
    /// `quota.reserve` bytes against its uploader's day until it is finished at its real size;
    /// the count and the row are one transaction under a lock per uploader, so uploads at once
    /// never pass the limit together (`OverQuota`).
    public func begin(
        conversationID: UUID?, uploader: Uploader, filename: String, contentType: String, quota: Quota? = nil
    ) async throws -> UUID {
        let id = UUID()
        let admitted = try await database.transaction { transaction -> Bool in
            if let quota {
                try transaction.query("SELECT pg_advisory_xact_lock(hashtextextended('attachments ' || \(uploader.id)::text, 0))")
                let used = try transaction.query(
                    """
                    SELECT coalesce(sum(size), 0)::bigint AS bytes FROM platform.attachments
                    WHERE uploader_id = \(uploader.id) AND uploader_kind = \(uploader.kind.rawValue)
                      AND created_at > now() - make_interval(secs => \(Double(Self.looseLifetime)))
                    """)[0].decode("bytes", as: Int64.self)
                if used + quota.reserve > quota.bytesPerDay { return false }
            }
            try transaction.query(
                """
                INSERT INTO platform.attachments (id, conversation_id, uploader_kind, uploader_id, filename, content_type, size)
                VALUES (\(id), \(conversationID), \(uploader.kind.rawValue), \(uploader.id), \(filename), \(contentType), \(quota?.reserve ?? 0))
                """)
            return true
        }
        guard admitted else { throw OverQuota() }
        return id
    }

    /// Stores chunk `n` (0, 1, 2 …) of file `id`.
    public func append(_ data: Data, chunk n: Int, of id: UUID) async throws {
        try await database.query(
            "INSERT INTO platform.attachment_chunks (attachment_id, n, data) VALUES (\(id), \(n), \(data)::bytea)")
    }

    /// Marks file `id` complete with its size and chunk count (and its type, when it turned out
    /// another than the one it began with).
    public func finish(_ id: UUID, size: Int64, chunks: Int, contentType: String? = nil) async throws -> Attachment {
        let row = try await database.query(
            """
            UPDATE platform.attachments
            SET size = \(size), chunks = \(chunks), complete = true, content_type = coalesce(\(contentType), content_type)
            WHERE id = \(id)
            RETURNING filename, content_type
            """
        ).first
        guard let row else { throw DatabaseError(.query, "attachment \(id) vanished while it was stored") }
        return Attachment(id: id, filename: try row.decode("filename"), contentType: try row.decode("content_type"), size: size)
    }

    /// Forgets file `id` and its chunks (a refused or failed upload), unless something keeps it.
    public func discard(_ id: UUID) async {
        _ = try? await database.query("DELETE FROM platform.attachments WHERE id = \(id) AND NOT kept")
    }

    /// Stores `bytes` as a complete file of the conversation's, under the type they are (the
    /// declared one when the desk can check it and they match it, else `unknownType`).
    public func store(
        _ bytes: [UInt8], filename: String, declaredType: String, conversationID: UUID?, uploader: Uploader
    ) async throws -> Attachment {
        var writer = try await AttachmentWriter(
            store: self, conversationID: conversationID, uploader: uploader, filename: filename, declaredType: declaredType,
            maximum: bytes.count)
        do {
            try await writer.write(bytes)
            return try await writer.finish()
        } catch {
            await writer.discard()
            throw error
        }
    }

    /// A complete file's record; `nil` when there is none.
    public func find(_ id: UUID) async throws -> Stored? {
        try await database.query(
            """
            SELECT id, filename, content_type, size, conversation_id, uploader_kind, uploader_id, message_id, chunks
            FROM platform.attachments WHERE id = \(id) AND complete
            """
        ).first.map(Self.stored)
    }

    static func stored(_ row: PGRow) throws -> Stored {
        Stored(
            attachment: Attachment(
                id: try row.decode("id"), filename: try row.decode("filename"), contentType: try row.decode("content_type"),
                size: try row.decode("size")),
            conversationID: try row.decode("conversation_id"),
            uploader: Uploader(kind: Author.Kind(rawValue: try row.decode("uploader_kind")) ?? .system, id: try row.decode("uploader_id")),
            messageID: try row.decode("message_id"), chunks: try row.decode("chunks"))
    }

    /// Chunk `n` of file `id`.
    public func chunk(_ n: Int, of id: UUID) async throws -> Data {
        let row = try await database.query("SELECT data FROM platform.attachment_chunks WHERE attachment_id = \(id) AND n = \(n)").first
        guard let hex = try row?.decode("data", as: String.self), let data = Self.bytes(hex: hex) else {
            throw DatabaseError(.query, "chunk \(n) of attachment \(id) is missing")
        }
        return data
    }

    /// Deletes up to `limit` files attached to nothing for longer than `looseLifetime`: uploads
    /// never sent and uploads abandoned half-way. Returns how many went.
    @discardableResult
    public func sweep(limit: Int = 100) async throws -> Int {
        try await database.query(
            """
            DELETE FROM platform.attachments WHERE id IN (
                SELECT id FROM platform.attachments
                WHERE message_id IS NULL AND NOT kept AND created_at < now() - make_interval(secs => \(Double(Self.looseLifetime)))
                LIMIT \(limit))
            """
        ).affectedRows
    }

    /// `bytea` as the server prints it (`\x` and hex digits).
    static func bytes(hex: String) -> Data? {
        var utf8 = Array(hex.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 48...57: digit - 48
            case 97...102: digit - 87
            case 65...70: digit - 55
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        utf8.removeAll()
        return Data(bytes)
    }
}

/// One file on its way into storage: bytes in as they arrive, a chunk row out whenever
/// `chunkSize` have gathered, the declared type checked all along and the size bounded.
public struct AttachmentWriter: Sendable {
    /// Why a file was refused while it streamed in.
    public enum Refusal: Error, Sendable, Equatable {
        /// Over the maximum size.
        case tooLarge
        /// The bytes are not the declared type.
        case mismatch
        /// Nothing came.
        case empty
    }

    /// What is done with a file whose bytes are not the type it was declared as.
    enum OnMismatch {
        /// Refused (`Refusal.mismatch`): an upload.
        case refuse
        /// Stored as `AttachmentRules.unknownType`: a file someone mailed us.
        case storeAsUnknown
    }

    let store: AttachmentStore
    /// The file's id (incomplete until `finish`).
    public let id: UUID
    let maximum: Int64
    var check: ContentCheck
    let unchecked: Bool
    let onMismatch: OnMismatch
    var buffer = Data()
    var chunks = 0

    /// Starts storing a file of `contentType` (checked as `signature`, or not at all when `nil`).
    public init(
        store: AttachmentStore, conversationID: UUID?, uploader: AttachmentStore.Uploader, filename: String, contentType: String,
        signature: AttachmentRules.Signature?, maximum: Int, quota: AttachmentStore.Quota? = nil
    ) async throws {
        self.store = store
        self.maximum = Int64(maximum)
        check = ContentCheck(signature ?? .zip)
        unchecked = signature == nil
        onMismatch = .refuse
        id = try await store.begin(
            conversationID: conversationID, uploader: uploader, filename: filename, contentType: contentType, quota: quota)
    }

    /// Starts storing a file that is kept whatever its bytes are: under `declaredType` when the
    /// desk can check that type and the bytes are it, else as `AttachmentRules.unknownType`.
    public init(
        store: AttachmentStore, conversationID: UUID?, uploader: AttachmentStore.Uploader, filename: String, declaredType: String,
        maximum: Int
    ) async throws {
        let signature = AttachmentRules.signatures[declaredType]
        self.store = store
        self.maximum = Int64(maximum)
        check = ContentCheck(signature ?? .zip)
        unchecked = signature == nil
        onMismatch = .storeAsUnknown
        id = try await store.begin(
            conversationID: conversationID, uploader: uploader, filename: filename,
            contentType: signature == nil ? AttachmentRules.unknownType : declaredType)
    }

    /// The next bytes of the file.
    public mutating func write(_ bytes: some Collection<UInt8>) async throws {
        check.feed(bytes)
        if check.count > maximum { throw Refusal.tooLarge }
        if !unchecked, onMismatch == .refuse, !check.stillPossible { throw Refusal.mismatch }
        buffer.append(contentsOf: bytes)
        while buffer.count >= AttachmentStore.chunkSize {
            try await store.append(buffer.prefix(AttachmentStore.chunkSize), chunk: chunks, of: id)
            chunks += 1
            buffer = Data(buffer.dropFirst(AttachmentStore.chunkSize))
        }
    }

    /// Stores what is left and marks the file complete.
    public mutating func finish() async throws -> Attachment {
        if check.count == 0 { throw Refusal.empty }
        var type: String?
        if !unchecked, !check.matches {
            guard onMismatch == .storeAsUnknown else { throw Refusal.mismatch }
            type = AttachmentRules.unknownType
        }
        if !buffer.isEmpty {
            try await store.append(buffer, chunk: chunks, of: id)
            chunks += 1
            buffer = Data()
        }
        return try await store.finish(id, size: check.count, chunks: chunks, contentType: type)
    }

    /// Forgets the file (after a refusal or a failure).
    public func discard() async {
        await store.discard(id)
    }
}
