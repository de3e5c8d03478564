"""A real SMTP server on loopback (aiosmtpd), for tests of mail delivery.

``MailServer`` answers as its ``mode`` says: "accept" (keeps each message), "refuse" (550 for the
recipient), "busy" (451 after the data) or "slow" (says nothing for longer than the client's
timeout). It can also speak STARTTLS or implicit TLS with a self-signed certificate, and ask for a
login. ``closed_port()`` is a port where nothing listens.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME, PASSWORD = "casework", "mail server passphrase"
SLOW_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    """A port on loopback where nothing listens: connecting is refused at once."""
    return free_port()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
    subprocess.run(
        [*command.split(), "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message
    starttls: bool
    login: str | None


@dataclass
class MailServer:
    mode: str = "accept"
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    # --- aiosmtpd handler hooks ---

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.mode == "refuse":
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.mode == "busy":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(
            Received(
                sender=str(envelope.mail_from),
                recipients=list(envelope.rcpt_tos),
                message=message_from_bytes(content, policy=default),
                starttls=bool(session.ssl),
                login=login,
            )
        )
        return "250 Message accepted"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        # handled=False: aiosmtpd answers a refusal with its own 535
        return AuthResult(success=(login, password) == (USERNAME, PASSWORD), auth_data=data, handled=False)


class Server:
    """Start and stop a :class:`MailServer` behind an aiosmtpd controller."""

    def __init__(self, handler: MailServer, **options: Any) -> None:
        handler.port = free_port()
        self.handler = handler
        self.controller = Controller(handler, hostname="127.0.0.1", port=handler.port, **options)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self.handler

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def plain_server() -> Server:
    return Server(MailServer())


def starttls_server(cert: Path, key: Path) -> Server:
    """STARTTLS required before anything else; a login required after it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = MailServer()
    return Server(
        handler,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=handler.authenticate,
    )


def tls_server(cert: Path, key: Path) -> Server:
    """Implicit TLS (port 465 style) with a login."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = MailServer()
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    return Server(
        handler,
        ssl_context=context,
        auth_required=True,
        auth_require_tls=False,  # the whole connection is TLS; aiosmtpd only knows STARTTLS as TLS
        authenticator=handler.authenticate,
    )
