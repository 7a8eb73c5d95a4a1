import Foundation

/// Reads a MIME message (RFC 2045–2046) a piece at a time, in one pass: the header of the
/// message, then each leaf part's header and, for the parts its reader wants, the part's bytes
/// with the transfer encoding undone. Whatever the message's size, the reader holds one line
/// (at most `lineLimit` bytes), a part's header (at most `headerLimit`) and the open multiparts'
/// boundaries (at most `depthLimit`).
struct MIMEReader {
    /// What the message holds, in order.
    enum Event: Equatable {
        /// The message's own header (before anything else).
        case message(MIMEHead)
        /// A leaf part starts (the message itself when it is not multipart); `wanted` says
        /// whether its bytes follow.
        case begin(MIMEHead, wanted: Bool)
        /// The next decoded bytes of the wanted part.
        case bytes([UInt8])
        /// The leaf part ends.
        case end
    }

    /// Longer lines are read in pieces, and are never a delimiter (a boundary is at most 70
    /// characters, and padding after it is rare and short).
    static let lineLimit = 8 << 10
    static let headerLimit = 64 << 10
    static let depthLimit = 10

    /// A multipart being read: its delimiter (`--` and the boundary) and how many parts it has had.
    private struct Multipart {
        var delimiter: [UInt8]
        var parts = 0
    }

    private enum State {
        /// Reading a header; `message` for the message's own.
        case header(message: Bool)
        /// Reading a leaf part's body; `decoder` when its bytes are wanted.
        case body(decoder: TransferDecoder?)
        /// Between a multipart's header and its first delimiter, or after its last one: skipped.
        case skipping
    }

    private var state = State.header(message: true)
    private var open: [Multipart] = []
    private var head = MIMEHead()
    private var headerBytes = 0
    private var headerLine = 0
    /// The header line being unfolded.
    private var field: [UInt8]?
    /// The unfinished last line of the bytes fed so far.
    private var carry: [UInt8] = []
    /// The carry is the rest of a line already passed on in pieces.
    private var continuing = false
    /// The line break after the last body line: part of the body unless a delimiter follows it.
    private var lineBreak: [UInt8] = []
    private var events: [Event] = []

    /// The events of the next bytes of the message. `wants` decides, for each leaf part's
    /// header, whether its bytes are decoded and passed on.
    mutating func feed(_ bytes: some Collection<UInt8>, wants: (MIMEHead) -> Bool) throws -> [Event] {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            guard let newline = bytes[index...].firstIndex(of: 10) else {
                carry.append(contentsOf: bytes[index...])
                if carry.count > Self.lineLimit {
                    // A CR at the end stays: it may be the line break's.
                    let cut = carry.last == 13 ? carry.count - 1 : carry.count
                    let piece = carry[..<cut]
                    carry.removeFirst(cut)
                    try line(piece, ending: nil, wants: wants)
                    continuing = true
                }
                break
            }
            let next = bytes.index(after: newline)
            if carry.isEmpty {
                let content = Array(bytes[index..<newline])
                try split(content, wants: wants)
            } else {
                carry.append(contentsOf: bytes[index..<newline])
                let content = carry
                carry.removeAll(keepingCapacity: true)
                try split(content, wants: wants)
            }
            index = next
        }
        return take()
    }

    /// The events the end of the message leaves; throws when it is cut short in a way that
    /// loses what it says (a header with no fields, a multipart with no part).
    mutating func finish(wants: (MIMEHead) -> Bool) throws -> [Event] {
        if !carry.isEmpty || continuing {
            // The last line has no line break.
            let piece = carry
            carry.removeAll()
            try line(piece[...], ending: [], wants: wants)
            continuing = false
        }
        switch state {
        case .header(let message):
            try endHeader(message: message, wants: wants)
            if case .body = state { try endBody(keepingBreak: open.isEmpty) }
        case .body:
            // The message's own body ends with the message; a part's last line break belongs
            // to the delimiter that never came.
            try endBody(keepingBreak: open.isEmpty)
        case .skipping:
            break
        }
        state = .skipping
        if let empty = open.last(where: { $0.parts == 0 }) { throw Self.noPart(empty) }
        open.removeAll()
        return take()
    }

    private mutating func take() -> [Event] {
        let taken = events
        events = []
        return taken
    }

    /// One whole line (its LF removed): the CR before it goes with the line break.
    private mutating func split(_ content: [UInt8], wants: (MIMEHead) -> Bool) throws {
        if content.last == 13 {
            try line(content.dropLast(), ending: [13, 10], wants: wants)
        } else {
            try line(content[...], ending: [10], wants: wants)
        }
        continuing = false
    }

    /// A line and its line break, or a piece of a long line when `ending` is `nil`.
    private mutating func line(_ content: ArraySlice<UInt8>, ending: [UInt8]?, wants: (MIMEHead) -> Bool) throws {
        if !continuing, ending != nil, content.count < Self.lineLimit, !open.isEmpty, let (level, closing) = delimiter(content) {
            // A part's header may run into the next delimiter: a part with no body.
            if case .header(let message) = state { try endHeader(message: message, wants: wants) }
            if case .body = state { try endBody(keepingBreak: false) }
            for inner in open[(level + 1)...] where inner.parts == 0 { throw Self.noPart(inner) }
            open.removeLast(open.count - level - 1)
            if closing {
                if open[level].parts == 0 { throw Self.noPart(open[level]) }
                open.removeLast()
                state = .skipping
            } else {
                open[level].parts += 1
                head = MIMEHead()
                headerBytes = 0
                headerLine = 0
                state = .header(message: false)
            }
            return
        }
        if case .header(let message) = state {
            try headerLine(content, whole: ending != nil, message: message, wants: wants)
            return
        }
        guard case .body(let held) = state else { return }
        if var decoder = held {
            // Out of the state while it decodes, so its buffer is not copied.
            state = .skipping
            var decoded: [UInt8] = []
            try decoder.decode(lineBreak, into: &decoded)
            try decoder.decode(content, into: &decoded)
            if !decoded.isEmpty { events.append(.bytes(decoded)) }
            state = .body(decoder: decoder)
        }
        lineBreak = ending ?? []
    }

    /// Which open multipart `content` is a delimiter of (the innermost first), and whether it
    /// closes it.
    private func delimiter(_ content: ArraySlice<UInt8>) -> (Int, Bool)? {
        guard content.count >= 2, content.first == 45, content[content.startIndex + 1] == 45 else { return nil }
        for level in open.indices.reversed() where content.starts(with: open[level].delimiter) {
            let rest = content.dropFirst(open[level].delimiter.count)
            if rest.starts(with: [45, 45]) { return (level, true) }
            if rest.allSatisfy({ $0 == 32 || $0 == 9 }) { return (level, false) }
        }
        return nil
    }

    private mutating func headerLine(_ content: ArraySlice<UInt8>, whole: Bool, message: Bool, wants: (MIMEHead) -> Bool) throws {
        headerBytes += content.count + (whole ? 2 : 0)
        guard headerBytes <= Self.headerLimit else { throw MailError("a header is longer than \(Self.headerLimit >> 10) KiB") }
        if continuing || !whole {
            // A long header line arrives in pieces: gathered (the header's bound holds them).
            if continuing, field != nil { field?.append(contentsOf: content) } else { field = Array(content) }
            if whole { try fieldLine(field ?? [], message: message) }
            return
        }
        if content.isEmpty {
            try endHeader(message: message, wants: wants)
            return
        }
        try fieldLine(Array(content), message: message)
    }

    /// One unfolded line of a header: a field, a continuation of the last one, or an error.
    private mutating func fieldLine(_ line: [UInt8], message: Bool) throws {
        field = nil
        headerLine += 1
        let number = headerLine
        if line.first == 32 || line.first == 9 {
            guard !head.fields.isEmpty else { throw MailError("line \(number) continues a header field that does not exist") }
            head.fields[head.fields.count - 1].value += " " + MIMEHead.text(line[...]).trimmingCharacters(in: .whitespaces)
        } else if number == 1, message, line.starts(with: Array("From ".utf8)) {
            // An mbox separator before the first field: not part of the message.
        } else {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0, line[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
            else {
                if head.fields.isEmpty && message { throw MailError("the mail has no header fields") }
                throw MailError("line \(number) of the header is not a header field (\"Name: value\")")
            }
            head.fields.append(
                .init(name: MIMEHead.text(line[..<colon]), value: MIMEHead.text(line[(colon + 1)...]).trimmingCharacters(in: .whitespaces)))
        }
    }

    /// The header is read: a multipart opens (its parts follow its first delimiter), a leaf begins.
    private mutating func endHeader(message: Bool, wants: (MIMEHead) -> Bool) throws {
        if message {
            if head.fields.isEmpty { throw MailError("the mail has no header fields") }
            events.append(.message(head))
        }
        if head.isMultipart {
            guard open.count + 1 < Self.depthLimit else { throw MailError("MIME parts are nested more than \(Self.depthLimit) deep") }
            guard let boundary = head.contentType.parameters["boundary"], !boundary.isEmpty else {
                throw MailError("a multipart part has no boundary parameter")
            }
            open.append(Multipart(delimiter: Array("--\(boundary)".utf8)))
            state = .skipping
        } else {
            let wanted = wants(head)
            events.append(.begin(head, wanted: wanted))
            state = .body(decoder: wanted ? try TransferDecoder(head.field("Content-Transfer-Encoding")) : nil)
        }
        lineBreak = []
    }

    /// The leaf part ends: what its decoder still holds, then `.end`.
    private mutating func endBody(keepingBreak: Bool) throws {
        if case .body(let decoder) = state, var decoder {
            var decoded: [UInt8] = []
            if keepingBreak { try decoder.decode(lineBreak, into: &decoded) }
            try decoder.finish(into: &decoded)
            if !decoded.isEmpty { events.append(.bytes(decoded)) }
        }
        lineBreak = []
        events.append(.end)
        state = .skipping
    }

    private static func noPart(_ multipart: Multipart) -> MailError {
        let boundary = String(decoding: multipart.delimiter.dropFirst(2), as: UTF8.self)
        return MailError("no part of the multipart body starts with its boundary \"\(boundary)\"")
    }
}
