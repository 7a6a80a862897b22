"""Wallet fixtures: an app with the telco callbacks open, and a CAMARA SIM-swap stub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fixtures import mark_folder
from tests.support.ussd import TELCO_SETTINGS
from tests.wallets.camara_stub import CamaraStub


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)


@pytest.fixture
def camara() -> Iterator[CamaraStub]:
    """Give a running CAMARA SimSwap stub."""
    stub = CamaraStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Open the telco callbacks under the test key (a module adds settings by overriding)."""
    return dict(TELCO_SETTINGS)
