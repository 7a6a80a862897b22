"""Scripted journeys through every menu, in every language, as a caller sees them."""

from __future__ import annotations

import pytest

from tests.ussd_menus.fakes import (
    CAREGIVER,
    HOTLINE,
    MONTHLY,
    SINGLE,
    UNKNOWN,
    Dialer,
    FakePort,
)
from ussd_menus import catalogs
from ussd_menus.engine import Reply, UssdEngine
from ussd_menus.gsm7 import fits_screen
from ussd_menus.port import ProblemKind

LANGS = catalogs.LANGUAGES


def t(lang: str, key: str, **values: object) -> str:
    return catalogs.text(lang, key, **values)


def whole(dialer: Dialer, first: Reply) -> str:
    """Read every page of a paginated screen by pressing 98, and return all pages joined."""
    pages, reply = [first.text], first
    while any(line.startswith("98 ") for line in reply.text.splitlines()):
        reply = dialer.send("98")
        pages.append(reply.text)
    return "\n".join(pages)


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest, port: FakePort) -> str:
    port.languages[SINGLE] = request.param
    port.languages[CAREGIVER] = request.param
    return request.param


def test_main_menu_lists_six_choices_in_the_callers_language(engine: UssdEngine, lang: str) -> None:
    reply = Dialer(engine, SINGLE).dial()
    assert not reply.end
    assert reply.text.startswith(f"1 {t(lang, 'main.entitlement')}")
    assert f"6 {t(lang, 'main.language')}" in reply.text
    assert fits_screen(reply.text)


def test_entitlement_shows_program_amount_status_and_date(engine: UssdEngine, lang: str) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("1"))
    assert catalogs.money(lang, 1_250_000) in text
    assert "08/2026" in text
    assert t(lang, "status.succeeded") in text
    assert "10/08/2026" in text
    assert catalogs.program_name(lang, MONTHLY) in text


def test_confirming_receipt_records_it_once(engine: UssdEngine, port: FakePort, lang: str) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("2"))
    assert catalogs.money(lang, 1_250_000) in text
    reply = dialer.send("1")
    assert reply.end and reply.text == t(lang, "confirm.done")
    assert port.confirmed == {"b1"}
    again = Dialer(engine, SINGLE, session_id="ATUid_2")
    again.dial()
    again.send("2")
    assert again.send("1").text == t(lang, "confirm.already")


def test_confirming_with_nothing_paid_explains_and_ends(engine: UssdEngine, lang: str) -> None:
    dialer = Dialer(engine, CAREGIVER)
    dialer.dial()
    dialer.send("1")  # Tr*** T** Ba: this cycle still pending
    reply = dialer.send("2")
    assert reply.end and reply.text == t(lang, "confirm.none")


def test_not_received_from_the_confirm_screen_files_a_complaint(
    engine: UssdEngine, port: FakePort
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("2")
    dialer.send("2")  # "not received / wrong amount" leads to the problem menu
    reply = dialer.send("1")
    assert reply.end and "KN-00001" in reply.text
    assert port.problems == [("b1", ProblemKind.NOT_RECEIVED, None)]


def test_history_shows_the_last_six_payments_page_by_page(engine: UssdEngine, lang: str) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("3"))
    months = [f"{m:02d}/2026" for m in range(8, 0, -1)]
    assert all(m in text for m in months[:6])
    assert not any(m in text for m in months[6:])


@pytest.mark.parametrize(
    ("choice", "kind"), [("1", "not_received"), ("2", "wrong_amount"), ("3", "wallet")]
)
def test_reporting_a_problem_gives_a_ticket_on_screen_and_by_sms(
    engine: UssdEngine, port: FakePort, lang: str, choice: str, kind: str
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("4")
    reply = dialer.send(choice)
    assert reply.end
    assert reply.text == t(lang, "problem.ticket", ticket="KN-00001", hotline=HOTLINE)
    assert port.problems == [("b1", ProblemKind(kind), None)]
    assert port.sms == [(SINGLE, t(lang, "problem.sms", ticket="KN-00001", hotline=HOTLINE))]


def test_other_problem_asks_for_a_note(engine: UssdEngine, port: FakePort, lang: str) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("4")
    prompt = dialer.send("4")
    assert t(lang, "problem.note") in prompt.text
    reply = dialer.send("Tien ve thieu 200 nghin")
    assert reply.end and "KN-00001" in reply.text
    assert port.problems == [("b1", ProblemKind.OTHER, "Tien ve thieu 200 nghin")]


def test_wallet_screen_shows_the_masked_wallet_and_explains_change(
    engine: UssdEngine, lang: str
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("5"))
    assert "Viettel Money 09******78" in text
    assert t(lang, "wallet.unverified") in text
    info = whole(dialer, dialer.send("2"))
    assert HOTLINE in info


def test_wallet_code_says_not_available_until_otp_ships(
    engine: UssdEngine, port: FakePort, lang: str
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("5")
    prompt = dialer.send("1")
    assert t(lang, "wallet.code_prompt") in prompt.text
    reply = dialer.send("123456")
    assert reply.end and reply.text == t(lang, "code.not_available", hotline=HOTLINE)
    assert port.codes_seen == ["123456"]


def test_wallet_code_verifies_once_the_port_supports_it(engine: UssdEngine, port: FakePort) -> None:
    port.wallet_code = "654321"
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("5", "1")
    wrong = dialer.send("111111")
    assert not wrong.end and wrong.text.startswith(t("vi", "code.wrong"))
    assert dialer.send("12ab").text.startswith(t("vi", "invalid"))
    ok = dialer.send("654321")
    assert ok.end and ok.text == t("vi", "wallet.code_ok")


@pytest.mark.parametrize(("choice", "new_lang"), [("1", "vi"), ("2", "vi_accented"), ("3", "en")])
def test_choosing_a_language_switches_now_and_is_remembered(
    engine: UssdEngine, port: FakePort, lang: str, choice: str, new_lang: str
) -> None:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("6")
    reply = dialer.send(choice)
    assert reply.text.startswith(f"1 {t(new_lang, 'main.entitlement')}")
    assert port.languages[SINGLE] == new_lang
    later = Dialer(engine, SINGLE, session_id="ATUid_2").dial()
    assert later.text.startswith(f"1 {t(new_lang, 'main.entitlement')}")


def test_a_caregiver_first_picks_the_person_by_masked_name(engine: UssdEngine, lang: str) -> None:
    dialer = Dialer(engine, CAREGIVER)
    first = dialer.dial()
    assert "1 Tr*** T** Ba" in first.text and "2 Le*** V** Cu" in first.text
    menu = dialer.send("1")
    assert menu.text.startswith(f"1 {t(lang, 'main.entitlement')}")
    text = whole(dialer, dialer.send("1"))
    assert catalogs.money(lang, 500_000) in text
    assert t(lang, "status.pending") in text


def test_a_caregiver_goes_back_from_the_main_menu_to_pick_someone_else(
    engine: UssdEngine,
) -> None:
    dialer = Dialer(engine, CAREGIVER)
    dialer.dial()
    dialer.send("2")  # Le*** V** Cu has no data at all
    text = whole(dialer, dialer.send("1"))
    assert t("vi", "ent.none", hotline=HOTLINE) in text
    picker = dialer.send("00", "0")
    assert "1 Tr*** T** Ba" in picker.text


def test_an_unknown_phone_ends_with_the_hotline_and_learns_nothing(
    engine: UssdEngine, port: FakePort, redis_client: object
) -> None:
    reply = Dialer(engine, UNKNOWN).dial()
    assert reply.end
    assert reply.text == t("vi", "unknown_phone", hotline=HOTLINE)
    assert fits_screen(reply.text)
    assert not port.problems and not port.sms


def test_an_unknown_phone_dialling_a_prefilled_code_learns_nothing(engine: UssdEngine) -> None:
    reply = Dialer(engine, UNKNOWN).dial("1*3")
    assert reply.end and reply.text == t("vi", "unknown_phone", hotline=HOTLINE)
