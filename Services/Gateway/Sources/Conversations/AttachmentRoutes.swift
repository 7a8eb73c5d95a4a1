import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Storage

/// Files in conversations: uploads from either side (the raw body, streamed into storage chunk
/// by chunk) and downloads for the conversation's visitor and every operator (streamed out the
/// same way). A file goes into a message by its id (`attachment_ids`).
struct AttachmentRoutes: Sendable {
    let identity: IdentityRoutes
    let visitors: VisitorRoutes
    let backends: Backends
    let store: AttachmentStore
    let limits: AttachmentLimits

    /// What an upload's request says it is, checked before a byte of it is read.
    struct Declared {
        var filename: String
        var contentType: String
        var signature: AttachmentRules.Signature
    }

    func add(to router: Router<GatewayContext>) {
        router.post("api/v1/visitor/conversations/{id}/attachments") { request, context in
            let record = try await visitors.owned(request, context)
            try Self.requireOpen(record)
            let declared = try declare(request)
            let uploader = AttachmentStore.Uploader(kind: .customer, id: record.customer.id)
            let visitor = (record.visitorID ?? record.id).uuidString
            let reservation = try await visitors.store.attempts.reserve(
                [RateRule("attachment uploads " + visitor, limit: limits.uploadsPerDay, window: AttachmentLimits.day)],
                message: "too many files uploaded today; try again tomorrow")
            do {
                // Bytes a day: what is stored plus what this one says it is (or may be).
                let quota = AttachmentStore.Quota(
                    bytesPerDay: limits.bytesPerDay, reserve: Int64(Self.contentLength(request) ?? limits.maximumBytes))
                return try await receive(request, declared: declared, conversationID: record.id, uploader: uploader, quota: quota)
            } catch is AttachmentStore.OverQuota {
                throw APIError.rateLimited(retryAfter: 3600, "too many bytes uploaded today; try again later")
            } catch {
                // Nothing stored: the attempt is given back (a refused one still counts).
                if !APIError.isClients(error) { await visitors.store.attempts.release(reservation) }
                throw error
            }
        }
        router.post("api/v1/conversations/{id}/attachments") { request, context in
            let me = try await identity.authenticate(request)
            let record = try await conversation(try ConversationRoutes.id(context))
            try Self.requireOpen(record)
            let declared = try declare(request)
            return try await receive(
                request, declared: declared, conversationID: record.id, uploader: .init(kind: .operator, id: me.id))
        }
        router.get("api/v1/attachments/{id}") { request, context in
            guard let token = IdentityRoutes.bearer(request) else { throw APIError.unauthorized }
            let id = try ConversationRoutes.id(context)
            let visitor = try await visitors.store.visitor(token: token)
            if visitor == nil { try await identity.authenticate(request) }
            guard let stored = try await store.find(id), let conversationID = stored.conversationID else { throw APIError.notFound }
            if let visitor {
                // The conversation's visitor sees what was sent in it, and their own uploads.
                let record = try await conversation(conversationID)
                guard record.visitorID == visitor, stored.messageID != nil || stored.uploader.kind == .customer else {
                    throw APIError.notFound
                }
            }
            return download(stored)
        }
    }

    /// 409 `closed`: a closed conversation takes no more files.
    static func requireOpen(_ record: ConversationRecord) throws {
        if record.closedAt != nil { throw APIError.conflict("closed", "the conversation is closed") }
    }

    /// The conversation, or 404.
    func conversation(_ id: UUID) async throws -> ConversationRecord {
        do {
            return try await backends.call(.conversation, ConversationMethods.Get.self, .init(conversationID: id))
        } catch let error as APIError where error.status == .notFound {
            throw APIError.notFound
        }
    }

    static func contentLength(_ request: Request) -> Int? {
        request.headers[.contentLength].flatMap { Int($0) }
    }

    /// The name (422), the type (415) and the announced size (413) of an upload.
    func declare(_ request: Request) throws -> Declared {
        let raw = request.uri.queryParameters.get("filename") ?? ""
        let filename: String
        switch AttachmentRules.filename(raw) {
        case .success(let name): filename = name
        case .failure(let problem): throw APIError.invalid(field: "filename", problem.message)
        }
        guard let type = AttachmentRules.mediaType(request.headers[.contentType]), limits.types.contains(type),
            let signature = AttachmentRules.signatures[type]
        else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_type",
                message: "this type of file is not taken; send one of \(limits.types.sorted().joined(separator: ", "))",
                details: ["content_type": request.headers[.contentType] ?? ""])
        }
        if let length = Self.contentLength(request), length > limits.maximumBytes { throw tooLarge }
        return Declared(filename: filename, contentType: type, signature: signature)
    }

    var tooLarge: APIError {
        // The rest of the body is not read: the connection closes after the answer.
        APIError(
            status: .contentTooLarge, code: "too_large", message: "the file is over \(limits.maximumBytes) bytes",
            details: ["maximum_bytes": String(limits.maximumBytes)], headers: [.connection: "close"])
    }

    /// Streams the body into storage; 201 with the file's description once it is complete.
    func receive(
        _ request: Request, declared: Declared, conversationID: UUID, uploader: AttachmentStore.Uploader,
        quota: AttachmentStore.Quota? = nil
    ) async throws -> Response {
        // Now and then, uploads attached to nothing for a day go (a bounded batch).
        if UInt8.random(in: 0..<64) == 0 { _ = try? await store.sweep() }
        var writer = try await AttachmentWriter(
            store: store, conversationID: conversationID, uploader: uploader, filename: declared.filename,
            contentType: declared.contentType, signature: declared.signature, maximum: limits.maximumBytes, quota: quota)
        do {
            for try await buffer in request.body {
                try await writer.write(buffer.readableBytesView)
            }
            let attachment = try await writer.finish()
            return try Response.json(attachment, status: .created)
        } catch let refusal as AttachmentWriter.Refusal {
            await writer.discard()
            switch refusal {
            case .tooLarge: throw tooLarge
            case .empty: throw APIError.invalid(field: "body", "the file is empty")
            case .mismatch:
                throw APIError(
                    status: .unsupportedMediaType, code: "type_mismatch",
                    message: "the file's bytes are not \(declared.contentType)", details: ["content_type": declared.contentType],
                    headers: [.connection: "close"])
            }
        } catch {
            await writer.discard()
            throw error
        }
    }

    /// The file, a chunk at a time: images inline under a sandbox, everything else as a download.
    func download(_ stored: AttachmentStore.Stored) -> Response {
        let attachment = stored.attachment
        let inline = AttachmentRules.inlineTypes.contains(attachment.contentType)
        var headers: HTTPFields = [
            .contentType: AttachmentRules.servedType(attachment.contentType),
            .contentDisposition: AttachmentRules.contentDisposition(filename: attachment.filename, inline: inline),
            .xContentTypeOptions: "nosniff",
            // A file never changes under its id; only its reader's browser keeps it.
            .cacheControl: "private, max-age=86400",
        ]
        if inline { headers[.contentSecurityPolicy] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" }
        let store = store
        let chunks = stored.chunks
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: Int(attachment.size)) { writer in
                for n in 0..<chunks {
                    let data = try await store.chunk(n, of: attachment.id)
                    try await writer.write(ByteBuffer(bytes: data))
                }
                try await writer.finish(nil)
            })
    }
}
