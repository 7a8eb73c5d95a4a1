"""A real SMTP server (aiosmtpd) that keeps what it receives: for tests, the benchmark and `make run`.

Each accepted mail is appended to --out as one JSON line: the envelope, the headers a test
checks (decoded by Python's own mail parser, not ours), the text body, the HTML body (if any) and the raw message.
Recipients starting with "bounce" are refused with 550 (a permanent failure). While the file
<out>.slow exists, each mail's final reply waits (so a test can kill a sender mid-send); a
"data" line on stdout marks each mail whose reply is being held.
Prints "ready <port>" once it listens. Usage: smtp-sink.py --port 2525 --out mails.jsonl
"""
import argparse
import base64
import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, path):
        self.path = path
        self.out = open(path, "a", encoding="utf-8")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if os.path.exists(self.path + ".slow"):
            print("data", flush=True)
            while os.path.exists(self.path + ".slow"):
                await asyncio.sleep(0.05)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "reply_to": str(message.get("Reply-To", "")),
            "subject": str(message.get("Subject", "")),
            "message_id": str(message.get("Message-ID", "")),
            "in_reply_to": str(message.get("In-Reply-To", "")),
            "references": str(message.get("References", "")),
            "date": str(message.get("Date", "")),
            "auto_submitted": str(message.get("Auto-Submitted", "")),
            "content_transfer_encoding": str(message.get("Content-Transfer-Encoding", "")),
            "content_type": message.get_content_type(),
            "body": body.get_content() if body is not None else "",
            "html": html.get_content() if html is not None else "",
            "longest_line": max((len(line) for line in raw.split(b"\r\n")), default=0),
            "raw": raw.decode("ascii", "replace"),
            # The files, as Python's mail parser reads them: name, type and bytes (base64).
            "attachments": [
                {"filename": part.get_filename() or "", "content_type": part.get_content_type(),
                 "base64": base64.b64encode(part.get_payload(decode=True) or b"").decode("ascii")}
                for part in message.iter_attachments()
            ] if message.is_multipart() else [],
        }
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    controller = Controller(Keep(arguments.out), hostname=arguments.host, port=arguments.port, data_size_limit=10 << 20)
    controller.start()
    print("ready %d" % arguments.port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
