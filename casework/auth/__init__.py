"""The blueprint; its view modules are imported by the app factory, which registers it."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
