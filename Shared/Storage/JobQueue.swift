import Foundation

/// Calls waiting for a connection, oldest first; workers block on it.
final class JobQueue: @unchecked Sendable {
    // NSCondition guards both fields; it is what lets a worker thread sleep until work arrives.
    private let condition = NSCondition()
    private var jobs: [any QueuedJob] = []
    private var head = 0
    private var closed = false

    /// False once closed: the caller must fail the job itself.
    func push(_ job: any QueuedJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// The next job; blocks while there is none. `nil` once closed and drained.
    func next() -> (any QueuedJob)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count, !closed {
            condition.wait()
        }
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head > 1024, head * 2 > jobs.count {
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
