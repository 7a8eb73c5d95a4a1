import Foundation

/// The HTML part of a mail from the desk: one centred card on a quiet background, the desk's
/// name above it, the words in it, a short line below. Tables and inline styles, because that
/// is what every mail client renders the same; no images, scripts, fonts or remote content, so
/// nothing is blocked and nothing tracks the reader. Every text is escaped here: callers pass
/// plain text, never markup.
public struct HTMLLetter: Sendable, Hashable {
    /// One piece of the card, top to bottom.
    public enum Block: Sendable, Hashable {
        /// A paragraph; line breaks kept, web addresses made links.
        case paragraph(String)
        /// A label and a value set apart, such as a ticket's number.
        case reference(label: String, value: String)
        /// Quoted words (the customer's own message).
        case quote(String)
        /// One message of a conversation: who, when, what; the desk's side tinted.
        case message(author: String, time: String, body: String, fromDesk: Bool)
        /// A signature line under a reply.
        case signature(String)
    }

    /// The desk's name, above the card.
    public var desk: String
    /// The line a mail client shows beside the subject before the mail is opened.
    public var preview: String
    public var blocks: [Block]
    /// Below the card: why the reader got this mail and how to answer.
    public var footer: String

    public init(desk: String, preview: String, blocks: [Block], footer: String) {
        self.desk = desk
        self.preview = preview
        self.blocks = blocks
        self.footer = footer
    }

    public func rendered() -> String {
        let body = blocks.map(Self.render).joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light"><title>\(Self.escape(desk))</title></head>
            <body style="margin:0;padding:0;background:#f3f4f6;">
            <div style="display:none;max-height:0;overflow:hidden;opacity:0;">\(Self.escape(preview))</div>
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;">
            <tr><td align="center" style="padding:24px 12px;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;">
            <tr><td style="padding:0 8px 12px 8px;font:600 15px/1.4 \(Self.fonts);color:#111827;">\(Self.escape(desk))</td></tr>
            <tr><td style="background:#ffffff;border:1px solid #e5e7eb;border-radius:10px;padding:24px;font:15px/1.55 \(Self.fonts);color:#1f2937;">
            \(body)
            </td></tr>
            <tr><td style="padding:12px 8px 0 8px;font:12px/1.5 \(Self.fonts);color:#6b7280;">\(Self.lines(footer))</td></tr>
            </table>
            </td></tr>
            </table>
            </body></html>
            """
    }

    static let fonts = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"

    static func render(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return #"<p style="margin:0 0 14px 0;">\#(lines(text))</p>"#
        case .reference(let label, let value):
            return #"<p style="margin:0 0 14px 0;padding:10px 12px;background:#f9fafb;border-radius:6px;">"#
                + #"\#(escape(label)) <strong style="color:#111827;">\#(escape(value))</strong></p>"#
        case .quote(let text):
            return #"<blockquote style="margin:0 0 14px 0;padding:8px 12px;border-left:3px solid #d1d5db;color:#4b5563;">"#
                + "\(lines(text))</blockquote>"
        case .message(let author, let time, let body, let fromDesk):
            let tint = fromDesk ? "#eef2ff" : "#f9fafb"
            return #"<div style="margin:0 0 10px 0;padding:10px 12px;background:\#(tint);border-radius:8px;">"#
                + #"<div style="font-size:13px;color:#6b7280;margin-bottom:4px;"><strong style="color:#111827;">\#(escape(author))</strong>"#
                + #" · \#(escape(time))</div><div>\#(lines(body))</div></div>"#
        case .signature(let name):
            return #"<p style="margin:18px 0 0 0;color:#4b5563;">— \#(escape(name))</p>"#
        }
    }

    /// `text` escaped, its line breaks as `<br>` and its web addresses as links.
    static func lines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { linked(String($0)) }.joined(separator: "<br>\n")
    }

    /// One line escaped, with each `http://` or `https://` address in it a link to itself.
    static func linked(_ line: String) -> String {
        var output = ""
        var rest = Substring(line)
        while let from = [rest.range(of: "https://"), rest.range(of: "http://")].compactMap({ $0?.lowerBound }).min() {
            output += escape(String(rest[..<from]))
            var end = rest[from...].firstIndex(where: { $0.isWhitespace || "<>\"'".contains($0) }) ?? rest.endIndex
            // A sentence's full stop or closing bracket after an address is not part of it.
            while end > from, ".,;:!?)]".contains(rest[rest.index(before: end)]) { end = rest.index(before: end) }
            let address = String(rest[from..<end])
            output += #"<a href="\#(escape(address))" style="color:#4f46e5;">\#(escape(address))</a>"#
            rest = rest[end...]
        }
        return output + escape(String(rest))
    }

    /// Text safe inside an element or a quoted attribute.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
