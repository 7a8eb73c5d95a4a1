import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// `/api/v1/reports/*`: what a team lead reads about how chats went. Any operator may read them.
struct ReportRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends

    /// `GET /reports/ratings`: how many ratings were given in the range, their average, and a page of them.
    struct RatingsReport: Encodable {
        var count: Int
        var average: Double?
        var items: [Item]
        var nextCursor: String?

        struct Item: Encodable {
            var entry: ConversationMethods.Ratings.Entry

            enum CodingKeys: String, CodingKey {
                case customer, score, comment
                case conversationID = "conversation_id"
                case closedBy = "closed_by"
                case createdAt = "created_at"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(entry.conversationID, forKey: .conversationID)
                try container.encode(entry.customer, forKey: .customer)
                try container.encode(entry.closedBy, forKey: .closedBy)
                try container.encode(entry.rating.score, forKey: .score)
                try container.encode(entry.rating.comment, forKey: .comment)
                try container.encode(entry.rating.createdAt, forKey: .createdAt)
            }
        }

        enum CodingKeys: String, CodingKey {
            case count, average, items
            case nextCursor = "next_cursor"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            // Two decimals: a report's average, not a float's last digits.
            try container.encode(average.map { ($0 * 100).rounded() / 100 }, forKey: .average)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    func add(to router: Router<GatewayContext>) {
        let api = router.group("api/v1")
        api.get("reports/ratings") { request, _ in
            try await identity.authenticate(request)
            let query = request.uri.queryParameters
            func instant(_ name: String) throws -> Date? {
                guard let text = query.get(name), !text.isEmpty else { return nil }
                guard let date = try? WireJSON.decoder().decode(Date.self, from: Data("\"\(text)\"".utf8)) else {
                    throw APIError.invalid(field: name, "\(name) must be an RFC 3339 instant")
                }
                return date
            }
            let report = try await backends.call(
                .conversation, ConversationMethods.Ratings.self,
                .init(from: try instant("from"), to: try instant("to"), page: try PageRequest(query: request)))
            return try Response.json(
                RatingsReport(
                    count: report.count, average: report.average, items: report.page.items.map(RatingsReport.Item.init),
                    nextCursor: report.page.nextCursor))
        }
    }
}
