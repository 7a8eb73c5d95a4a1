import Contracts

/// Who may take what: the pure rule behind "Take it on me" and taking a colleague's job.
enum Assignment {
    enum Refusal: Equatable {
        case alreadyTaken(OperatorRef)
        case unavailable
        case closed
    }

    enum Decision: Equatable {
        /// The taker already holds it: nothing changes.
        case keep
        case assign(AssignmentChange.How)
        case refuse(Refusal)
    }

    static func decide(_ item: PoolItem, taker: OperatorRef, takeover: Bool, takerAvailable: Bool) -> Decision {
        if item.status == .closed { return .refuse(.closed) }
        if let holder = item.holder, holder.id == taker.id { return .keep }
        // Tickets are answered by e-mail later: only operators who switched availability on take them.
        if item.kind == .ticket, !takerAvailable { return .refuse(.unavailable) }
        switch (item.status, item.holder) {
        case (.waiting, _): return .assign(.take)
        case (_, .some(let holder)): return takeover ? .assign(.takeover) : .refuse(.alreadyTaken(holder))
        case (_, .none): return .assign(.take)
        }
    }
}
