"""Insight for the board: charts of the partnership's reviews, clocks, actions and themes.

The blueprint; its view module is imported by the app factory, which registers it."""

from flask import Blueprint

bp = Blueprint("insight", __name__, url_prefix="/insight")
