"""The timeline's words: one phrase per kind of event recorded against a review, built from the
event's details with display labels and UK dates (casework/reviews/timeline.py chooses the events
and makes the sentences)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from casework.actions.models import ActionStatus
from casework.agencies.contributions import ContributionKind
from casework.core.audit import AuditEvent
from casework.core.display import format_date
from casework.core.enums import LabelledEnum
from casework.reviews.models import (
    AssignmentRole,
    FamilyContactKind,
    PanelResponse,
    ProcessKind,
    ProcessStatus,
    RapidReviewRecommendation,
)
from casework.reviews.stages import ReviewStage


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
    """A stored value as a person would say it: UK dates, labels, lists joined with "and"."""
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


def _after(summary: str, pattern: str) -> re.Match[str] | None:
    return re.fullmatch(pattern, summary, re.DOTALL)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- one phrase per event kind ----------------------------------------------------------------

Phrase = Callable[[AuditEvent, dict[str, Any]], Said | None]


def _stage_changed(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if d.get("from") not in set(ReviewStage) or d.get("to") not in set(ReviewStage):
        return None
    moved = f"moved the review from {ReviewStage(d['from']).label} to {ReviewStage(d['to']).label}"
    notes = []
    if d.get("agencies_in_scope"):
        notes.append(f"agencies in scope: {words(d['agencies_in_scope'])}")
    if d.get("target_completion_on"):
        notes.append(f"target date {words(d['target_completion_on'])}")
    if d.get("published_on"):
        notes.append(f"published on {words(d['published_on'])}")
    if d.get("published") is False:
        notes.append("decided not to publish the report")
    if d.get("version") is not None:
        notes.append(f"version {d['version']} is the final report")
    if d.get("reconsidered"):
        notes.append(
            f"the partners reconsidered after the Panel's challenge of {words(d.get('challenged_on'))}"
        )
    if d.get("decided_on"):
        notes.append(f"decided on {words(d['decided_on'])}")
    return Said(moved + (f" ({'; '.join(notes)})" if notes else ""))


def _with_reason(pattern: str, what: str) -> Phrase:
    """An event whose summary ends with a reason the person typed: ``pattern`` captures it."""

    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = _after(event.summary, pattern)
        if not found:
            return None
        *parts, reason = found.groups()
        return Said(what.format(*(part or "" for part in parts)), reason)

    return phrase


def _fixed(what: str) -> Phrase:
    return lambda event, d: Said(what)


def _from_summary(pattern: str, what: str, more: Callable[[dict[str, Any]], str] = lambda d: "") -> Phrase:
    """An event whose summary holds the names it needs: ``what`` takes the captured parts, and
    ``more`` adds words from the details."""

    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = _after(event.summary, pattern)
        return Said(what.format(*found.groups()) + more(d)) if found else None

    return phrase


def _review_paused(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r".+? paused: (.*)")
    agreed = f" (agreed by {d['agreed_by']})" if d.get("agreed_by") else ""
    started = f" from {words(d['started_on'])}" if d.get("started_on") else ""
    cause = f" because of the {_process_kind(d['process'])}" if d.get("process") in set(ProcessKind) else ""
    return Said(f"paused the review{started}{cause}{agreed}", found.group(1)) if found else None


def _publication_delayed(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"Publication delayed: (.*)")
    cause = f" because of the {_process_kind(d['process'])}" if d.get("process") in set(ProcessKind) else ""
    until = f" (expected until {words(d['expected_until'])})" if d.get("expected_until") else ""
    return Said(f"recorded a delay to publication{cause}{until}", found.group(1)) if found else None


def _review_resumed(event: AuditEvent, d: dict[str, Any]) -> Said:
    since = f" after the pause from {words(d['started_on'])}" if d.get("started_on") else ""
    return Said(f"resumed the review{since}")


def _deadline_extended(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"'(.+?)' extended from .+? to \d{1,2} \w+ \d{4}: (.*)")
    if not found or not d.get("from") or not d.get("to"):
        return None
    return Said(
        f"extended \u201c{found.group(1)}\u201d from {words(d['from'])} to {words(d['to'])}", found.group(2)
    )


def _reviewer_assigned(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if not d.get("reviewer") or d.get("role") not in set(AssignmentRole):
        return None
    despite = " despite a recorded conflict of interest" if d.get("conflicts") else ""
    return Said(f"appointed {d['reviewer']} as {AssignmentRole(d['role']).label.lower()}{despite}")


def _scope_changed(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if not d.get("added"):
        return None
    return Said(f"added {d['added']} to the scope of the review", d.get("role") or "")


def _contributions_requested(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if d.get("kind") not in set(ContributionKind) or not d.get("agencies") or not d.get("due_on"):
        return None
    kind = ContributionKind(d["kind"]).label.lower()
    return Said(f"asked {words(d['agencies'])} for: {kind}, due {words(d['due_on'])}")


def _accuracy_signed_off(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(
        event.summary,
        r"(.+) signed off its factual accuracy answer on version (\d+)"
        r"(?:: (no factual inaccuracies)| with (\d+) comment\(s\))",
    )
    if not found:
        return None
    agency, version, none, comments = found.groups()
    said = "no factual inaccuracies" if none else f"with {_plural(int(comments), 'comment')}"
    return Said(f"signed off {agency}'s factual accuracy answer on version {version}, {said}")


def _key_episode(marked: bool) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = _after(event.summary, r"Entry of (\d{1,2}) (\w+ \d{4}) \((.+)\) .*")
        if not found:
            return None
        day, month_year, agency = found.groups()
        entry = f"{agency}'s chronology entry of {int(day)} {month_year}"
        return Said(f"marked {entry} as a key practice episode" if marked else f"unmarked {entry}")

    return phrase


def _draft_shared(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"Version (\d+) shared for factual accuracy with (.+)")
    if not found:
        return None
    due = f", answers due {words(d['due_on'])}" if d.get("due_on") else ""
    return Said(f"shared version {found.group(1)} with {found.group(2)} for a factual accuracy check{due}")


def _themes(d: dict[str, Any]) -> str:
    return f" (themes: {words(d['themes'])})" if d.get("themes") else ""


def _action_added(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"Action added to recommendation (\d+) for (.+), due .+")
    if not found or not d.get("deadline"):
        return None
    owner = f", owned by {d['owner']}" if d.get("owner") else ""
    return Said(
        f"added an action to recommendation {found.group(1)} for {found.group(2)}{owner}, "
        f"due {words(d['deadline'])}"
    )


def _action_progress(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if d.get("status") not in set(ActionStatus):
        return None
    files = d.get("evidence") or 0
    evidence = f", with {_plural(files, 'evidence file')}" if files else ""
    return Said(f"reported progress on an action: {ActionStatus(d['status']).label.lower()}{evidence}")


def _deadline_change_requested(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"New deadline (\d{1,2}) (\w+ \d{4}) asked for .+")
    if not found:
        return None
    return Said(
        f"asked to move an action's deadline to {int(found.group(1))} {found.group(2)}", d.get("reason") or ""
    )


def _outcome_measure_set(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if not d.get("number") or not d.get("remeasure_on"):
        return None
    verb = "set" if d.get("new") else "changed"
    owner = f", owned by {d['owner']}" if d.get("owner") else ""
    return Said(
        f"{verb} the outcome measure of recommendation {d['number']}{owner}, "
        f"to measure again by {words(d['remeasure_on'])}"
    )


def _outcome_remeasured(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if not d.get("number") or not d.get("measured_on") or not isinstance(d.get("target_met"), bool):
        return None
    if d["target_met"]:
        result = "the target met: achieved"
    else:
        again = f", to measure again by {words(d['next_remeasure_on'])}" if d.get("next_remeasure_on") else ""
        result = f"the target not met yet{again}"
    return Said(
        f"re-measured the outcome of recommendation {d['number']} on {words(d['measured_on'])}, {result}"
    )


def _recommendations_confirmed(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"(\d+) recommendations confirmed as final")
    return Said(f"confirmed {_plural(int(found.group(1)), 'recommendation')} as final") if found else None


def _decision_reconsidered(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if d.get("outcome") not in {"local_review", "no_review", "national_review"}:
        return None
    outcome = {"local_review": "hold a local review", "no_review": "hold no review"}.get(d["outcome"], "")
    after = f" after the Panel's challenge of {words(d['challenged_on'])}" if d.get("challenged_on") else ""
    return Said(f"reconsidered and confirmed the decision to {outcome}{after}")


def _notice_sent(what: str) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = _after(event.summary, r"(.+?) sent to (.+) on \d{1,2} \w+ \d{4}(?: \(reference (.+)\))?")
        if not found:
            return None
        label, to, reference = found.groups()
        said = f"{what} the notice \u201c{label}\u201d as sent to {to} on {words(d.get('sent_on'))}"
        return Said(said + (f", reference {reference}" if reference else ""))

    return phrase


PHRASES: dict[str, Phrase] = {
    # the stages
    "review_created": _from_summary(r"(\S+) created: .*", "recorded the referral and created {0}"),
    "stage_changed": _stage_changed,
    "review_paused": _review_paused,
    "review_resumed": _review_resumed,
    # the referral, rapid review and commissioning
    "referral_updated": lambda event, d: Said("changed the referral", changes=change_phrases(d)),
    "rapid_review_updated": lambda event, d: Said("recorded the rapid review", changes=change_phrases(d)),
    "identifiers_updated": _fixed("updated the identifying details"),
    "deadline_extended": _deadline_extended,
    "decision_challenged": _with_reason(
        r"The Panel challenged the decision on (.+?): (.*)",
        "recorded the Panel's challenge of the decision ({0})",
    ),
    "decision_reconsidered": _decision_reconsidered,
    "scope_changed": _scope_changed,
    # reviewers
    "reviewer_assigned": _reviewer_assigned,
    "appointment_accepted": _fixed("accepted the appointment and declared independence"),
    "appointment_declined": _with_reason(r".+? declined the appointment: (.*)", "declined the appointment"),
    "appointment_withdrawn": _with_reason(
        r"Appointment of (.+?) ended: (.*)", "ended the appointment of {0}"
    ),
    "conflict_flagged": _from_summary(
        r"Possible conflict of interest for (.+) on \S+", "flagged a possible conflict of interest for {0}"
    ),
    # contributions
    "contributions_requested": _contributions_requested,
    "contribution_submitted": _from_summary(r"(.+) submitted its (.+)", "submitted {0}'s {1}"),
    "contribution_chased": _from_summary(r"(.+) reminded of its (.+?) \(", "reminded {0} of its {1}"),
    "contribution_accepted": _from_summary(r"(.+)'s (.+) accepted", "accepted {0}'s {1}"),
    "contribution_returned": _from_summary(r"(.+)'s (.+) returned", "returned {0}'s {1} with comments"),
    "contribution_withdrawn": _with_reason(
        r"Request to (.+?) withdrawn: (.*)", "withdrew the request to {0}"
    ),
    "chronology_imported": _from_summary(
        r"(\d+) chronology entries imported for (.+)", "imported {0} chronology entries for {1}"
    ),
    "document_uploaded": _from_summary(r"(.+) uploaded for (.+)", "uploaded \u201c{0}\u201d for {1}"),
    "key_episode_marked": _key_episode(True),
    "key_episode_unmarked": _key_episode(False),
    # drafts
    "draft_uploaded": _from_summary(r"Draft version (\d+) uploaded", "uploaded draft version {0}"),
    "draft_shared_for_accuracy": _draft_shared,
    "accuracy_signed_off": _accuracy_signed_off,
    "draft_shared_with_family": _from_summary(
        r"Version (\d+) shared with the family", "recorded that version {0} was shared with the family"
    ),
    # publication
    "anonymisation_checked": _from_summary(
        r"Anonymisation check of version (\d+): (.*)", "ran the anonymisation check of version {0}: {1}"
    ),
    "anonymisation_checked_by_hand": _fixed("confirmed the final version as checked by hand"),
    "anonymisation_finding_resolved": _from_summary(
        r"Finding '(.+)' recorded as not identifying",
        "recorded the finding \u201c{0}\u201d as not identifying",
    ),
    "corrected_version_uploaded": _from_summary(
        r"Corrected final version (\d+) uploaded", "uploaded corrected final version {0}"
    ),
    "publication_details_saved": _fixed("saved the publication details"),
    "publication_delayed": _publication_delayed,
    "publication_withdrawn": _with_reason(
        r"Published report withdrawn( before its 12 months)?: (.*)", "withdrew the published report{0}"
    ),
    # statutory notices and the Home Office quality assurance loop
    "notice_sent": _notice_sent("recorded"),
    "notice_corrected": _notice_sent("corrected"),
    "notice_comments_received": _from_summary(
        r"Comments received on: (.+)", "recorded the comments received on the notice \u201c{0}\u201d"
    ),
    "notice_response_recorded": _from_summary(
        r"Partners' response recorded on: (.+)",
        "recorded the partners' response on the notice \u201c{0}\u201d",
    ),
    "home_office_step_recorded": _from_summary(
        r"(.+) on \d{1,2} \w+ \d{4}", "recorded a Home Office quality assurance step: {0}"
    ),
    # findings, recommendations and actions
    "finding_added": _from_summary(r"Finding (\d+) recorded", "recorded finding {0}", _themes),
    "recommendation_added": _from_summary(
        r"Recommendation (\d+) recorded for (.+)", "recorded recommendation {0} for {1}", _themes
    ),
    "recommendations_confirmed": _recommendations_confirmed,
    "recommendation_repeated": _with_reason(
        r"Recommendation (\d+) resembles (.+? of \S+): (.*)",
        "confirmed recommendation {0}, which closely resembles {1}, saying what is different this time",
    ),
    "action_added": _action_added,
    "action_progress": _action_progress,
    "action_verified": _fixed("verified an action"),
    "action_returned": _with_reason(r"Action returned on \S+: (.*)", "returned an action to its owner"),
    "deadline_change_requested": _deadline_change_requested,
    "deadline_change_approved": _fixed("approved a change to an action's deadline"),
    "deadline_change_refused": _fixed("refused a change to an action's deadline"),
    "outcome_measure_set": _outcome_measure_set,
    "outcome_remeasured": _outcome_remeasured,
    "outcome_not_pursued": _with_reason(
        r"Recommendation (\d+) not pursued: (.*)",
        "recorded the partners' decision not to pursue recommendation {0}",
    ),
}


# --- the registers kept beside a review: parallel processes, monitoring, the family ----------


def _process_kind(value: str) -> str:
    label = ProcessKind(value).label
    return label if label.startswith("IOPC") else label[0].lower() + label[1:]


def _process(verb: str) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        if d.get("kind") not in set(ProcessKind):
            return None
        status = (
            f" ({ProcessStatus(d['status']).label.lower()})" if d.get("status") in set(ProcessStatus) else ""
        )
        return Said(f"{verb} a parallel process: {_process_kind(d['kind'])}{status}")

    return phrase


def _pause_cause_named(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    since = f" from {words(d['started_on'])}" if d.get("started_on") else ""
    if d.get("kind") in set(ProcessKind):
        return Said(f"recorded that the pause{since} was caused by the {_process_kind(d['kind'])}")
    return Said(f"recorded that the pause{since} was caused by no process on the register")


def _on(d: dict[str, Any]) -> str:
    return f" of {words(d['on'])}" if d.get("on") else ""


def _family(verb: str) -> Phrase:
    # The kind of entry and its date only: the log's contents stay on its own page.
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        if d.get("kind") not in set(FamilyContactKind):
            return None
        return Said(f"{verb} the family's involvement: {FamilyContactKind(d['kind']).label.lower()}{_on(d)}")

    return phrase


def _learning_kept(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    count = d.get("count")
    if not isinstance(count, int):
        return None
    return Said(f"kept the learning of a review not held locally as {_plural(count, 'recommendation')}")


PHRASES.update(
    {
        "process_added": _process("recorded"),
        "process_updated": _process("updated"),
        "pause_cause_named": _pause_cause_named,
        "monitoring_recorded": lambda event, d: Said(
            f"recorded monitoring of the review's time and quality{_on(d)}"
        ),
        "written_request_recorded": lambda event, d: Said(
            f"sent a written request to the lead reviewer{_on(d)}"
        ),
        "monitoring_updated": _fixed("corrected an entry of the monitoring log"),
        "written_request_answered": lambda event, d: Said(f"answered the written request{_on(d)}"),
        "family_involvement_recorded": _family("recorded"),
        "family_involvement_updated": _family("corrected"),
        "learning_kept": _learning_kept,
    }
)


# --- the 7-minute briefing and its dissemination -------------------------------------------------


def _dated(d: dict[str, Any]) -> str:
    return f" on {words(d['on'])}" if d.get("on") else ""


def _briefing_sent(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"7-minute briefing sent to (.+)")
    return Said(f"recorded the 7-minute briefing as sent to {found[1]}{_dated(d)}") if found else None


def _briefing_acknowledged(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = _after(event.summary, r"(.+) acknowledged the 7-minute briefing")
    return Said(f"acknowledged the 7-minute briefing for {found[1]}") if found else None


def _learning_event(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    attended = d.get("attended")
    if not isinstance(attended, int):
        return None
    people = f"{attended} {'person' if attended == 1 else 'people'}"
    return Said(f"recorded a learning event held{_dated(d)}, attended by {people}")


def _audited(verb: str) -> Phrase:
    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        numbers = d.get("recommendations")
        if not isinstance(numbers, list):
            return None
        tested = (
            f" testing recommendation{'' if len(numbers) == 1 else 's'} {words(numbers)}" if numbers else ""
        )
        return Said(f"{verb} a practice audit{tested}")

    return phrase


PHRASES.update(
    {
        "briefing_drafted": _fixed("drafted the 7-minute briefing from the review"),
        "briefing_saved": _fixed("edited the 7-minute briefing"),
        "briefing_approved": _fixed("approved the 7-minute briefing"),
        "briefing_reopened": _fixed("reopened the 7-minute briefing for changes"),
        "briefing_offered": _fixed("offered the 7-minute briefing on the public register"),
        "briefing_sent": _briefing_sent,
        "briefing_acknowledged": _briefing_acknowledged,
        "learning_event_recorded": _learning_event,
        "practice_audit_recorded": _audited("recorded"),
        "practice_audit_updated": _audited("updated"),
    }
)
