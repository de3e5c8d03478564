"""Review work: a reviewer's appointment offered, a draft shared for a factual accuracy check, a
written request to the lead reviewer."""

from __future__ import annotations

from casework.auth.models import User
from casework.notifications.events.common import agency_leads, announce, named, on, path_for
from casework.notifications.telling import News
from casework.reviews.models import AccuracyCheck, MonitoringEntry, ReviewerAssignment


def appointment_offered(assignment: ReviewerAssignment, by: User) -> int:
    """The reviewer is asked to accept (declaring independence) or decline."""
    review, role = assignment.review, assignment.role.label.lower()
    news = News(
        kind="appointment_offered",
        item=f"appointment:{assignment.id}",
        subject=f"{named(review)}: you are offered the appointment as {role}",
        paragraphs=(
            f"The partnership offers you the appointment as {role} on the review {named(review)}.",
            "Accept it and declare your independence, or decline it, in Casework.",
        ),
        link=path_for("reviews.appointment", assignment_id=assignment.id),
        action="Answer the appointment",
        details=(
            ("Review", named(review)),
            ("Type", review.type_name),
            ("Role", assignment.role.label),
        ),
    )
    return announce([assignment.reviewer], news, by)


def accuracy_check_shared(check: AccuracyCheck, by: User) -> int:
    """Each agency asked checks the draft: its leads are told, with their own answer page."""
    review, number = check.version.review, check.version.number
    told = 0
    for answer in check.answers:
        news = News(
            kind="accuracy_shared",
            item=f"accuracy:{answer.id}",
            subject=f"{named(review)}: check draft version {number} for factual accuracy by "
            f"{on(check.due_on)}",
            paragraphs=(
                f"Version {number} of the draft report of the review {named(review)} is shared with "
                f"{answer.agency.name} for a factual accuracy check.",
                "Comment on it, or confirm there are no factual inaccuracies, and sign off by "
                f"{on(check.due_on)}.",
            ),
            link=path_for("reviews.accuracy_answer", answer_id=answer.id),
            action="Check the draft",
            details=(
                ("Review", named(review)),
                ("Draft", f"Version {number}"),
                ("Agency", answer.agency.name),
                ("Due", on(check.due_on)),
            ),
        )
        told += announce(agency_leads(answer.agency_id), news, by)
    return told


def written_request_made(entry: MonitoringEntry, by: User) -> int:
    """The partners' written request reaches the lead reviewer it is addressed to. The request's
    words stay in Casework: the message says only that there is one."""
    review = entry.review
    news = News(
        kind="written_request",
        item=f"written_request:{entry.id}",
        subject=f"{named(review)}: a written request from the partnership",
        paragraphs=(
            f"The partnership has made a written request to you about the review {named(review)}.",
            "Read it and record your response in Casework.",
        ),
        link=path_for("reviews.review_monitoring", review_id=review.id),
        action="Read the request",
        details=(("Review", named(review)), ("Made on", on(entry.recorded_on))),
    )
    return announce([entry.addressed_to] if entry.addressed_to else [], news, by)
