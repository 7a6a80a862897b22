"""Migration 0013 renames ``wallet_provider.ref`` to ``name``; stored settings still decrypt."""

from __future__ import annotations

import base64
import json
import os

import sqlalchemy as sa
from alembic import command
from flask import Flask

from gateway import create_app
from gateway.db import get_db
from gateway.disbursement.providers import WalletProvider, provider_settings, save_provider
from gateway.migrate import alembic_config, upgrade
from gateway.pii.codec import get_pii
from gateway.pii.rotation import rotate_all
from tests.support.app import app_config

SETTINGS = {"base_url": "https://mm.viettel.example/v1.2", "api_key": "tok_live_9c1e",
            "webhook_secret": "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}


def test_settings_sealed_under_the_old_column_still_decrypt_after_the_rename(app: Flask) -> None:
    db, codec = get_db(app), get_pii(app)
    url = app.config["DATABASE_URL"]
    db.dispose()
    command.downgrade(alembic_config(url), "0013-1")
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("wallet_provider")}
            assert "ref" in columns and "name" not in columns
            conn.execute(sa.text(
                "INSERT INTO wallet_provider (ref, kind, settings_enc, rate_per_s, max_in_flight,"
                " enabled, updated_at) VALUES ('viettelmoney', 'gsma', :sealed, 20, 300, :yes,"
                " :now)"), {"sealed": codec.seal("wallet_provider", "settings", "viettelmoney",
                                                 json.dumps(SETTINGS)),
                           "yes": True, "now": "2026-12-01 08:00:00"})
        engine.dispose()
    finally:
        upgrade(url)

    engine = sa.create_engine(url)
    unique = sa.inspect(engine).get_unique_constraints("wallet_provider")
    engine.dispose()
    assert [u["column_names"] for u in unique] == [["name"]]
    with db.sessionmaker() as session:
        assert provider_settings(session, codec, "viettelmoney") == ("gsma", SETTINGS, 20, 300)
    with db.session() as session:  # the unique name still holds: saving replaces the row
        save_provider(session, codec, "viettelmoney", "gsma", {**SETTINGS, "timeout_s": "5"})
    with db.sessionmaker() as session:
        _, settings, _, _ = provider_settings(session, codec, "viettelmoney")
        assert settings["timeout_s"] == "5"
        assert session.scalar(sa.text("SELECT count(*) FROM wallet_provider")) == 1


def test_key_rotation_reseals_provider_settings_bound_to_the_name(
    app: Flask, database_url: str, redis_url: str
) -> None:
    with get_db(app).session() as session:
        save_provider(session, get_pii(app), "viettelmoney", "gsma", SETTINGS)
    new = f"t2:{base64.b64encode(os.urandom(32)).decode()}"
    rotating = create_app(app_config(database_url, redis_url,
                                     PII_KEYS=f"{new},{app.config['PII_KEYS']}"))
    try:
        db, codec = get_db(rotating), get_pii(rotating)
        assert rotate_all(db.sessionmaker, codec) == 1
        with db.sessionmaker() as session:
            sealed = session.scalar(sa.select(WalletProvider.settings_enc))
            assert sealed.startswith("t2:")
        only_new = create_app(app_config(database_url, redis_url, PII_KEYS=new))
        with get_db(only_new).sessionmaker() as session:
            assert provider_settings(session, get_pii(only_new), "viettelmoney")[1] == SETTINGS
        get_db(only_new).dispose()
    finally:
        get_db(rotating).dispose()
