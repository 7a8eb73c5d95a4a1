import Foundation

/// An HTML-only mail's words as plain text: enough for a reply, not a renderer.
enum HTMLText {
    static func plain(_ html: String) -> String {
        var text = html
        for block in ["style", "script", "head"] {
            text = text.replacingOccurrences(
                of: "<\(block)[^>]*>.*?</\(block)>", with: "", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: "<blockquote[^>]*>.*</blockquote>", with: "", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(
            of: "<(br|/p|/div|/li|/tr|/h[1-6])[^>]*>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        let entities = ["&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&apos;": "'", "&amp;": "&"]
        for (entity, character) in entities { text = text.replacingOccurrences(of: entity, with: character) }
        return text.replacingOccurrences(of: "\n{3,}", with: "\n\n", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
