"""ChiTra gateway: the Flask app, its command line, and the domain core."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from flask.sessions import SessionInterface


def create_app(test_config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app: settings, logging, storage, personal-data codec, blueprints, commands.

    Args:
        test_config: settings that override defaults and ``CHITRA_*`` environment variables.

    Raises:
        gateway.config.ConfigError: a required secret or setting is missing or malformed.
    """
    from gateway import (
        api,
        config,
        db,
        logs,
        models,  # noqa: F401  every table, so key rotation finds every one
        redis_conn,
        telco,
    )
    from gateway.disbursement import service as disbursement
    from gateway.pii import codec
    from gateway.settings import SettingError
    from gateway.wallets import service as wallets
    from gateway.web import errors, health, wallet_callbacks
    from ussd_menus.screens import GraphError

    # APIFlask is Flask plus an OpenAPI document generated from the API's schemas and
    # decorators; plain blueprints (health, callbacks) work as before and stay out of it.
    app = APIFlask(
        __name__, title=api.API_TITLE, version=api.API_VERSION, instance_relative_config=True,
        spec_path=f"{api.PREFIX}/openapi.json", docs_path=f"{api.PREFIX}/docs",
        docs_oauth2_redirect_path=None,
    )
    config.load(app, test_config)
    # Nothing uses Flask's signed-cookie session (API keys, the telco key path and webhook
    # signatures authenticate): skip opening and saving one on every request.
    app.session_interface = _NoSessions()
    logs.configure(app.config["LOG_LEVEL"])
    # Subsystems in a fixed, visible order: storage first, then the long-lived services
    # built on it, then the doors that use them.
    db.init_app(app)
    redis_conn.init_app(app)
    codec.init_app(app)
    wallets.init_app(app)  # SIM-swap check, wallet verification by SMS code
    disbursement.init_app(app)  # the disburser: adapters and their pools, once per app
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(wallet_callbacks.bp)
    try:
        telco.init_app(app)  # the channel services (USSD engine, inbox), then the callbacks
    except (SettingError, GraphError) as exc:
        raise config.ConfigError(str(exc)) from None
    api.init_app(app)
    return app


class _NoSessions(SessionInterface):
    """Never open a cookie session: every request gets Flask's read-only null session."""

    def open_session(self, app: Any, request: Any) -> None:  # noqa: D102
        return None

    def save_session(self, app: Any, session: Any, response: Any) -> None:  # noqa: D102
        return None
