"""The themes a review is tagged with, through its findings and its recommendations: what the
board's theme chart and the annual report's themes both count."""

from __future__ import annotations

from sqlalchemy import Subquery, select, union_all

from casework.actions.models import Finding, Recommendation, finding_themes, recommendation_themes


def review_themes() -> Subquery:
    """A (review_id, theme_id) row for every theme on each finding and recommendation of a review:
    a review tagged twice with a theme has two rows, so count distinct reviews."""
    return union_all(
        select(Finding.review_id.label("review_id"), finding_themes.c.theme_id.label("theme_id")).join(
            finding_themes, finding_themes.c.finding_id == Finding.id
        ),
        select(Recommendation.review_id, recommendation_themes.c.theme_id).join(
            recommendation_themes, recommendation_themes.c.recommendation_id == Recommendation.id
        ),
    ).subquery()
