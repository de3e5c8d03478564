"""The blueprint; its view modules are imported by the app factory, which registers it."""

from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")
