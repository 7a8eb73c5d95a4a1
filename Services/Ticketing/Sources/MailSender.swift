import Contracts
import Foundation
import Logging
import Runtime
import SMTP
import ServiceLifecycle
import Storage
import Synchronization

/// Delivers the mail outbox over SMTP: claims due mails under a lease, sends them on the SMTP
/// client's threads, and records each outcome (sent; retried later with backoff; failed for good).
/// Without `SWITCHBOARD_SMTP_URL` mails stay queued and the log says so.
struct MailSender: Service {
    let context: ServiceContext
    let doorbell: Doorbell
    /// Runs before this sender in the service group and stops after it, so queued mails are
    /// through before its threads end; nil without `SWITCHBOARD_SMTP_URL`.
    let client: SMTPClient?
    /// The first wait before a failed delivery is tried again (`SWITCHBOARD_MAIL_RETRY_MS`).
    let retryBase: Duration
    /// Long enough for the slowest transfer (curl gives up after 60 s) with room to record it.
    static let lease: Duration = .seconds(120)

    /// What `/readyz` says while no SMTP server is set.
    static func notConfigured(queued: String) -> Attention {
        Attention(
            .mailNotConfigured,
            "SWITCHBOARD_SMTP_URL is not set: \(queued) mails are queued and none is sent (acknowledgements, replies, transcripts) until it is"
        )
    }

    func run() async throws {
        let configuration = context.configuration
        let instance = configuration.instance
        let released = try await context.database.transaction { try MailStore.release(instance: instance, in: $0) }
        if released > 0 { context.logger.notice("took back mails a previous run left leased", metadata: ["mail.count": "\(released)"]) }
        guard let client else {
            let queued = try await context.database.transaction { try MailStore.queuedCount(in: $0) }
            context.logger.warning(
                "SWITCHBOARD_SMTP_URL is not set: mails stay queued and none is sent until it is",
                metadata: ["mail.queued": "\(queued)", "attention": "\(Attention.Code.mailNotConfigured.rawValue)"])
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let sent: Int
            do {
                sent = try await round(client: client, instance: instance)
            } catch {
                context.logger.warning("mail round failed; will retry", metadata: ["error": "\(error)"])
                sent = 0
            }
            if sent == 0 {
                // Mail this process queued rings at once; other replicas' mail is found within the second.
                try? await cancelWhenGracefulShutdown { try await doorbell.wait(atMost: .seconds(1)) }
            }
        }
    }

    /// Sends one batch of due mails; how many it claimed.
    func round(client: SMTPClient, instance: String) async throws -> Int {
        let claimed = try await context.database.transaction {
            try MailStore.claim(limit: 32, instance: instance, lease: Self.lease, in: $0)
        }
        guard !claimed.isEmpty else { return 0 }
        let retryBase = retryBase
        let clock = context.clock
        let files = AttachmentStore(database: context.database)
        let results = await withTaskGroup(of: (UUID, MailStore.Result).self) { group in
            for mail in claimed {
                group.addTask {
                    let outcome: SMTPOutcome
                    do {
                        let source = try await MailFiles.source(mail.raw, store: files)
                        outcome = await client.send(from: mail.sender, to: [mail.recipient], reading: source)
                    } catch let missing as MailFiles.Missing {
                        outcome = .permanent("the attached file \(missing.id) is no longer stored")
                    } catch {
                        outcome = .temporary("reading the attached files: \(error)")
                    }
                    return (mail.id, Self.result(of: outcome, mail: mail, retryBase: retryBase, now: clock.now()))
                }
            }
            var results: [(UUID, MailStore.Result)] = []
            for await result in group { results.append(result) }
            return results
        }
        try await context.database.transaction { try MailStore.finish(results, instance: instance, in: $0) }
        for (id, result) in results {
            switch result {
            case .sent: context.logger.debug("mail sent", metadata: ["mail.id": "\(id)"])
            case .retry(let delay, let reason):
                context.logger.notice(
                    "mail delivery deferred", metadata: ["mail.id": "\(id)", "mail.retry_in": "\(delay)", "error": "\(reason)"])
            case .failed(let reason): context.logger.warning("mail delivery failed", metadata: ["mail.id": "\(id)", "error": "\(reason)"])
            }
        }
        return claimed.count
    }

    static func result(of outcome: SMTPOutcome, mail: MailStore.Claimed, retryBase: Duration, now: Date) -> MailStore.Result {
        switch outcome {
        case .sent:
            return .sent
        case .permanent(let reason):
            return .failed(reason: reason)
        case .temporary(let reason):
            if now.timeIntervalSince(mail.createdAt) > Double(Backoff.giveUpAfter.components.seconds) {
                return .failed(reason: "gave up after three days: \(reason)")
            }
            return .retry(after: Backoff.delay(afterAttempt: mail.attempts, base: retryBase), reason: reason)
        }
    }
}

/// Tells the sender that mail was queued, without making it wait for its next poll.
final class Doorbell: Sendable {
    let rung = Atomic<Bool>(false)

    func ring() { rung.store(true, ordering: .releasing) }

    /// Returns when rung, or after `limit`, checking every 20 ms (a flag, not a query).
    func wait(atMost limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if rung.exchange(false, ordering: .acquiringAndReleasing) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
