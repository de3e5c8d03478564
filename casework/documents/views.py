"""Downloads: the only way out for a stored file, after the owner's access check."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from casework.actions.models import ProgressUpdate
from casework.actions.permissions import can_view_action
from casework.agencies.contributions import ContributionRequest
from casework.agencies.permissions import can_view_request
from casework.auth.access import signed_in
from casework.auth.models import Role, User
from casework.core.extensions import db
from casework.documents.models import Document
from casework.documents.storage import send_document
from casework.reviews.loading import me
from casework.reviews.models import DraftVersion, Review
from casework.reviews.permissions import can_view

bp = Blueprint("documents", __name__, url_prefix="/documents")


def can_download(user: User, document: Document) -> bool:
    """Access follows what the file belongs to."""
    if document.progress_update_id is not None:
        update = db.session.get(ProgressUpdate, document.progress_update_id)
        return update is not None and can_view_action(user, update.action)
    draft = db.session.execute(
        db.select(DraftVersion).where(DraftVersion.document_id == document.id)
    ).scalar()
    if draft is not None:
        # Agencies read the drafts they were asked to check; everyone else follows the review's rule.
        asked = draft.accuracy_check is not None and any(
            answer.agency_id == user.agency_id for answer in draft.accuracy_check.answers
        )
        return (user.role == Role.AGENCY_LEAD and asked) or can_view(user, draft.review)
    if document.contribution_request_id is not None:
        owner = db.session.get(ContributionRequest, document.contribution_request_id)
        return owner is not None and can_view_request(user, owner)
    if document.review_id is not None:
        review = db.session.get(Review, document.review_id)
        return review is not None and can_view(user, review)
    return False


@bp.route("/<int:document_id>")
@signed_in
def download(document_id: int) -> ResponseReturnValue:
    document = db.session.get(Document, document_id)
    if document is None or not can_download(me(), document):
        abort(404)
    return send_document(document, user=me())  # records the download and commits it
