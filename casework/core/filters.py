"""The dates of a list's filter form, read from the query string."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

PARTS = ("day", "month", "year")


def filter_day(args: MultiDict[str, str], name: str, label: str) -> tuple[date | None, list[str], str | None]:
    """A filter date typed in the GOV.UK day, month and year boxes (``from-day``...), or given as
    an ISO date by the page's own links (download, print): the date, the boxes' text, a problem."""
    parts = [args.get(f"{name}-{part}", "").strip() for part in PARTS]
    if not any(parts):
        try:
            found = date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None, ["", "", ""], None
        return found, [str(found.day), str(found.month), str(found.year)], None
    try:
        day, month, year = (int(part) for part in parts)
        if year < 1900:
            raise ValueError
        return date(year, month, day), parts, None
    except (ValueError, OverflowError):
        return None, parts, f"{label} must be a real date, for example 27 3 2026"
