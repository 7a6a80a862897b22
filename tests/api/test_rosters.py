"""Roster upload over the API: the same checks and report as `gateway roster import`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.api.roles import Role
from gateway.db import get_db
from gateway.registry.models import Beneficiary
from tests.support.scenario import GOOD, VI_HEADER, write_csv, write_xlsx

BAD_ID = ["Phạm Văn Em", "01/01/1950", "Nam", "04605012345", "0911111111", "19753", "NCT_80",
          "", "01/2024", "", "", "", "H4"]


def beneficiaries() -> int:
    with get_db().sessionmaker() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Beneficiary))


def upload(client, headers, path: Path | None = None, *, content: bytes | None = None,
           name: str | None = None, **form):
    data = path.read_bytes() if path is not None else content
    return client.post("/api/v1/rosters", headers=headers, data={
        "file": (io.BytesIO(data), name or (path.name if path else "upload.csv")), **form})


def test_good_csv_is_imported_and_reported(client, as_role, tmp_path):
    response = upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "xa.csv", GOOD))
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["accepted"], report["rejected"], report["created"]) == (3, 0, 3)
    assert report["file"] == "xa.csv" and report["run_id"] and report["issues"] == []
    assert beneficiaries() == 3


def test_xlsx_with_title_rows_is_imported(client, as_role, tmp_path):
    path = write_xlsx(tmp_path / "Danh sách xã.xlsx", GOOD, title_rows=2)
    report = upload(client, as_role(Role.OFFICER), path).get_json()
    assert report["accepted"] == 3 and report["file"] == "Danh sách xã.xlsx"


def test_mixed_file_saves_the_good_rows_and_explains_the_bad_one(client, as_role, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [GOOD[0], BAD_ID, GOOD[1]])
    report = upload(client, as_role(Role.OFFICER), path).get_json()
    assert (report["accepted"], report["rejected"]) == (2, 1)
    [issue] = [i for i in report["issues"] if i["severity"] == "error"]
    assert issue["row"] == 3 and issue["code"].startswith("citizen_id")
    assert issue["vi"] and issue["en"] and issue["column"]
    assert beneficiaries() == 2


def test_dry_run_reports_and_writes_nothing(client, as_role, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD)
    report = upload(client, as_role(Role.OFFICER), path, dry_run="true").get_json()
    assert report["dry_run"] is True and report["accepted"] == 3 and report["run_id"] is None
    assert beneficiaries() == 0


def test_missing_columns_refuse_the_file_with_reasons_in_both_languages(
        client, as_role, tmp_path):
    header = [h for h in VI_HEADER if h not in ("Số CCCD", "Ngày sinh")]
    rows = [[c for h, c in zip(VI_HEADER, row, strict=True) if h in header] for row in GOOD]
    response = upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "r.csv", rows, header))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "roster_refused"
    assert "Thiếu cột" in error["details"]["vi"] and "Missing" in error["details"]["en"]
    assert len(error["details"]["missing_columns"]) == 2
    assert beneficiaries() == 0


@pytest.mark.parametrize("name,content", [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("roster.xlsx", b"this is not a zip file"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64),
    ("roster.csv", b"\x00\x01\x02 nothing like a header"),
    ("roster.csv", b""),
    ("../../etc/passwd.csv", b"a,b\n1,2\n"),
])
def test_files_that_are_not_rosters_are_422_with_reasons(client, as_role, name, content):
    response = upload(client, as_role(Role.OFFICER), content=content, name=name)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "roster_refused"
    assert error["details"]["vi"] and error["details"]["en"]


def test_a_file_over_the_limit_is_413_json(app, client, as_role, tmp_path):
    app.config["API_MAX_UPLOAD_BYTES"] = 4096
    path = write_csv(tmp_path / "big.csv", GOOD * 40)
    assert path.stat().st_size > 4096
    response = upload(client, as_role(Role.OFFICER), path)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert beneficiaries() == 0


def test_default_limits_are_50_mb_for_uploads_and_1_mb_for_other_bodies():
    from gateway.api import MAX_BODY_BYTES, MAX_UPLOAD_BYTES

    assert MAX_UPLOAD_BYTES == 50 * 1024 * 1024 and MAX_BODY_BYTES == 1024 * 1024


@pytest.mark.parametrize("form", [
    {"dry_run": "maybe"},
    {"dry_run": "true", "overwrite": "yes"},
])
def test_bad_form_fields_are_422(client, as_role, tmp_path, form):
    response = upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "r.csv", GOOD), **form)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["form_and_files"]


def test_no_file_is_422(client, as_role):
    response = client.post("/api/v1/rosters", headers=as_role(Role.OFFICER),
                           data={"dry_run": "true"})
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]["form_and_files"]


def test_import_runs_are_listed_newest_first_with_the_key_as_actor(client, as_role, tmp_path):
    upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "one.csv", GOOD[:1]))
    upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "two.csv", GOOD))
    upload(client, as_role(Role.OFFICER), write_csv(tmp_path / "dry.csv", GOOD), dry_run="1")
    response = client.get("/api/v1/rosters/imports", headers=as_role(Role.AUDITOR))
    runs = response.get_json()["items"]
    assert [r["file_name"] for r in runs] == ["two.csv", "one.csv"]
    assert runs[0]["actor"] == "api:test-officer" and runs[0]["accepted"] == 3
    assert len(runs[0]["file_sha256"]) == 64
    limited = client.get("/api/v1/rosters/imports?limit=1", headers=as_role(Role.AUDITOR))
    assert [r["file_name"] for r in limited.get_json()["items"]] == ["two.csv"]


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=x", "limit=1e9", "page=2"])
def test_bad_list_parameters_are_422(client, as_role, query):
    response = client.get(f"/api/v1/rosters/imports?{query}", headers=as_role(Role.AUDITOR))
    assert response.status_code == 422
