import Contracts
import Foundation
import Harness
import Testing

/// Files in conversations, through real processes: uploads of every type taken and the refused
/// ones, downloads with their headers, a file larger than a wire line byte for byte, and
/// messages carrying files on both sides' streams.
@Suite("Attachments", .serialized)
struct AttachmentTests {
    /// A chat of Ayşe's held by Can, with the tokens and ids a test needs.
    struct Desk {
        let stack: Stack
        let port: Int
        let visitor: String
        let conversation: String
        let can: String
        let admin: String

        func upload(
            _ data: Data, type: String, filename: String = "file", token: String? = nil, operator asOperator: Bool = false,
            conversation: String? = nil
        ) async throws -> (status: Int, object: [String: Any], reply: HTTPReply) {
            let id = conversation ?? self.conversation
            let path = (asOperator ? "/api/v1/conversations/\(id)/attachments" : "/api/v1/visitor/conversations/\(id)/attachments")
            let name = filename.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? filename
            var headers = ["Content-Type": type]
            headers["Authorization"] = "Bearer \(token ?? (asOperator ? can : visitor))"
            let reply = try await stack.http("POST", "\(path)?filename=\(name)", port: port, body: data, headers: headers)
            let object = (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:]
            return (reply.status, object, reply)
        }

        /// RFC 3986's unreserved characters: everything else in a name is percent-encoded.
        static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

        func download(_ id: String, token: String?) async throws -> HTTPReply {
            try await stack.http(
                "GET", "/api/v1/attachments/\(id)", port: port, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        }
    }

    static func with(environment: [String: String] = [:], _ body: (Desk) async throws -> Void) async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let gateway = try await stack.start(.gateway, environment: Stack.adminEnvironment.merging(environment) { $1 })
            let port = try #require(gateway.httpPort)
            let admin = try await stack.adminToken(port: port)
            let can = try await stack.newOperator(port: port, admin: admin, name: "Can", email: "can@example.com")
            let started = try await stack.json("POST", "/api/v1/visitor/conversations", port: port, body: ["name": "Ayşe"])
            let visitor = try #require(started.object["visitor_token"] as? String)
            let conversation = try #require((started.object["conversation"] as? [String: Any])?["id"] as? String)
            try await Poll.until("the chat in the Pool") {
                try await stack.http("GET", "/api/v1/pool", port: port, headers: ["Authorization": "Bearer \(can)"]).items
                    .contains { $0["id"] as? String == conversation }
            }
            #expect(try await stack.json("POST", "/api/v1/pool/\(conversation)/take", port: port, token: can).status == 200)
            try await body(Desk(stack: stack, port: port, visitor: visitor, conversation: conversation, can: can, admin: admin))
        }
    }

    /// A small file of each type the desk takes by default, as its first bytes make it.
    static let samples: [(type: String, bytes: [UInt8])] = [
        ("image/png", Samples.png),
        ("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0]),
        ("image/gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B]),
        ("image/webp", Array("RIFF".utf8) + [26, 0, 0, 0] + Array("WEBPVP8L".utf8) + [13, 0, 0, 0, 0x2F, 0, 0, 0, 0]),
        ("application/pdf", Array("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8)),
        ("text/plain", Array("Merhaba, siparişim nerede? 📦\n".utf8)),
        ("text/csv", Array("sipariş,adet\nçay,2\n".utf8)),
        ("application/msword", Samples.ole),
        ("application/vnd.ms-excel", Samples.ole),
        ("application/vnd.ms-powerpoint", Samples.ole),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Samples.zip),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Samples.zip),
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", Samples.zip),
        ("application/vnd.oasis.opendocument.text", Samples.zip),
        ("application/vnd.oasis.opendocument.spreadsheet", Samples.zip),
        ("application/vnd.oasis.opendocument.presentation", Samples.zip),
    ]

    @Test("every type taken by default is stored and read back; the refused ones change nothing")
    func uploads() async throws {
        try await Self.with { desk in
            #expect(Set(Self.samples.map(\.type)) == Set(AttachmentRules.defaultTypes), "a sample of every default type")
            for sample in Self.samples {
                let stored = try await desk.upload(Data(sample.bytes), type: sample.type, filename: "örnek dosya")
                #expect(stored.status == 201, "\(sample.type): \(stored.object)")
                #expect(stored.object["content_type"] as? String == sample.type)
                #expect(stored.object["size"] as? Int == sample.bytes.count)
                #expect(stored.object["filename"] as? String == "örnek dosya")
                let id = try #require(stored.object["id"] as? String)
                let back = try await desk.download(id, token: desk.visitor)
                #expect(back.status == 200 && Array(back.body) == sample.bytes, "\(sample.type) read back")
            }
            // A parameter on the type is fine; the stored type is the bare one.
            let withCharset = try await desk.upload(Data("merhaba".utf8), type: "Text/Plain; charset=UTF-8")
            #expect(withCharset.status == 201 && withCharset.object["content_type"] as? String == "text/plain")
            // The name loses its path; its characters are kept.
            let pathed = try await desk.upload(Data(Samples.png), type: "image/png", filename: "../../etc/ekran görüntüsü.png")
            #expect(pathed.object["filename"] as? String == "ekran görüntüsü.png")
            let before = try await desk.stack.rows("SELECT count(*) AS n FROM platform.attachments")

            let refusals: [(what: String, data: Data, type: String, filename: String, status: Int, code: String)] = [
                (
                    "an SVG (script inside images)", Data("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), "image/svg+xml", "a.svg", 415,
                    "unsupported_type"
                ),
                ("HTML", Data("<html></html>".utf8), "text/html", "a.html", 415, "unsupported_type"),
                ("a program", Data([0x4D, 0x5A, 0x90, 0]), "application/x-msdownload", "a.exe", 415, "unsupported_type"),
                ("no type", Data(Samples.png), "", "a.png", 415, "unsupported_type"),
                ("a JPEG called a PNG", Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0]), "image/png", "a.png", 415, "type_mismatch"),
                ("a program called a PDF", Data([0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0]), "application/pdf", "a.pdf", 415, "type_mismatch"),
                ("HTML called a PNG", Data("<html><script>alert(1)</script>".utf8), "image/png", "a.png", 415, "type_mismatch"),
                ("text with a NUL", Data("mer\0haba".utf8), "text/plain", "a.txt", 415, "type_mismatch"),
                ("text that is not UTF-8", Data([0x6D, 0xFC, 0x6C, 0x6B]), "text/plain", "a.txt", 415, "type_mismatch"),
                ("text cut in a character", Data([0x61, 0xC3]), "text/plain", "a.txt", 415, "type_mismatch"),
                ("an empty file", Data(), "text/plain", "a.txt", 422, "invalid"),
                ("no name", Data(Samples.png), "image/png", "", 422, "invalid"),
                ("a name that is a path's end", Data(Samples.png), "image/png", "dir/..", 422, "invalid"),
                ("a name that hides its extension", Data(Samples.png), "image/png", "resim\u{202E}gnp.exe", 422, "invalid"),
                ("a name with a control", Data(Samples.png), "image/png", "a\u{1}.png", 422, "invalid"),
                ("a name too long", Data(Samples.png), "image/png", String(repeating: "ğ", count: 201), 422, "invalid"),
            ]
            for refusal in refusals {
                let reply = try await desk.upload(refusal.data, type: refusal.type, filename: refusal.filename)
                #expect(reply.status == refusal.status, "\(refusal.what): \(reply.status) \(reply.object)")
                #expect(errorCode(reply.object) == refusal.code, "\(refusal.what): \(reply.object)")
            }
            // Over the size limit: refused on the announced length, before the body is read.
            let large = try await desk.upload(Data(count: AttachmentRules.defaultMaximumBytes + 1), type: "application/pdf")
            #expect(large.status == 413 && errorCode(large.object) == "too_large", "\(large.object)")
            // Sent in chunks with no length announced: refused as the limit is passed while it streams in.
            let streamed = try await desk.stack.http(
                "POST", "/api/v1/visitor/conversations/\(desk.conversation)/attachments?filename=big.pdf", port: desk.port,
                body: Data(Array("%PDF-".utf8) + [UInt8](repeating: 0x20, count: AttachmentRules.defaultMaximumBytes)),
                headers: ["Authorization": "Bearer \(desk.visitor)", "Content-Type": "application/pdf"], chunked: true)
            #expect(streamed.status == 413, "\(streamed.text)")
            // And a file whose bytes turn out wrong far into it (text with a NUL past the first chunk).
            let late = try await desk.stack.http(
                "POST", "/api/v1/visitor/conversations/\(desk.conversation)/attachments?filename=log.txt", port: desk.port,
                body: Data([UInt8](repeating: 0x61, count: 600_000) + [0] + [UInt8](repeating: 0x61, count: 1000)),
                headers: ["Authorization": "Bearer \(desk.visitor)", "Content-Type": "text/plain"], chunked: true)
            #expect(late.status == 415, "\(late.text)")
            let after = try await desk.stack.rows("SELECT count(*) AS n FROM platform.attachments")
            #expect(after == before, "refused uploads store nothing")

            // Someone else's conversation, nobody, and an operator on the visitor's route.
            let other = try await desk.stack.json("POST", "/api/v1/visitor/conversations", port: desk.port, body: ["name": "Mehmet"])
            let otherVisitor = try #require(other.object["visitor_token"] as? String)
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", token: otherVisitor).status == 404)
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", token: "not-a-token").status == 401)
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", token: desk.can).status == 401)
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", token: desk.visitor, operator: true).status == 401)
            #expect(
                try await desk.upload(Data(Samples.png), type: "image/png", operator: true, conversation: UUID().uuidString).status == 404)
            // The operator's side takes the same types.
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", operator: true).status == 201)

            // A closed conversation takes no more files, from either side.
            #expect(
                try await desk.stack.json("POST", "/api/v1/conversations/\(desk.conversation)/close", port: desk.port, token: desk.can)
                    .status == 200)
            let closed = try await desk.upload(Data(Samples.png), type: "image/png")
            #expect(closed.status == 409 && errorCode(closed.object) == "closed", "\(closed.object)")
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", operator: true).status == 409)
        }
    }

    @Test("a visitor's uploads are limited per day, counted atomically: of 8 at once with a quota of 3, exactly 3 are stored")
    func quota() async throws {
        try await Self.with(environment: ["SWITCHBOARD_ATTACHMENT_UPLOADS_PER_DAY": "3"]) { desk in
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await desk.upload(Data(Samples.png), type: "image/png")
                        return (reply.status, reply.reply.headers["retry-after"])
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0.0 == 429 }.count == 5, "\(statuses)")
            #expect(
                statuses.filter { $0.0 == 429 }.allSatisfy { $0.1.flatMap(Int.init).map { $0 > 0 } ?? false }, "Retry-After on each 429")
            let stored = try await desk.stack.rows("SELECT count(*) AS n FROM platform.attachments WHERE complete")
            #expect(stored.first?["n"] == "3")
            // Operators are not the visitor's quota.
            #expect(try await desk.upload(Data(Samples.png), type: "image/png", operator: true).status == 201)
        }
    }

    @Test("a visitor's bytes a day hold under concurrent uploads: of 8 files of 300 bytes at once with 1,000 a day, 3 are stored")
    func bytesQuota() async throws {
        try await Self.with(environment: ["SWITCHBOARD_ATTACHMENT_BYTES_PER_DAY": "1000"]) { desk in
            let file = Data(Samples.png + [UInt8](repeating: 0, count: 300 - Samples.png.count))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await desk.upload(file, type: "image/png").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 5, "\(statuses)")
            let stored = try await desk.stack.rows("SELECT coalesce(sum(size), 0) AS bytes FROM platform.attachments")
            #expect(stored.first?["bytes"] == "900")
        }
    }

    @Test("downloads: nosniff, images inline under a sandbox, other files as attachments; strangers get 404")
    func downloads() async throws {
        try await Self.with { desk in
            let image = try #require(
                try await desk.upload(Data(Samples.png), type: "image/png", filename: "ekran.png").object["id"] as? String)
            let pdf = try #require(
                try await desk.upload(Data(Self.samples[4].bytes), type: "application/pdf", filename: "fatura \"mart\" ü.pdf").object["id"]
                    as? String)
            let text = try #require(
                try await desk.upload(Data("merhaba".utf8), type: "text/plain", filename: "not.txt").object["id"] as? String)
            for token in [desk.visitor, desk.can, desk.admin] {
                let shown = try await desk.download(image, token: token)
                #expect(shown.status == 200)
                #expect(shown.headers["content-type"] == "image/png")
                #expect(shown.headers["x-content-type-options"] == "nosniff")
                #expect(shown.headers["content-disposition"] == "inline; filename=\"ekran.png\"; filename*=UTF-8''ekran.png")
                #expect(shown.headers["content-security-policy"]?.hasPrefix("sandbox") == true)
                #expect(shown.headers["content-length"] == String(Samples.png.count))
                let saved = try await desk.download(pdf, token: token)
                #expect(saved.status == 200 && saved.headers["content-type"] == "application/pdf")
                #expect(saved.headers["x-content-type-options"] == "nosniff")
                #expect(
                    saved.headers["content-disposition"]
                        == "attachment; filename=\"fatura _mart_ _.pdf\"; filename*=UTF-8''fatura%20%22mart%22%20%C3%BC.pdf")
                let note = try await desk.download(text, token: token)
                #expect(note.headers["content-type"] == "text/plain; charset=utf-8")
                #expect(note.headers["content-disposition"]?.hasPrefix("attachment;") == true)
            }
            let other = try await desk.stack.json("POST", "/api/v1/visitor/conversations", port: desk.port, body: ["name": "Mehmet"])
            let otherVisitor = try #require(other.object["visitor_token"] as? String)
            #expect(try await desk.download(image, token: otherVisitor).status == 404)
            #expect(try await desk.download(image, token: nil).status == 401)
            #expect(try await desk.download(image, token: "not-a-token").status == 401)
            #expect(try await desk.download(UUID().uuidString, token: desk.can).status == 404)
            #expect(try await desk.download("not-an-id", token: desk.can).status == 404)
            // An operator's upload reaches the visitor once a message carries it.
            let answer = try #require(
                try await desk.upload(Data(Samples.png), type: "image/png", filename: "kargo.png", operator: true).object["id"] as? String)
            #expect(try await desk.download(answer, token: desk.visitor).status == 404)
            let posted = try await desk.stack.json(
                "POST", "/api/v1/conversations/\(desk.conversation)/messages", port: desk.port, token: desk.can,
                body: ["body": "", "client_message_id": "kargo", "attachment_ids": [answer]])
            #expect(posted.status == 201, "\(posted.object)")
            #expect(try await desk.download(answer, token: desk.visitor).status == 200)
        }
    }

    @Test("a file larger than a wire line goes in and comes out byte for byte, in chunks")
    func large() async throws {
        try await Self.with { desk in
            // 3 MiB: three times the JSON-RPC line limit, and not a whole number of chunks.
            var bytes = Array("%PDF-1.7\n".utf8)
            var state: UInt32 = 2_463_534_242
            while bytes.count < 3 * (1 << 20) + 12_345 {
                state ^= state << 13
                state ^= state >> 17
                state ^= state << 5
                bytes.append(UInt8(truncatingIfNeeded: state))
            }
            let started = ContinuousClock.now
            let stored = try await desk.upload(Data(bytes), type: "application/pdf", filename: "katalog.pdf")
            let uploadTime = ContinuousClock.now - started
            #expect(stored.status == 201, "\(stored.object)")
            let id = try #require(stored.object["id"] as? String)
            #expect(stored.object["size"] as? Int == bytes.count)
            let chunks = try await desk.stack.rows(
                "SELECT count(*) AS n, max(octet_length(data)) AS largest FROM platform.attachment_chunks WHERE attachment_id = '\(id)'")
            #expect(chunks.first?["n"] == "13" && chunks.first?["largest"] == String(256 << 10), "\(chunks)")
            // For the handbook: how fast, and what a stored byte costs on disk (printed, never asserted).
            let disk = try await desk.stack.rows("SELECT pg_total_relation_size('platform.attachment_chunks') AS bytes")
            let readStarted = ContinuousClock.now
            _ = try await desk.download(id, token: desk.can)
            let readTime = ContinuousClock.now - readStarted
            print(
                "attachments: \(bytes.count) bytes up in \(uploadTime), down in \(readTime); chunks table \(disk.first?["bytes"] ?? "?") bytes"
            )
            for token in [desk.visitor, desk.can] {
                let back = try await desk.download(id, token: token)
                #expect(back.status == 200 && back.headers["content-length"] == String(bytes.count))
                #expect(back.body == Data(bytes), "read back byte for byte")
            }
        }
    }

    @Test("a message carries files: the other side's stream and the messages list show them; retries and misuse change nothing")
    func messages() async throws {
        try await Self.with { desk in
            let operatorStream = try await LiveStream.open(port: desk.port, token: desk.can)
            let visitorStream = try await LiveStream.open(port: desk.port, visitor: true, token: desk.visitor)
            let image = try #require(
                try await desk.upload(Data(Samples.png), type: "image/png", filename: "kırık.png").object["id"] as? String)
            let note = try #require(
                try await desk.upload(Data("seri no 42".utf8), type: "text/plain", filename: "seri.txt").object["id"] as? String)
            let path = "/api/v1/visitor/conversations/\(desk.conversation)/messages"
            func post(_ body: [String: Any], token: String? = nil, route: String? = nil) async throws -> (Int, [String: Any]) {
                let reply = try await desk.stack.json("POST", route ?? path, port: desk.port, token: token ?? desk.visitor, body: body)
                return (reply.status, reply.object)
            }
            let first = try await post(["body": "", "client_message_id": "dosyalar", "attachment_ids": [image, note]])
            #expect(first.0 == 201, "\(first.1)")
            let attached = try #require(first.1["attachments"] as? [[String: Any]])
            #expect(attached.map { $0["id"] as? String } == [image, note])
            #expect(attached.map { $0["filename"] as? String } == ["kırık.png", "seri.txt"])
            #expect(attached.map { $0["content_type"] as? String } == ["image/png", "text/plain"])
            #expect(attached.map { $0["size"] as? Int } == [Samples.png.count, 10])
            // The same message again is the first one, not a second.
            let again = try await post(["body": "", "client_message_id": "dosyalar", "attachment_ids": [image, note]])
            #expect(again.0 == 200 && again.1["id"] as? String == first.1["id"] as? String)

            let seen = try await operatorStream.next("message.created", conversation: desk.conversation)
            let data = try #require(seen["data"] as? [String: Any])
            #expect((data["attachments"] as? [[String: Any]])?.map { $0["id"] as? String } == [image, note])
            let list = try await desk.stack.http(
                "GET", "/api/v1/conversations/\(desk.conversation)/messages", port: desk.port,
                headers: ["Authorization": "Bearer \(desk.can)"])
            let listed = try #require(list.items.first { $0["id"] as? String == first.1["id"] as? String })
            #expect((listed["attachments"] as? [[String: Any]])?.count == 2)
            // A message without files reads as before: no attachments member.
            #expect(list.items.first?["attachments"] == nil)

            // Misuse: a file attached already, someone else's, too many, an empty message, a made-up id.
            let fresh = try #require(try await desk.upload(Data(Samples.png), type: "image/png").object["id"] as? String)
            let operators = try #require(
                try await desk.upload(Data(Samples.png), type: "image/png", operator: true).object["id"] as? String)
            let misuses: [(what: String, body: [String: Any])] = [
                ("a file on another message", ["body": "x", "client_message_id": "m1", "attachment_ids": [image]]),
                ("the operator's upload", ["body": "x", "client_message_id": "m2", "attachment_ids": [operators]]),
                ("a made-up id", ["body": "x", "client_message_id": "m3", "attachment_ids": [UUID().uuidString]]),
                ("eleven files", ["body": "x", "client_message_id": "m4", "attachment_ids": (0..<11).map { _ in UUID().uuidString }]),
                ("one file twice", ["body": "x", "client_message_id": "m5", "attachment_ids": [fresh, fresh]]),
                ("no body and no file", ["body": " ", "client_message_id": "m6"]),
                ("not an id", ["body": "x", "client_message_id": "m7", "attachment_ids": ["bir"]]),
            ]
            for misuse in misuses {
                let refused = try await post(misuse.body)
                #expect(refused.0 == 422, "\(misuse.what): \(refused)")
            }
            // Another conversation's upload is not attachable here either.
            let other = try await desk.stack.json(
                "POST", "/api/v1/visitor/conversations", port: desk.port, token: desk.visitor, body: ["name": "Ayşe"])
            let otherID = try #require((other.object["conversation"] as? [String: Any])?["id"] as? String)
            let elsewhere = try #require(
                try await desk.upload(Data(Samples.png), type: "image/png", conversation: otherID).object["id"] as? String)
            #expect(try await post(["body": "x", "client_message_id": "m8", "attachment_ids": [elsewhere]]).0 == 422)
            #expect(try await post(["body": "and this", "client_message_id": "m9", "attachment_ids": [fresh]]).0 == 201)

            // The operator answers with a file: the visitor's stream shows it and the visitor reads it.
            let reply = try await post(
                ["body": "Kargo fişi ekte", "client_message_id": "fis", "attachment_ids": [operators]], token: desk.can,
                route: "/api/v1/conversations/\(desk.conversation)/messages")
            #expect(reply.0 == 201, "\(reply.1)")
            let answered = try await visitorStream.next("the operator's file") { frame in
                let data = frame["data"] as? [String: Any]
                return frame["type"] as? String == "message.created"
                    && (data?["author"] as? [String: Any])?["kind"] as? String == "operator"
            }
            let file = try #require(((answered["data"] as? [String: Any])?["attachments"] as? [[String: Any]])?.first)
            #expect(file["id"] as? String == operators)
            #expect(try await desk.download(operators, token: desk.visitor).body == Data(Samples.png))
        }
    }
}

/// Small real files' bytes.
enum Samples {
    /// A 1×1 PNG.
    static let png: [UInt8] = Array(
        Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!)
    /// The start of an OLE compound file (the older Office formats).
    static let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 24)
    /// An empty ZIP archive's local header start (Office Open XML, OpenDocument).
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] + [UInt8](repeating: 0, count: 20)
}
