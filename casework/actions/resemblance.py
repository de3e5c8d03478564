"""Has this been recommended before? Earlier findings and recommendations of other reviews that
resemble a text, and what became of their actions.

Scoring: the text and each candidate are normalised (``rapidfuzz.utils.default_process``: lower
case, punctuation and surrounding space removed) and compared with the geometric mean of
``fuzz.token_set_ratio`` (the same words whatever their order, extra words forgiven) and
``fuzz.token_sort_ratio`` (the whole texts compared): both must agree, which keeps a two-word
text from matching every long text that contains those words. Each theme the two share adds
THEME_BONUS, up to MAX_THEME_BONUS; the score is capped at 100. SIMILAR and above is shown;
CLOSE and above is "very similar", and a recommendation that close must say what is different
this time before it is confirmed.

What became of a recommendation's actions (``Outcome``), counted from their status:
  verified  the board verified the evidence of impact;
  overdue   past the deadline and neither verified nor completed in time (``rag.overdue_sql``);
  open      everything else still being worked on, or completed and awaiting verification;
  dropped   the recommendation has no action at all although it was confirmed or its review is
            closed: nothing was ever planned for it. There is no "cancelled" action status, so
            this is the only way learning is dropped.
Findings have no actions of their own: their outcome is None.

Only board managers see resemblances (``User.can_track_actions``): they see every review. A
result names the review by reference, year and pseudonym only, never an identifying detail.

Candidates load in a fixed number of queries whatever their number: one for the names of the
themes that can be shared (only when themes are given), one for the texts with their review's
reference and year and their themes among those, one for the action counts of the recommendations
kept. The database leaves out what cannot be shown: of the candidates with the same text and the
same themes among the probes' (which score the same), only the most recent ``limit``, so the
scoring in Python grows with the different texts written, not with every repeat of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rapidfuzz import fuzz, utils
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    CompoundSelect,
    Select,
    Subquery,
    case,
    func,
    literal,
    select,
    union_all,
)

from casework.actions.models import (
    Action,
    ActionStatus,
    Finding,
    Recommendation,
    Theme,
    finding_themes,
    recommendation_themes,
)
from casework.actions.rag import overdue_sql
from casework.core.extensions import db
from casework.core.timeutil import uk_today
from casework.reviews.models import Review
from casework.reviews.stages import ReviewStage

SIMILAR = 60
CLOSE = 80
THEME_BONUS = 5
MAX_THEME_BONUS = 15
LIMIT = 5
MASK_BITS = 62  # themes per bit mask: the bits of a signed 64-bit integer, with room
RECOMMENDATION, FINDING = "recommendation", "finding"


@dataclass(frozen=True)
class Outcome:
    """What became of an earlier recommendation's actions (see the module's docstring)."""

    verified: int = 0
    overdue: int = 0
    open: int = 0
    dropped: bool = False

    @property
    def total(self) -> int:
        return self.verified + self.overdue + self.open


@dataclass(frozen=True)
class _Written:
    """An earlier finding or recommendation, its review named by reference, year and pseudonym."""

    kind: str  # RECOMMENDATION or FINDING
    id: int
    number: int
    review_id: int
    reference: str
    pseudonym: str
    year: int
    text: str


@dataclass(frozen=True)
class Resemblance(_Written):
    score: int
    shared_themes: tuple[str, ...] = ()
    outcome: Outcome | None = None

    @property
    def close(self) -> bool:
        return self.score >= CLOSE

    @property
    def band(self) -> str:
        return "very similar" if self.close else "similar"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number} of {self.reference}"


@dataclass(frozen=True)
class _Candidate(_Written):
    created_at: datetime
    confirmed: bool
    closed: bool
    processed: str = ""
    themes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    """A text to compare: a finding or recommendation being written or confirmed."""

    text: str
    theme_ids: frozenset[int] = frozenset()
    exclude_review_id: int | None = None
    before: datetime | None = None  # a saved item: only what was written up to then is earlier


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes from a union, PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def text_score(processed: str, other: str) -> float:
    """Two normalised texts' resemblance, 0-100 (see the module's docstring)."""
    if not processed or not other:
        return 0.0
    return math.sqrt(fuzz.token_set_ratio(processed, other) * fuzz.token_sort_ratio(processed, other))


def _one_statement(parts: Sequence[Select[Any]]) -> Select[Any] | CompoundSelect:
    """The one query to run for the kinds asked: a lone part as it is, several as a union."""
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _chunks(theme_ids: set[int]) -> list[list[int]]:
    """The themes that can be shared, in groups of MASK_BITS: each group is one bit mask."""
    ordered = sorted(theme_ids)
    return [ordered[i : i + MASK_BITS] for i in range(0, len(ordered), MASK_BITS)]


def _theme_masks(item_id: Column[int], chunks: list[list[int]]) -> Subquery:
    """Per item of one kind (through its link table's ``item_id``), which of the themes in
    ``chunks`` it has, as one integer of bits per group: a set SQL can partition by."""
    link = item_id.table
    masks = []
    for n, chunk in enumerate(chunks):
        bits = [
            (link.c.theme_id == theme_id, literal(1 << bit, BigInteger)) for bit, theme_id in enumerate(chunk)
        ]
        masks.append(func.sum(case(*bits, else_=literal(0, BigInteger))).label(f"mask_{n}"))
    wanted = [theme_id for chunk in chunks for theme_id in chunk]
    return (
        select(item_id.label("item_id"), *masks)
        .where(link.c.theme_id.in_(wanted))
        .group_by(item_id)
        .subquery()
    )


@dataclass(frozen=True)
class _Reach:
    """What the probes ask of the candidates, so the database can leave out the ones that cannot
    be among any probe's best ``limit``."""

    limit: int
    chunks: list[list[int]]
    exclude_review_id: int | None  # the review every probe leaves out, if they agree
    before: datetime | None  # the latest a candidate may be written, if every probe is saved
    since: datetime | None  # the earliest probe's moment, if any probe is saved

    @classmethod
    def of(cls, probes: Sequence[Probe], limit: int) -> _Reach:
        excluded = {probe.exclude_review_id for probe in probes}
        moments = [probe.before for probe in probes if probe.before is not None]
        return cls(
            limit,
            _chunks({t for probe in probes for t in probe.theme_ids}),
            excluded.pop() if len(excluded) == 1 else None,
            max(moments) if len(moments) == len(probes) else None,
            min(moments) if moments else None,
        )


def _texts(
    kind: str,
    model: type[Finding] | type[Recommendation],
    item_id: Column[int],
    confirmed: ColumnElement[bool],
    closed: ColumnElement[bool],
    reach: _Reach,
) -> Select[Any]:
    """One kind's texts with their review's reference, whether each is confirmed, whether its
    review is closed (what makes a recommendation without actions "dropped") and its themes among
    the probes' (bit masks).

    Two candidates with the same text and the same themes among the probes' score the same for
    every probe, and ties go to the most recent review, then the latest written: of each such
    group only the first ``limit`` can be shown, so the database returns only those. Candidates
    written after the earliest saved probe are all kept: each probe leaves out what was written
    after it, which could empty a group's first places for one probe and not another."""
    masks = _theme_masks(item_id, reach.chunks) if reach.chunks else None
    mask_columns = (
        [func.coalesce(column, 0).label(column.name) for column in masks.c if column.name != "item_id"]
        if masks is not None
        else []
    )
    late = model.created_at > reach.since if reach.since is not None else literal(False)
    groups = (model.text, *mask_columns) if reach.since is None else (model.text, late, *mask_columns)
    ranked = select(
        literal(kind).label("kind"),
        model.id,
        model.number,
        model.review_id,
        model.text,
        model.created_at,
        confirmed.label("confirmed"),
        Review.reference,
        Review.pseudonym,
        Review.year,
        closed.label("closed"),
        *mask_columns,
        late.label("late"),
        func.row_number()
        .over(partition_by=groups, order_by=(Review.year.desc(), model.id.desc()))
        .label("nth"),
    ).join(Review, Review.id == model.review_id)
    if masks is not None:
        ranked = ranked.outerjoin(masks, masks.c.item_id == model.id)
    if reach.exclude_review_id is not None:
        ranked = ranked.where(model.review_id != reach.exclude_review_id)
    if reach.before is not None:
        ranked = ranked.where(model.created_at <= reach.before)
    kept = ranked.subquery()
    shown = kept.c.nth <= reach.limit
    return select(*(column for column in kept.c if column.name not in ("late", "nth"))).where(
        shown if reach.since is None else shown | kept.c.late
    )


def _candidates(kinds: Iterable[str], reach: _Reach) -> list[_Candidate]:
    """The findings and recommendations of other reviews that can be among the probes' best,
    with their review's reference and their themes among the probes': two queries at most."""
    parts = []
    if RECOMMENDATION in kinds:
        confirmed = Recommendation.confirmed_at.is_not(None)
        closed = Review.stage == ReviewStage.CLOSED
        item_id = recommendation_themes.c.recommendation_id
        parts.append(_texts(RECOMMENDATION, Recommendation, item_id, confirmed, closed, reach))
    if FINDING in kinds:
        parts.append(
            _texts(FINDING, Finding, finding_themes.c.finding_id, literal(False), literal(False), reach)
        )
    names: dict[int, str] = {}
    if reach.chunks:
        wanted = [theme_id for chunk in reach.chunks for theme_id in chunk]
        theme_names = select(Theme.id, Theme.name).where(Theme.id.in_(wanted))
        names = {theme_id: name for theme_id, name in db.session.execute(theme_names)}
    # Fetched at once and unpacked by position: fetching row by row and reading each column by
    # name took half as long again.
    rows = db.session.execute(_one_statement(parts)).all()
    candidates = []
    processed: dict[str, str] = {}  # each different text normalised once
    for (
        kind,
        item_id,
        number,
        review_id,
        text,
        created_at,
        confirmed,
        reference,
        pseudonym,
        year,
        closed,
        *masks,
    ) in rows:
        themes = {
            theme_id: names[theme_id]
            for chunk, mask in zip(reach.chunks, masks, strict=True)
            for bit, theme_id in enumerate(chunk)
            if int(mask) >> bit & 1 and theme_id in names
        }
        if text not in processed:
            processed[text] = utils.default_process(text)
        candidates.append(
            _Candidate(
                kind=kind, id=item_id, number=number, review_id=review_id, reference=reference,
                pseudonym=pseudonym, year=year, text=text, created_at=created_at,
                confirmed=bool(confirmed), closed=bool(closed), processed=processed[text],
                themes=themes,
            )
        )  # fmt: skip
    return candidates


def _outcomes(recommendation_ids: set[int], today: date) -> dict[int, tuple[int, int, int]]:
    """(verified, overdue, open) action counts per recommendation: one query."""
    if not recommendation_ids:
        return {}
    verified = func.sum(case((Action.status == ActionStatus.VERIFIED, 1), else_=0))
    overdue = func.sum(case((overdue_sql(today), 1), else_=0))
    rows = db.session.execute(
        select(Action.recommendation_id, func.count(Action.id), verified, overdue)
        .where(Action.recommendation_id.in_(recommendation_ids))
        .group_by(Action.recommendation_id)
    )
    counts = {}
    for recommendation_id, total, done, late in rows:
        done, late = int(done or 0), int(late or 0)
        counts[recommendation_id] = (done, late, total - done - late)
    return counts


def _score(
    probe: Probe, processed: str, candidate: _Candidate, bases: dict[str, float]
) -> tuple[int, tuple[str, ...]]:
    """The candidate's score against the probe (``processed``); ``bases`` keeps the probe's text
    score against each different text, which repeats of a wording share."""
    shared = tuple(sorted(name for theme_id, name in candidate.themes.items() if theme_id in probe.theme_ids))
    if not processed:
        return 0, shared
    base = bases.get(candidate.processed)
    if base is None:
        base = bases[candidate.processed] = text_score(processed, candidate.processed)
    bonus = min(MAX_THEME_BONUS, THEME_BONUS * len(shared))
    return min(100, round(base + bonus)), shared


def find_many(
    probes: Sequence[Probe], kinds: Iterable[str] = (RECOMMENDATION, FINDING), limit: int = LIMIT
) -> list[list[Resemblance]]:
    """For each probe, the findings and recommendations of other reviews that resemble it, best
    first, at most ``limit``: in three queries however many probes and candidates there are."""
    kinds = tuple(kinds)
    if not probes:
        return []
    candidates = _candidates(kinds, _Reach.of(probes, limit))
    scored: list[list[tuple[int, tuple[str, ...], _Candidate]]] = []
    for probe in probes:
        processed = utils.default_process(probe.text)
        bases: dict[str, float] = {}
        kept = []
        for candidate in candidates:
            if probe.exclude_review_id is not None and candidate.review_id == probe.exclude_review_id:
                continue
            if probe.before is not None and as_utc(candidate.created_at) > as_utc(probe.before):
                continue
            score, shared = _score(probe, processed, candidate, bases)
            if score >= SIMILAR:
                kept.append((score, shared, candidate))
        # Best first; among equals the most recent review, then the latest written.
        kept.sort(key=lambda item: (-item[0], -item[2].year, -item[2].id))
        scored.append(kept[:limit])
    recommendation_ids = {c.id for kept in scored for _, _, c in kept if c.kind == RECOMMENDATION}
    counts = _outcomes(recommendation_ids, uk_today())
    results = []
    for kept in scored:
        found = []
        for score, shared, c in kept:
            outcome = None
            if c.kind == RECOMMENDATION:
                done, late, still_open = counts.get(c.id, (0, 0, 0))
                dropped = c.id not in counts and (c.confirmed or c.closed)
                outcome = Outcome(done, late, still_open, dropped)
            found.append(
                Resemblance(
                    c.kind, c.id, c.number, c.review_id, c.reference, c.pseudonym, c.year, c.text,
                    score, shared, outcome,
                )
            )  # fmt: skip
        results.append(found)
    return results


def find_resembling(
    text: str,
    theme_ids: Iterable[int] = (),
    exclude_review_id: int | None = None,
    kinds: Iterable[str] = (RECOMMENDATION, FINDING),
    before: datetime | None = None,
) -> list[Resemblance]:
    """The earlier findings and recommendations of other reviews that resemble ``text``."""
    return find_many([Probe(text, frozenset(theme_ids), exclude_review_id, before)], kinds)[0]


def close_earlier(recommendations: Sequence[Recommendation]) -> dict[int, Resemblance]:
    """For each recommendation that closely resembles an earlier review's recommendation, the
    closest one (by recommendation id). Only recommendations count: the answer links to one."""
    probes = [
        Probe(r.text, frozenset(t.id for t in r.themes), r.review_id, r.created_at) for r in recommendations
    ]
    found = find_many(probes, (RECOMMENDATION,), limit=1)
    return {
        r.id: matches[0]
        for r, matches in zip(recommendations, found, strict=True)
        if matches and matches[0].close
    }
