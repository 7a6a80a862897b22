"""PINs and one-time codes reach the port and nothing else: not Redis, not logs."""

from __future__ import annotations

import logging

import pytest
import redis

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import CAREGIVER, HOTLINE, SINGLE, FakePort
from ussd_menus import catalogs
from ussd_menus.engine import UssdEngine
from ussd_menus.port import CodeResult
from ussd_menus.session import SECRET_MARK

PIN, CODE = "4827", "930156"


def _redis_values(client: redis.Redis) -> bytes:
    return b"".join(client.get(key) or b"" for key in client.scan_iter("*"))


def test_protected_screens_ask_for_the_pin_when_the_port_requires_it(
    engine: UssdEngine, port: FakePort
) -> None:
    port.pins["b1"] = PIN
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    prompt = dialer.send("3")
    assert prompt.text.startswith(catalogs.text("vi", "pin.prompt"))
    wrong = dialer.send("0000")
    assert wrong.text.startswith(catalogs.text("vi", "pin.wrong"))
    history = dialer.send(PIN)
    assert history.text.startswith(catalogs.text("vi", "history.title"))
    assert dialer.send("0").text.startswith("1 ")  # back skips the PIN screen
    assert dialer.send("5").text.startswith("Vi: Viettel Money")  # PIN asked once a session


def test_no_pin_is_asked_while_the_port_says_none_is_needed(engine: UssdEngine) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    assert dialer.send("3").text.startswith(catalogs.text("vi", "history.title"))


def test_resuming_a_protected_screen_asks_for_the_pin_again(
    engine: UssdEngine, port: FakePort
) -> None:
    port.pins["b1"] = PIN
    old = Dialer(engine, SINGLE, session_id="ATUid_1")
    old.dial()
    old.send("5", PIN, "1")  # at the wallet code prompt when the session drops
    new = Dialer(engine, SINGLE, session_id="ATUid_2")
    new.dial()
    assert new.send("1").text.startswith(catalogs.text("vi", "pin.prompt"))
    assert new.send(PIN).text.startswith(catalogs.text("vi", "wallet.code_prompt"))


def test_pins_and_codes_never_reach_redis_or_the_logs(
    engine: UssdEngine, port: FakePort, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port.pins["b1"] = PIN
    port.wallet_code = "111111"  # so CODE is wrong and the session stays open
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("5", PIN, "1", CODE)
    assert port.pins_seen == [PIN] and port.codes_seen == [CODE]
    stored = _redis_values(redis_client)
    assert stored and PIN.encode() not in stored and CODE.encode() not in stored
    assert SECRET_MARK.encode() in stored
    assert PIN not in caplog.text and CODE not in caplog.text


def test_a_prefilled_pin_in_the_dial_string_is_not_stored(
    engine: UssdEngine, port: FakePort, redis_client: redis.Redis
) -> None:
    port.pins["b1"] = PIN
    reply = Dialer(engine, SINGLE).dial(f"3*{PIN}")  # *384*12*3*4827#
    assert reply.text.startswith(catalogs.text("vi", "history.title"))
    assert PIN.encode() not in _redis_values(redis_client)


def test_a_failing_port_logs_no_secret(
    engine: UssdEngine, port: FakePort, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(ref: str, code: str) -> None:
        raise RuntimeError("otp service down")

    port.verify_wallet_code = boom  # type: ignore[assignment]
    caplog.set_level(logging.DEBUG)
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    reply = dialer.send("5", "1", CODE)
    assert reply.end
    assert "otp service down" in caplog.text and CODE not in caplog.text


def test_a_locked_pin_ends_with_the_hotline(engine: UssdEngine, port: FakePort) -> None:
    port.pins["b1"] = PIN
    port.verify_pin = lambda ref, pin: CodeResult.LOCKED  # type: ignore[method-assign]
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("2")
    reply = dialer.send("1111")
    assert reply.end and reply.text == catalogs.text("vi", "pin.locked", hotline=HOTLINE)


def test_a_caregiver_proves_the_pin_again_for_another_person(
    engine: UssdEngine, port: FakePort
) -> None:
    port.pins.update({"b2": "1111", "b3": "2222"})
    dialer = Dialer(engine, CAREGIVER)
    dialer.dial()
    dialer.send("1", "3", "1111")  # history of the first person
    dialer.send("00", "0", "2")  # back to the list, pick the second person
    assert dialer.send("3").text.startswith(catalogs.text("vi", "pin.prompt"))


def test_a_pin_typed_on_the_wrong_screen_is_not_stored_either(
    engine: UssdEngine, redis_client: redis.Redis
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    reply = dialer.send(PIN)  # typed at the main menu by mistake
    assert not reply.end
    assert PIN.encode() not in _redis_values(redis_client)


def test_a_complaint_note_is_not_kept_in_the_session(
    engine: UssdEngine, port: FakePort, redis_client: redis.Redis
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("4", "4", "Ong Nguyen Van Binh lay mat tien")
    assert port.problems[0][2] == "Ong Nguyen Van Binh lay mat tien"
    assert b"Binh" not in _redis_values(redis_client)
