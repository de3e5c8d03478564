"""The SMTP settings produce the conversation a real server expects: STARTTLS before the login,
implicit TLS, a login with the configured name and password, a certificate that must verify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from casework.auth.models import User
from casework.notifications.delivery import deliver_due
from casework.notifications.models import MailStatus
from tests.notifications.conftest import Row, point_at, queue_one, row
from tests.support.smtp import (
    PASSWORD,
    USERNAME,
    MailServer,
    self_signed_certificate,
    starttls_server,
    tls_server,
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The test certificate is trusted as a private CA would be (OpenSSL reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    return certificate


Send = Callable[..., Row]


@pytest.fixture
def send(app: Flask, recipient: User, monkeypatch: pytest.MonkeyPatch) -> Send:
    """Queue one message and deliver it to ``server`` with the ``security`` setting and the test
    login (its ``password`` given or the right one); the message's row after the attempt."""

    def deliver(server: MailServer, security: str, password: str = PASSWORD) -> Row:
        point_at(
            app,
            monkeypatch,
            server.port,
            SMTP_SECURITY=security,
            SMTP_USERNAME=USERNAME,
            SMTP_PASSWORD=password,
        )
        queued = queue_one(app, recipient)
        with app.app_context():
            deliver_due()
        return row(app, queued)

    return deliver


def test_starttls_comes_before_the_login_and_the_message(send: Send, trusted: tuple[Path, Path]) -> None:
    with starttls_server(*trusted) as server:
        sent = send(server, "starttls")
    assert sent.status == MailStatus.SENT
    [received] = server.received
    assert received.starttls and received.login == USERNAME
    assert server.logins == [(USERNAME, PASSWORD)]


def test_implicit_tls_with_a_login(send: Send, trusted: tuple[Path, Path]) -> None:
    with tls_server(*trusted) as server:
        sent = send(server, "tls")
    assert sent.status == MailStatus.SENT
    assert [received.login for received in server.received] == [USERNAME]


def test_a_wrong_password_is_the_installations_problem_and_is_tried_again(
    send: Send, trusted: tuple[Path, Path]
) -> None:
    with starttls_server(*trusted) as server:
        later = send(server, "starttls", password="wrong")
    assert later.status == MailStatus.QUEUED
    assert later.last_error.startswith("535 ")
    assert server.received == []


def test_a_certificate_that_does_not_verify_sends_nothing(send: Send, certificate: tuple[Path, Path]) -> None:
    with starttls_server(*certificate) as server:  # not trusted: no SSL_CERT_FILE
        later = send(server, "starttls")
    assert later.status == MailStatus.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in later.last_error
    assert server.logins == [] and server.received == []


def test_without_starttls_a_server_that_demands_it_is_not_sent_the_password(
    send: Send, trusted: tuple[Path, Path]
) -> None:
    with starttls_server(*trusted) as server:
        later = send(server, "none")
    assert later.status == MailStatus.QUEUED
    assert server.logins == [] and server.received == []
