from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from casework.reviews import views  # noqa: E402,F401
