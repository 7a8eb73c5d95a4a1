import Contracts
import Foundation

/// Why the pool refuses a change of holder: decided by the pure rules and the store, answered
/// on the wire as the `RPCError` below, the only place these words are written.
enum PoolRefusal: Error, Equatable, RPCErrorConvertible {
    case notFound
    case closed
    case alreadyTaken(by: OperatorRef)
    /// A ticket, and the taker's availability is off.
    case availabilityOff
    /// `from` does not hold it.
    case notHolder
    case colleagueUnavailable(OperatorRef)
    case notATicket
    case notAChat

    var rpcError: RPCError {
        switch self {
        case .notFound: RPCError(.notFound, "no such item in the pool")
        case .closed: RPCError(.closed, "the conversation is closed")
        case .alreadyTaken(let holder):
            RPCError(
                .alreadyTaken, "\(holder.name) already took it",
                details: ["operator": .string(holder.name), "operator_id": .string(holder.id.uuidString)])
        case .availabilityOff: RPCError(.availabilityOff, "switch your availability on to take tickets")
        case .notHolder: RPCError(.notAssignee, "only the operator holding this conversation may hand it on")
        case .colleagueUnavailable(let colleague): RPCError(.colleagueUnavailable, "\(colleague.name) is not available")
        case .notATicket: RPCError(.notATicket, "only tickets are assigned; chats are taken")
        case .notAChat: RPCError(.notAChat, "only chats waiting in the Pool are dismissed")
        }
    }
}
