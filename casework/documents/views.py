"""Downloads: the only way out for a stored file, after its owner's access check."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from casework.auth.access import signed_in
from casework.core.extensions import db
from casework.documents.models import Document
from casework.documents.owners import can_download
from casework.documents.storage import send_document

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.route("/<int:document_id>")
@signed_in
def download(document_id: int) -> ResponseReturnValue:
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    document = db.session.get(Document, document_id)
    if document is None or not can_download(user, document):
        abort(404)
    return send_document(document, user=user)  # records the download and commits it
