from flask import Blueprint

bp = Blueprint("agencies", __name__, url_prefix="/agencies")

from casework.agencies import directory_views, request_views  # noqa: E402,F401
