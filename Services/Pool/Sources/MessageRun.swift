import Contracts
import Foundation

/// What a run of chat messages does to the pool's items, folded per conversation so that a
/// batch of them is one statement (`PoolStore.apply(_:at:in:)`), with the same end state as
/// applying them one by one: the preview is the last customer message's; the customer waits
/// since their first message after the last operator's answer (or since earlier, if they were
/// waiting already and nobody answered in the run).
struct MessageRun {
    /// How an item's `customer_waiting_since` ends the run.
    enum Waiting: Equatable {
        /// As it was.
        case unchanged
        /// An operator answered last: nobody waits.
        case cleared
        /// Since this message, after an operator's answer in the run.
        case since(Date)
        /// Since this message, unless the customer was waiting already.
        case atLeast(Date)
    }

    struct Effect: Equatable {
        /// The new preview; `nil` if no customer wrote in the run.
        var preview: String?
        var waiting: Waiting = .unchanged
    }

    /// The effects in the order the conversations first appeared.
    private(set) var effects: [(conversation: UUID, effect: Effect)] = []
    private var index: [UUID: Int] = [:]

    var isEmpty: Bool { effects.isEmpty }

    mutating func add(_ message: Message) {
        let change: (inout Effect) -> Void
        switch message.author.kind {
        case .customer:
            change = { effect in
                effect.preview = PoolStore.preview(message)
                switch effect.waiting {
                case .unchanged: effect.waiting = .atLeast(message.createdAt)
                case .cleared: effect.waiting = .since(message.createdAt)
                case .since, .atLeast: break
                }
            }
        case .operator:
            change = { $0.waiting = .cleared }
        case .system, .note:
            return
        }
        if let at = index[message.conversationID] {
            change(&effects[at].effect)
        } else {
            var effect = Effect()
            change(&effect)
            index[message.conversationID] = effects.count
            effects.append((message.conversationID, effect))
        }
    }
}
