"""Learning that reaches practice: the 7-minute briefing of a review and its dissemination.
Agency leads reach the briefings sent to their agency through this blueprint; the review's own
pages are on the reviews blueprint."""

from flask import Blueprint

bp = Blueprint("briefings", __name__, url_prefix="/briefings")
