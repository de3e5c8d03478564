from flask import Blueprint

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

from casework.auth import admin_views, views  # noqa: E402,F401
