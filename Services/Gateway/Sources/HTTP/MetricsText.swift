import Foundation

/// Prometheus text from several processes made into one scrape: every sample gets its source's
/// labels (`service`, `instance`), and each metric family is written once, with its HELP and
/// TYPE, followed by the samples of every source.
enum MetricsText {
    /// One process's exposition and the labels that tell it apart.
    struct Source {
        var labels: [(name: String, value: String)]
        var text: String
    }

    static func merge(_ sources: [Source]) -> String {
        var order: [String] = []
        var headers: [String: [String]] = [:]
        var samples: [String: [String]] = [:]
        for source in sources {
            let prefix = source.labels.map { "\($0.name)=\"\(escaped($0.value))\"" }.joined(separator: ",")
            var family = ""
            for line in source.text.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("#") {
                    let words = line.split(separator: " ", maxSplits: 3)
                    guard words.count >= 3, words[1] == "HELP" || words[1] == "TYPE" else { continue }
                    family = String(words[2])
                    if headers[family] == nil {
                        headers[family] = []
                        order.append(family)
                    }
                    if !headers[family, default: []].contains(where: { $0.hasPrefix("# \(words[1]) ") }) {
                        headers[family, default: []].append(String(line))
                    }
                    continue
                }
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                if family.isEmpty || !name.hasPrefix(family) {
                    // A sample without a header of its own is a family by itself.
                    family = name
                    if headers[family] == nil {
                        headers[family] = []
                        order.append(family)
                    }
                }
                samples[family, default: []].append(labelled(line, prefix: prefix))
            }
        }
        return order.map { family in (headers[family, default: []] + samples[family, default: []]).joined(separator: "\n") }
            .joined(separator: "\n") + "\n"
    }

    /// `name{a="b"} 1` → `name{service="x",a="b"} 1`; `name 1` → `name{service="x"} 1`.
    static func labelled(_ line: Substring, prefix: String) -> String {
        guard !prefix.isEmpty else { return String(line) }
        guard let end = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { return String(line) }
        let name = line[..<end]
        if line[end] == "{" {
            let rest = line[line.index(after: end)...]
            return "\(name){\(prefix)\(rest.hasPrefix("}") ? "" : ",")\(rest)"
        }
        return "\(name){\(prefix)}\(line[end...])"
    }

    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
