import Foundation

/// The new words of a reply, without the quoted mail below it.
public enum ReplyText {
    /// Cuts `text` where the quoted previous mail starts: an "On … wrote:" line (in a few
    /// languages, possibly wrapped onto two lines) before quoted lines, an Outlook
    /// "Original Message" separator, or a trailing block of `>` lines. Text that is all quote is
    /// kept whole rather than lost.
    public static func strip(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        var cut = lines.count
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.range(of: "^-{2,}\\s*Original Message\\s*-{2,}$", options: [.regularExpression, .caseInsensitive]) != nil
                || trimmed.range(of: "^_{20,}$", options: .regularExpression) != nil
            {
                cut = index
                break
            }
            if isQuote(trimmed),
                lines[index...].allSatisfy({
                    isQuote($0.trimmingCharacters(in: .whitespaces)) || $0.trimmingCharacters(in: .whitespaces).isEmpty
                })
            {
                cut = index
                // The attribution just above the quote, on one line or wrapped onto two.
                var above = index - 1
                while above >= 0, lines[above].trimmingCharacters(in: .whitespaces).isEmpty { above -= 1 }
                if above >= 0, isAttribution(lines[above]) {
                    cut = above
                    // Wrapped onto two lines: "On …, Name" then "<address> wrote:".
                    if above >= 1, opensAttribution(lines[above - 1]), !isAttribution(lines[above - 1]) { cut = above - 1 }
                }
                break
            }
        }
        let kept = lines[..<cut].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return kept.isEmpty ? text.trimmingCharacters(in: .whitespacesAndNewlines) : kept
    }

    static func isQuote(_ line: String) -> Bool { line.hasPrefix(">") }

    /// "On … wrote:", "Am … schrieb …:" and their kin in a few languages.
    static func isAttribution(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let verbs = ["wrote", "schrieb", "écrit", "escribió", "scrisse", "yazdı", "schreef", "skrev", "napisał"]
        return trimmed.hasSuffix(":") && verbs.contains { trimmed.localizedCaseInsensitiveContains($0) }
    }

    static func opensAttribution(_ line: String) -> Bool {
        ["On ", "Am ", "Le ", "El ", "Il ", "Op ", "Den "].contains { line.trimmingCharacters(in: .whitespaces).hasPrefix($0) }
    }
}
