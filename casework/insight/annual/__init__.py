"""The annual report pack: a reporting year's figures on reviews, learning and actions, for the
partnership's yearly report (children) and the Safeguarding Adults Board's (adults)."""

from flask import Blueprint

bp = Blueprint("annual", __name__, url_prefix="/insight/annual")
