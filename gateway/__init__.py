"""ChiTra gateway: the Flask app, its command line, and the domain core."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, logging, storage, personal-data codec, blueprints, commands.

    Args:
        test_config: settings that override defaults and ``CHITRA_*`` environment variables.

    Raises:
        gateway.config.ConfigError: a required secret or setting is missing or malformed.
    """
    from gateway import config, db, logs, redis_conn
    from gateway.pii import codec
    from gateway.web import errors, health

    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    logs.configure(app.config["LOG_LEVEL"])
    # Subsystems in a fixed, visible order: storage first, then what uses it.
    db.init_app(app)
    redis_conn.init_app(app)
    codec.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    return app
