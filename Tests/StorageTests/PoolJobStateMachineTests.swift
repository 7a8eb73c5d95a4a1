import Testing

@testable import Storage

/// The life of one database call, without a database: each row is the events a call meets, in
/// order, and what each transition tells `PoolJob` to do. The continuation is a number and the
/// cancel handle a name, so every action reads as what would happen.
@Suite("A database call's states")
struct PoolJobStateMachineTests {
    typealias Machine = PoolJobStateMachine<Int, String>

    enum Step: Sendable {
        case attach, start, startWithoutHandle, finish, fail, deadline, cancel
    }

    /// Applies `step` and says what the machine asked for.
    static func apply(_ step: Step, to machine: inout Machine) -> String {
        switch step {
        case .attach:
            switch machine.attach(7) {
            case .queue: return "queue"
            case .failCancelled(let continuation): return "resume \(continuation) cancelled"
            }
        case .start, .startWithoutHandle:
            return machine.start(cancel: step == .start ? "handle" : nil) ? "run" : "skip"
        case .finish:
            switch machine.finish() {
            case .resume(let continuation, nil): return "resume \(continuation)"
            case .resume(let continuation, let code?): return "resume \(continuation), interrupted by \(code)"
            case .none: return "nothing"
            }
        case .fail:
            switch machine.fail() {
            case .resume(let continuation): return "resume \(continuation) with the error"
            case .none: return "nothing"
            }
        case .deadline, .cancel:
            switch machine.interrupt(step == .deadline ? .deadline : .cancelled) {
            case .none: return "nothing"
            case .failQueued(let continuation): return "resume \(continuation) \(step == .deadline ? "deadline" : "cancelled"), withdraw"
            case .cancelStatement(let handle): return "PQcancel \(handle ?? "none")"
            }
        }
    }

    static let table: [(String, [Step], [String])] = [
        ("a call that runs and returns", [.attach, .start, .finish], ["queue", "run", "resume 7"]),
        (
            "no connection: the call fails before it starts, once",
            [.attach, .fail, .start, .finish, .deadline], ["queue", "resume 7 with the error", "skip", "nothing", "nothing"]
        ),
        (
            "the deadline passes while queued: it fails at once and leaves the queue; a thread then skips it",
            [.attach, .deadline, .start, .finish, .fail], ["queue", "resume 7 deadline, withdraw", "skip", "nothing", "nothing"]
        ),
        (
            "the caller is cancelled while queued", [.attach, .cancel, .deadline, .start],
            ["queue", "resume 7 cancelled, withdraw", "nothing", "skip"]
        ),
        (
            "cancelled before it was even queued: attaching resumes it as cancelled", [.cancel, .attach, .start],
            ["nothing", "resume 7 cancelled", "skip"]
        ),
        (
            "the deadline passes while running: the statement is cancelled, once, and the call ends interrupted",
            [.attach, .start, .deadline, .cancel, .deadline, .finish],
            ["queue", "run", "PQcancel handle", "nothing", "nothing", "resume 7, interrupted by deadline"]
        ),
        (
            "the caller is cancelled while running", [.attach, .start, .cancel, .finish],
            ["queue", "run", "PQcancel handle", "resume 7, interrupted by cancelled"]
        ),
        (
            "interrupted on a connection without a cancel handle", [.attach, .startWithoutHandle, .deadline, .finish],
            ["queue", "run", "PQcancel none", "resume 7, interrupted by deadline"]
        ),
        (
            "after the outcome nothing more happens", [.attach, .start, .finish, .deadline, .cancel, .fail, .finish, .start],
            ["queue", "run", "resume 7", "nothing", "nothing", "nothing", "nothing", "skip"]
        ),
        ("attached twice: the second caller is turned away", [.attach, .attach], ["queue", "resume 7 cancelled"]),
    ]

    @Test("each sequence of events gives these actions", arguments: table)
    func sequence(name: String, steps: [Step], expected: [String]) {
        var machine = Machine()
        let actions = steps.map { Self.apply($0, to: &machine) }
        #expect(actions == expected, "\(name)")
    }
}
