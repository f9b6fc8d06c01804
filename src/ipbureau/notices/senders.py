"""E-mail senders behind one Protocol, chosen by the setting IPBUREAU_MAIL_SENDER.

``file`` (default) writes each message as an .eml file under ``<data dir>/outbox``: nothing
leaves the machine, and an operator (or a test) can open what would have been sent.
``console`` prints it. A real SMTP sender can be added with the same ``send`` signature.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from ipbureau.config import get_settings
from ipbureau.database.core import utcnow

FROM_ADDRESS = "天津市知识产权局业务平台 <noreply@ipbureau.invalid>"


class MailSender(Protocol):
    def send(self, to: str, subject: str, body: str) -> str:
        """Send one plain-text message; return where it went (a path, or a short description)."""


def build_message(to: str, subject: str, body: str, *, now: datetime | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = FROM_ADDRESS
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = make_msgid(domain="ipbureau.invalid")
    message.set_content(body)
    return message


class FileSender:
    """Writes <outbox>/<timestamp>-<n>.eml."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, to: str, subject: str, body: str) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        now = utcnow()
        stem = now.strftime("%Y%m%dT%H%M%S%f") + "-" + re.sub(r"[^A-Za-z0-9]+", "_", to)[:40]
        path = self.outbox / f"{stem}.eml"
        n = 1
        while path.exists():
            n += 1
            path = self.outbox / f"{stem}-{n}.eml"
        path.write_bytes(bytes(build_message(to, subject, body, now=now)))
        return str(path)


class ConsoleSender:
    def send(self, to: str, subject: str, body: str) -> str:
        print(build_message(to, subject, body).as_string())
        return "console"


def outbox_dir() -> Path:
    return get_settings().data_dir / "outbox"


def get_sender() -> MailSender:
    choice = (get_settings().mail_sender or "file").strip().lower()
    if choice == "console":
        return ConsoleSender()
    if choice != "file":
        raise ValueError(f"IPBUREAU_MAIL_SENDER 无效：“{choice}”（应为 file 或 console）")
    return FileSender(outbox_dir())
