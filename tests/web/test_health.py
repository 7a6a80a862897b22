"""Liveness and readiness probes."""

from gateway import create_app
from gateway.embedded_redis import free_port
from tests.support.app import app_config


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_database_migrations_and_redis(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["database"]["revision"] == body["checks"]["database"]["expected"]


def test_readyz_answers_503_with_the_reason_when_redis_is_unreachable(database_url, redis_url):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(app_config(database_url, redis_url, REDIS_URL=dead))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_unknown_url_gets_a_json_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
