"""The timeline's vocabulary: stored values as a person would say them, and the builders of a
phrase from an event's summary and details (casework/reviews/timeline_phrases.py uses them for
each kind of event)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.core.audit import AuditEvent
from casework.core.display import format_date
from casework.core.enums import LabelledEnum
from casework.reviews.models import PanelResponse, ProcessKind, RapidReviewRecommendation


@dataclass(frozen=True)
class Said:
    """What a phrase function makes of an event: the verb phrase, then what follows the date."""

    what: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)


# --- words for values ------------------------------------------------------------------------

LABELS: dict[str, type[LabelledEnum]] = {
    "recommendation": RapidReviewRecommendation,
    "panel_response": PanelResponse,
}
FIELD_NAMES = {
    # the referral
    "pseudonym": "the pseudonym",
    "incident_on": "the incident date",
    "incident_description": "the description of the incident",
    "became_aware_on": "the date the partnership became aware",
    "la_became_aware_on": "the date the local authority became aware",
    "looked_after_child_died": "whether a looked-after child died",
    "panel_notified_on": "the date the Panel was notified",
    "notifying_organisation": "the notifying organisation",
    "notifying_person": "the notifying person",
    "known_agencies": "the agencies known to be involved",
    "linked_reviews": "the linked reviews",
    # the rapid review
    "meeting_on": "the meeting date",
    "facts_established": "the facts established",
    "immediate_safety_actions": "the immediate safety actions",
    "learning_identified": "the learning identified",
    "key_practice_episodes": "the key practice episodes",
    "family_context": "the context of the family's lives",
    "lived_experience": "the child's lived experience",
    "recommendation": "the rapid review's recommendation",
    "sent_to_panel_on": "the date it was sent to the Panel",
    "panel_response": "the Panel's response",
    "panel_responded_on": "the date the Panel responded",
    "contributing_agencies": "the contributing agencies",
}
FREE_TEXT_MARK = ["(text)", "(changed)"]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def words(value: Any, key: str = "") -> str:
    """A stored value as a person would say it: UK dates, labels, lists joined with "and". A
    missing value is never said ("on None"): the event's stored summary is shown instead."""
    if value is None:
        raise ValueError(f"no value for {key or 'a detail'}")
    if isinstance(value, list | tuple):
        return joined([words(item, key) for item in value])
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if key in LABELS and value in set(LABELS[key]):
        return LABELS[key](value).label
    return str(value)


def joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _blank(value: Any) -> bool:
    return value in (None, "", [])


def change_phrases(details: dict[str, Any]) -> list[str]:
    """Each changed field in words: "changed the facts established" (free text: only that it
    changed), "set the meeting date to 4 March 2026", "changed the incident date from ... to ..."."""
    phrases = []
    for key, change in details.items():
        name = FIELD_NAMES.get(key, key.replace("_", " "))
        if not isinstance(change, list) or len(change) != 2 or change == FREE_TEXT_MARK:
            phrases.append(f"changed {name}")
        elif _blank(change[0]):
            phrases.append(f"set {name} to {words(change[1], key)}")
        elif _blank(change[1]):
            phrases.append(f"cleared {name} (was {words(change[0], key)})")
        else:
            phrases.append(f"changed {name} from {words(change[0], key)} to {words(change[1], key)}")
    return phrases


def after(summary: str, pattern: str) -> re.Match[str] | None:
    return re.fullmatch(pattern, summary, re.DOTALL)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def process_kind(value: str) -> str:
    """A parallel process's kind inside a sentence: lower case, the IOPC's name as it is."""
    label = ProcessKind(value).label
    return label if label.startswith("IOPC") else label[0].lower() + label[1:]


Phrase = Callable[[AuditEvent, dict[str, Any]], Said | None]


def with_reason(pattern: str, what: str) -> Phrase:
    """An event whose summary ends with a reason the person typed: ``pattern`` captures it."""

    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = after(event.summary, pattern)
        if not found:
            return None
        *parts, reason = found.groups()
        return Said(what.format(*(part or "" for part in parts)), reason)

    return phrase


def fixed(what: str) -> Phrase:
    return lambda event, d: Said(what)


def from_summary(pattern: str, what: str, more: Callable[[dict[str, Any]], str] = lambda d: "") -> Phrase:
    """An event whose summary holds the names it needs: ``what`` takes the captured parts, and
    ``more`` adds words from the details."""

    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = after(event.summary, pattern)
        return Said(what.format(*found.groups()) + more(d)) if found else None

    return phrase
