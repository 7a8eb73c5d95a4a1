import Foundation

/// Short temporary folders (Unix socket paths must stay under ~107 bytes) and the repository's scripts.
public enum Scratch {
    /// A new folder under /tmp with a short name, readable by the `postgres` user.
    public static func makeDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/sb\(prefix).XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else {
            throw HarnessError("cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: result)
        chmod(path, 0o755)
        return path
    }
}

enum Scripts {
    /// The repository root, found from this source file's place in it.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Runs `scripts/<name>` and returns its trimmed standard output; throws with its stderr on failure.
    ///
    /// Output goes through files, not pipes: a server the script starts in the background
    /// may inherit a pipe and keep it open forever.
    static func run(_ name: String, _ arguments: String...) async throws -> String {
        let scratch = try Scratch.makeDirectory(prefix: "sh")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        // stdout carries the answer; stderr goes to its own file through the shell.
        let child = try ChildProcess(
            executable: "/bin/bash",
            arguments: ["-c", "exec bash \"$0\" \"$@\" 2>\"\(errPath)\"", "\(root)/scripts/\(name)"] + arguments,
            environment: ProcessInfo.processInfo.environment,
            outputPath: outPath
        )
        let status = try await child.wait(timeout: .seconds(120), what: "scripts/\(name)")
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw HarnessError("scripts/\(name) \(arguments.joined(separator: " ")) failed: \(err)")
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Runs blocking work (libpq, waiting on a child) on its own thread, never on one of the few
/// cooperative threads the tests and the in-process servers share.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// A failure of the harness itself (not of the code under test).
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A command run to its end: its exit status and its output (stdout and stderr together).
public enum Command {
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError("\(executable) is missing: run scripts/setup.sh --test")
        }
        let scratch = try Scratch.makeDirectory(prefix: "cmd")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, outputPath: scratch + "/out")
        let status = try await child.wait(timeout: timeout, what: executable)
        return (status, (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? "")
    }

    /// The repository's root folder.
    public static var root: String { Scripts.root }

    /// The Python of the project's virtual environment (`scripts/setup.sh --test` makes it).
    public static var python: String { "\(Scripts.root)/.venv/bin/python" }
}
