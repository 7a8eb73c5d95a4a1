import Contracts
import Foundation
import HTTPTypes

extension RPCError {
    /// How each refusal of a back service reads in the public API: its status and the code the
    /// API names it by. The one place a reason becomes HTTP.
    static let refusals: [Reason: (status: HTTPResponse.Status, code: String)] = [
        .notFound: (.notFound, "not_found"),
        .closed: (.conflict, "closed"),
        .notAssignee: (.forbidden, "not_assignee"),
        .rateLimited: (.tooManyRequests, "rate_limited"),
        .alreadyTaken: (.conflict, "already_taken"),
        // API.md names it `unavailable` (403), which inside means a service that cannot serve.
        .availabilityOff: (.forbidden, "unavailable"),
        .colleagueUnavailable: (.conflict, "colleague_unavailable"),
        .notATicket: (.conflict, "not_a_ticket"),
        .notAChat: (.conflict, "not_a_chat"),
        .blocked: (.forbidden, "blocked"),
        .adminOnly: (.forbidden, "forbidden"),
        .shortcutTaken: (.conflict, "shortcut_taken"),
        .limitReached: (.conflict, "limit_reached"),
        .notClosed: (.conflict, "not_closed"),
        .alreadyRated: (.conflict, "already_rated"),
    ]

    /// How a back service's answer reads in the public API.
    var apiError: APIError {
        switch code {
        case Self.domainErrorCode:
            var details: [String: String] = [:]
            for (key, value) in data?.details ?? [:] {
                if case .string(let text) = value { details[key] = text }
            }
            guard let reason, let refusal = Self.refusals[reason] else {
                // A reason this gateway does not know (a newer service's): a conflict in its own word.
                return APIError(status: .conflict, code: reason?.rawValue ?? "refused", message: message, details: details)
            }
            switch refusal.status {
            case .notFound:
                return .notFound
            case .tooManyRequests:
                let retryAfter = details.removeValue(forKey: "retry_after").flatMap { Int($0) }
                return APIError(
                    status: .tooManyRequests, code: refusal.code, message: message,
                    retryAfter: retryAfter.map { min(max($0, 1), 86_400) } ?? 60)
            default:
                return APIError(status: refusal.status, code: refusal.code, message: message, details: details)
            }
        case Self.invalidParamsCode:
            let field = data?.field.map { $0.hasPrefix("params.") ? String($0.dropFirst(7)) : $0 } ?? "body"
            return .invalid(field: field, message.replacingOccurrences(of: "params.", with: ""))
        case Self.unavailableCode, Self.deadlineExceededCode:
            return .unavailable
        default:
            return APIError(status: .internalServerError, code: "internal", message: "something went wrong on our side")
        }
    }
}

extension APIError {
    /// Whether `error` is the caller's (a 4xx answer) rather than the server's own failure.
    static func isClients(_ error: any Error) -> Bool {
        let status = (error as? APIError)?.status ?? (error as? RPCError)?.apiError.status
        return status.map { (400..<500).contains($0.code) } ?? false
    }
}
