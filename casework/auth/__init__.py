"""The blueprint; its view modules are imported by the app factory, which registers it."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.record_once
def _init_throttling(state: BlueprintSetupState) -> None:
    from casework.auth.throttling import init_throttling

    init_throttling(state.app)
