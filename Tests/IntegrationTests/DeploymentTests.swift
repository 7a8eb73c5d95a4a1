import Foundation
import Harness
import Testing

/// The deployment files, checked without starting them (Tests/Compose runs them on a real engine): Debian's
/// `docker-compose config`, the Compose Specification's JSON schema (`../shared/compose/` when
/// present) and the rules scaling needs (`scripts/check-compose.py`).
@Suite("docker-compose.yml, the Dockerfile and .env.example")
struct DeploymentTests {
    static let root = Command.root
    static let dockerCompose = "/usr/bin/docker-compose"
    static var schema: String? {
        let path = URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/compose/compose-spec.json").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Runs the checker on `compose` (and the real Dockerfile and .env.example).
    static func check(_ compose: String) async throws -> (status: Int32, output: String) {
        var arguments = [
            "\(root)/scripts/check-compose.py", "--compose", compose, "--dockerfile", "\(root)/Dockerfile", "--env", "\(root)/.env.example",
        ]
        if let schema { arguments += ["--schema", schema] }
        return try await Command.run(Command.python, arguments)
    }

    /// A copy of the project's `file` in a scratch folder with `original` replaced (which must be
    /// in it); the copy's path, and its folder to remove afterwards.
    static func brokenCopy(
        of file: String, replacing original: String, with replacement: String
    ) throws -> (
        path: String, folder: String
    ) {
        let text = try String(contentsOfFile: "\(root)/\(file)", encoding: .utf8)
        try #require(text.contains(original), "the test's original text is in \(file)")
        let folder = try Scratch.makeDirectory(prefix: "deploy")
        let path = "\(folder)/\(file)"
        try text.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
        return (path, folder)
    }

    @Test("docker-compose config accepts the file and finds every service")
    func composeConfig() async throws {
        let file = "\(Self.root)/docker-compose.yml"
        let quiet = try await Command.run(Self.dockerCompose, ["-f", file, "config", "-q"])
        #expect(quiet.status == 0, "\(quiet.output)")
        let services = try await Command.run(Self.dockerCompose, ["-f", file, "--profile", "dev", "config", "--services"])
        #expect(
            Set(services.output.split(separator: "\n").map(String.init))
                == ["postgres", "migrate", "gateway", "conversation", "pool", "ticketing", "notification", "mail", "proxy"])
    }

    @Test("the schema (when present) and the scaling rules hold for the real files")
    func rulesHold() async throws {
        let checked = try await Self.check("\(Self.root)/docker-compose.yml")
        #expect(checked.status == 0 && checked.output.hasSuffix("ok\n"), "\(checked.output)")
    }

    @Test(
        "a compose file that breaks a rule is refused with the reason",
        arguments: [
            (
                "    command: [\"switchboard-conversation\"]",
                "    command: [\"switchboard-conversation\"]\n    container_name: conversation",
                "conversation: no container_name"
            ),
            (
                "    command: [\"switchboard-pool\"]", "    command: [\"switchboard-pool\"]\n    ports: [\"9000:9000\"]",
                "pool: no published ports on a back service"
            ),
            ("    - sockets:/run/switchboard", "    - other:/run/switchboard", "mount the shared `sockets` volume"),
            (
                "      test: [\"CMD\", \"switchboard-ticketing\", \"health\"]", "      test: [\"CMD\", \"true\"]",
                "ticketing: the healthcheck calls system.health"
            ),
            ("  stop_grace_period: 30s\n", "", "needs a stop_grace_period"),
            (
                "    condition: service_completed_successfully", "    condition: service_started",
                "depends on migrate being service_completed_successfully"
            ),
            ("    profiles: [\"dev\"]\n", "", "a `mail` catcher for development, behind a profile"),
        ])
    func brokenRule(original: String, replacement: String, reason: String) async throws {
        let copy = try Self.brokenCopy(of: "docker-compose.yml", replacing: original, with: replacement)
        defer { try? FileManager.default.removeItem(atPath: copy.folder) }
        let checked = try await Self.check(copy.path)
        #expect(checked.status == 1)
        #expect(checked.output.contains(reason), "\(checked.output)")
    }

    @Test("a Dockerfile that names several products in one swift build (only the last is built) is refused")
    func severalProducts() async throws {
        let copy = try Self.brokenCopy(
            of: "Dockerfile", replacing: "--product switchboard \\\n",
            with: "--product switchboard-gateway \\\n  --product switchboard \\\n")
        defer { try? FileManager.default.removeItem(atPath: copy.folder) }
        let checked = try await Command.run(
            Command.python,
            ["\(Self.root)/scripts/check-compose.py", "--compose", "\(Self.root)/docker-compose.yml", "--dockerfile", copy.path])
        #expect(checked.status == 1 && checked.output.contains("builds only the last"), "\(checked.output)")
    }

    @Test("a key the Compose Specification does not know is refused by docker-compose and by the schema")
    func unknownKey() async throws {
        let copy = try Self.brokenCopy(
            of: "docker-compose.yml", replacing: "  restart: unless-stopped\n  stop_signal",
            with: "  restrat: unless-stopped\n  stop_signal")
        defer { try? FileManager.default.removeItem(atPath: copy.folder) }
        let config = try await Command.run(Self.dockerCompose, ["-f", copy.path, "config", "-q"])
        #expect(config.status != 0)
        #expect(config.output.contains("restrat"), "\(config.output)")
        if Self.schema != nil {
            let checked = try await Self.check(copy.path)
            #expect(checked.status == 1 && checked.output.contains("schema:") && checked.output.contains("restrat"), "\(checked.output)")
        }
    }

    @Test("the handbook names every setting the processes read, and .env.example every one the compose file passes")
    func settingsDocumented() async throws {
        let handbook = try String(contentsOfFile: "\(Self.root)/docs/operations.md", encoding: .utf8)
        var read: Set<String> = []
        for folder in ["Shared", "Services"] {
            let files = FileManager.default.enumerator(atPath: "\(Self.root)/\(folder)")?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: "\(Self.root)/\(folder)/\(file)", encoding: .utf8)
                let pattern = /"((?:SWITCHBOARD|DATABASE|LOG)_[A-Z_]+|LOG_LEVEL)"/
                for match in text.matches(of: pattern) { read.insert(String(match.output.1)) }
            }
        }
        #expect(read.count > 20, "found \(read.sorted())")
        let missing = read.filter { !handbook.contains("`\($0)`") }
        #expect(missing.isEmpty, "docs/operations.md does not describe \(missing.sorted())")
    }
}
