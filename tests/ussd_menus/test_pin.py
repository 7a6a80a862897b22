"""The USSD PIN in the menus: chosen at first use, asked once a session, locked after 3 tries.

The journeys run on both ports (``line``: FakePort, and DbPort over a real app).
"""

from __future__ import annotations

import logging

import pytest
import redis

from tests.ussd_menus.ports import CAREGIVER, HOTLINE, SINGLE, DbLine, FakeLine
from ussd_menus import catalogs
from ussd_menus.menus import PIN, PIN_NEW, PIN_REPEAT, SCREENS
from ussd_menus.render import paginate
from ussd_menus.screens import BACK, HOME

PIN_CODE = "5938"
Line = FakeLine | DbLine


def t(lang: str, key: str, **values: object) -> str:
    return catalogs.text(lang, key, **values)


def _redis_dump(client: redis.Redis) -> bytes:
    """Every key and value of the test database, as one blob to search."""
    return b"\n".join(key + b"=" + (client.get(key) or b"") for key in client.scan_iter("*"))


@pytest.fixture
def line_pin() -> None:
    """Nobody has a PIN yet: each test says who has which."""
    return None


@pytest.fixture
def fresh(line: Line) -> Line:
    """Callers where b1 must choose a PIN before protected screens open."""
    line.require_pin("b1")
    return line


def test_first_protected_screen_asks_to_choose_and_repeat_a_pin(
    fresh: Line
) -> None:
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    assert dialer.send("3").text.startswith(t("vi", "pin.new"))
    assert dialer.send(PIN_CODE).text.startswith(t("vi", "pin.repeat"))
    history = dialer.send(PIN_CODE)
    assert history.text.startswith(t("vi", "pin.saved") + "\n" + t("vi", "history.title"))
    assert fresh.pin_is("b1", PIN_CODE)
    dialer.send("0")
    assert dialer.send("5").text.startswith("Vi: Viettel Money")  # proved once this session


@pytest.mark.parametrize("weak", ["0000", "1234", "4321", "1212", "2580"])
def test_a_guessable_pin_is_refused_with_a_reason(
    fresh: Line, weak: str
) -> None:
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    dialer.send("3")
    reply = dialer.send(weak)
    assert reply.text.startswith(t("vi", "pin.weak") + "\n" + t("vi", "pin.new"))
    assert fresh.pin_is("b1", "") and not fresh.pin_pending("b1")


def test_a_repeat_that_differs_starts_the_choice_again(
    fresh: Line
) -> None:
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    dialer.send("2", PIN_CODE)
    reply = dialer.send("5939")
    assert reply.text.startswith(t("vi", "pin.mismatch") + "\n" + t("vi", "pin.new"))
    assert fresh.pin_is("b1", "")
    dialer.send(PIN_CODE)
    assert t("vi", "confirm.question") in dialer.send(PIN_CODE).text


def test_letters_or_three_digits_are_not_a_pin(fresh: Line) -> None:
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    dialer.send("3")
    for bad in ("593", "59381", "abcd", "٥٩٣٨"):  # the last: Arabic-Indic digits
        assert dialer.send(bad).text.startswith(t("vi", "invalid") + "\n" + t("vi", "pin.new"))
    assert fresh.pins_seen() == []


def test_back_from_the_repeat_returns_to_the_menu_without_a_pin(
    fresh: Line
) -> None:
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    dialer.send("3", PIN_CODE)
    assert dialer.send(BACK).text.startswith("1 " + t("vi", "main.entitlement"))
    assert fresh.pin_is("b1", "")
    assert dialer.send("3").text.startswith(t("vi", "pin.new"))


def test_wrong_pins_count_down_then_lock_with_the_hotline(
    line: Line
) -> None:
    line.give_pin("b1", PIN_CODE)
    dialer = line.dialer(SINGLE)
    dialer.dial()
    assert dialer.send("3").text.startswith(t("vi", "pin.prompt"))
    first = dialer.send("1111")
    assert first.text.startswith(t("vi", "pin.wrong_left", tries=2) + "\n" + t("vi", "pin.prompt"))
    assert dialer.send("2222").text.startswith(t("vi", "pin.wrong_left", tries=1))
    locked = dialer.send("3333")
    assert locked.end and locked.text == t("vi", "pin.locked", hotline=HOTLINE)


def test_the_lock_outlasts_the_session_and_the_right_pin(
    line: Line
) -> None:
    line.give_pin("b1", PIN_CODE)
    first = line.dialer(SINGLE, "ATUid_1")
    first.dial()
    first.send("3", "1111", "2222", "3333")
    later = line.dialer(SINGLE, "ATUid_2")
    later.dial()
    locked = later.send("2")
    assert locked.end and locked.text == t("vi", "pin.locked", hotline=HOTLINE)
    assert line.port.verify_pin(line.refs["b1"], PIN_CODE).value == "locked"
    # Screens that need no PIN still work: the caller can see the entitlement and complain.
    again = line.dialer(SINGLE, "ATUid_3")
    again.dial()
    assert not again.send("1").end


def test_a_right_pin_clears_earlier_wrong_tries(line: Line) -> None:
    line.give_pin("b1", PIN_CODE)
    dialer = line.dialer(SINGLE)
    dialer.dial()
    dialer.send("3", "1111", "2222", PIN_CODE)
    assert line.pin_failures("b1") == 0


def test_a_dropped_choice_resumes_at_the_choice_not_the_repeat(
    fresh: Line
) -> None:
    old = fresh.dialer(SINGLE, "ATUid_1")
    old.dial()
    old.send("3", PIN_CODE)  # dropped while the repeat is asked
    new = fresh.dialer(SINGLE, "ATUid_2")
    new.dial()
    assert new.send("1").text.startswith(t("vi", "pin.new"))


def test_each_person_of_a_caregiver_has_their_own_pin(line: Line) -> None:
    line.require_pin("b2")
    line.give_pin("b3", "6941")
    dialer = line.dialer(CAREGIVER)
    dialer.dial()
    dialer.send("1")
    assert dialer.send("3").text.startswith(t("vi", "pin.new"))
    dialer.send("7205", "7205")
    dialer.send(HOME, BACK, "2")
    assert dialer.send("3").text.startswith(t("vi", "pin.prompt"))
    assert line.pin_is("b2", "7205") and line.pin_is("b3", "6941") and line.pin_is("b1", "")
    if isinstance(line, FakeLine):
        assert line.port.pins == {"b2": "7205", "b3": "6941"}  # b1 needs no PIN at all


@pytest.mark.parametrize("lang", list(catalogs.LANGUAGES))
def test_choosing_and_using_a_pin_in_every_language(
    fresh: Line, lang: str
) -> None:
    fresh.port.set_language(SINGLE, lang)
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    assert dialer.send("3").text.startswith(t(lang, "pin.new"))
    assert dialer.send("1111").text.startswith(t(lang, "pin.weak"))
    assert dialer.send(PIN_CODE).text.startswith(t(lang, "pin.repeat"))
    assert dialer.send(PIN_CODE).text.startswith(t(lang, "pin.saved"))
    dialer.send(HOME)  # hang up on the main menu: nothing to resume
    later = fresh.dialer(SINGLE, "ATUid_9")
    later.dial()
    assert later.send("3").text.startswith(t(lang, "pin.prompt"))
    assert later.send("8888").text.startswith(t(lang, "pin.wrong_left", tries=2))
    assert later.send(PIN_CODE).text.startswith(t(lang, "history.title"))


@pytest.mark.parametrize("lang", list(catalogs.LANGUAGES))
def test_pin_screens_fit_one_page_even_under_their_error_lines(lang: str) -> None:
    cat = catalogs.CATALOGS[lang]
    footer = [f"{BACK} {cat['nav.back']}", f"{HOME} {cat['nav.home']}"]
    heads = ["invalid", "pin.weak", "pin.mismatch", "pin.expired", "pin.wrong"]
    for sid in (PIN, PIN_NEW, PIN_REPEAT):
        for head in heads:
            lines = [cat[SCREENS[sid].title]]
            pages = paginate(lines, footer, "98", head=[t(lang, head)])
            assert len(pages) == 1, (lang, sid, head)
        wrong = [t(lang, "pin.wrong_left", tries=2)]
        assert len(paginate([cat["pin.prompt"]], footer, "98", head=wrong)) == 1


def test_pins_never_reach_redis_or_the_logs(
    fresh: Line, redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    dialer = fresh.dialer(SINGLE)
    dialer.dial()
    dialer.send("3", PIN_CODE, PIN_CODE, "0", "2")  # choose, repeat, look around
    other = fresh.dialer(SINGLE, "ATUid_2")
    other.dial(f"3*{PIN_CODE}")  # a PIN pre-filled in the dial string
    other.send("1111")
    assert fresh.pin_is("b1", PIN_CODE)
    dump = _redis_dump(redis_client)
    assert dump and PIN_CODE.encode() not in dump and b"1111" not in dump
    assert PIN_CODE not in caplog.text
