"""estapp: Effektiv samordning för trygghet — the weekly EST cycle for kommuner and partners."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from estapp.config import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web application; nothing runs at import time."""
    from estapp import db, errors, i18n, ops, security
    from estapp.auth import access, login

    settings = settings or load_settings()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_dir),
    )
    app.config.update(SECRET_KEY=settings.secret_key, SETTINGS=settings)
    db.init_app(app, db.make_engine(settings.database_url))
    ops.init_app(app, settings)  # first of the request hooks: request id and timing
    security.init_app(app, settings)
    i18n.init_app(app, settings)
    login.init_app(app)
    access.require_login_by_default(app)
    _register_blueprints(app)
    errors.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from estapp.admin.views import bp as admin_bp
    from estapp.auth.views import bp as auth_bp
    from estapp.distribution import outbox_views, recipient_views  # noqa: F401 - its routes
    from estapp.home.views import bp as home_bp
    from estapp.lagesbild.views import bp as lagesbild_bp
    from estapp.meetings.views import bp as meetings_bp
    from estapp.ops.health import bp as health_bp
    from estapp.promises.views import bp as promises_bp
    from estapp.reporting import transfer_views
    from estapp.reporting.coordination_views import bp as coordination_bp
    from estapp.reporting.views import bp as reporting_bp

    transfer_views.register(reporting_bp, coordination_bp)
    outbox_views.register(coordination_bp)

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reporting_bp)
    app.register_blueprint(coordination_bp)
    app.register_blueprint(lagesbild_bp)
    app.register_blueprint(promises_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(health_bp)
