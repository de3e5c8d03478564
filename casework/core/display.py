"""How dates and times are shown: UK local time, in the GOV.UK style."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask

from casework.core.timeutil import UK


def format_datetime(value: datetime) -> str:
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def format_time(value: datetime) -> str:
    return f"{value.astimezone(UK):%H:%M}"


def format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """The count with its noun ("1 request", "3 requests", "2 entries"), never "request(s)"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def duration(length: timedelta) -> str:
    """ "30 minutes", "12 hours", "1 minute", "10 seconds": whole units, no decimals."""
    seconds = int(length.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


def init_display(app: Flask) -> None:
    app.add_template_filter(duration, "duration")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_time, "time")
