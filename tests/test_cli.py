"""The command line answers a missing service with a message, never a traceback."""

from __future__ import annotations

from tests.support.app import GatewayRunner, make_app


def test_a_command_that_needs_redis_says_how_to_configure_it(database_url, redis_url) -> None:
    with make_app(database_url, redis_url, REDIS_URL=None) as app:
        result = GatewayRunner(app).invoke("wallet-link", "approve-change", "0" * 16,
                                           "--actor", "cli:minh")
    assert result.exit_code == 1
    assert "no Redis configured: set CHITRA_REDIS_URL" in result.output
    assert "Traceback" not in result.output
