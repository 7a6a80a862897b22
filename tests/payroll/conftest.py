"""Payroll fixtures: people in the registry, and the ledger check after every test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.ledger.check import check_ledger
from gateway.pii.codec import get_pii
from gateway.rosters.importer import ImportSettings, import_roster
from gateway.rosters.source import memory_source

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Mã xã",
          "Mã đối tượng", "Số con", "Tháng bắt đầu", "Trạng thái", "Tháng kết thúc", "Mã hộ"]

# name, born, sex, citizen id, phone, commune, categories, children, start, status, end
PEOPLE = {
    "an": ["Nguyễn Văn An", "04/03/1940", "Nam", "046040123456", "0912345678", "19753",
           "NCT_80", "", "01/2024", "", "", "H1"],
    "binh": ["Trần Thị Bình", "15/08/1985", "Nữ", "046185654321", "0987654321", "19777",
             "DON_THAN", "3", "07/2024", "", "", "H2"],
    "cuong": ["Lê Văn Cường", "20/02/1950", "Nam", "046050111222", "0345678901", "20182",
              "NCT_80;KT_NANG_TE_NCT", "", "03/2023", "", "", "H3"],
    "dung": ["Phạm Thị Dung", "01/05/1948", "Nữ", "046148333444", "0777888999", "19753",
             "KT_DBN_TE_NCT", "", "01/2022", "", "", "H4"],
    "em": ["Hồ Văn Em", "10/10/1944", "Nam", "046044555666", "0903111222", "19777",
           "NCT_80", "", "01/2022", "Tạm dừng", "", "H5"],
    "gam": ["Võ Thị Gấm", "12/12/1941", "Nữ", "046141777888", "0868123456", "20182",
            "NCT_80", "", "01/2022", "Đã mất", "10/2026", "H6"],
    "hai": ["Đỗ Văn Hải", "05/06/2020", "Nam", "046220999000", "0931234567", "19753",
            "TE_MC_DUOI4", "", "06/2020", "", "", "H7"],
}


def add_people(app: Flask, names: list[str] | None = None) -> dict[str, str]:
    """Import the named people (all by default); return name → beneficiary ref."""
    from gateway.registry.models import Beneficiary

    chosen = names or list(PEOPLE)
    with app.app_context(), get_db(app).sessionmaker() as session:
        report = import_roster(
            session, get_pii(app), memory_source("people", HEADER, [PEOPLE[n] for n in chosen]),
            ImportSettings(providers=["sandbox"], province_code="46", today=date(2026, 11, 27)))
        assert report.rejected == 0, report.issues
        codec = get_pii(app)
        refs = {}
        for name in chosen:
            digest = codec.citizen_id_index(PEOPLE[name][3])
            refs[name] = session.scalar(
                sa.select(Beneficiary.ref).where(Beneficiary.citizen_id_bidx == digest))
    return refs


@pytest.fixture
def people(app: Flask) -> dict[str, str]:
    """Give the standard set of people, imported through the roster path."""
    return add_people(app)


@pytest.fixture(autouse=True)
def ledger_stays_sound(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the ledger check after every payroll test that used the database."""
    # Asking for the app here sets it up first, so it is still there after the test.
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is None:
        return
    with get_db(app).sessionmaker() as session:
        violations = check_ledger(session)
    assert not violations, violations
