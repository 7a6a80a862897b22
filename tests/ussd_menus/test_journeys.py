"""Scripted journeys through every menu, in every language, as a caller sees them.

Each journey runs twice: on the in-memory ``FakePort`` and on the gateway's ``DbPort`` over a
real database and Redis seeded with the same people (``tests.ussd_menus.ports``).
"""

from __future__ import annotations

import pytest

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import MONTHLY
from tests.ussd_menus.ports import CAREGIVER, HOTLINE, SINGLE, UNKNOWN, DbLine, FakeLine
from ussd_menus import catalogs
from ussd_menus.engine import Reply
from ussd_menus.gsm7 import fits_screen
from ussd_menus.port import ProblemKind

Line = FakeLine | DbLine

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
def lang(request: pytest.FixtureRequest, line: Line) -> str:
    line.port.set_language(SINGLE, request.param)
    line.port.set_language(CAREGIVER, request.param)
    return request.param


def test_main_menu_lists_six_choices_in_the_callers_language(line: Line, lang: str) -> None:
    reply = line.dialer(SINGLE).dial()
    assert not reply.end
    assert reply.text.startswith(f"1 {t(lang, 'main.entitlement')}")
    assert f"6 {t(lang, 'main.language')}" in reply.text
    assert fits_screen(reply.text)


def test_entitlement_shows_program_amount_status_and_date(line: Line, lang: str) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("1"))
    assert catalogs.money(lang, 1_250_000) in text
    assert "08/2026" in text
    assert t(lang, "status.succeeded") in text
    assert "10/08/2026" in text
    assert catalogs.program_name(lang, MONTHLY) in text


def test_confirming_receipt_records_it_once(line: Line, lang: str) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("2"))
    assert catalogs.money(lang, 1_250_000) in text
    reply = dialer.send("1")
    assert reply.end and reply.text == t(lang, "confirm.done")
    assert line.confirmed() == {"b1"}
    again = line.dialer(SINGLE, "ATUid_2")
    again.dial()
    again.send("2")
    assert again.send("1").text == t(lang, "confirm.already")


def test_confirming_with_nothing_paid_explains_and_ends(line: Line, lang: str) -> None:
    dialer = line.dialer(CAREGIVER)
    dialer.dial()
    dialer.send("1")  # Tr*** T** Ba: this cycle still pending
    reply = dialer.send("2")
    assert reply.end and reply.text == t(lang, "confirm.none")


def test_not_received_from_the_confirm_screen_files_a_complaint(
    line: Line
) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("2")
    dialer.send("2")  # "not received / wrong amount" leads to the problem menu
    reply = dialer.send("1")
    [ticket] = line.tickets()
    assert reply.end and ticket in reply.text
    assert line.problems() == [("b1", ProblemKind.NOT_RECEIVED, None)]


def test_history_shows_the_last_six_payments_page_by_page(line: Line, lang: str) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("3"))
    months = [f"{m:02d}/2026" for m in range(8, 0, -1)]
    assert all(m in text for m in months[:6])
    assert not any(m in text for m in months[6:])


@pytest.mark.parametrize(
    ("choice", "kind"), [("1", "not_received"), ("2", "wrong_amount"), ("3", "wallet")]
)
def test_reporting_a_problem_gives_a_ticket_on_screen_and_by_sms(
    line: Line, lang: str, choice: str, kind: str
) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("4")
    reply = dialer.send(choice)
    [ticket] = line.tickets()
    assert reply.end
    assert reply.text == t(lang, "problem.ticket", ticket=ticket, hotline=HOTLINE)
    assert line.problems() == [("b1", ProblemKind(kind), None)]
    assert line.sms() == [(SINGLE, t(lang, "problem.sms", ticket=ticket, hotline=HOTLINE))]


def test_other_problem_asks_for_a_note(line: Line, lang: str) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("4")
    prompt = dialer.send("4")
    assert t(lang, "problem.note") in prompt.text
    reply = dialer.send("Tien ve thieu 200 nghin")
    [ticket] = line.tickets()
    assert reply.end and ticket in reply.text
    assert line.problems() == [("b1", ProblemKind.OTHER, "Tien ve thieu 200 nghin")]


def test_wallet_screen_shows_the_masked_wallet_and_explains_change(
    line: Line, lang: str
) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    text = whole(dialer, dialer.send("5"))
    assert "Viettel Money 09******78" in text
    assert t(lang, "wallet.unverified") in text
    info = whole(dialer, dialer.send("2"))
    assert HOTLINE in info


def test_wallet_code_says_not_available_until_otp_ships(
    line: Line, lang: str
) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("5")
    prompt = dialer.send("1")
    assert t(lang, "wallet.code_prompt") in prompt.text
    reply = dialer.send("123456")
    assert reply.end and reply.text == t(lang, "code.not_available", hotline=HOTLINE)
    assert line.codes_seen() == ["123456"]


def test_wallet_code_verifies_once_the_port_supports_it(line: Line) -> None:
    code = line.arm_wallet_code()
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("5", "1")
    wrong = dialer.send("111111" if code != "111111" else "222222")
    assert not wrong.end and wrong.text.startswith(t("vi", "code.wrong"))
    assert dialer.send("12ab").text.startswith(t("vi", "invalid"))
    ok = dialer.send(code)
    assert ok.end and ok.text == t("vi", "wallet.code_ok")


@pytest.mark.parametrize(("choice", "new_lang"), [("1", "vi"), ("2", "vi_accented"), ("3", "en")])
def test_choosing_a_language_switches_now_and_is_remembered(
    line: Line, lang: str, choice: str, new_lang: str
) -> None:
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("6")
    reply = dialer.send(choice)
    assert reply.text.startswith(f"1 {t(new_lang, 'main.entitlement')}")
    assert line.port.language(SINGLE) == new_lang
    later = line.dialer(SINGLE, "ATUid_2").dial()
    assert later.text.startswith(f"1 {t(new_lang, 'main.entitlement')}")


def test_a_caregiver_first_picks_the_person_by_masked_name(line: Line, lang: str) -> None:
    dialer = line.dialer(CAREGIVER)
    first = dialer.dial()
    assert f"1 {line.names['b2']}" in first.text and f"2 {line.names['b3']}" in first.text
    menu = dialer.send("1")
    assert menu.text.startswith(f"1 {t(lang, 'main.entitlement')}")
    text = whole(dialer, dialer.send("1"))
    assert catalogs.money(lang, 500_000) in text
    assert t(lang, "status.pending") in text


def test_a_caregiver_goes_back_from_the_main_menu_to_pick_someone_else(
    line: Line,
) -> None:
    dialer = line.dialer(CAREGIVER)
    dialer.dial()
    dialer.send("2")  # Le*** V** Cu has no data at all
    text = whole(dialer, dialer.send("1"))
    assert t("vi", "ent.none", hotline=HOTLINE) in text
    picker = dialer.send("00", "0")
    assert f"1 {line.names['b2']}" in picker.text


def test_an_unknown_phone_ends_with_the_hotline_and_learns_nothing(
    line: Line, redis_client: object
) -> None:
    reply = line.dialer(UNKNOWN).dial()
    assert reply.end
    assert reply.text == t("vi", "unknown_phone", hotline=HOTLINE)
    assert fits_screen(reply.text)
    assert not line.problems() and not line.sms()


def test_an_unknown_phone_dialling_a_prefilled_code_learns_nothing(line: Line) -> None:
    reply = line.dialer(UNKNOWN).dial("1*3")
    assert reply.end and reply.text == t("vi", "unknown_phone", hotline=HOTLINE)
