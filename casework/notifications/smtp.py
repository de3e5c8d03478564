"""Talking to the mail server, with the standard library only: building a message (plain text with
an HTML alternative) and sending it, and sorting what went wrong into "try again later" and
"this will never work"."""

from __future__ import annotations

import functools
import hashlib
import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from types import TracebackType
from typing import Any

from flask import current_app

from casework.notifications.models import OutboxMessage

MAX_REASON = 500


class SendError(Exception):
    """Sending one message failed; ``permanent`` when trying again cannot help."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def message_id(key: str, mail_from: str) -> str:
    """The same message (its outbox key) always has the same Message-ID, so a receiving server
    or a mail client can tell a resend from a new message."""
    domain = mail_from.rpartition("@")[2] or "casework.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(row: OutboxMessage, config: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((config["PARTNERSHIP_NAME"], config["MAIL_FROM"]))
    message["To"] = Address(addr_spec=row.to_address)
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(row.key, config["MAIL_FROM"])
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def _reason(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"[:MAX_REASON]


def classify(error: Exception) -> SendError:
    """The server's own words, and whether the failure is permanent: a 5xx answer about the
    message or its recipient is; a 4xx answer, a refused or dropped connection, a timeout and a
    rejected login (the installation's settings, not the message) are worth trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return SendError(_reason(code, text), permanent=code >= 500)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return SendError(_reason(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, smtplib.SMTPResponseException):
        return SendError(_reason(error.smtp_code, error.smtp_error), permanent=error.smtp_code >= 500)
    # smtplib reports a reply that never came as a disconnection caused by the timeout.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return SendError("The mail server did not answer in time", permanent=False)
    if isinstance(error, ConnectionRefusedError):
        return SendError("The mail server refused the connection", permanent=False)
    text = str(error) or type(error).__name__
    return SendError(f"Could not reach the mail server: {text}"[:MAX_REASON], permanent=False)


def tls_context() -> ssl.SSLContext:
    """A verifying context, made once per trust store the environment names: loading the
    certificates takes longer than sending a message, and a plain connection needs none."""
    return _context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _context_for(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return ssl.create_default_context()  # OpenSSL reads the same two variables


class Mailer:
    """One connection to the mail server, opened at the first message and reused for the rest of
    a delivery run; dropped after any failure, so the next message starts afresh."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
        security = config["SMTP_SECURITY"]
        if security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        try:
            connection.ehlo()
            if security == "starttls":
                connection.starttls(context=tls_context())
                connection.ehlo()
            if config["SMTP_USERNAME"]:
                connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        """Send one message, or raise :class:`SendError`."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise classify(error) from error

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))
