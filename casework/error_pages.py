"""Friendly pages for errors: nothing technical is shown, nothing is changed."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from casework.extensions import db

PAGES = {
    400: ("Sorry, there is a problem with your request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with your request", "errors/400.html"),
    413: ("The file or form you sent is too large", "errors/413.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def _render(status: int) -> ResponseReturnValue:
    title, template = PAGES[status]
    return render_template(template, title=title), status


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    if error.response is not None:  # e.g. a redirect to the sign-in page
        return error.response
    status = error.code or 500
    return _render(status if status in PAGES else 400 if status < 500 else 500)


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    db.session.rollback()
    return render_template("errors/csrf.html", title="Your form has expired"), 400


def handle_server_error(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    return _render(500)


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
