"""Demo draft reports and publication: a review with several versions and factual accuracy
answers, one blocked by an anonymisation finding, one published and one not published."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
from werkzeug.datastructures import FileStorage

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.core.workdays import working_calendar
from casework.demo.notices import (
    load_demo_notices,
    record_not_published_reasons,
    send_cspr_notices,
    send_report_notice,
)
from casework.demo.reviews import (
    demo_commissioned_with_lead,
    demo_rapid_review,
    demo_referred,
    demo_review_type,
)
from casework.reviews.drafts import services as drafts
from casework.reviews.models import DraftVersion, Review
from casework.reviews.publication import checks, publishing
from casework.reviews.referral.identifiers import PersonDetails, save_identifiers

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report(name: str, *paragraphs: str) -> FileStorage:
    document = docx.Document()
    document.add_heading("Child Safeguarding Practice Review", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return FileStorage(io.BytesIO(buffer.getvalue()), filename=name, content_type=DOCX)


BODY = (
    "This review looks at the help a seven-month-old baby, called Child {x} in this report, and the family "
    "received from local services.",
    "Agencies knew of domestic abuse at home but did not share what they knew.",
    "The review makes three recommendations about sharing information and about bruising in babies.",
)


def _new_published_review(
    name: str, manager: User, lead: User, agency: dict[str, Agency], *, looked_after: bool = False
) -> Review:
    """A CSPR taken from notification to a final report, as the services require, its notices at
    referral sent on time."""
    aware = uk_today() - timedelta(days=330)
    review = demo_referred(
        demo_review_type("CSPR"),
        name,
        "Serious injury to a baby.",
        aware,
        agency["Northshire Police"],
        manager,
        notified_after=3,
        la_became_aware_on=aware - timedelta(days=1),
        looked_after_child_died=looked_after,
    )
    send_cspr_notices(review, manager)
    save_identifiers(review, [PersonDetails(f"Demo {name} Person")], [], "9 Demo Road", None)
    demo_rapid_review(review, agency.__getitem__, aware + timedelta(days=14), respond=True)
    demo_commissioned_with_lead(review, manager, lead, agency.__getitem__, aware)
    drafts.upload_draft(
        review,
        _report(f"{name}-final.docx", *(p.format(x=name[-1]) for p in BODY)),
        "Final report",
        lead,
        None,
    )
    # Signed off at the partners' meeting a month ago; the report went to the Panel after that.
    drafts.mark_final(review, working_calendar().add_working_days(uk_today(), -20), manager, None)
    return review


def load_demo_publication(manager: User) -> list[str]:
    reviews = {r.pseudonym: r for r in db.session.execute(db.select(Review)).scalars()}
    child_d, adult_g = reviews.get("Child D"), reviews.get("Adult G")
    if child_d is None or adult_g is None or "Child K" in reviews:
        return []
    if db.session.execute(db.select(DraftVersion).where(DraftVersion.review_id == child_d.id)).first():
        return []
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    agency = {a.name: a for a in db.session.execute(db.select(Agency)).scalars()}
    sam, jo = users["reviewer2@northshire.example"], users["reviewer@northshire.example"]
    police_lead, health_lead = (
        users["police.lead@northshire.example"],
        users["health.lead@northshire.example"],
    )

    # Child D: two versions, the first checked for factual accuracy by two agencies.
    first = drafts.upload_draft(
        child_d, _report("child-d-v1.docx", *(p.format(x="D") for p in BODY)), "First full draft", sam, None
    )
    police, health = agency["Northshire Police"], agency["Northshire Hospitals NHS Foundation Trust"]
    check = drafts.share_for_accuracy(
        first, [police, health], working_calendar().add_working_days(uk_today(), 10), manager
    )
    police_answer = next(a for a in check.answers if a.agency_id == police.id)
    health_answer = next(a for a in check.answers if a.agency_id == health.id)
    comment = drafts.add_accuracy_comment(
        police_answer, "Paragraph 2", "Officers attended twice, not once, in March.", police_lead
    )
    drafts.sign_off_answer(police_answer, False, police_lead)
    drafts.sign_off_answer(health_answer, True, health_lead)
    drafts.respond_to_comment(comment, drafts.CommentResponse.ACCEPTED, "", sam)
    drafts.upload_draft(
        child_d,
        _report("child-d-v2.docx", *(p.format(x="D") for p in BODY)),
        "Police comment on attendances corrected",
        sam,
        None,
    )
    drafts.record_family_sharing(
        first,
        uk_today() - timedelta(days=3),
        "Meeting with the reviewer at home",
        "Mother asked that her work with the health visitor is described fairly.",
        manager,
    )

    # Adult G: the final version still names the adult and her GP surgery, so publication is blocked.
    leaky = _report(
        "adult-g-final.docx",
        "Adult G, whose name was Demo Adult Person, lived alone.",
        "Agencies did not share concerns about self-neglect.",
        "Her GP at Larkspur Medical Centre saw her twice.",
    )
    save_identifiers(adult_g, [PersonDetails("Demo Adult Person")], [], "", None)
    drafts.upload_draft(adult_g, leaky, "Final report", jo, None)
    drafts.mark_final(adult_g, uk_today(), manager, None)
    checks.run_anonymisation_check(adult_g, manager)
    # Her other name recorded after the check: it runs again at once and says why.
    save_identifiers(adult_g, [PersonDetails("Demo Adult Person", "Dee")], [], "", None, by=manager)

    # Child K: published. Child L: not published, with the improvement information instead.
    child_k = _new_published_review("Child K", manager, sam, agency)
    checks.run_anonymisation_check(child_k, manager)
    send_report_notice(child_k, working_calendar().add_working_days(uk_today(), -12), manager)
    publishing.save_publication_details(
        child_k,
        sent_to_panel_on=working_calendar().add_working_days(uk_today(), -12),
        public_summary="A seven-month-old baby was seriously injured at home. "
        "Agencies knew of domestic abuse.",
        learning="Bruising in a baby who cannot move is never normal: refer it. Share what you know.",
        public_recommendations="1. Every agency follows the bruising protocol.\n2. Police share domestic "
        "abuse incidents where a baby lives.\n3. The partnership audits referrals in a year.",
        by=manager,
    )
    publishing.publish_review(child_k, uk_today(), manager, None)
    # Child L was looked after: the Secretary of State and Ofsted were told of the death.
    child_l = _new_published_review("Child L", manager, sam, agency, looked_after=True)
    send_report_notice(child_l, working_calendar().add_working_days(uk_today(), -12), manager)
    publishing.decide_not_to_publish(
        child_l,
        "Publishing could harm the surviving sibling, who could be identified locally.",
        "The partnership is training all health visitors on safe sleep and auditing referrals for babies.",
        manager,
        None,
        decided_on=working_calendar().add_working_days(uk_today(), -5),
    )
    record_not_published_reasons(child_l, manager)
    notified = load_demo_notices(manager, sam, agency, _report)
    db.session.flush()
    return [
        *notified,
        f"draft reports and publication for {child_d.reference}, {adult_g.reference}, "
        f"{child_k.reference} (published) and {child_l.reference} (not published)",
    ]
