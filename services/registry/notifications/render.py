"""Italian texts of notifications and their e-mails, from the Jinja templates beside this module."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.registry.notifications.models import Notification
from shared.db import utcnow

TEMPLATES = Path(__file__).with_name("templates")
MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]


def data_it(value: Any) -> str:
    """``2027-03-01`` -> ``1 marzo 2027``; anything else unchanged."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class _Lenient(StrictUndefined):
    """Missing data (an event without a title) renders as empty text instead of failing the worker."""

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates' environment (HTML autoescaped, text not)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=_Lenient,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["data_it"] = data_it
    return env


def message(notification: Notification) -> str:
    """The one sentence that says what happened (Italian)."""
    template = environment().get_template("message.txt.j2")
    return " ".join(template.render(n=notification, d=notification.data or {}).split())


def link(base_url: str, notification: Notification) -> str:
    """Where on the participation site the notification points."""
    base = base_url.rstrip("/")
    if notification.proposal_id and notification.process_id:
        return f"{base}/processes/{notification.process_id}/proposals/{notification.proposal_id}"
    if notification.proposal_id:
        return f"{base}/proposals/{notification.proposal_id}"
    if notification.process_id:
        return f"{base}/processes/{notification.process_id}"
    return base


def unsubscribe_page(*, action: str, done: bool) -> str:
    """The page a browser gets from the unsubscribe link (a form that POSTs; GET never unsubscribes)."""
    return environment().get_template("unsubscribe.html.j2").render(action=action, done=done)


@dataclass(frozen=True)
class Item:
    """One notification inside an e-mail."""

    notification: Notification
    message: str
    link: str


@dataclass(frozen=True)
class MailContext:
    """Everything an e-mail is made of besides its notifications."""

    mail_id: uuid.UUID
    sender: str
    to_address: str
    given_name: str | None
    digest: bool
    base_url: str
    unsubscribe_url: str


def build_message(context: MailContext, notifications: list[Notification]) -> EmailMessage:
    """The e-mail: Italian subject and bodies (text and HTML), RFC 8058 one-click unsubscribe headers."""
    env = environment()
    items = [Item(n, message(n), link(context.base_url, n)) for n in notifications]
    values = {
        "items": items,
        "digest": context.digest,
        "given_name": context.given_name,
        "unsubscribe_url": context.unsubscribe_url,
        "settings_url": f"{context.base_url.rstrip('/')}/settings/notifications",
    }
    subject = " ".join(env.get_template("subject.txt.j2").render(**values).split())
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = context.sender
    mail["To"] = formataddr((context.given_name or "", context.to_address))
    mail["Date"] = format_datetime(utcnow())
    domain = parseaddr(context.sender)[1].rpartition("@")[2] or "communitylab.invalid"
    # Stable across retries, so a copy a crash made us send twice can be recognised as the same message.
    mail["Message-ID"] = f"<{context.mail_id}@{domain}>"
    mail["List-Unsubscribe"] = f"<{context.unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(env.get_template("email.txt.j2").render(**values))
    mail.add_alternative(env.get_template("email.html.j2").render(subject=subject, **values), subtype="html")
    return mail
