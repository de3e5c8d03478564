"""Review work: a reviewer's appointment offered, a draft shared for a factual accuracy check, a
written request to the lead reviewer."""

from __future__ import annotations

from casework.auth.models import User
from casework.notifications.events.common import Told, agency_leads, announce, named, on, path_for
from casework.reviews.models import AccuracyCheck, MonitoringEntry, ReviewerAssignment

# What each event says, over the words its function gives.
APPOINTMENT_OFFERED = Told(
    "appointment_offered",
    "you are offered the appointment as {role}",
    (
        "The partnership offers you the appointment as {role} on the review {review}.",
        "Accept it and declare your independence, or decline it, in Casework.",
    ),
    "Answer the appointment",
)
ACCURACY_SHARED = Told(
    "accuracy_shared",
    "check draft version {number} for factual accuracy by {due}",
    (
        "Version {number} of the draft report of the review {review} is shared with {agency} for a "
        "factual accuracy check.",
        "Comment on it, or confirm there are no factual inaccuracies, and sign off by {due}.",
    ),
    "Check the draft",
)
WRITTEN_REQUEST = Told(
    "written_request",
    "a written request from the partnership",
    (
        "The partnership has made a written request to you about the review {review}.",
        "Read it and record your response in Casework.",
    ),
    "Read the request",
)


def appointment_offered(assignment: ReviewerAssignment, by: User) -> int:
    """The reviewer is asked to accept (declaring independence) or decline."""
    review, role = assignment.review, assignment.role
    details = (("Review", named(review)), ("Type", review.type_name), ("Role", role.label))
    news = APPOINTMENT_OFFERED.news(
        f"appointment:{assignment.id}",
        path_for("reviews.appointment", assignment_id=assignment.id),
        {"review": named(review), "role": role.label.lower()},
        details,
    )
    return announce([assignment.reviewer], news, by)


def accuracy_check_shared(check: AccuracyCheck, by: User) -> int:
    """Each agency asked checks the draft: its leads are told, with their own answer page."""
    review, number, due = check.version.review, check.version.number, on(check.due_on)
    told = 0
    for answer in check.answers:
        agency = answer.agency.name
        words = {"review": named(review), "number": number, "agency": agency, "due": due}
        details = (
            ("Review", named(review)),
            ("Draft", f"Version {number}"),
            ("Agency", agency),
            ("Due", due),
        )
        link = path_for("reviews.accuracy_answer", answer_id=answer.id)
        news = ACCURACY_SHARED.news(f"accuracy:{answer.id}", link, words, details)
        told += announce(agency_leads(answer.agency_id), news, by)
    return told


def written_request_made(entry: MonitoringEntry, by: User) -> int:
    """The partners' written request reaches the lead reviewer it is addressed to. The request's
    words stay in Casework: the message says only that there is one."""
    review = entry.review
    link = path_for("reviews.review_monitoring", review_id=review.id)
    details = (("Review", named(review)), ("Made on", on(entry.recorded_on)))
    news = WRITTEN_REQUEST.news(f"written_request:{entry.id}", link, {"review": named(review)}, details)
    return announce([entry.addressed_to] if entry.addressed_to else [], news, by)
