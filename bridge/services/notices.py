"""E-mail notices to learners about their credential deliveries, sent over SMTP (RFC 5321; STARTTLS RFC 3207).

Off unless ``SMTP_HOST`` is set (the demo sends none).  A notice says what happened in plain words and links
nowhere private; a failure to send is logged by delivery id only and never changes the delivery.  The password
comes from the environment only (``BRIDGE_SMTP_PASSWORD``).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, notice: Notice) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """Sends each notice in its own SMTP session (notices are rare; no connection is kept open)."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 10.0

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, notice.to, notice.subject
        message.set_content(notice.text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def mailer_from_config(config: Mapping[str, Any]) -> SmtpMailer | None:
    """The configured mailer, or None when e-mail notices are off (no ``SMTP_HOST``)."""
    host = str(config.get("SMTP_HOST") or "")
    if not host:
        return None
    return SmtpMailer(host=host, port=int(config.get("SMTP_PORT") or 587), sender=str(config.get("SMTP_FROM") or ""),
                      username=str(config.get("SMTP_USERNAME") or ""), password=str(config.get("SMTP_PASSWORD") or ""),
                      starttls=bool(config.get("SMTP_STARTTLS", True)))


def send_quietly(mailer: Mailer, notice: Notice, *, about: str) -> bool:
    """Send ``notice``; on failure log ``about`` (an id, never the address) and return False."""
    try:
        mailer.send(notice)
    except (OSError, smtplib.SMTPException):
        log.warning("e-mail notice not sent", extra={"about": about})
        return False
    return True


def tx_code_notice(to: str, title: str, code: str, minutes: int) -> Notice:
    """The transaction code of a wallet offer, sent apart from the QR code (OpenID4VCI 1.0 §3.5: the code
    should reach the holder through another channel than the offer itself)."""
    text = (f"Your wallet will ask for a transaction code when you add \"{title}\".\n\n"
            f"Transaction code: {code}\n\nIt works once, within {minutes} minutes. If you did not ask for this, "
            "ignore this message: without the QR code or link on the course page the code is useless.\n")
    return Notice(to=to, subject=f"Transaction code for \"{title}\"", text=text)
