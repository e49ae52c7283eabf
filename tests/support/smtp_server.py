"""A small SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on a loopback thread,
so e-mail notices are tested over a real SMTP conversation with ``smtplib`` (aiosmtpd is not installed here)."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from types import TracebackType


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class _Box:
    messages: list[Received] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    box: _Box

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 localhost test SMTP")
        sender, recipients = "", list[str]()
        for raw in self.rfile:
            verb, _, arg = raw.decode().rstrip("\r\n").partition(" ")
            verb = verb.upper()
            if verb in {"EHLO", "HELO"}:
                self._say("250 localhost")
            elif verb == "MAIL":
                sender, recipients = arg.split(":", 1)[1].strip().strip("<>"), []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(arg.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                for line in self.rfile:
                    if line in {b".\r\n", b".\n"}:
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.box.messages.append(Received(sender, recipients, message_from_bytes(b"".join(lines))))
                self._say("250 OK queued")
            elif verb in {"RSET", "NOOP"}:
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")


class SmtpServer:
    """``with SmtpServer() as smtp:`` — listens on ``smtp.port``; received mail in ``smtp.messages``."""

    def __init__(self) -> None:
        self._box = _Box()
        handler = type("Handler", (_Handler,), {"box": self._box})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="test smtp", daemon=True)

    @property
    def messages(self) -> list[Received]:
        return self._box.messages

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
