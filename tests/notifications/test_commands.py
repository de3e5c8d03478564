"""The commands: ``mail deliver`` sends what is due and says how it went; a setting the mail
code cannot use stops the app at start-up rather than at the first message."""

from __future__ import annotations

import pytest
from flask import Flask

from casework.auth.models import User
from casework.notifications.models import MailStatus
from tests.conftest import app_beside
from tests.notifications.conftest import queue_one, row
from tests.support.smtp import MailServer


def test_mail_deliver_sends_what_is_due_and_prints_the_counts(
    mail_app: Flask, smtp: MailServer, recipient: User
) -> None:
    sent = queue_one(mail_app, recipient, item="request:1")
    other = queue_one(mail_app, recipient, item="request:2")
    smtp.received.clear()
    result = mail_app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, to retry later 0, failed 0" in result.output
    assert {row(mail_app, sent).status, row(mail_app, other).status} == {MailStatus.SENT}


def test_mail_deliver_without_a_mail_server_says_so(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 0
    assert "No mail server is configured (CASEWORK_SMTP_HOST)" in result.output
    assert "Sent 0" in result.output


def test_an_unknown_smtp_security_setting_stops_the_app_at_start_up(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="CASEWORK_SMTP_SECURITY must be one of none, starttls, tls"):
        app_beside(app, SMTP_SECURITY="ssl")


def test_the_worker_command_is_there_with_its_options(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "--workers" in result.output
    refused = app.test_cli_runner().invoke(args=["worker", "--workers", "0"])
    assert refused.exit_code == 2
