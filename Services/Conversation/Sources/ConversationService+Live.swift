import Contracts
import Foundation
import Runtime
import Storage
import Wire

extension ConversationService {
    /// The customer's reading position, ratings and the ratings report.
    static func addLiveMethods(to router: inout RPCRouter, _ context: ServiceContext) {
        let database = context.database
        router.handle(ConversationMethods.VisitorRead.self) { params, _ in
            if let problem = Rules.check(params) { throw problem }
            switch try await database.transaction({ try ConversationStore.visitorRead(params, in: $0) }) {
            case .at(let position): return .init(customerReadSeq: position)
            case .notFound: throw notFound
            case .beyond(let last):
                throw RPCError.invalidParams(field: "params.seq", "seq must be a message of the conversation: 1 to \(last)")
            }
        }
        router.handle(ConversationMethods.Rate.self) { params, _ in
            if let problem = params.visitor?.problem(field: "params.visitor") { throw problem }
            let outcome: Result<ConversationStore.Rated, RPCError> = try await database.transaction { transaction in
                if let visitor = params.visitor {
                    switch try ConversationStore.admit(visitor, to: params.conversationID, in: transaction) {
                    case .notFound: return .success(.notFound)
                    case .over(let wait): return .failure(overBudget(retryAfter: wait))
                    case .admitted: ConversationStore.spend(visitor, in: transaction)
                    }
                }
                // A visitor's refused rating is one of their writes all the same: its count commits with the refusal.
                switch Rules.check(params) {
                case .failure(let problem): return .failure(problem)
                case .success(let comment): return .success(try ConversationStore.rate(params, comment: comment, in: transaction))
                }
            }
            switch try outcome.get() {
            case .rated(let rating): return rating
            case .notFound: throw notFound
            case .notClosed: throw RPCError(.notClosed, "the conversation is still open: it is rated once it has closed")
            case .alreadyRated: throw RPCError(.alreadyRated, "this conversation was rated already")
            }
        }
        router.handle(ConversationMethods.Ratings.self) { params, _ in
            if let problem = params.page.problem() { throw problem }
            return try await database.transaction { try ConversationStore.ratings(params, in: $0) }
        }
    }
}
