"""Sending one e-mail over SMTP with the configured TLS mode; failures say whether a retry can help."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from shared.config import Settings


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP server."""

    host: str
    port: int
    tls: Literal["none", "starttls", "ssl"] = "starttls"
    username: str = ""
    password: str = ""
    timeout_seconds: float = 15.0
    sender: str = "Community Lab <noreply@communitylab.example>"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """The configuration from the settings; None when no SMTP host is set (no e-mail is sent)."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout_seconds=settings.smtp_timeout_seconds,
            sender=settings.smtp_sender,
        )


class SendFailed(Exception):
    """The server did not take the message; ``permanent`` when retrying cannot help (a 5xx answer)."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def send(config: SmtpConfig, message: EmailMessage, *, tls_context: ssl.SSLContext | None = None) -> None:
    """Hand one message to the SMTP server, or raise SendFailed."""
    context = tls_context or ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if config.tls == "ssl":
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
        with client:
            client.ehlo()
            if config.tls == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, config.password)
            refused = client.send_message(message)
            if refused:
                raise SendFailed(f"recipients refused: {sorted(refused)}", permanent=True)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendFailed(f"recipients refused: {codes}", permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        # Only a message the server refused for itself is hopeless; a refused login or sender is configuration.
        permanent = isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500
        raise SendFailed(f"{exc.smtp_code} {text}"[:1000], permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Connection refused, timeouts, TLS failures, a server that hung up: worth another try later.
        raise SendFailed(f"{type(exc).__name__}: {exc}"[:1000], permanent=False) from exc
