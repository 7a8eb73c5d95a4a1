import Contracts
import Foundation
import HTTPTypes

extension RPCError {
    /// How a back service's answer reads in the public API.
    var apiError: APIError {
        switch code {
        case Self.domainErrorCode:
            let reason = self.reason ?? "refused"
            var details: [String: String] = [:]
            for (key, value) in data?.details ?? [:] {
                if case .string(let text) = value { details[key] = text }
            }
            let status: HTTPResponse.Status =
                switch reason {
                case "not_found": .notFound
                case "not_assignee", "unavailable", "forbidden": .forbidden
                default: .conflict
                }
            if status == .notFound { return .notFound }
            if reason == APIError.rateLimitedCode {
                return APIError(
                    status: .tooManyRequests, code: reason, message: message,
                    retryAfter: details["retry_after"].flatMap { Int($0) }.map { min(max($0, 1), 86_400) } ?? 60)
            }
            return APIError(status: status, code: reason, message: message, details: details)
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
