"""What the public may see, chosen in SQL.

A review is on the register when its publication record says it was published, or that the
partners decided not to publish it, on a date that has come, and it has not been withdrawn.
Only the columns the page shows are selected: nothing else about the review leaves the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from casework.core.extensions import db
from casework.core.paging import Slice
from casework.core.timeutil import uk_today
from casework.documents.file_types import ALLOWED_TYPES
from casework.documents.models import Document
from casework.reviews.learning.export import BriefingText
from casework.reviews.learning.models import SECTIONS, BriefingStatus, LearningBriefing
from casework.reviews.models import DraftVersion, Publication, Referral, Review, ReviewType
from casework.reviews.models.types import name_in_force


@dataclass(frozen=True)
class Download:
    detected_type: str
    size: int

    @property
    def description(self) -> str:
        """How a link describes the file: "PDF, 240 KB"."""
        file_type = ALLOWED_TYPES.get(self.detected_type)
        return f"{file_type.label if file_type else self.detected_type.upper()}, {file_size(self.size)}"


@dataclass(frozen=True)
class PublicReview:
    reference: str
    pseudonym: str
    type_name: str
    published_on: date | None
    not_published_on: date | None
    public_summary: str
    learning: str
    public_recommendations: str
    not_published_reason: str
    improvement_information: str
    report: Download | None
    briefing: Download | None
    type_code: str = ""
    # The approved 7-minute briefing can be read as a page (the download may be any document).
    briefing_page: bool = False

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    @property
    def dated(self) -> date:
        """The date it came onto the register: published, or the decision not to publish."""
        return self.published_on or self.not_published_on  # type: ignore[return-value]


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def published(today: date) -> ColumnElement[bool]:
    """Published (on a date that has come) and not withdrawn: the report may be downloaded."""
    return and_(
        Publication.published_on.is_not(None),
        Publication.published_on <= today,
        Publication.withdrawn_on.is_(None),
    )


def on_register(today: date) -> ColumnElement[bool]:
    """Publication.is_public, in SQL, with dates still to come left out."""
    return and_(
        or_(
            and_(Publication.published_on.is_not(None), Publication.published_on <= today),
            and_(Publication.not_published_on.is_not(None), Publication.not_published_on <= today),
        ),
        Publication.withdrawn_on.is_(None),
    )


@dataclass(frozen=True)
class RegisterPage(Slice):
    """A page of the register, and whether anything was ever published (for the empty page)."""

    any_published: bool = False


def register_page(today: date, archive_before: date, page: int, per_page: int) -> RegisterPage:
    """A page of the reviews on the register in the order of its sections: published in the
    last years, newest first, then those not published, then the archive. One query, one row
    more than the page (to know whether another follows), each row carrying whether anything
    was ever published. The page's rows are chosen from the publications and their references
    alone, and only they are joined to their documents, briefing and referral: years of
    reports and uploads do not make a page dearer."""
    report = aliased(Document)
    briefing = aliased(Document)
    is_published = and_(Publication.published_on.is_not(None), Publication.published_on <= today)
    dated = func.coalesce(Publication.published_on, Publication.not_published_on)
    chosen = (
        select(
            Publication.review_id.label("review_id"),
            case((dated < archive_before, 1), else_=0).label("archived"),
            case((is_published, 0), else_=1).label("not_published"),
            dated.label("dated"),
            Review.reference.label("reference"),
            func.sum(case((is_published, 1), else_=0)).over().label("published"),
        )
        .join(Review, Review.id == Publication.review_id)
        .where(on_register(today))
        .order_by("archived", "not_published", dated.desc(), Review.reference.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
        .subquery()
    )
    query = (
        select(
            Review.reference,
            Review.pseudonym,
            ReviewType.name,
            Publication.published_on,
            Publication.not_published_on,
            Publication.public_summary,
            Publication.learning,
            Publication.public_recommendations,
            Publication.not_published_reason,
            Publication.improvement_information,
            report.detected_type,
            report.size,
            briefing.detected_type,
            briefing.size,
            ReviewType.code,
            ReviewType.names,
            Referral.became_aware_on,
            LearningBriefing.status,
            chosen.c.published,
        )
        .select_from(chosen)
        .join(Publication, Publication.review_id == chosen.c.review_id)
        .join(Review, Review.id == Publication.review_id)
        .join(ReviewType, ReviewType.id == Review.review_type_id)
        .outerjoin(Referral, Referral.review_id == Review.id)
        .outerjoin(DraftVersion, DraftVersion.id == Publication.published_version_id)
        .outerjoin(report, report.id == DraftVersion.document_id)
        .outerjoin(briefing, briefing.id == Publication.briefing_document_id)
        .outerjoin(LearningBriefing, LearningBriefing.review_id == Review.id)
        .order_by(chosen.c.archived, chosen.c.not_published, chosen.c.dated.desc(), chosen.c.reference.desc())
    )
    rows = db.session.execute(query).all()
    entries = [_public_review(row, today) for row in rows[:per_page]]
    any_published = bool(rows and rows[0].published)
    return RegisterPage(entries, page, per_page, len(rows) > per_page, any_published=any_published)


def _public_review(row: Any, today: date) -> PublicReview:
    is_published = row[3] is not None and row[3] <= today
    return PublicReview(
        reference=row[0],
        pseudonym=row[1],
        # The name in force when the review started (a domestic homicide review stays one).
        type_name=name_in_force(row[15], row[2], row[16]) if row[16] else row[2],
        published_on=row[3] if is_published else None,
        not_published_on=None if is_published else row[4],
        # A review not published shows only the improvements and the reason.
        public_summary=row[5] if is_published else "",
        learning=row[6] if is_published else "",
        public_recommendations=row[7] if is_published else "",
        not_published_reason="" if is_published else row[8],
        improvement_information="" if is_published else row[9],
        report=Download(row[10], row[11]) if is_published and row[10] is not None else None,
        briefing=Download(row[12], row[13]) if is_published and row[12] is not None else None,
        type_code=row[14],
        briefing_page=is_published and row[12] is not None and row[17] == BriefingStatus.APPROVED,
    )


def last_updated(today: date) -> date | None:
    """When the register last changed: the latest publication, decision not to publish or
    withdrawal."""
    columns = (Publication.published_on, Publication.not_published_on, Publication.withdrawn_on)
    dates = db.session.execute(select(*(func.max(case((c <= today, c))) for c in columns))).one()
    return max((value for value in dates if value is not None), default=None)


def published_report(reference: str, today: date) -> Document | None:
    """The document of the version published for this review, if it is published now."""
    documents = (
        select(Document)
        .join(DraftVersion, DraftVersion.document_id == Document.id)
        .join(Publication, Publication.published_version_id == DraftVersion.id)
    )
    return _of_published_review(documents, reference, today)


def published_briefing(reference: str, today: date) -> Document | None:
    """The learning briefing of a review that is published now."""
    documents = select(Document).join(Publication, Publication.briefing_document_id == Document.id)
    return _of_published_review(documents, reference, today)


def published_briefing_text(
    reference: str, today: date, partnership_of: Callable[[str], str]
) -> BriefingText | None:
    """The approved briefing the register offers for a review published now (only the columns
    it shows); ``partnership_of`` names who carried out a review of a type, by its code."""
    columns = [LearningBriefing.title, *(getattr(LearningBriefing, name) for name, _heading in SECTIONS)]
    row = db.session.execute(
        select(*columns, ReviewType.code, ReviewType.name, ReviewType.names, Referral.became_aware_on)
        .select_from(LearningBriefing)
        .join(Review, Review.id == LearningBriefing.review_id)
        .join(Publication, Publication.review_id == Review.id)
        .join(ReviewType, ReviewType.id == Review.review_type_id)
        .outerjoin(Referral, Referral.review_id == Review.id)
        .where(
            Review.reference == reference,
            published(today),
            Publication.briefing_document_id.is_not(None),
            LearningBriefing.status == BriefingStatus.APPROVED,
        )
    ).one_or_none()
    if row is None:
        return None
    code, name, names, aware = row[-4:]
    return BriefingText(
        title=row[0],
        reference=reference,
        type_name=name_in_force(names, name, aware) if aware else name,
        partnership=partnership_of(code),
        sections=[
            (heading, text) for (_name, heading), text in zip(SECTIONS, row[1 : len(columns)], strict=True)
        ],
    )


def _of_published_review(documents: Select[tuple[Document]], reference: str, today: date) -> Document | None:
    """The one document of ``documents`` (joined to their publication) of a review published now."""
    query = documents.join(Review, Review.id == Publication.review_id).where(
        Review.reference == reference, published(today)
    )
    return db.session.execute(query).scalar_one_or_none()


@dataclass(frozen=True)
class TypeOnRegister:
    code: str
    name: str
    description: str
    criteria: list[str]
    source: str = ""


def review_types_explained() -> list[TypeOnRegister]:
    """The types of review the partnership carries out, and the questions each answers (the
    criteria a decision to review is made against): one query."""
    types = db.session.execute(
        select(ReviewType).where(ReviewType.active.is_(True)).order_by(ReviewType.id)
    ).scalars()
    today = uk_today()
    return [
        TypeOnRegister(
            t.code,
            t.name_on(today),
            t.description_on(today),
            [c["label"] for c in t.criteria_on(today)],
            t.source_on(today),
        )
        for t in types
    ]
