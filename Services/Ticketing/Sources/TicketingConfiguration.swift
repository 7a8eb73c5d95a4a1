import Foundation
import Mail
import Runtime

/// The ticketing service's own settings (the mail it sends), beside the shared
/// `Configuration`, with the defaults the README documents.
public struct TicketingConfiguration: Sendable {
    /// Where mail goes out (`SWITCHBOARD_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or `smtps://…`); unset keeps mails queued.
    public var smtpURL: String?
    /// The SMTP server's user name (`SWITCHBOARD_SMTP_USER`).
    public var smtpUser: String?
    /// The SMTP server's password (`SWITCHBOARD_SMTP_PASSWORD`).
    public var smtpPassword: String?
    /// The sender of every mail (`SWITCHBOARD_SMTP_FROM`, default `Support <support@localhost>`).
    public var smtpFrom: MailAddress
    /// The address replies go to, plus-addressed with each ticket's token (`SWITCHBOARD_REPLY_ADDRESS`, default the From address).
    public var replyAddress: MailAddress
    /// The first wait before a failed delivery is tried again; it doubles each time (`SWITCHBOARD_MAIL_RETRY_MS`, default 10000).
    public var mailRetry: Duration

    /// Reads the ticketing service's settings; throws `Configuration.Invalid` naming the first
    /// unusable one.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let reader = EnvironmentReader(environment)
        smtpURL = reader.value("SWITCHBOARD_SMTP_URL")
        if let smtpURL, !(smtpURL.hasPrefix("smtp://") || smtpURL.hasPrefix("smtps://")) {
            throw Configuration.Invalid(
                variable: "SWITCHBOARD_SMTP_URL", reason: "expected smtp://host:port or smtps://host:port, got \(smtpURL)")
        }
        smtpUser = reader.value("SWITCHBOARD_SMTP_USER")
        smtpPassword = reader.value("SWITCHBOARD_SMTP_PASSWORD")
        func mailbox(_ name: String, default fallback: MailAddress) throws -> MailAddress {
            guard let text = reader.value(name) else { return fallback }
            guard let address = MailAddress.parse(text) else {
                throw Configuration.Invalid(
                    variable: name, reason: "expected an address such as Support <support@example.com>, got \(text)")
            }
            return address
        }
        smtpFrom = try mailbox("SWITCHBOARD_SMTP_FROM", default: MailAddress(name: "Support", address: "support@localhost"))
        replyAddress = try mailbox("SWITCHBOARD_REPLY_ADDRESS", default: smtpFrom)
        mailRetry = .milliseconds(try reader.integer("SWITCHBOARD_MAIL_RETRY_MS", default: 10_000, range: 10...3_600_000))
    }
}
