from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")

from casework.actions import views  # noqa: E402,F401
