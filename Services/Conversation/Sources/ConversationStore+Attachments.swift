import Contracts
import Foundation
import Storage

extension ConversationStore {
    /// v7: a message carries its attachments' descriptions (id, name, type, size: fixed once
    /// stored), so every reader of messages has them without a join; the bytes stay in
    /// `platform.attachment_chunks`. A message with attachments may have an empty body.
    static let attachmentsMigration = Migration(
        schema: "conversation", version: 7, name: "messages carry attachments",
        sql: """
            ALTER TABLE conversation.messages ADD COLUMN attachments jsonb;
            ALTER TABLE conversation.messages DROP CONSTRAINT messages_body_check;
            ALTER TABLE conversation.messages ADD CONSTRAINT messages_body_length
                CHECK (length(body) <= 10000 AND (length(body) >= 1 OR attachments IS NOT NULL));
            """
    )

    /// Why a draft's attachments cannot go with it.
    struct AttachmentRefusal: Error {
        var message: String
    }

    /// The draft's attachments, locked until the post's transaction ends, when each is a
    /// complete upload of `author`'s in `conversation` attached to no message yet; in the
    /// draft's order. Nothing when a message with the draft's `client_message_id` exists (a
    /// retry: it answers that message, attachments and all).
    static func attachable(
        _ draft: ConversationMethods.Draft, author: Author, conversation: UUID, in transaction: Transaction
    ) throws -> Result<[Attachment], AttachmentRefusal> {
        guard !draft.attachmentIDs.isEmpty else { return .success([]) }
        let retry = try transaction.query(
            """
            SELECT 1 FROM conversation.messages WHERE conversation_id = \(conversation) AND client_message_id = \(draft.clientMessageID)
            """)
        guard retry.isEmpty else { return .success([]) }
        return try lock(draft.attachmentIDs, author: author, conversation: conversation, in: transaction)
    }

    /// The files `ids`, locked, when each is `author`'s complete upload in `conversation` attached
    /// nowhere yet. A received mail's files (stored by ticketing, no uploader id) are the
    /// conversation's customer's.
    static func lock(
        _ ids: [UUID], author: Author, conversation: UUID, in transaction: Transaction
    ) throws -> Result<[Attachment], AttachmentRefusal> {
        let rows = try transaction.query(
            """
            SELECT id, filename, content_type, size, conversation_id, uploader_kind, uploader_id, message_id
            FROM platform.attachments WHERE id = ANY(\(ids)::uuid[]) AND complete
            ORDER BY id FOR UPDATE
            """)
        var found: [UUID: Attachment] = [:]
        for row in rows {
            let id: UUID = try row.decode("id")
            let owner = (try row.decode("uploader_kind", as: String.self), try row.decode("uploader_id", as: UUID?.self))
            // Someone else's upload, or another conversation's, is as unknown as a made-up id.
            guard try row.decode("conversation_id", as: UUID?.self) == conversation, owner.0 == author.kind.rawValue,
                owner.1 == author.id || (owner.1 == nil && author.kind == .customer)
            else { continue }
            if try row.decode("message_id", as: UUID?.self) != nil {
                return .failure(.init(message: "attachment \(id.uuidString.lowercased()) is attached to another message already"))
            }
            found[id] = Attachment(
                id: id, filename: try row.decode("filename"), contentType: try row.decode("content_type"), size: try row.decode("size"))
        }
        var attachments: [Attachment] = []
        for id in ids {
            guard let attachment = found[id] else {
                return .failure(.init(message: "attachment \(id.uuidString.lowercased()) is not an upload of yours in this conversation"))
            }
            attachments.append(attachment)
        }
        return .success(attachments)
    }

    /// A started conversation's first customer message takes the files its draft names (a mail's,
    /// for a ticket from mail): those that are the customer's in this conversation; returns them.
    static func attachOpening(
        _ draft: ConversationMethods.Draft?, to message: Message, in transaction: Transaction
    ) throws -> [Attachment] {
        guard let ids = draft?.attachmentIDs, !ids.isEmpty else { return [] }
        var found: [Attachment] = []
        for id in ids {
            if case .success(let one) = try lock([id], author: message.author, conversation: message.conversationID, in: transaction) {
                found += one
            }
        }
        guard !found.isEmpty else { return [] }
        try transaction.query(
            "UPDATE conversation.messages SET attachments = \(try attachmentsDocument(found))::jsonb WHERE id = \(message.id)")
        attach(found, to: message.id, in: transaction)
        return found
    }

    /// Ties the attachments to the message that now carries them.
    static func attach(_ attachments: [Attachment], to message: UUID, in transaction: Transaction) {
        guard !attachments.isEmpty else { return }
        transaction.send("UPDATE platform.attachments SET message_id = \(message) WHERE id = ANY(\(attachments.map(\.id))::uuid[])")
    }

    /// The `attachments` column's value: `nil` (SQL NULL) for none.
    static func attachmentsDocument(_ attachments: [Attachment]) throws -> PostgresJSON? {
        attachments.isEmpty ? nil : try PostgresJSON(attachments)
    }

    /// The attachments of a row with `messageColumns`.
    static func attachments(_ row: PGRow) throws -> [Attachment] {
        guard let document = try row.decode("message_attachments", as: String?.self) else { return [] }
        return try WireJSON.decoder().decode([Attachment].self, from: Data(document.utf8))
    }
}
