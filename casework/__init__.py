"""Casework: statutory learning reviews, from notification to verified action."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, Config, ProductionConfig, config_from_env


def create_app(config: type[Config] | None = None) -> Flask:
    from casework.core.assets import static_url_path
    from casework.core.templating import CaseworkEnvironment

    config = config or config_from_env()
    app = Flask(
        __name__,
        static_url_path=static_url_path(),  # versioned: see casework/core/assets.py
        instance_path=str(INSTANCE_DIR),
        instance_relative_config=True,
    )
    app.jinja_environment = CaseworkEnvironment
    app.config.from_object(config)
    if issubclass(config, ProductionConfig):
        config.check(debug=app.debug)  # app.debug: FLASK_DEBUG, as Flask read it
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    proxies = int(os.environ.get("CASEWORK_TRUSTED_PROXIES", "0"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    _init_extensions(app)
    _init_templates(app)
    _register_blueprints(app)

    from casework.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from casework import models  # noqa: F401  (every model, for Alembic and the mapper)
    from casework.auth.sessions import init_sessions
    from casework.core.error_pages import init_error_pages
    from casework.core.extensions import csrf, db, login_manager, migrate
    from casework.core.query_guard import init_query_guard
    from casework.core.request_guards import init_request_guards
    from casework.core.security import init_security
    from casework.documents.storage import init_storage
    from casework.notifications.jobs import init_jobs

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    init_sessions(app)
    init_storage(app)
    init_security(app)
    init_error_pages(app)
    init_request_guards(app)
    init_query_guard(app)
    init_jobs(app)


def _init_templates(app: Flask) -> None:
    from flask import request
    from flask_login import current_user

    from casework.auth.navigation import navigation_for
    from casework.auth.sessions import timeout_settings
    from casework.core.display import init_display
    from casework.core.form_keys import new_form_key
    from casework.core.forms import error_flashed, error_summary, select_options
    from casework.core.template_cache import init_template_cache
    from casework.notifications.inbox import unread_count, unread_label

    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [
            PackageLoader("casework"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    init_template_cache(app)
    WTFormsHelpers(app)
    init_display(app)
    app.add_template_global(error_flashed)
    app.add_template_global(error_summary, "wtforms_errors")  # date errors link to the Day box
    app.add_template_global(new_form_key)  # the one-time key of a form drawn without a form object
    app.add_template_global(unread_label)  # the header's count, "99+" beyond 99
    app.add_template_global(select_options)  # a filter list's options, from (value, text) pairs
    app.add_template_global(timeout_settings, "session_timeout")  # the timeout warning's timings

    @app.context_processor
    def shell() -> dict[str, object]:
        signed_in = current_user.is_authenticated
        if signed_in:
            # The header names the user's agency: loaded here, before rendering (templates never
            # query), also after a rollback expired the user.
            current_user.agency  # noqa: B018
        # Worked out once per request and person: form widgets render templates of their own
        # inside the page (one per field), and the unread count is a query, which must not run
        # while rendering.
        who = current_user.get_id() if signed_in else None
        known = request.environ.get(SHELL)
        if known is None or known[0] != who:
            known = (
                who,
                {
                    "partnership_name": app.config["PARTNERSHIP_NAME"],
                    "navigation": navigation_for(current_user) if signed_in else [],
                    "unread_notifications": unread_count(current_user) if signed_in else None,
                },
            )
            request.environ[SHELL] = known
        return known[1]


SHELL = "casework.page_shell"  # the request's header: who it is for, and what it shows

# Modules whose import registers routes on the blueprints.
VIEW_MODULES = [
    "casework.auth.views",
    "casework.auth.second_factor_views",
    "casework.auth.session_views",
    "casework.auth.passkey_views",
    "casework.auth.admin_views",
    "casework.auth.access_report_views",
    "casework.reviews.views",
    "casework.reviews.referral.views",
    "casework.reviews.appointments.views",
    "casework.reviews.drafts.chronology_views",
    "casework.reviews.drafts.views",
    "casework.reviews.publication.views",
    "casework.reviews.notices.views",
    "casework.reviews.settings.views",
    "casework.reviews.records.views",
    "casework.reviews.learning.views",
    "casework.notifications.settings_views",
    "casework.notifications.calendar_views",
    "casework.agencies.directory_views",
    "casework.agencies.request_views",
    "casework.agencies.tracker_views",
    "casework.actions.action_views",
    "casework.actions.plan_views",
    "casework.actions.outcome_views",
    "casework.actions.tracker_views",
    "casework.public.views",
    "casework.notifications.mail_views",
    "casework.notifications.views",
    "casework.work.views",
    "casework.insight.views",
    "casework.insight.annual.views",
    "casework.jobs.views",
]


def _register_blueprints(app: Flask) -> None:
    import importlib

    for module in VIEW_MODULES:
        importlib.import_module(module)
    from casework import main
    from casework.actions import bp as actions_bp
    from casework.agencies import bp as agencies_bp
    from casework.auth import admin_bp
    from casework.auth import bp as auth_bp
    from casework.auth.access import init_access, public
    from casework.core.assets import ASSET_ENDPOINTS, init_assets
    from casework.documents.views import bp as documents_bp
    from casework.insight import bp as insight_bp
    from casework.insight.annual import bp as annual_bp
    from casework.jobs import bp as jobs_bp
    from casework.notifications.views import bp as notifications_bp
    from casework.public import bp as public_bp
    from casework.reviews import bp as reviews_bp
    from casework.reviews.learning import bp as briefings_bp
    from casework.work import bp as work_bp

    for blueprint in (
        main.bp,
        auth_bp,
        admin_bp,
        reviews_bp,
        agencies_bp,
        actions_bp,
        documents_bp,
        public_bp,
        notifications_bp,
        work_bp,
        insight_bp,
        annual_bp,
        briefings_bp,
        jobs_bp,
    ):
        app.register_blueprint(blueprint)
    init_assets(app)
    for endpoint in ASSET_ENDPOINTS:
        app.view_functions[endpoint] = public(app.view_functions[endpoint])
    init_access(app)
