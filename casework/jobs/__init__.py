"""Long work done by the worker rather than inside a request, and the page that follows it.

A domain registers each kind of job it starts (:mod:`casework.jobs.kinds`); a request starts one
with :func:`casework.jobs.services.start_job`, in its own transaction, and the queue runs it after
the commit (:mod:`casework.notifications.jobs`)."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
