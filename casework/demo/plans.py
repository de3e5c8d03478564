"""What a demo action plan is: its findings, recommendations and actions, and the steps each
action goes through (progress, completion with evidence, verification, return, a new deadline),
applied through the action services like the rest of the demo."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from casework.actions import services
from casework.actions.models import Action, ActionStatus, Recommendation
from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.timeutil import uk_today

POLICE = "Northshire Police"
SOCIAL_CARE = "Northshire Children's Social Care"
HEALTH = "Northshire Hospitals NHS Foundation Trust"
GP = "Riverside Medical Practice"
PARTNERSHIP = "the partnership"
LEADS = {
    POLICE: "police.lead@northshire.example",
    HEALTH: "health.lead@northshire.example",
    SOCIAL_CARE: "socialcare.lead@northshire.example",
}

ON_TRACK, AT_RISK, OFF_TRACK = ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.OFF_TRACK


# --- the steps an action goes through --------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    status: ActionStatus
    note: str


@dataclass(frozen=True)
class Complete:
    note: str
    evidence: str  # the file name of the generated PDF


@dataclass(frozen=True)
class Verify:
    note: str


@dataclass(frozen=True)
class Return:
    status: ActionStatus
    reason: str


@dataclass(frozen=True)
class NewDeadline:
    days_later: int
    reason: str
    approve: bool | None  # None: left waiting for a board manager


Step = Progress | Complete | Verify | Return | NewDeadline


@dataclass(frozen=True)
class DemoAction:
    owner: str  # an agency's name, or PARTNERSHIP
    description: str
    success_measure: str
    due_in_days: int
    steps: tuple[Step, ...] = ()
    overdue_by: int = 0  # days past its deadline, set after the steps (see backdate)


@dataclass(frozen=True)
class DemoRecommendation:
    text: str
    to_partnership: bool
    agencies: tuple[str, ...]
    themes: tuple[str, ...]
    actions: tuple[DemoAction, ...]
    # The answer to "what is different this time?" when it closely resembles an earlier review's.
    different_this_time: str = ""


@dataclass(frozen=True)
class DemoPlan:
    pseudonym: str
    findings: tuple[tuple[str, tuple[str, ...]], ...]
    recommendations: tuple[DemoRecommendation, ...]
    confirm: bool


def evidence_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with the title on it."""
    safe = (
        title.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    )
    content = b"BT /F1 14 Tf 40 100 Td (Demo evidence: " + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def apply_step(action: Action, step: Step, owner: User, manager: User) -> None:
    if isinstance(step, Progress):
        services.add_progress(action, step.status, step.note, [], owner, None)
    elif isinstance(step, Complete):
        upload = FileStorage(
            io.BytesIO(evidence_pdf(step.evidence)), filename=step.evidence, content_type="application/pdf"
        )
        services.add_progress(action, ActionStatus.COMPLETED, step.note, [upload], owner, None)
    elif isinstance(step, Verify):
        services.verify_action(action, step.note, manager, None)
    elif isinstance(step, Return):
        services.return_action(action, step.reason, step.status, manager, None)
    else:
        proposed = action.deadline + timedelta(days=step.days_later)
        change = services.request_deadline_change(action, proposed, step.reason, owner)
        if step.approve is not None:
            note = "Agreed." if step.approve else "Not agreed: the partners expect this on time."
            services.decide_deadline_change(change, step.approve, note, manager)


def add_demo_action(
    recommendation: Recommendation, planned: DemoAction, agency: Agency | None, owner: User, manager: User
) -> Action:
    """The planned action added to the recommendation, taken through its steps by its owner and
    the manager, and moved past its deadline when it is to be overdue."""
    action = services.add_action(
        recommendation,
        planned.description,
        agency,
        owner,
        uk_today() + timedelta(days=planned.due_in_days),
        planned.success_measure,
        manager,
    )
    for step in planned.steps:
        apply_step(action, step, owner, manager)
    if planned.overdue_by:
        backdate(action, planned.overdue_by)
    return action


def backdate(action: Action, overdue_by: int) -> None:
    # Demo only: the services refuse a deadline in the past, so an overdue action is made by
    # moving its dates back after it was built. Nothing outside the demo does this.
    today = uk_today()
    action.deadline = today - timedelta(days=overdue_by)
    if action.deadline_changes == 0:
        action.original_deadline = action.deadline
    action.created_on = min(action.created_on, action.original_deadline - timedelta(days=120))
