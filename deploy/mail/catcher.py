"""The development mail catcher: every mail sent to SMTP port 1025 is kept as a file in
/var/mail/catcher (oldest first by name) and listed on port 8025. Nothing is relayed.
At most MAIL_CATCHER_KEEP (default 1000) mails are kept; the oldest go first."""
import email
import email.policy
import html
import http.server
import os
import threading
import time

from aiosmtpd.controller import Controller

FOLDER = os.environ.get("MAIL_CATCHER_DIR", "/var/mail/catcher")
KEEP = int(os.environ.get("MAIL_CATCHER_KEEP", "1000"))
counter = threading.Lock()
sequence = [0]


def kept():
    return sorted(name for name in os.listdir(FOLDER) if name.endswith(".eml"))


class Keep:
    async def handle_DATA(self, server, session, envelope):
        with counter:
            sequence[0] += 1
            name = f"{time.time_ns()}-{sequence[0]:06d}.eml"
        temporary = os.path.join(FOLDER, "." + name)
        with open(temporary, "wb") as file:
            file.write(envelope.original_content or envelope.content)
        os.rename(temporary, os.path.join(FOLDER, name))
        for old in kept()[:-KEEP]:
            os.remove(os.path.join(FOLDER, old))
        print(f"mail-catcher: kept {name} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 OK kept"


class Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            rows = []
            for name in reversed(kept()):
                with open(os.path.join(FOLDER, name), "rb") as file:
                    message = email.message_from_binary_file(file, policy=email.policy.default)
                cells = [message.get("Date", ""), message.get("From", ""), message.get("To", ""), message.get("Subject", "")]
                rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                            + f'<td><a href="/mail/{name}">raw</a></td></tr>')
            body = ("<!doctype html><meta charset=utf-8><title>Mail catcher</title>"
                    "<h1>Caught mail</h1><table border=1 cellpadding=4><tr><th>Date<th>From<th>To<th>Subject<th></tr>"
                    + "".join(rows) + "</table>").encode()
            self.answer(200, "text/html; charset=utf-8", body)
        elif self.path.startswith("/mail/") and self.path[6:] in kept():
            with open(os.path.join(FOLDER, self.path[6:]), "rb") as file:
                self.answer(200, "text/plain; charset=utf-8", file.read())
        else:
            self.answer(404, "text/plain", b"not found\n")

    def answer(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


if __name__ == "__main__":
    os.makedirs(FOLDER, exist_ok=True)
    controller = Controller(Keep(), hostname="0.0.0.0", port=1025, data_size_limit=64 * 1024 * 1024)
    controller.start()
    print("mail-catcher: SMTP on 1025, pages on 8025", flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", 8025), Pages).serve_forever()
