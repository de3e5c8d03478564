"""How dates and times are shown: UK local time, in the GOV.UK style."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from casework.core.timeutil import UK


def format_datetime(value: datetime) -> str:
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def format_time(value: datetime) -> str:
    return f"{value.astimezone(UK):%H:%M}"


def format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def init_display(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_time, "time")
