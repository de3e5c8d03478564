from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from casework.reviews import appointment_views, chronology_views, views  # noqa: E402,F401
