"""Each person's work in front of them: the queues on each role's home page. The view module is
imported by the app factory, which registers the blueprint."""

from flask import Blueprint

bp = Blueprint("work", __name__, url_prefix="/work")
