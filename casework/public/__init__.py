"""The public register of published reviews: no sign-in, nothing that is not published."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/published-reviews")
