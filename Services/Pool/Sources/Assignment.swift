import Contracts
import Foundation

/// Who may take what: the pure rule behind "Take it on me" and taking a colleague's job.
enum Assignment {
    enum Decision: Equatable {
        /// The taker already holds it: nothing changes.
        case keep
        case assign(AssignmentChange.How)
        case refuse(PoolRefusal)
    }

    static func decide(_ item: PoolItem, taker: OperatorRef, takeover: Bool, takerAvailable: Bool) -> Decision {
        if item.status == .closed { return .refuse(.closed) }
        if let holder = item.holder, holder.id == taker.id { return .keep }
        // Tickets are answered by e-mail later: only operators who switched availability on take them.
        if item.kind == .ticket, !takerAvailable { return .refuse(.availabilityOff) }
        switch (item.status, item.holder) {
        case (.waiting, _): return .assign(.take)
        case (_, .some(let holder)): return takeover ? .assign(.takeover) : .refuse(.alreadyTaken(by: holder))
        case (_, .none): return .assign(.take)
        }
    }
}

/// Auto-assign's choice: the available operator with the most spare capacity under the limit;
/// ties go to whoever has waited longest since their last new job.
enum AutoAssign {
    struct Candidate: Equatable {
        var who: OperatorRef
        /// Open conversations they hold now.
        var load: Int
        /// When they were last given a job; `nil` for never.
        var lastAssigned: Date?
    }

    static func choose(_ candidates: [Candidate], maxChats: Int) -> OperatorRef? {
        candidates
            .filter { $0.load < maxChats }
            .min { left, right in
                if left.load != right.load { return left.load < right.load }
                let leftIdle = left.lastAssigned ?? .distantPast, rightIdle = right.lastAssigned ?? .distantPast
                if leftIdle != rightIdle { return leftIdle < rightIdle }
                return left.who.id.uuidString < right.who.id.uuidString
            }?.who
    }
}
