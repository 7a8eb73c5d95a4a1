import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// `GET /api/v1/team`: the lead's view of the desk, each operator's presence, availability and
/// open jobs with how long their customers have waited.
struct TeamRoutes: Sendable {
    let identity: IdentityRoutes
    let backends: Backends
    /// Jobs listed per operator (the oldest; `open_jobs` counts them all).
    static let jobsShown = 20

    /// One open job on the Team screen.
    struct Job: Encodable {
        var conversationID: UUID
        var kind: PoolItem.Kind
        var customer: [String: String]
        var preview: String
        /// Since the customer's oldest unanswered message, or `null` when the desk spoke last.
        var customerWaitingSince: Date?
        var waitingSeconds: Int?

        init(_ item: PoolItem, now: Date) {
            conversationID = item.conversationID
            kind = item.kind
            customer = ["name": item.customerName]
            preview = item.preview
            customerWaitingSince = item.customerWaitingSince
            waitingSeconds = item.customerWaitingSince.map { max(0, Int(now.timeIntervalSince($0))) }
        }

        enum CodingKeys: String, CodingKey {
            case kind, customer, preview
            case conversationID = "conversation_id"
            case customerWaitingSince = "customer_waiting_since"
            case waitingSeconds = "waiting_seconds"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(conversationID, forKey: .conversationID)
            try container.encode(kind, forKey: .kind)
            try container.encode(customer, forKey: .customer)
            try container.encode(preview, forKey: .preview)
            try container.encode(customerWaitingSince, forKey: .customerWaitingSince)
            try container.encode(waitingSeconds, forKey: .waitingSeconds)
        }
    }

    /// One operator on the Team screen.
    struct Member: Encodable {
        var staffed: IdentityRoutes.StaffedOperator
        var jobs: [Job]

        enum Extra: String, CodingKey {
            case jobs
            case openJobs = "open_jobs"
        }

        func encode(to encoder: any Encoder) throws {
            try staffed.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(jobs, forKey: .jobs)
            try container.encode(staffed.staffing?.load ?? 0, forKey: .openJobs)
        }
    }

    func add(to router: Router<GatewayContext>) {
        router.group("api/v1").get("team") { request, _ in
            try await identity.authenticate(request, admin: true)
            // The desk as it is: deactivated operators are on the Operators screen only.
            let operators = try await identity.store.operators(try PageRequest(query: request), activeOnly: true)
            let members = try await backends.call(
                .pool, PoolMethods.Team.self, .init(operatorIDs: operators.items.map(\.id), jobs: Self.jobsShown))
            let byID = Dictionary(members.map { ($0.staffing.operatorID, $0) }, uniquingKeysWith: { first, _ in first })
            let now = Date()
            return try Response.json(
                operators.map { account in
                    let member = byID[account.id]
                    return Member(
                        staffed: .init(account: account, staffing: member?.staffing), jobs: (member?.jobs ?? []).map { Job($0, now: now) })
                })
        }
    }
}
