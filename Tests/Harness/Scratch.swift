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
    static func run(_ name: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["\(root)/scripts/\(name)"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("scripts/\(name) \(arguments.joined(separator: " ")) failed: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A failure of the harness itself (not of the code under test).
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
