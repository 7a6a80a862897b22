"""Program names come from the port (the program's record) and are fitted to the screen."""

from __future__ import annotations

from datetime import date

import pytest
import redis

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import MONTHLY, SINGLE, FakePort
from ussd_menus import catalogs
from ussd_menus.catalogs import PROGRAM_NAME_MAX, program_name
from ussd_menus.engine import UssdEngine
from ussd_menus.gsm7 import fits_screen, is_gsm7
from ussd_menus.port import Entitlement, PaymentStatus, Person, ProgramName
from ussd_menus.session import RedisSessionStore

FLOOD = ProgramName(
    "Hỗ trợ khẩn cấp khắc phục hậu quả thiên tai, lũ lụt và sạt lở đất năm 2027 cho hộ nghèo",
    "Emergency support after the floods and landslides of 2027 for poor households")
LANGS = list(catalogs.LANGUAGES)


def test_the_record_text_is_shown_in_each_language() -> None:
    assert program_name("vi_accented", MONTHLY) == "Trợ cấp xã hội hằng tháng"  # "hằng"
    assert program_name("vi", MONTHLY) == "Tro cap xa hoi hang thang"
    assert program_name("en", MONTHLY) == "Monthly social assistance"


def test_a_program_with_no_english_name_is_shown_in_vietnamese_without_accents() -> None:
    assert program_name("en", ProgramName("Hỗ trợ chi phí mai táng", "")) == (
        "Ho tro chi phi mai tang")


def test_long_names_are_cut_after_a_word_with_three_dots() -> None:
    assert program_name("vi_accented", FLOOD) == "Hỗ trợ khẩn cấp khắc phục hậu..."
    assert program_name("vi", FLOOD) == "Ho tro khan cap khac phuc hau..."
    assert program_name("en", FLOOD) == "Emergency support after the..."
    # One endless word is cut inside it rather than shown as three dots alone.
    assert program_name("en", ProgramName("x", "y" * 100)) == "y" * (PROGRAM_NAME_MAX - 3) + "..."
    # Spaces and newlines a record may hold are one space on screen.
    assert program_name("en", ProgramName("x", " Flood\n relief  ")) == "Flood relief"
    for lang in LANGS:
        shown = program_name(lang, FLOOD)
        assert len(shown) <= PROGRAM_NAME_MAX
        assert is_gsm7(shown) == (lang != "vi_accented")  # "…" would force UCS-2


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", list(PaymentStatus))
def test_a_long_name_leaves_the_screen_valid_and_the_name_on_one_page(
        redis_client: redis.Redis, lang: str, status: PaymentStatus) -> None:
    amount = 99_999_999_999
    port = FakePort(phones={SINGLE: [Person("b1", "Ng*** V** An")]}, languages={SINGLE: lang},
                    entitlements={"b1": Entitlement(FLOOD, amount, date(2026, 12, 1), status,
                                                    date(2026, 12, 28))})
    store = RedisSessionStore(redis_client, ttl_seconds=300, resume_seconds=180)
    dialer = Dialer(UssdEngine(port, store), SINGLE)
    dialer.dial()
    first = dialer.send("1")
    assert first.text.startswith(program_name(lang, FLOOD) + "\n")
    pages = [first.text]
    while f"98 {catalogs.text(lang, 'nav.more')}" in pages[-1]:
        pages.append(dialer.send("98").text)
    assert all(fits_screen(page) for page in pages)
    whole = "\n".join(pages)
    assert catalogs.money(lang, amount) in whole and "28/12/2026" in whole
    if lang != "vi_accented":  # GSM 7-bit: everything on the first page
        assert len(pages) == 1
