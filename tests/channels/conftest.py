"""Channel fixtures: an app with the Africa's Talking callbacks open, and an SMS stub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.telco.africastalking.stub import AtStub
from tests.channels.esms_fixtures import (  # noqa: F401 (fixtures)
    esms_app,
    esms_live,
    esms_sender,
    esms_stub,
)
from tests.support.fixtures import mark_folder
from tests.support.ussd import TELCO_SETTINGS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Open the Africa's Talking callbacks under ``tests.support.ussd.BASE``."""
    return dict(TELCO_SETTINGS)


@pytest.fixture
def stub() -> Iterator[AtStub]:
    """Give a running Africa's Talking SMS stub on a free local port."""
    server = AtStub(api_key="at-test-key").start()
    yield server
    server.stop()
