import CCurl
import Foundation

/// One curl handle, used by one thread only; curl keeps its SMTP connection open between mails.
final class SMTPConnection {
    let handle: UnsafeMutableRawPointer
    let configuration: SMTPConfiguration

    init(_ configuration: SMTPConfiguration) {
        self.configuration = configuration
        handle = curl_easy_init()
    }

    func close() { curl_easy_cleanup(handle) }

    func send(_ envelope: SMTPEnvelope) -> SMTPOutcome {
        let upload = Upload(source: envelope.source)
        let context = Unmanaged.passRetained(upload)
        defer { context.release() }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for recipient in envelope.recipients { recipients = curl_slist_append(recipients, "<\(recipient)>") }
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            curl_easy_reset(handle)
            _ = sb_curl_set_string(handle, CURLOPT_URL, configuration.url)
            _ = sb_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            _ = sb_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
            _ = sb_curl_set_long(handle, CURLOPT_TIMEOUT, 60)
            // smtp:// upgrades with STARTTLS when offered; smtps:// is TLS from the start.
            _ = sb_curl_set_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
            if let user = configuration.user { _ = sb_curl_set_string(handle, CURLOPT_USERNAME, user) }
            if let password = configuration.password { _ = sb_curl_set_string(handle, CURLOPT_PASSWORD, password) }
            _ = sb_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(envelope.sender)>")
            _ = sb_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients)
            _ = sb_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            _ = sb_curl_set_read(handle, readCallback)
            _ = sb_curl_set_pointer(handle, CURLOPT_READDATA, context.toOpaque())
            // The server's own words for a refusal come through the debug callback.
            _ = sb_curl_set_long(handle, CURLOPT_VERBOSE, 1)
            _ = sb_curl_set_debug(handle, debugCallback)
            _ = sb_curl_set_pointer(handle, CURLOPT_DEBUGDATA, context.toOpaque())
            _ = sb_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            return curl_easy_perform(handle)
        }
        if code == CURLE_OK { return .sent }
        if let failure = upload.failure { return .temporary("reading the mail while sending it: \(failure)") }
        let reply = sb_curl_response_code(handle)
        let curlMessage = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = upload.lastReply ?? (curlMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : curlMessage)
        if (500..<600).contains(reply) && code != CURLE_LOGIN_DENIED { return .permanent(detail) }
        // Refused credentials are the suite's configuration, not the mail's fault: the mail waits for the fix.
        return .temporary(reply > 0 ? detail : "\(detail) (\(String(cString: curl_easy_strerror(code))))")
    }
}

/// The mail being uploaded, a piece at a time, and the server's last reply line.
final class Upload {
    let source: any MailSource
    var piece: [UInt8] = []
    var offset = 0
    var lastReply: String?
    /// Why the source could not give the rest (the transfer was aborted).
    var failure: (any Error)?

    init(source: any MailSource) { self.source = source }

    /// Copies up to `capacity` bytes to `buffer`: 0 at the end, `nil` when the source failed.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        while offset == piece.count {
            do {
                guard let next = try source.next() else { return 0 }
                piece = next
                offset = 0
            } catch {
                failure = error
                return nil
            }
        }
        let length = min(capacity, piece.count - offset)
        piece.withUnsafeBufferPointer { buffer.copyMemory(from: $0.baseAddress! + offset, byteCount: length) }
        offset += length
        return length
    }
}

/// `CURL_READFUNC_ABORT`: ends the transfer with an error.
private let readAbort = 0x1000_0000

private let readCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
    return upload.read(into: UnsafeMutableRawPointer(buffer), capacity: size * count) ?? readAbort
}

private let debugCallback:
    @convention(c) (UnsafeMutableRawPointer?, curl_infotype, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
        _, type, data, size, context in
        guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
        let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Keep the first line of a reply whose code is an error (4xx/5xx).
        if let first = line.first, first == "4" || first == "5" { upload.lastReply = line }
        return 0
    }
