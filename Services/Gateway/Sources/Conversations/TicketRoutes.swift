import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Storage
import Wire

/// Mail in (`POST /api/v1/inbound/email`, for a Postfix pipe or a provider's raw webhook) and
/// "Ticket this chat".
struct TicketRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends
    /// `SWITCHBOARD_INBOUND_SECRET`; without it every inbound mail is refused.
    let inboundSecret: String?
    /// `SWITCHBOARD_INBOUND_MAX_BYTES`: a larger mail is refused (413).
    let inboundLimit: Int
    /// Where a received mail is streamed before ticketing reads it.
    let attachments: AttachmentStore

    struct TicketChat: Decodable {
        var email: String
    }

    struct AssignTo: Decodable {
        var operatorID: UUID
        enum CodingKeys: String, CodingKey { case operatorID = "operator_id" }
    }

    /// One line of the Tickets screen.
    struct Line: Encodable {
        struct Person: Encodable {
            var name: String
            var email: String
        }
        var id: UUID
        var number: Int64
        var customer: Person
        var subject: String
        var holder: OperatorRef?
        var status: PoolItem.Status
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, number, customer, subject, holder, status
            case createdAt = "created_at"
        }

        /// A ticket with the state the pool knows (waiting until the pool has seen it).
        init(ticket: TicketListEntry, item: PoolItem?) {
            id = ticket.conversationID
            number = ticket.number
            customer = .init(name: ticket.name, email: ticket.email)
            subject = ticket.subject
            holder = item?.status == .closed ? nil : item?.holder
            status = item?.status ?? .waiting
            createdAt = ticket.createdAt
        }
    }

    /// What became of a received mail, and its ticket.
    struct Received: Encodable {
        struct Number: Encodable { var number: Int64 }
        var outcome: TicketingMethods.Inbound.Result.Outcome
        var ticket: Number
    }

    func add(to router: Router<GatewayContext>) {
        router.post("api/v1/inbound/email") { request, _ in
            guard let inboundSecret, let presented = IdentityRoutes.bearer(request), Self.same(presented, inboundSecret) else {
                throw APIError.unauthorized
            }
            let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "message/rfc822" else { throw APIError.malformed("send the raw mail as Content-Type: message/rfc822") }
            let tooLarge = APIError(
                status: .contentTooLarge, code: "too_large", message: "the mail is over \(inboundLimit) bytes",
                details: ["maximum_bytes": String(inboundLimit)], headers: [.connection: "close"])
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > inboundLimit { throw tooLarge }
            // Streamed into storage a chunk at a time: ticketing reads it from there, not from a wire line.
            var writer = try await AttachmentWriter(
                store: attachments, conversationID: nil, uploader: .init(kind: .system, id: nil), filename: "inbound.eml",
                contentType: "message/rfc822", signature: nil, maximum: inboundLimit)
            let stored: TicketingMethods.Inbound.Result
            do {
                for try await buffer in request.body { try await writer.write(buffer.readableBytesView) }
                let raw = try await writer.finish()
                do {
                    // A large mail takes ticketing a while to read and file: longer than a click's wait
                    // (a 2 MiB one to a debug build under the full test suite's load took over 60 s).
                    stored = try await backends[.ticketing].call(
                        TicketingMethods.Inbound.self, .init(rawID: raw.id), timeout: .seconds(150))
                } catch let error as RPCError {
                    throw error.apiError
                }
            } catch let refusal as AttachmentWriter.Refusal {
                await writer.discard()
                if refusal == .tooLarge { throw tooLarge }
                throw APIError.malformed("the body is empty: send the raw mail")
            } catch {
                // A refused mail goes now. After our own failure (a timeout) ticketing may still be
                // filing it: it keeps the raw mail once filed, and the sweep takes it a day later if not.
                if APIError.isClients(error) { await writer.discard() }
                throw error
            }
            if stored.outcome == .duplicate { await writer.discard() }
            return try Response.json(
                Received(outcome: stored.outcome, ticket: .init(number: stored.number)),
                status: stored.outcome == .duplicate ? .ok : .created)
        }
        router.get("api/v1/tickets") { request, _ in
            let me = try await identity.authenticate(request)
            let filter = request.uri.queryParameters.get("filter") ?? "all"
            guard ["all", "mine", "unassigned"].contains(filter) else {
                throw APIError.invalid(field: "filter", "filter must be all, mine or unassigned")
            }
            let page = try PageRequest(query: request)
            // All: the newest tickets, with their state from the pool. Mine and unassigned: the
            // pool's page of my tickets or the waiting ones, with each ticket's details.
            if filter == "all" {
                let tickets = try await backends.call(.ticketing, TicketingMethods.Tickets.self, .init(page: page))
                let items = try await backends.call(
                    .pool, PoolMethods.Items.self, .init(conversationIDs: tickets.items.map(\.conversationID)))
                let byID = Dictionary(items.map { ($0.conversationID, $0) }, uniquingKeysWith: { first, _ in first })
                return try Response.json(tickets.map { Line(ticket: $0, item: byID[$0.conversationID]) })
            }
            let items =
                filter == "mine"
                ? try await backends.call(.pool, PoolMethods.Held.self, .init(operatorID: me.id, page: page, kind: .ticket))
                : try await backends.call(.pool, PoolMethods.Waiting.self, .init(page: page, kind: .ticket))
            let tickets = try await backends.call(
                .ticketing, TicketingMethods.Tickets.self, .init(conversationIDs: items.items.map(\.conversationID)))
            let byID = Dictionary(tickets.items.map { ($0.conversationID, $0) }, uniquingKeysWith: { first, _ in first })
            return try Response.json(
                Page(
                    items: items.items.compactMap { item in byID[item.conversationID].map { Line(ticket: $0, item: item) } },
                    nextCursor: items.nextCursor, total: items.total))
        }
        router.post("api/v1/tickets/{id}/assign") { request, context in
            try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            let body = try await JSONBody.decode(AssignTo.self, from: request)
            guard let colleague = try await identity.store.find(id: body.operatorID) else {
                throw APIError.invalid(field: "operator_id", "no such operator")
            }
            _ = try await backends.call(
                .pool, PoolMethods.Assign.self, .init(conversationID: id, to: OperatorRef(id: colleague.id, name: colleague.name)))
            return try Response.json(["conversation": try await backends.view(id, withAudit: true)])
        }
        router.post("api/v1/conversations/{id}/ticket") { request, context in
            let me = try await identity.authenticate(request)
            let id = try ConversationRoutes.id(context)
            let body = try await JSONBody.decode(TicketChat.self, from: request)
            guard EmailAddress.isPlausible(body.email) else { throw APIError.invalid(field: "email", "email must be an e-mail address") }
            let ticket = try await backends.call(
                .ticketing, TicketingMethods.TicketChat.self,
                .init(conversationID: id, email: body.email, holder: OperatorRef(id: me.id, name: me.name)))
            return try Response.json(["ticket": ticket], status: .created)
        }
    }

    /// Compares in time that does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) { difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0) }
        return difference == 0
    }
}
