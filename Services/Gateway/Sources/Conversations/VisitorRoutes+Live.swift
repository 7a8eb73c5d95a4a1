import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The widget's reading position and rating: `POST /visitor/conversations/{id}/read` and `…/rating`.
extension VisitorRoutes {
    struct ReadPosition: Decodable { var seq: Int64 }

    struct GiveRating: Decodable {
        var score: Int
        var comment: String?
    }

    /// Reading positions one visitor may post in a minute: the widget posts at most one a second
    /// while messages arrive.
    static let readsPerMinute = 60

    func addLive(to visitor: RouterGroup<GatewayContext>) {
        visitor.post("conversations/{id}/read") { request, context in
            let record = try await owned(request, context)
            let body = try await JSONBody.decode(ReadPosition.self, from: request)
            try await counted(
                RateRule("visitor reads " + (record.visitorID ?? record.id).uuidString, limit: Self.readsPerMinute, window: 60),
                message: "too many reading positions in a minute; wait a moment"
            ) {
                _ = try await backends.call(
                    .conversation, ConversationMethods.VisitorRead.self, .init(conversationID: record.id, seq: body.seq))
            }
            return Response(status: .noContent)
        }
        visitor.post("conversations/{id}/rating") { request, context in
            let record = try await owned(request, context)
            let body = try await JSONBody.decode(GiveRating.self, from: request)
            // A rating is one of the visitor's writes: it counts against the same minute as their
            // messages, refused or not (the conversation service counts it).
            let rating = try await backends.call(
                .conversation, ConversationMethods.Rate.self,
                .init(conversationID: record.id, score: body.score, comment: body.comment, visitor: record.visitorID.map(budget)))
            return try Response.json(rating, status: .created)
        }
    }

    /// Runs `work` as one attempt under `rule`: refused attempts count too (a flood of refusals
    /// is limited like any other), only the server's own failures are given back.
    func counted<T: Sendable>(_ rule: RateRule, message: String, _ work: () async throws -> T) async throws -> T {
        let reservation = try await store.attempts.reserve([rule], message: message)
        do {
            return try await work()
        } catch {
            if !APIError.isClients(error) { await store.attempts.release(reservation) }
            throw error
        }
    }
}
