"""Screens of the 7-minute briefing and its dissemination. Under the review: the briefing page
(board managers edit and approve it; the review's reviewers read it), its Word document and
printable page, and the dissemination record. Under /briefings: the briefings sent to an agency
lead's agency, to read and acknowledge."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload

from casework.actions.models import Recommendation
from casework.agencies.models import Agency
from casework.auth.access import current_person, loads, roles
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.core.forms import VersionedForm, page_with_form, submit
from casework.core.paging import requested_slice
from casework.core.timeutil import uk_today
from casework.core.view_helpers import FormsPage
from casework.reviews import bp
from casework.reviews.learning import bp as briefings_bp
from casework.reviews.learning import dissemination, services
from casework.reviews.learning import forms as f
from casework.reviews.learning.export import DOCX_MEDIA_TYPE, BriefingText, briefing_docx
from casework.reviews.learning.models import BriefingRecipient, LearningBriefing, LearningEvent, PracticeAudit
from casework.reviews.models import Publication, Review
from casework.reviews.pages import correction_form, page_of_forms, part_of

# What the pages say of the review (its type's name, as it was when the review started).
WITH_TYPE = [joinedload(Review.review_type), joinedload(Review.referral)]


def _briefing_url(review: Review) -> str:
    return url_for("reviews.review_briefing", review_id=review.id)


def _dissemination_url(review: Review) -> str:
    return url_for("reviews.review_dissemination", review_id=review.id)


def _loaded_briefing(review: Review) -> LearningBriefing | None:
    return db.session.execute(
        db.select(LearningBriefing)
        .where(LearningBriefing.review_id == review.id)
        .options(joinedload(LearningBriefing.updated_by), joinedload(LearningBriefing.approved_by))
    ).scalar_one_or_none()


def _briefing_or_404(review: Review) -> LearningBriefing:
    briefing = services.briefing_of(review)
    if briefing is None:
        abort(404)
    return briefing


# --- the briefing ------------------------------------------------------------------------------


def _briefing_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    briefing = _loaded_briefing(review)
    version = briefing.version if briefing else None
    drawn: dict[str, FlaskForm] = {"draft_form": f.DraftForm(formdata=None, version=version)}
    if briefing is not None:
        drawn["briefing_form"] = f.BriefingForm(formdata=None, obj=briefing, version=version)
        drawn["approve_form"] = f.ApproveForm(formdata=None, version=version)
        drawn["reopen_form"] = f.ReopenForm(formdata=None, version=version)
    return page_of_forms(
        "learning/briefing.html",
        drawn,
        refused,
        review=review,
        briefing=briefing,
        publication=db.session.get(Publication, review.id),
    )


# The briefing page's forms, each posted to its own route: made, or the page again with the form
# refused.
BRIEFING_PAGE = FormsPage(_briefing_page, _briefing_url)
BRIEFING_PAGE.route(bp, "/<int:review_id>/briefing", "review_briefing", loads(Review))


def _briefing_move(
    review: Review,
    name: str,
    form_class: type[VersionedForm],
    move: Callable[[LearningBriefing, User, int | None], object],
    success: str,
) -> ResponseReturnValue:
    """A button that moves the briefing on (approved, reopened), at the version the page showed."""
    briefing = _briefing_or_404(review)
    form = form_class()
    return BRIEFING_PAGE.answer(
        review, name, form, lambda: move(briefing, current_person(), form.version.data), success
    )


DRAFTED = "Briefing drafted from the review. Check every section and edit it before approving."


@bp.route("/<int:review_id>/briefing/draft", methods=["POST"])
@loads(Review, may="manage")
@BRIEFING_PAGE.posts("draft_form", f.DraftForm, DRAFTED)
def review_briefing_draft(review: Review, form: f.DraftForm) -> LearningBriefing:
    return services.draft_from_review(review, current_person(), form.version.data)


@bp.route("/<int:review_id>/briefing", methods=["POST"])
@loads(Review, may="manage")
def review_briefing_save(review: Review) -> ResponseReturnValue:
    briefing = _briefing_or_404(review)
    form = f.BriefingForm()
    save = lambda: services.save_briefing(briefing, form.values(), current_person(), form.version.data)  # noqa: E731
    return BRIEFING_PAGE.answer(review, "briefing_form", form, save, "Briefing saved.")


@bp.route("/<int:review_id>/briefing/approve", methods=["POST"])
@loads(Review, may="manage")
def review_briefing_approve(review: Review) -> ResponseReturnValue:
    return _briefing_move(
        review, "approve_form", f.ApproveForm, services.approve_briefing, "Briefing approved."
    )


@bp.route("/<int:review_id>/briefing/reopen", methods=["POST"])
@loads(Review, may="manage")
def review_briefing_reopen(review: Review) -> ResponseReturnValue:
    done = "Briefing reopened. Approve it again when the changes are made."
    return _briefing_move(review, "reopen_form", f.ReopenForm, services.reopen_briefing, done)


def _docx_response(text: BriefingText) -> Response:
    return Response(
        briefing_docx(text),
        mimetype=DOCX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{text.reference}-7-minute-briefing.docx"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<int:review_id>/briefing.docx")
@loads(Review)
def review_briefing_docx(review: Review) -> ResponseReturnValue:
    return _docx_response(services.briefing_text(_briefing_or_404(review)))


@bp.route("/<int:review_id>/briefing/print")
@loads(Review)
def review_briefing_print(review: Review) -> ResponseReturnValue:
    briefing = _briefing_or_404(review)
    return render_template(
        "learning/briefing_print.html",
        briefing=services.briefing_text(briefing),
        draft=not briefing.is_approved,
        back=_briefing_url(review),
    )


# --- the dissemination record ----------------------------------------------------------------


def _agencies() -> list[tuple[int, str]]:
    rows = db.session.execute(db.select(Agency.id, Agency.name).where(Agency.active).order_by(Agency.name))
    return [(row.id, row.name) for row in rows]


def _recommendations(review: Review) -> list[tuple[int, str]]:
    rows = db.session.execute(
        db.select(Recommendation.id, Recommendation.number, Recommendation.text)
        .where(Recommendation.review_id == review.id)
        .order_by(Recommendation.number)
    )
    return [(row.id, f"{row.number}. {_short(row.text)}") for row in rows]


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dissemination_page(review: Review, **refused: FlaskForm) -> ResponseReturnValue:
    agencies, record = _agencies(), dissemination.dissemination_of(review)
    sent = {recipient.agency_id for recipient in record.recipients}
    drawn: dict[str, FlaskForm] = {
        # Offered to the agencies not sent it yet; a repeat posted anyway is refused by the service.
        "send_form": f.SendForm(formdata=None, sent_on=uk_today()).offer(
            [agency for agency in agencies if agency[0] not in sent]
        ),
        "event_form": f.EventForm(formdata=None).offer(agencies),
        "audit_form": f.AuditForm(formdata=None).offer(_recommendations(review)),
    }
    return page_of_forms(
        "learning/dissemination.html",
        drawn,
        refused,
        review=review,
        record=record,
        today=uk_today(),
    )


# The dissemination page's forms, each posted to its own route (at its part of the page).
DISSEMINATION_PAGE = FormsPage(_dissemination_page, _dissemination_url)
DISSEMINATION_PAGE.route(bp, "/<int:review_id>/dissemination", "review_dissemination", loads(Review))


def _send_form(_review: Review) -> f.SendForm:
    return f.SendForm().offer(_agencies())


def _sent(sent: list[BriefingRecipient]) -> str:
    return f"Recorded as sent to {len(sent)} {'agency' if len(sent) == 1 else 'agencies'}."


@bp.route("/<int:review_id>/dissemination/sent", methods=["POST"])
@loads(Review, may="manage")
@DISSEMINATION_PAGE.posts("send_form", _send_form, _sent)
def review_briefing_sent(review: Review, form: f.SendForm) -> list[BriefingRecipient]:
    chosen = db.select(Agency).where(Agency.id.in_(form.agency_ids())).order_by(Agency.name)
    agencies = list(db.session.execute(chosen).scalars())
    return dissemination.send_briefing(review, agencies, form.sent_on.data, current_person())


def _event_form(_review: Review) -> f.EventForm:
    return f.EventForm().offer(_agencies())


@bp.route("/<int:review_id>/dissemination/events", methods=["POST"])
@loads(Review, may="manage")
@DISSEMINATION_PAGE.posts("event_form", _event_form, "Learning event recorded.", anchor="#events")
def review_learning_event_add(review: Review, form: f.EventForm) -> LearningEvent:
    return dissemination.record_event(review, form.details(), current_person())


def _audit_form(review: Review) -> f.AuditForm:
    return f.AuditForm().offer(_recommendations(review))


@bp.route("/<int:review_id>/dissemination/audits", methods=["POST"])
@loads(Review, may="manage")
@DISSEMINATION_PAGE.posts("audit_form", _audit_form, "Practice audit recorded.", anchor="#audits")
def review_practice_audit_add(review: Review, form: f.AuditForm) -> PracticeAudit:
    return dissemination.add_audit(review, form.details(), current_person())


@bp.route("/<int:review_id>/dissemination/audits/<int:audit_id>", methods=["GET", "POST"])
@loads(Review, may="manage")
def review_practice_audit_edit(review: Review, audit_id: int) -> ResponseReturnValue:
    audit = part_of(review, PracticeAudit, audit_id)
    form = correction_form(f.AuditForm, audit).offer(_recommendations(review))
    if request.method == "GET":
        form.result.data = audit.result.value if audit.result else None
        form.recommendations.data = [str(recommendation.id) for recommendation in audit.recommendations]

    def save() -> PracticeAudit:
        return dissemination.update_audit(review, audit, form.details(), current_person(), form.version.data)

    done = submit(form, save, "Practice audit updated.", _dissemination_url(review) + "#audits")
    return done or page_with_form("learning/audit_edit.html", form, review=review, audit=audit)


# --- an agency lead's briefings ----------------------------------------------------------------

RECIPIENT = [
    joinedload(BriefingRecipient.briefing).joinedload(LearningBriefing.review).joinedload(Review.review_type),
    joinedload(BriefingRecipient.agency),
    joinedload(BriefingRecipient.acknowledged_by),
]


@briefings_bp.route("/")
@roles(Role.AGENCY_LEAD)
def mine() -> ResponseReturnValue:
    user = current_person()
    page = requested_slice(dissemination.briefings_for_agency(user))
    return render_template("learning/mine.html", agency=user.agency, page=page)


def _recipient_page(briefing_recipient: BriefingRecipient, **refused: FlaskForm) -> ResponseReturnValue:
    form = refused.get("form") or f.AcknowledgeForm(formdata=None, version=briefing_recipient.version)
    briefing = briefing_recipient.briefing
    return page_with_form(
        "learning/received.html",
        form,
        recipient=briefing_recipient,
        briefing=services.briefing_text(briefing),
        approved=briefing.is_approved,
    )


def _recipient_url(recipient: BriefingRecipient) -> str:
    return url_for("briefings.received", briefing_recipient_id=recipient.id)


# The briefing's page as its agency received it, where the agency acknowledges it.
RECIPIENT_PAGE = FormsPage(_recipient_page, _recipient_url)
RECIPIENT_PAGE.route(
    briefings_bp, "/<int:briefing_recipient_id>", "received", loads(BriefingRecipient, options=RECIPIENT)
)


@briefings_bp.route("/<int:briefing_recipient_id>/acknowledge", methods=["POST"])
@loads(BriefingRecipient, may="acknowledge", options=RECIPIENT)
@RECIPIENT_PAGE.posts("form", f.AcknowledgeForm, "Receipt acknowledged. Thank you.")
def acknowledge(briefing_recipient: BriefingRecipient, form: f.AcknowledgeForm) -> None:
    dissemination.acknowledge_briefing(briefing_recipient, current_person(), form.version.data)


@briefings_bp.route("/<int:briefing_recipient_id>/briefing.docx")
@loads(BriefingRecipient, options=RECIPIENT)
def received_docx(briefing_recipient: BriefingRecipient) -> ResponseReturnValue:
    return _docx_response(services.briefing_text(briefing_recipient.briefing))


@briefings_bp.route("/<int:briefing_recipient_id>/print")
@loads(BriefingRecipient, options=RECIPIENT)
def received_print(briefing_recipient: BriefingRecipient) -> ResponseReturnValue:
    briefing = briefing_recipient.briefing
    return render_template(
        "learning/briefing_print.html",
        briefing=services.briefing_text(briefing),
        draft=not briefing.is_approved,
        back=_recipient_url(briefing_recipient),
    )
