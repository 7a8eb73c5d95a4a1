import Contracts
import Foundation
import Logging
import Mail
import Runtime
import Storage
import Wire

/// The ticket flows, each a chain of steps that are safe to repeat: what is written first is
/// never lost, and the sweeper finishes what a crash or an outage interrupted.
struct Tickets: Sendable {
    let context: ServiceContext
    /// The service's own settings (`context.configuration` is the shared one): who mails are from.
    let configuration: TicketingConfiguration

    var identity: MailIdentity { MailIdentity(from: configuration.smtpFrom, replyBase: configuration.replyAddress) }

    /// Queues the acknowledgement of a new ticket: the root of its mail thread.
    func queueAcknowledgement(_ ticket: TicketingStore.Ticket, in transaction: Transaction) throws {
        let settings = try TicketingStore.settings(in: transaction)
        let mail = Letters.acknowledgement(
            ticket, ack: settings.ackMessage, identity: identity, messageID: OutgoingMail.newMessageID(domain: identity.from.domain),
            date: context.clock.now())
        try MailStore.queue(mail, key: "ack:\(ticket.id.uuidString.lowercased())", ticket: ticket.id, messageID: nil, in: transaction)
    }

    /// An operator's message in a ticket's conversation becomes a mail, once per message.
    func queueReply(_ message: Message, in transaction: Transaction) throws {
        // A chat made a ticket mailed its earlier messages in the transcript.
        guard let ticket = try TicketingStore.ticket(conversation: message.conversationID, in: transaction),
            message.createdAt >= ticket.createdAt
        else { return }
        let mail = Letters.reply(
            ticket, message: message, thread: try MailStore.thread(ticket.id, in: transaction), identity: identity,
            messageID: OutgoingMail.newMessageID(domain: identity.from.domain), date: context.clock.now())
        try MailStore.queue(
            mail, key: "message:\(message.id.uuidString.lowercased())", ticket: ticket.id, messageID: message.id, in: transaction)
    }

    /// The pending ticket and its acknowledgement are written together (one commit), then its
    /// conversation is started under the id the ticket already holds: two commits in all.
    func offlineMessage(
        _ params: TicketingMethods.OfflineMessage.Params, logger: Logger
    ) async throws -> TicketingMethods.OfflineMessage.Result {
        let ticket = try await context.database.transaction { transaction in
            let (ticket, created) = try TicketingStore.write(
                .init(
                    id: params.id, name: params.name, email: params.email, message: params.message,
                    subject: Letters.subject(from: params.message), visitorID: params.visitorID, conversationID: UUID(), isOpen: false),
                in: transaction)
            if created { try queueAcknowledgement(ticket, in: transaction) }
            return ticket
        }
        do {
            return try await open(ticket)
        } catch {
            // The message is kept: the sweeper opens the ticket once the conversation service answers.
            logger.warning("ticket left pending", metadata: ["ticket.number": "\(ticket.number)", "error": "\(error)"])
            return .init(number: ticket.number, conversationID: nil)
        }
    }

    /// The step after the pending ticket is written: its e-mail conversation, under the id the
    /// ticket holds and keyed by the ticket, so a repeat finds the first. The ticket becomes
    /// `open` when ticketing reads `conversation.started` (off the request's path).
    func open(_ ticket: TicketingStore.Ticket) async throws -> TicketingMethods.OfflineMessage.Result {
        if ticket.isOpen { return .init(number: ticket.number, conversationID: ticket.conversationID) }
        let files = try await context.database.transaction { try Inbound.openingFiles(of: ticket.id, in: $0) }
        let started = try await context.client(.conversation).call(
            ConversationMethods.Start.self,
            .init(
                channel: .email, name: ticket.name, email: ticket.email, visitorID: ticket.visitorID,
                message: .init(body: ticket.message, clientMessageID: "ticket-\(ticket.id.uuidString.lowercased())", attachmentIDs: files),
                conversationID: ticket.conversationID),
            idempotencyKey: "ticket:\(ticket.id.uuidString.lowercased())"
        )
        return .init(number: ticket.number, conversationID: started.conversation.id)
    }

    /// A received mail: stored first (the caller's 2xx means that), then added to its ticket.
    /// It is read a chunk at a time (from storage, where the gateway streamed it, or from the
    /// call for a small one sent inline) and each file goes into storage as it is decoded, so
    /// no step holds the whole mail or a whole file.
    func inbound(_ params: TicketingMethods.Inbound.Params, logger: Logger) async throws -> TicketingMethods.Inbound.Result {
        let store = AttachmentStore(database: context.database)
        var inline: [UInt8]?
        let chunks: Int
        let maximum: Int
        if let rawID = params.rawID {
            guard let stored = try await store.find(rawID) else {
                throw RPCError.invalidParams(field: "params.raw_id", "no such stored mail")
            }
            chunks = stored.chunks
            maximum = Int(stored.attachment.size)
        } else {
            guard let data = params.raw.flatMap({ Data(base64Encoded: $0) }) else {
                throw RPCError.invalidParams(field: "params.raw", "raw must be base64")
            }
            inline = Array(data)
            chunks = 1
            maximum = data.count
        }
        var reader = MailReader(fileLimit: AttachmentRules.maximumPerMessage)
        var files = InboundFiles(store: store, maximum: maximum)
        var digest = Digest()
        let mail: InboundMail
        do {
            for n in 0..<chunks {
                let chunk: [UInt8]
                if let rawID = params.rawID { chunk = Array(try await store.chunk(n, of: rawID)) } else { chunk = inline ?? [] }
                digest.add(chunk)
                try await files.take(reader.feed(chunk))
            }
            try await files.take(reader.finish())
            mail = try reader.mail()
        } catch let error as MailError {
            await files.discard()
            // Named `raw` either way: the public API calls the mail that.
            throw RPCError.invalidParams(field: "params.raw", error.message)
        } catch {
            await files.discard()
            throw error
        }
        if reader.filesLeft > 0 {
            logger.notice("mail with more files than a message carries", metadata: ["mail.files.left": "\(reader.filesLeft)"])
        }
        let (key, raw, kept) = (Inbound.key(mail, digest: digest), inline, Inbound.Kept(rawID: params.rawID, files: files.kept))
        let stored: Inbound.Stored
        do {
            stored = try await context.database.transaction { transaction in
                try Inbound.store(
                    mail, key: key, raw: raw, kept: kept, ack: { try queueAcknowledgement($0, in: transaction) }, in: transaction)
            }
        } catch {
            await files.discard()
            throw error
        }
        switch stored {
        case .duplicate(let number):
            await files.discard()
            return .init(outcome: .duplicate, number: number)
        case .reply(let ticket, let key):
            do {
                try await deliverReply(key)
            } catch {
                logger.warning(
                    "reply stored, not yet in its conversation", metadata: ["ticket.number": "\(ticket.number)", "error": "\(error)"])
            }
            return .init(outcome: .appended, number: ticket.number)
        case .newTicket(let ticket):
            do {
                _ = try await open(ticket)
            } catch {
                logger.warning("ticket left pending", metadata: ["ticket.number": "\(ticket.number)", "error": "\(error)"])
            }
            return .init(outcome: .created, number: ticket.number)
        }
    }

    /// Adds a stored reply to its ticket's conversation, reopening a closed one; then marks it done.
    func deliverReply(_ key: String) async throws {
        guard let pending = try await context.database.transaction({ try Inbound.pending(key, in: $0) }) else { return }
        // A ticket still being opened takes the reply once it has its conversation (the sweeper comes back).
        guard pending.ticket.isOpen else { return }
        let conversationID = pending.ticket.conversationID
        let conversations = context.client(.conversation)
        let record = try await conversations.call(ConversationMethods.Reopen.self, .init(conversationID: conversationID))
        _ = try await conversations.call(
            ConversationMethods.Post.self,
            .init(
                conversationID: conversationID, author: Author(kind: .customer, id: record.customer.id, name: record.customer.name),
                draft: .init(body: pending.text, clientMessageID: "mail-\(Digest.hex(Array(key.utf8)))", attachmentIDs: pending.files)))
        try await context.database.transaction { try Inbound.done(key, in: $0) }
    }

    /// "Ticket this chat": the conversation moves to e-mail, the ticket is written with the chat's
    /// transcript queued as its first mail. Each step is safe to repeat.
    func ticketChat(_ params: TicketingMethods.TicketChat.Params) async throws -> TicketSummary {
        let conversations = context.client(.conversation)
        let item = try await context.client(.pool).call(PoolMethods.Item.self, .init(conversationID: params.conversationID))
        guard item.holder?.id == params.holder.id else {
            throw RPCError(.notAssignee, "only the operator holding this chat may make it a ticket")
        }
        let record = try await conversations.call(
            ConversationMethods.MoveToEmail.self, .init(conversationID: params.conversationID, email: params.email))
        // The Pool would learn it from the move's event; told now, the next call (an assign) sees a ticket.
        _ = try await context.client(.pool).call(PoolMethods.MarkTicket.self, .init(conversationID: params.conversationID))
        // The whole chat, a page at a time (each page bounded in count and bytes).
        var read: [Message] = []
        var page = ConversationMethods.Messages.Params(conversationID: params.conversationID, limit: PageRequest.limits.upperBound)
        while true {
            let slice = try await conversations.call(ConversationMethods.Messages.self, page)
            read += slice.items.filter(Letters.isForCustomer)
            guard let next = slice.nextCursor.flatMap(PageCursor.init) else { break }
            page = .init(conversationID: params.conversationID, continuing: next, limit: page.limit)
        }
        let messages = read
        return try await context.database.transaction { transaction in
            let (ticket, created) = try TicketingStore.write(
                .init(
                    id: UUID(), name: record.customer.name, email: record.customer.email ?? params.email, message: "",
                    subject: "Your chat with us", visitorID: record.visitorID, conversationID: params.conversationID, isOpen: true),
                in: transaction)
            if created {
                let mail = Letters.transcript(
                    ticket, messages: messages, identity: identity, messageID: OutgoingMail.newMessageID(domain: identity.from.domain),
                    date: context.clock.now())
                try MailStore.queue(
                    mail, key: "transcript:\(ticket.id.uuidString.lowercased())", ticket: ticket.id, messageID: nil, in: transaction)
            }
            return TicketSummary(
                number: ticket.number, email: ticket.email, subject: ticket.subject,
                deliveries: try MailStore.deliveries(ticket.id, in: transaction))
        }
    }

    /// The transcript a customer asked for, mailed once per conversation and address: the
    /// latest messages within the byte budget, read from the end a page at a time.
    func sendTranscript(_ params: TicketingMethods.SendTranscript.Params) async throws -> TicketingMethods.SendTranscript.Result {
        guard EmailAddress.isPlausible(params.email) else {
            throw RPCError.invalidParams(field: "params.email", "email must be an e-mail address")
        }
        let key = "transcript-request:\(params.conversationID.uuidString.lowercased()):\(params.email.lowercased())"
        let conversations = context.client(.conversation)
        let record = try await conversations.call(ConversationMethods.Get.self, .init(conversationID: params.conversationID))
        guard record.channel == .chat else {
            throw RPCError(.notAChat, "this conversation goes on by e-mail: its mails are the transcript")
        }
        if try await context.database.transaction({ try Notices.isQueued(key, in: $0) }) { return .init(queued: false) }
        var kept: [Message] = []
        var bytes = 0
        var truncated = false
        if let last = record.lastMessage?.seq {
            var page = ConversationMethods.Messages.Params(
                conversationID: params.conversationID, beforeSeq: last + 1, limit: PageRequest.limits.upperBound)
            reading: while true {
                let slice = try await conversations.call(ConversationMethods.Messages.self, page)
                for message in slice.items.reversed() where Letters.isForCustomer(message) {
                    bytes += message.body.utf8.count
                    if bytes > TicketingMethods.SendTranscript.byteBudget {
                        truncated = true
                        break reading
                    }
                    kept.append(message)
                }
                guard let next = slice.nextCursor.flatMap(PageCursor.init) else { break }
                page = .init(conversationID: params.conversationID, continuing: next, limit: page.limit)
            }
        }
        let mail = Letters.requestedTranscript(
            record, messages: kept.reversed(), truncated: truncated, to: params.email, identity: identity,
            messageID: OutgoingMail.newMessageID(domain: identity.from.domain), date: context.clock.now())
        let queued = try await context.database.transaction { try Notices.queue(mail, key: key, in: $0) }
        return .init(queued: queued)
    }
}
