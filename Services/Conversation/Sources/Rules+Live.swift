import Contracts
import Foundation

extension Rules {
    /// A reading position names a message: 1 or more (the store checks the upper end).
    static func check(_ params: ConversationMethods.VisitorRead.Params) -> RPCError? {
        params.seq < 1 ? .invalidParams(field: "params.seq", "seq must be at least 1") : nil
    }

    /// A score of 1 to 5 and a comment of at most `Rating.maximumComment` characters without
    /// control characters; the comment as stored (trimmed, `nil` when blank) when they hold.
    static func check(_ params: ConversationMethods.Rate.Params) -> Result<String?, RPCError> {
        guard Rating.scores.contains(params.score) else {
            return .failure(
                .invalidParams(
                    field: "params.score", "score must be \(Rating.scores.lowerBound) to \(Rating.scores.upperBound)"))
        }
        let comment = params.comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let comment, !comment.isEmpty else { return .success(nil) }
        if comment.unicodeScalars.count > Rating.maximumComment {
            return .failure(.invalidParams(field: "params.comment", "comment must be at most \(Rating.maximumComment) characters"))
        }
        if TextRules.hasRefused(comment) {
            return .failure(.invalidParams(field: "params.comment", "comment must not hold control characters other than tab and newline"))
        }
        return .success(comment)
    }
}
