"""The timeline's words: one phrase per kind of event recorded against a review, built from the
event's details with display labels and UK dates (casework/reviews/timeline.py chooses the events
and makes the sentences; timeline_words.py holds the vocabulary, timeline_registers.py the
registers' and the briefing's phrases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.actions.models import ActionStatus
from casework.agencies.contributions import ContributionKind
from casework.core.audit import AuditEvent
from casework.reviews.models import AssignmentRole, ProcessKind
from casework.reviews.stages import ReviewStage
from casework.reviews.timeline_registers import BRIEFING_PHRASES, REGISTER_PHRASES
from casework.reviews.timeline_words import (
    Phrase,
    Said,
    after,
    change_phrases,
    fixed,
    from_summary,
    plural,
    process_kind,
    with_reason,
    words,
)


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


def _review_paused(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r".+? paused: (.*)")
    agreed = f" (agreed by {d['agreed_by']})" if d.get("agreed_by") else ""
    started = f" from {words(d['started_on'])}" if d.get("started_on") else ""
    cause = f" because of the {process_kind(d['process'])}" if d.get("process") in set(ProcessKind) else ""
    return Said(f"paused the review{started}{cause}{agreed}", found.group(1)) if found else None


def _publication_delayed(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r"Publication delayed: (.*)")
    cause = f" because of the {process_kind(d['process'])}" if d.get("process") in set(ProcessKind) else ""
    until = f" (expected until {words(d['expected_until'])})" if d.get("expected_until") else ""
    return Said(f"recorded a delay to publication{cause}{until}", found.group(1)) if found else None


def _review_resumed(event: AuditEvent, d: dict[str, Any]) -> Said:
    since = f" after the pause from {words(d['started_on'])}" if d.get("started_on") else ""
    return Said(f"resumed the review{since}")


def _deadline_extended(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r"'(.+?)' extended from .+? to \d{1,2} \w+ \d{4}: (.*)")
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


def _matching(pattern: str, say: Callable[..., Said]) -> Phrase:
    """An event whose summary ``pattern`` matches: ``say`` words it from the details and the parts
    the pattern captured. A summary it does not match gets no phrase (the timeline shows the
    summary as it was written)."""

    def phrase(event: AuditEvent, d: dict[str, Any]) -> Said | None:
        found = after(event.summary, pattern)
        return say(d, *found.groups()) if found else None

    return phrase


def _accuracy_signed_off(
    d: dict[str, Any], agency: str, version: str, none: str | None, comments: str | None
) -> Said:
    said = "no factual inaccuracies" if none else f"with {plural(int(comments), 'comment')}"
    return Said(f"signed off {agency}'s factual accuracy answer on version {version}, {said}")


def _key_episode(marked: bool) -> Phrase:
    def say(d: dict[str, Any], day: str, month_year: str, agency: str) -> Said:
        entry = f"{agency}'s chronology entry of {int(day)} {month_year}"
        return Said(f"marked {entry} as a key practice episode" if marked else f"unmarked {entry}")

    return _matching(r"Entry of (\d{1,2}) (\w+ \d{4}) \((.+)\) .*", say)


def _draft_shared(d: dict[str, Any], version: str, agencies: str) -> Said:
    due = f", answers due {words(d['due_on'])}" if d.get("due_on") else ""
    return Said(f"shared version {version} with {agencies} for a factual accuracy check{due}")


def _themes(d: dict[str, Any]) -> str:
    return f" (themes: {words(d['themes'])})" if d.get("themes") else ""


def _action_added(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    found = after(event.summary, r"Action added to recommendation (\d+) for (.+), due .+")
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
    evidence = f", with {plural(files, 'evidence file')}" if files else ""
    return Said(f"reported progress on an action: {ActionStatus(d['status']).label.lower()}{evidence}")


def _deadline_change_requested(d: dict[str, Any], day: str, month_year: str) -> Said:
    return Said(f"asked to move an action's deadline to {int(day)} {month_year}", d.get("reason") or "")


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
    found = after(event.summary, r"(\d+) recommendations confirmed as final")
    return Said(f"confirmed {plural(int(found.group(1)), 'recommendation')} as final") if found else None


def _decision_reconsidered(event: AuditEvent, d: dict[str, Any]) -> Said | None:
    if d.get("outcome") not in {"local_review", "no_review", "national_review"}:
        return None
    outcome = {"local_review": "hold a local review", "no_review": "hold no review"}.get(d["outcome"], "")
    after = f" after the Panel's challenge of {words(d['challenged_on'])}" if d.get("challenged_on") else ""
    return Said(f"reconsidered and confirmed the decision to {outcome}{after}")


def _notice_sent(what: str) -> Phrase:
    def say(d: dict[str, Any], label: str, to: str, reference: str | None) -> Said:
        said = f"{what} the notice \u201c{label}\u201d as sent to {to} on {words(d.get('sent_on'))}"
        return Said(said + (f", reference {reference}" if reference else ""))

    return _matching(r"(.+?) sent to (.+) on \d{1,2} \w+ \d{4}(?: \(reference (.+)\))?", say)


PHRASES: dict[str, Phrase] = {
    # the stages
    "review_created": from_summary(r"(\S+) created: .*", "recorded the referral and created {0}"),
    "stage_changed": _stage_changed,
    "review_paused": _review_paused,
    "review_resumed": _review_resumed,
    # the referral, rapid review and commissioning
    "referral_updated": lambda event, d: Said("changed the referral", changes=change_phrases(d)),
    "rapid_review_updated": lambda event, d: Said("recorded the rapid review", changes=change_phrases(d)),
    "identifiers_updated": fixed("updated the identifying details"),
    "deadline_extended": _deadline_extended,
    "decision_challenged": with_reason(
        r"The Panel challenged the decision on (.+?): (.*)",
        "recorded the Panel's challenge of the decision ({0})",
    ),
    "decision_reconsidered": _decision_reconsidered,
    "scope_changed": _scope_changed,
    # reviewers
    "reviewer_assigned": _reviewer_assigned,
    "appointment_accepted": fixed("accepted the appointment and declared independence"),
    "appointment_declined": with_reason(r".+? declined the appointment: (.*)", "declined the appointment"),
    "appointment_withdrawn": with_reason(r"Appointment of (.+?) ended: (.*)", "ended the appointment of {0}"),
    "conflict_flagged": from_summary(
        r"Possible conflict of interest for (.+) on \S+", "flagged a possible conflict of interest for {0}"
    ),
    # contributions
    "contributions_requested": _contributions_requested,
    "contribution_submitted": from_summary(r"(.+) submitted its (.+)", "submitted {0}'s {1}"),
    "contribution_chased": from_summary(r"(.+) reminded of its (.+?) \(", "reminded {0} of its {1}"),
    "contribution_accepted": from_summary(r"(.+)'s (.+) accepted", "accepted {0}'s {1}"),
    "contribution_returned": from_summary(r"(.+)'s (.+) returned", "returned {0}'s {1} with comments"),
    "contribution_withdrawn": with_reason(r"Request to (.+?) withdrawn: (.*)", "withdrew the request to {0}"),
    "chronology_imported": from_summary(
        r"(\d+) chronology entries imported for (.+)", "imported {0} chronology entries for {1}"
    ),
    "document_uploaded": from_summary(r"(.+) uploaded for (.+)", "uploaded \u201c{0}\u201d for {1}"),
    "key_episode_marked": _key_episode(True),
    "key_episode_unmarked": _key_episode(False),
    # drafts
    "draft_uploaded": from_summary(r"Draft version (\d+) uploaded", "uploaded draft version {0}"),
    "draft_shared_for_accuracy": _matching(
        r"Version (\d+) shared for factual accuracy with (.+)", _draft_shared
    ),
    "accuracy_signed_off": _matching(
        r"(.+) signed off its factual accuracy answer on version (\d+)"
        r"(?:: (no factual inaccuracies)| with (\d+) comment\(s\))",
        _accuracy_signed_off,
    ),
    "draft_shared_with_family": from_summary(
        r"Version (\d+) shared with the family", "recorded that version {0} was shared with the family"
    ),
    # publication
    "anonymisation_checked": from_summary(
        r"Anonymisation check of version (\d+): (.*)", "ran the anonymisation check of version {0}: {1}"
    ),
    "anonymisation_checked_by_hand": fixed("confirmed the final version as checked by hand"),
    "anonymisation_finding_resolved": from_summary(
        r"Finding '(.+)' recorded as not identifying",
        "recorded the finding \u201c{0}\u201d as not identifying",
    ),
    "corrected_version_uploaded": from_summary(
        r"Corrected final version (\d+) uploaded", "uploaded corrected final version {0}"
    ),
    "publication_details_saved": fixed("saved the publication details"),
    "publication_delayed": _publication_delayed,
    "publication_withdrawn": with_reason(
        r"Published report withdrawn( before its 12 months)?: (.*)", "withdrew the published report{0}"
    ),
    # statutory notices and the Home Office quality assurance loop
    "notice_sent": _notice_sent("recorded"),
    "notice_corrected": _notice_sent("corrected"),
    "notice_comments_received": from_summary(
        r"Comments received on: (.+)", "recorded the comments received on the notice \u201c{0}\u201d"
    ),
    "notice_response_recorded": from_summary(
        r"Partners' response recorded on: (.+)",
        "recorded the partners' response on the notice \u201c{0}\u201d",
    ),
    "home_office_step_recorded": from_summary(
        r"(.+) on \d{1,2} \w+ \d{4}", "recorded a Home Office quality assurance step: {0}"
    ),
    # findings, recommendations and actions
    "finding_added": from_summary(r"Finding (\d+) recorded", "recorded finding {0}", _themes),
    "recommendation_added": from_summary(
        r"Recommendation (\d+) recorded for (.+)", "recorded recommendation {0} for {1}", _themes
    ),
    "recommendations_confirmed": _recommendations_confirmed,
    "recommendation_repeated": with_reason(
        r"Recommendation (\d+) resembles (.+? of \S+): (.*)",
        "confirmed recommendation {0}, which closely resembles {1}, saying what is different this time",
    ),
    "action_added": _action_added,
    "action_progress": _action_progress,
    "action_verified": fixed("verified an action"),
    "action_returned": with_reason(r"Action returned on \S+: (.*)", "returned an action to its owner"),
    "deadline_change_requested": _matching(
        r"New deadline (\d{1,2}) (\w+ \d{4}) asked for .+", _deadline_change_requested
    ),
    "deadline_change_approved": fixed("approved a change to an action's deadline"),
    "deadline_change_refused": fixed("refused a change to an action's deadline"),
    "outcome_measure_set": _outcome_measure_set,
    "outcome_remeasured": _outcome_remeasured,
    "outcome_not_pursued": with_reason(
        r"Recommendation (\d+) not pursued: (.*)",
        "recorded the partners' decision not to pursue recommendation {0}",
    ),
    **REGISTER_PHRASES,
    **BRIEFING_PHRASES,
}
