"""Personal data at rest: encrypted, findable by blind index, rotatable, masked on output."""

from __future__ import annotations

import base64
import json
import logging
import os

import sqlalchemy as sa

from gateway import create_app
from gateway.db import get_db
from gateway.models import Base
from gateway.pii.codec import get_pii
from gateway.rosters.export import export_rows
from tests.conftest import GatewayRunner, app_config
from tests.registry.rosters import GOOD, write_csv

CLEAR_VALUES = [v for row in GOOD for v in (row[0], row[3], row[4], row[10], row[11]) if v]


def dump_text(app) -> str:
    """Render every row of every table as text, as a database dump would show it."""
    parts = []
    engine = get_db(app).engine
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            parts += list(conn.connection.driver_connection.iterdump())
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def forms(value: str) -> list[str]:
    """Return the ways a value could appear in clear: as given, and phones in E.164."""
    out = [value]
    if value.startswith("0") and len(value) in (10, 11):
        out += ["+84" + value[1:], "84" + value[1:], value[1:]]
    return out


def test_database_dump_contains_no_name_citizen_id_or_phone(app, runner, tmp_path):
    result = runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    assert result.exit_code == 0, result.output
    text = dump_text(app)
    assert text.count("t1:") >= 3 * 4  # the dump did read the encrypted cells
    for value in CLEAR_VALUES:
        for form in forms(value):
            assert form not in text, f"{form!r} appears in the clear"
    assert "1940-03-04" not in text and "04/03/1940" not in text  # dates of birth too


def test_blind_index_finds_by_citizen_id_and_by_phone_masked_by_role(runner, tmp_path):
    runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    by_id = json.loads(
        runner.invoke("beneficiary", "find", "--citizen-id", "046 185 654 321", "--json").output
    )
    assert len(by_id) == 1
    assert by_id[0]["name"] == "T*** T** B***" and by_id[0]["citizen_id"] == "046*******321"
    full = json.loads(
        runner.invoke(
            "beneficiary", "find", "--phone", "+84987654321", "--role", "officer", "--json"
        ).output
    )
    assert full[0]["name"] == "Trần Thị Bình" and full[0]["masked"] is False
    # A representative's phone finds the person they receive for.
    rep = json.loads(runner.invoke("beneficiary", "find", "--phone", "0778889990", "--json").output)
    assert [b["ref"] for b in rep] and rep[0]["wallet_to_representative"] is True
    assert rep[0]["wallet_phone"] == "07******90"
    none = runner.invoke("beneficiary", "find", "--phone", "0900000001")
    assert "no beneficiary found" in none.output
    bad = runner.invoke("beneficiary", "find", "--citizen-id", "12")
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_key_rotation_keeps_every_row_readable_and_lookups_working(
    app, database_url, redis_url, tmp_path
):
    runner = GatewayRunner(app)
    runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    old = app.config["PII_KEYS"]
    new = f"t2:{base64.b64encode(os.urandom(32)).decode()}"
    rotating = create_app(app_config(database_url, redis_url, PII_KEYS=f"{new},{old}"))
    with rotating.app_context():
        r = GatewayRunner(rotating)
        before = json.loads(r.invoke("keys", "status", "--json").output)
        assert before["usage"]["beneficiary"]["t1"] > 0
        first = json.loads(r.invoke("keys", "rotate", "--batch", "2", "--json").output)
        assert first["reencrypted_rows"] == 6  # 3 beneficiaries + 3 wallet links
        second = json.loads(r.invoke("keys", "rotate", "--json").output)
        assert second["reencrypted_rows"] == 0
        after = json.loads(r.invoke("keys", "status", "--json").output)
        assert after["usage"]["beneficiary"].get("t1", 0) == 0
        assert after["usage"]["beneficiary"]["other"] == 0
    only_new = create_app(app_config(database_url, redis_url, PII_KEYS=new))
    with only_new.app_context(), get_db(only_new).sessionmaker() as session:
        rows = list(export_rows(session, get_pii(only_new), full=True))
        assert sorted(r[1] for r in rows) == sorted(row[0] for row in GOOD)
        found = json.loads(
            GatewayRunner(only_new)
            .invoke(
                "beneficiary", "find", "--citizen-id", "046040123456", "--role", "auditor", "--json"
            )
            .output
        )
        assert found[0]["name"] == "Nguyễn Văn An"


def test_rotation_without_the_old_key_says_what_is_missing(app, database_url, redis_url, tmp_path):
    GatewayRunner(app).invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    lost = create_app(
        app_config(
            database_url, redis_url, PII_KEYS=f"t9:{base64.b64encode(os.urandom(32)).decode()}"
        )
    )
    with lost.app_context():
        result = GatewayRunner(lost).invoke("keys", "rotate")
    assert result.exit_code != 0 and "CHITRA_PII_KEYS" in result.output


def test_export_is_masked_unless_role_may_see_personal_data(runner, tmp_path):
    import openpyxl

    runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    masked = tmp_path / "masked.xlsx"
    assert runner.invoke("roster", "export", str(masked)).exit_code == 0
    refused = runner.invoke(
        "roster", "export", str(tmp_path / "f.xlsx"), "--full", "--role", "approver"
    )
    assert refused.exit_code != 0 and "--role officer" in refused.output
    full = tmp_path / "full.xlsx"
    assert (
        runner.invoke("roster", "export", str(full), "--full", "--role", "officer").exit_code == 0
    )

    def cells(path) -> str:
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        return repr(list(sheet.iter_rows(values_only=True)))

    masked_text, full_text = cells(masked), cells(full)
    for value in CLEAR_VALUES:
        assert value not in masked_text
        assert value in full_text
    assert "046*******456" in masked_text


def test_full_export_can_be_imported_again_without_changes(runner, tmp_path):
    runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    full = tmp_path / "full.xlsx"
    runner.invoke("roster", "export", str(full), "--full", "--role", "officer")
    result = json.loads(runner.invoke("roster", "import", str(full), "--json").output)
    assert (result["accepted"], result["unchanged"], result["rejected"]) == (3, 3, 0)


def test_import_logs_no_personal_data(runner, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bad = GOOD[0][:]
    bad[1] = "31/02/1940"
    runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD + [bad])))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in CLEAR_VALUES:
        for form in forms(value):
            assert form not in logged


def test_rotation_also_reencrypts_sms_phones_and_complaint_notes(
    app, database_url, redis_url, tmp_path
):
    from gateway.channels.models import SmsKind, SmsMessage
    from gateway.channels.outbound import open_phone, stage_sms
    from gateway.complaints.filing import file_complaint, open_note
    from gateway.complaints.models import Complaint
    from gateway.registry.models import Beneficiary

    GatewayRunner(app).invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    with get_db(app).session() as session:
        stage_sms(session, get_pii(app), "+84912345678", "Tro cap da chuyen", SmsKind.NOTICE)
        person = session.scalars(sa.select(Beneficiary.id)).first()
        file_complaint(session, get_pii(app), beneficiary_id=person, kind="not_received",
                       channel="ussd", note="chua nhan duoc tien")
    old = app.config["PII_KEYS"]
    new = f"t2:{base64.b64encode(os.urandom(32)).decode()}"
    rotating = create_app(app_config(database_url, redis_url, PII_KEYS=f"{new},{old}"))
    with rotating.app_context():
        GatewayRunner(rotating).invoke("keys", "rotate", "--json")
        usage = json.loads(GatewayRunner(rotating).invoke("keys", "status", "--json").output)
    assert usage["usage"]["sms_message"] == {"t2": 1, "t1": 0, "other": 0}
    assert usage["usage"]["complaint"] == {"t2": 1, "t1": 0, "other": 0}
    only_new = create_app(app_config(database_url, redis_url, PII_KEYS=new))
    with only_new.app_context(), get_db(only_new).sessionmaker() as session:
        message = session.scalars(sa.select(SmsMessage)).one()
        assert open_phone(get_pii(only_new), message) == "+84912345678"
        complaint = session.scalars(sa.select(Complaint)).one()
        assert open_note(get_pii(only_new), complaint) == "chua nhan duoc tien"
