import Foundation

/// The jobs waiting for one executor's threads, oldest first, at most `limit` of them.
final class BlockingQueue<State>: @unchecked Sendable {
    typealias Job = BlockingExecutor<State>.Job

    let limit: Int
    // The condition guards every field below; it is what lets a thread sleep until work arrives.
    private let condition = NSCondition()
    private var jobs: [(id: UInt64, job: Job)] = []
    private var head = 0
    private var nextID: UInt64 = 0
    private var closed = false

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    func push(_ job: @escaping Job) throws -> BlockingTicket {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw BlockingError(.closed, "shutting down; no more work is taken") }
        guard jobs.count - head < limit else { throw BlockingError(.full, "\(limit) jobs are waiting already") }
        nextID += 1
        jobs.append((nextID, job))
        condition.signal()
        return .init(id: nextID)
    }

    func withdraw(_ ticket: BlockingTicket) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        // Waiting jobs are few (at most `limit`), and a withdrawal is the exception.
        guard let index = jobs[head...].firstIndex(where: { $0.id == ticket.id }) else { return false }
        jobs.remove(at: index)
        return true
    }

    /// The next job; blocks while there is none. `nil` once closed and drained.
    func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count, !closed {
            condition.wait()
        }
        guard head < jobs.count else { return nil }
        let job = jobs[head].job
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
