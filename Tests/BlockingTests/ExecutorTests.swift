import Blocking
import Foundation
import ServiceLifecycle
import Synchronization
import Testing

import enum Harness.Poll
import func Harness.withRunning

/// Which threads ran jobs, and a gate that holds jobs until the test opens it.
final class Gate: Sendable {
    private let open = Atomic<Bool>(false)
    private let entered = Atomic<Int>(0)

    func pass() {
        _ = entered.add(1, ordering: .relaxed)
        while !open.load(ordering: .acquiring) { usleep(1000) }
    }

    func release() { open.store(true, ordering: .releasing) }
    var waiting: Int { entered.load(ordering: .relaxed) }
}

@Suite("One bounded executor for blocking work")
struct ExecutorTests {
    static func executor(threads: Int = 2, queueLimit: Int = 8) -> BlockingExecutor<Int> {
        let made = Atomic<Int>(0)
        return BlockingExecutor(
            label: "test", threads: threads, queueLimit: queueLimit,
            makeState: { made.add(1, ordering: .relaxed).newValue })
    }

    @Test("no thread starts before run(): work queued before waits, then runs once it starts")
    func threadsStartInRun() async throws {
        let executor = Self.executor()
        let ran = Atomic<Bool>(false)
        try executor.submit { _ in ran.store(true, ordering: .relaxed) }
        let ranBeforeRun = ran.load(ordering: .relaxed)
        #expect(!ranBeforeRun)
        #expect(executor.waiting == 1)
        try await withRunning(executor) {
            try await Poll.until("the queued job to run") { ran.load(ordering: .relaxed) }
        }
    }

    @Test("each thread keeps its own state between jobs")
    func stateIsPerThread() async throws {
        let executor = Self.executor(threads: 3)
        try await withRunning(executor) {
            let seen = Mutex<Set<Int>>([])
            let gate = Gate()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    // Three jobs held at once take the three threads.
                    group.addTask {
                        try await executor.perform { state in
                            gate.pass(); return state
                        }
                    }
                }
                try await Poll.until("three jobs on three threads") { gate.waiting == 3 }
                gate.release()
                for try await state in group { _ = seen.withLock { $0.insert(state) } }
            }
            #expect(seen.withLock { $0 } == [1, 2, 3])
        }
    }

    @Test("past the queue's limit a call is refused at once with .full")
    func boundedQueue() async throws {
        let executor = Self.executor(threads: 1, queueLimit: 2)
        let gate = Gate()
        try await withRunning(executor) {
            try executor.submit { _ in gate.pass() }
            try await Poll.until("the thread to be busy") { gate.waiting == 1 }
            try executor.submit { _ in }
            try executor.submit { _ in }
            let refusal = #expect(throws: BlockingError.self) { try executor.submit { _ in } }
            #expect(refusal?.code == .full)
            gate.release()
        }
    }

    @Test("graceful shutdown runs what is queued, ends each thread's state, then run() returns")
    func drainsOnShutdown() async throws {
        let ended = Atomic<Int>(0)
        let executor = BlockingExecutor<Void>(
            label: "test", threads: 2, queueLimit: 100, makeState: {}, endState: { _ in _ = ended.add(1, ordering: .relaxed) })
        let done = Atomic<Int>(0)
        for _ in 0..<50 {
            try executor.submit { _ in
                usleep(200); _ = done.add(1, ordering: .relaxed)
            }
        }
        try await withRunning(executor) {}
        // withRunning returned, so run() did: every job ran and both threads ended.
        let (jobs, threads) = (done.load(ordering: .relaxed), ended.load(ordering: .relaxed))
        #expect(jobs == 50)
        #expect(threads == 2)
        let refusal = #expect(throws: BlockingError.self) { try executor.submit { _ in } }
        #expect(refusal?.code == .closed)
    }

    @Test("a call whose deadline passes while queued fails with .deadline and leaves the queue")
    func deadlineWhileQueued() async throws {
        let executor = Self.executor(threads: 1, queueLimit: 4)
        let gate = Gate()
        try await withRunning(executor) {
            try executor.submit { _ in gate.pass() }
            try await Poll.until("the thread to be busy") { gate.waiting == 1 }
            let error = await #expect(throws: BlockingError.self) {
                try await executor.perform(deadline: .now + .milliseconds(20)) { _ in 1 }
            }
            #expect(error?.code == .deadline)
            #expect(executor.waiting == 0)
            gate.release()
        }
    }

    @Test("a cancelled caller's queued call fails with .cancelled and leaves the queue")
    func cancelWhileQueued() async throws {
        let executor = Self.executor(threads: 1, queueLimit: 4)
        let gate = Gate()
        try await withRunning(executor) {
            try executor.submit { _ in gate.pass() }
            try await Poll.until("the thread to be busy") { gate.waiting == 1 }
            let call = Task { try await executor.perform { _ in 1 } }
            try await Poll.until("the call to be queued") { executor.waiting == 1 }
            call.cancel()
            let error = await #expect(throws: BlockingError.self) { try await call.value }
            #expect(error?.code == .cancelled)
            #expect(executor.waiting == 0)
            gate.release()
        }
    }

    @Test("a call that finishes before its deadline returns its value, and its timer never fires")
    func deadlineCancelledOnFinish() async throws {
        let executor = Self.executor()
        try await withRunning(executor) {
            let positive = try await executor.perform(deadline: .now + .seconds(30)) { state in state > 0 }
            #expect(positive)
        }
        // A cancelled timer lets go of what it would have called: nothing waits for a deadline
        // an hour away holding the call. (No timing is assumed: the release is polled for.)
        final class Call: Sendable {}
        let fired = Atomic<Bool>(false)
        weak var released: Call?
        do {
            let call = Call()
            released = call
            let timer = DeadlineTimer(at: .now + .seconds(3600)) { [call] in
                _ = call
                fired.store(true, ordering: .relaxed)
            }
            timer.cancel()
        }
        try await Poll.until("the cancelled timer to let go of its call") { released == nil }
        let didFire = fired.load(ordering: .relaxed)
        #expect(!didFire)
    }
}
