"""API keys: shown once, stored hashed, listed without secrets, revocable, used sparingly."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa

from gateway.api.keys import ApiKey
from gateway.db import get_db
from tests.support.scenario import bearer


def stored(name: str) -> ApiKey:
    with get_db().sessionmaker() as session:
        return session.scalars(sa.select(ApiKey).where(ApiKey.name == name)).one()


def create(runner, name: str, role: str = "officer") -> dict[str, object]:
    result = runner.invoke("apikey", "create", "--role", role, "--name", name, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_create_prints_the_key_once_and_stores_only_its_hash(runner):
    created = create(runner, "hue-officer-1")
    token = created["key"]
    scheme, prefix, secret = token.split("_", 2)
    assert scheme == "chitra" and prefix == created["prefix"] and len(prefix) == 8
    assert len(secret) >= 40
    row = stored("hue-officer-1")
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr([getattr(row, c.key) for c in ApiKey.__table__.columns])


def test_create_in_text_mode_says_to_store_the_key_now(runner):
    result = runner.invoke("apikey", "create", "--role", "auditor", "--name", "audit-1")
    assert result.exit_code == 0 and "chitra_" in result.output
    assert "cannot be shown again" in result.output


def test_list_never_shows_secrets(runner):
    token = create(runner, "k1")["key"]
    create(runner, "k2", "approver")
    for args in (("apikey", "list"), ("apikey", "list", "--json")):
        result = runner.invoke(*args)
        assert result.exit_code == 0
        assert token.split("_", 2)[2] not in result.output
    listed = json.loads(runner.invoke("apikey", "list", "--json").output)
    assert [(k["name"], k["role"], k["status"]) for k in listed] == [
        ("k1", "officer", "active"), ("k2", "approver", "active")]
    assert "key" not in listed[0] and "key_hash" not in listed[0]


def test_names_are_unique_and_roles_are_checked(runner):
    create(runner, "same")
    again = runner.invoke("apikey", "create", "--role", "auditor", "--name", "same")
    assert again.exit_code != 0 and "already exists" in again.output
    bad_role = runner.invoke("apikey", "create", "--role", "admin", "--name", "x")
    assert bad_role.exit_code != 0
    bad_name = runner.invoke("apikey", "create", "--role", "officer", "--name", "-x y")
    assert bad_name.exit_code != 0 and "Traceback" not in bad_name.output


def test_revoked_key_stops_working_at_once(runner, client):
    token = create(runner, "leaver")["key"]
    assert client.get("/api/v1/rosters/imports", headers=bearer(token)).status_code == 200
    result = runner.invoke("apikey", "revoke", "leaver")
    assert result.exit_code == 0 and "revoked" in result.output
    assert client.get("/api/v1/rosters/imports", headers=bearer(token)).status_code == 401
    listed = json.loads(runner.invoke("apikey", "list", "--json").output)
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]


def test_revoking_an_unknown_name_says_so(runner):
    result = runner.invoke("apikey", "revoke", "nobody")
    assert result.exit_code != 0 and "no API key named" in result.output


def test_last_use_is_recorded_at_most_once_a_minute(runner, client):
    token = create(runner, "busy")["key"]
    assert stored("busy").last_used_at is None
    client.get("/api/v1/rosters/imports", headers=bearer(token))
    first = stored("busy").last_used_at
    assert first is not None
    client.get("/api/v1/rosters/imports", headers=bearer(token))
    assert stored("busy").last_used_at == first  # no write for a second call within the minute
    with get_db().session() as session:  # pretend the last use was two minutes ago
        session.execute(sa.update(ApiKey).values(last_used_at=first - timedelta(minutes=2)))
    client.get("/api/v1/rosters/imports", headers=bearer(token))
    assert stored("busy").last_used_at >= first
