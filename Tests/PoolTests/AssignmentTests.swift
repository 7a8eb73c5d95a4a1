import Contracts
import Foundation
import Testing

@testable import PoolService

@Suite("Who may take what")
struct AssignmentTests {
    static let ayse = OperatorRef(id: UUID(), name: "Ayşe")
    static let can = OperatorRef(id: UUID(), name: "Can")

    static func item(_ kind: PoolItem.Kind = .chat, _ status: PoolItem.Status = .waiting, holder: OperatorRef? = nil) -> PoolItem {
        PoolItem(
            conversationID: UUID(), kind: kind, status: status, customerName: "Nazlıcan", preview: "", waitingSince: Date(), holder: holder)
    }

    @Test(
        "decisions",
        arguments: [
            (item(), false, false, Assignment.Decision.assign(.take)),
            (item(.ticket), false, false, .refuse(.availabilityOff)),
            (item(.ticket), false, true, .assign(.take)),
            (item(.chat, .assigned, holder: ayse), false, false, .keep),
            (item(.chat, .assigned, holder: can), false, true, .refuse(.alreadyTaken(by: can))),
            (item(.chat, .assigned, holder: can), true, false, .assign(.takeover)),
            (item(.ticket, .assigned, holder: can), true, false, .refuse(.availabilityOff)),
            (item(.ticket, .assigned, holder: can), true, true, .assign(.takeover)),
            (item(.chat, .closed, holder: can), true, true, .refuse(.closed)),
            (item(.chat, .closed, holder: ayse), false, true, .refuse(.closed)),
        ])
    func decide(item: PoolItem, takeover: Bool, available: Bool, expected: Assignment.Decision) {
        #expect(Assignment.decide(item, taker: Self.ayse, takeover: takeover, takerAvailable: available) == expected)
    }
}

@Suite("Auto-assign's choice")
struct AutoAssignTests {
    static let a = OperatorRef(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!, name: "A")
    static let b = OperatorRef(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!, name: "B")
    static let earlier = Date(timeIntervalSince1970: 1_000)
    static let later = Date(timeIntervalSince1970: 2_000)

    @Test(
        "choices",
        arguments: [
            ([], 5, nil as OperatorRef?),
            ([AutoAssign.Candidate(who: a, load: 2, lastAssigned: nil), .init(who: b, load: 1, lastAssigned: later)], 5, b),
            ([.init(who: a, load: 1, lastAssigned: later), .init(who: b, load: 1, lastAssigned: earlier)], 5, b),
            ([.init(who: a, load: 1, lastAssigned: nil), .init(who: b, load: 1, lastAssigned: earlier)], 5, a),
            ([.init(who: a, load: 3, lastAssigned: nil), .init(who: b, load: 3, lastAssigned: nil)], 3, nil),
            ([.init(who: a, load: 3, lastAssigned: nil), .init(who: b, load: 2, lastAssigned: nil)], 3, b),
        ])
    func choose(candidates: [AutoAssign.Candidate], maxChats: Int, expected: OperatorRef?) {
        #expect(AutoAssign.choose(candidates, maxChats: maxChats) == expected)
    }
}

@Suite("The wait a waiting customer is told")
struct QueueEstimateTests {
    @Test(
        "from the pace of the last hour, rounded up to whole minutes; none without someone available or a pace to go by",
        arguments: [
            (1, 60, 1, 60 as Int?),
            (3, 60, 1, 180),
            (1, 7, 2, 540),
            (2, 3, 1, 2400),
            (1, 2, 1, nil),
            (1, 60, 0, nil),
            (0, 60, 1, nil),
        ])
    func estimate(position: Int, taken: Int, available: Int, expected: Int?) {
        #expect(QueueEstimate.seconds(position: position, recentlyTaken: taken, operatorsAvailable: available) == expected)
    }
}
