"""The USSD PIN end to end: AT wire format, the real database and Redis, the CLI and the API."""

from __future__ import annotations

import logging
import re
import threading

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.roles import Role
from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.models import Base
from gateway.pins.models import BeneficiaryPin
from gateway.pins.service import MAX_TRIES, reserve_try
from gateway.registry.models import Beneficiary
from gateway.telco import HideCallbackKey as _HideCallbackKey
from tests.api.conftest import bearer, make_key
from tests.channels.conftest import BASE, KEY, give_pin
from tests.channels.test_sms import inbound, replies
from tests.channels.test_ussd import AN, pay
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from ussd_menus import catalogs

PIN = "5938"
CITIZEN_ID = "046040123456"  # An's (tests/payroll/conftest.py PEOPLE)
HOTLINE = "1900 1234"
# The PIN as a value of its own: not inside a hash, a hex reference or a timestamp.
ALONE = re.compile(rf"(?<![0-9A-Za-z+/$]){PIN}(?![0-9A-Za-z+/$])")


def t(lang: str, key: str, **values: object) -> str:
    return catalogs.text(lang, key, **values)


def pin_row(app: Flask) -> BeneficiaryPin:
    with get_db(app).sessionmaker() as s:
        return s.scalars(sa.select(BeneficiaryPin)).one()


def events(app: Flask, action: str) -> list[AuditEvent]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.seq)))


def database_dump(app: Flask) -> str:
    """Every value of every table, as text: what a backup or a leaked dump would show."""
    with get_db(app).sessionmaker() as s:
        return "\n".join(repr(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in s.execute(sa.select(table)))


def lock_out(dial) -> None:  # type: ignore[no-untyped-def]
    """Type three wrong PINs for An, over two sessions."""
    first = dial(AN)
    first.dial("3")  # pre-filled *384*12*3#: history, which asks for the PIN
    first.send("1111")
    first.send("2222")
    second = dial(AN)
    assert second.dial("3").startswith("CON " + t("vi", "pin.prompt"))
    assert second.send("3333") == "END " + t("vi", "pin.locked", hotline=HOTLINE)


def test_a_pin_is_chosen_at_first_use_and_kept_only_as_a_slow_hash(app: Flask, dial) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    call = dial(AN)
    call.dial()
    assert call.send("3").startswith("CON " + t("vi", "pin.new"))
    assert call.send("1940").startswith("CON " + t("vi", "pin.weak"))  # An's birth year
    assert call.send("5678").startswith("CON " + t("vi", "pin.weak"))  # end of An's phone
    assert call.send(PIN).startswith("CON " + t("vi", "pin.repeat"))
    history = call.send(PIN)
    assert history.startswith(f"CON {t('vi', 'pin.saved')}\n{t('vi', 'history.title')}")
    assert "Ban da nhan du tien chua?" in call.send("00") + call.send("2")  # no second ask
    row = pin_row(app)
    assert row.pin_hash is not None and row.pin_hash.startswith("scrypt$16384$8$1$")
    assert row.pending_hash is None and row.set_at is not None and row.failed_attempts == 0
    [event] = events(app, "pin.set")
    assert (event.actor, event.subject_type) == ("ussd:beneficiary", "beneficiary")


def test_the_pin_is_asked_once_a_session_and_never_twice(app: Flask, dial) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    give_pin(app, AN, PIN)
    call = dial(AN)
    call.dial()
    assert call.send("5").startswith("CON " + t("vi", "pin.prompt"))
    assert call.send(PIN).startswith("CON Vi: Sandbox 09******78")
    call.send("00")
    assert call.send("3").startswith("CON " + t("vi", "history.title"))


def test_wrong_pins_count_down_and_lock_across_sessions(app: Flask, dial) -> None:
    add_people(app, ["an"])
    give_pin(app, AN, PIN)
    call = dial(AN)
    call.dial()
    call.send("3")
    assert call.send("1111").startswith("CON " + t("vi", "pin.wrong_left", tries=2))
    assert call.send("2222").startswith("CON " + t("vi", "pin.wrong_left", tries=1))
    assert pin_row(app).failed_attempts == 2
    later = dial(AN)
    assert later.dial("3").startswith("CON " + t("vi", "pin.prompt"))  # a new session
    assert later.send("3333") == "END " + t("vi", "pin.locked", hotline=HOTLINE)
    row = pin_row(app)
    assert row.locked_at is not None and row.failed_attempts == MAX_TRIES
    [event] = events(app, "pin.lock")
    assert event.actor == "ussd:beneficiary"
    # The right PIN no longer opens anything; screens without a PIN still work.
    again = dial(AN)
    again.dial()
    assert again.send("5") == "END " + t("vi", "pin.locked", hotline=HOTLINE)
    other = dial(AN)
    other.dial()
    assert other.send("1").startswith("CON Tro cap xa hoi hang thang")


def test_a_right_pin_clears_the_wrong_tries(app: Flask, dial) -> None:
    add_people(app, ["an"])
    give_pin(app, AN, PIN)
    call = dial(AN)
    call.dial("3")
    call.send("1111")
    call.send(PIN)
    assert pin_row(app).failed_attempts == 0


def test_parallel_guesses_never_get_more_than_three_checks(app: Flask) -> None:
    refs = add_people(app, ["an"])
    give_pin(app, AN, PIN)
    with get_db(app).sessionmaker() as s:
        person_id = s.scalar(sa.select(Beneficiary.id).where(Beneficiary.ref == refs["an"]))
    granted: list[str | None] = []

    def guess() -> None:
        with get_db(app).session() as s:
            granted.append(reserve_try(s, person_id))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for h in granted if h is not None) == MAX_TRIES
    assert pin_row(app).failed_attempts == MAX_TRIES


def test_an_officer_resets_a_locked_pin_by_cli_audited(app: Flask, dial, runner) -> None:
    refs = add_people(app, ["an"])
    give_pin(app, AN, PIN)
    lock_out(dial)
    status = runner.invoke("pin", "status", "--beneficiary", refs["an"])
    assert status.exit_code == 0 and "PIN locked" in status.output
    result = runner.invoke("pin", "reset", "--beneficiary", CITIZEN_ID, "--actor", "lan")
    assert result.exit_code == 0, result.output
    assert f"PIN of beneficiary {refs['an']} reset (was locked)" in result.output
    assert CITIZEN_ID not in result.output
    row = pin_row(app)
    assert (row.pin_hash, row.locked_at, row.failed_attempts) == (None, None, 0)
    assert row.reset_by == "cli:lan" and row.reset_at is not None
    [event] = events(app, "pin.reset")
    assert (event.actor, event.subject_type, event.subject_id) == (
        "cli:lan", "beneficiary", refs["an"])
    assert event.detail_json == '{"failed_attempts":3,"previous":"locked"}'
    # Unlocked: the next protected screen asks for a new PIN.
    call = dial(AN)
    call.dial()
    assert call.send("3").startswith("CON " + t("vi", "pin.new"))
    call.send("7205")
    assert call.send("7205").startswith("CON " + t("vi", "pin.saved"))
    again = runner.invoke("pin", "reset", "--beneficiary", refs["an"], "--json")
    assert again.exit_code == 0 and '"changed": true' in again.output


def test_resetting_nothing_changes_and_records_nothing(app: Flask, runner) -> None:
    refs = add_people(app, ["an"])
    result = runner.invoke("pin", "reset", "--beneficiary", refs["an"])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert events(app, "pin.reset") == []


@pytest.mark.parametrize("key", ["046040999999", "0" * 32, "not-a-ref", ""])
def test_an_unknown_beneficiary_is_a_clear_error(app: Flask, runner, key: str) -> None:
    add_people(app, ["an"])
    result = runner.invoke("pin", "reset", "--beneficiary", key)
    assert result.exit_code != 0
    assert "No beneficiary has this reference or citizen ID" in result.output


def test_an_officer_resets_a_pin_through_the_api(app: Flask, client: FlaskClient, dial) -> None:
    refs = add_people(app, ["an"])
    give_pin(app, AN, PIN)
    lock_out(dial)
    officer = bearer(make_key("hue-officer-1", Role.OFFICER))
    auditor = bearer(make_key("hue-auditor-1", Role.AUDITOR))
    approver = bearer(make_key("hue-approver-1", Role.APPROVER))
    path = f"/api/v1/beneficiaries/{refs['an']}/pin"
    shown = client.get(path, headers=auditor)
    assert shown.status_code == 200 and shown.json["state"] == "locked"
    assert not {"pin_hash", "pending_hash"} & set(shown.json)
    assert client.post(f"{path}/reset", headers=approver).status_code == 403
    assert client.post(f"{path}/reset", headers=auditor).status_code == 403
    reset = client.post(f"{path}/reset", headers=officer)
    assert reset.status_code == 200
    assert (reset.json["changed"], reset.json["previous"], reset.json["state"]) == (
        True, "locked", "not_set")
    assert reset.json["reset_by"] == "apikey:hue-officer-1"
    [event] = events(app, "pin.reset")
    assert (event.actor, event.subject_id) == ("apikey:hue-officer-1", refs["an"])
    assert client.post(f"{path}/reset", headers=officer).json["changed"] is False
    assert len(events(app, "pin.reset")) == 1
    # By reference only: a citizen ID in a URL would land in access logs.
    by_id = client.post(f"/api/v1/beneficiaries/{CITIZEN_ID}/pin/reset", headers=officer)
    assert by_id.status_code == 404


def test_sms_confirmation_takes_the_pin_and_counts_wrong_ones(app: Flask,
                                                              client: FlaskClient) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    give_pin(app, AN, PIN)
    inbound(client, "XN 1111", "ATX-pin-1")
    inbound(client, f"xn {PIN}", "ATX-pin-2")
    assert replies(app) == [t("vi", "pin.wrong_left", tries=2),
                            "Cam on ban. Da ghi nhan ban da nhan tien."]
    assert pin_row(app).failed_attempts == 0


@pytest.mark.parametrize(("lang", "choice"), [("vi_accented", "2"), ("en", "3")])
def test_choosing_a_pin_in_accented_vietnamese_and_english(
        app: Flask, dial, lang: str, choice: str) -> None:
    add_people(app, ["an"])
    call = dial(AN)
    call.dial()
    call.send("6")
    call.send(choice)
    assert call.send("3").startswith("CON " + t(lang, "pin.new"))
    assert call.send("1234").startswith("CON " + t(lang, "pin.weak"))
    call.send(PIN)
    saved = call.send(PIN)
    assert saved.startswith("CON " + t(lang, "pin.saved"))
    assert len(saved) <= (80 if lang == "vi_accented" else 182)


def test_no_pin_in_redis_logs_or_the_database(app: Flask, client: FlaskClient, dial,
                                              redis_client: redis.Redis,
                                              caplog: pytest.LogCaptureFixture) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    caplog.set_level(logging.DEBUG)
    call = dial(AN)
    call.dial()
    for value in ("2", PIN, PIN, "1"):  # choose the PIN at "confirm", repeat it, confirm
        call.send(value)
    later = dial(AN)
    later.dial(f"3*{PIN}")  # a pre-filled dial string carrying the PIN
    later.send("0")
    inbound(client, f"XN {PIN}", "ATX-pin-9")
    assert pin_row(app).pin_hash is not None
    strings = [k for k in redis_client.scan_iter("*") if redis_client.type(k) == b"string"]
    redis_dump = b"\n".join(k + b"=" + (redis_client.get(k) or b"") for k in strings)
    assert redis_dump and not ALONE.search(redis_dump.decode("utf-8", "replace"))
    assert not ALONE.search(caplog.text)
    assert not ALONE.search(database_dump(app))


def test_access_logs_never_show_a_telco_query_string() -> None:
    line = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                             '127.0.0.1 - - "%s %s HTTP/1.1" 405 -',
                             ("GET", f"{BASE}/ussd?sessionId=1&text=3*{PIN}&phoneNumber=x"), None)
    _HideCallbackKey().filter(line)
    assert line.getMessage() == (
        '127.0.0.1 - - "GET /telco/africastalking/***/ussd?*** HTTP/1.1" 405 -')
    assert KEY not in line.getMessage() and PIN not in line.getMessage()
