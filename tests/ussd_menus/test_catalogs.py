"""Catalogs are complete in every language and every static screen fits its limit."""

from __future__ import annotations

import string
from datetime import date

import pytest

from ussd_menus import catalogs
from ussd_menus.engine import UssdEngine, static_text_problems
from ussd_menus.gsm7 import is_gsm7
from ussd_menus.menus import SCREENS
from ussd_menus.port import PaymentStatus
from ussd_menus.screens import GraphError, Kind, Option, Screen


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_every_language() -> None:
    keys = set(catalogs.CATALOGS["vi"])
    for lang, cat in catalogs.CATALOGS.items():
        assert set(cat) == keys, lang


def test_every_language_fills_the_same_placeholders() -> None:
    for key, template in catalogs.CATALOGS["vi"].items():
        for lang, cat in catalogs.CATALOGS.items():
            assert _fields(cat[key]) == _fields(template), (lang, key)


def test_every_payment_status_is_translated() -> None:
    for status in PaymentStatus:
        for cat in catalogs.CATALOGS.values():
            assert f"status.{status.value}" in cat


def test_unaccented_languages_stay_in_gsm7() -> None:
    for lang in ("vi", "en"):
        for key, template in catalogs.CATALOGS[lang].items():
            assert is_gsm7(template), (lang, key)


def test_every_static_screen_fits_one_page_in_every_language() -> None:
    assert static_text_problems(SCREENS) == []


def test_money_dates_and_months_use_the_vietnamese_formats() -> None:
    assert catalogs.money("vi", 1_250_000) == "1.250.000 d"
    assert catalogs.money("vi_accented", 1_250_000) == "1.250.000 đ"
    assert catalogs.money("en", 1_250_000) == "1.250.000 VND"
    assert catalogs.money("vi", 500) == "500 d"
    assert catalogs.day(date(2026, 6, 5)) == "05/06/2026"
    assert catalogs.month(date(2026, 6, 5)) == "06/2026"


def test_unknown_programme_codes_are_shown_plain() -> None:
    assert catalogs.programme("vi", "Hỗ trợ lũ") == "Ho tro lu"
    assert catalogs.programme("vi_accented", "Hỗ trợ lũ") == "Hỗ trợ lũ"


def test_unknown_language_codes_fall_back_to_unaccented_vietnamese() -> None:
    assert catalogs.normalise_language("fr") == "vi"
    assert catalogs.normalise_language(None) == "vi"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Screen("main", Kind.MENU, options=(Option("main.history", "nowhere"),)), "unknown"),
        (Screen("main", Kind.MENU, options=(Option("no.such.key", "main"),)), "missing in vi"),
        (Screen("main", Kind.MENU, options=(Option("main.history", "main", "nope"),)), "action"),
        (Screen("main", Kind.MENU), "options"),
        (Screen("main", Kind.INFO, secret=True), "secret"),
    ],
)
def test_a_broken_graph_is_refused_at_load(port: object, bad: Screen, message: str) -> None:
    screens = {**SCREENS, "main": bad}
    with pytest.raises(GraphError, match=message):
        UssdEngine(port, store=None, screens=screens)  # type: ignore[arg-type]


def test_rate_limit_replies_fit_one_screen_and_one_sms_in_every_language() -> None:
    for lang in catalogs.LANGUAGES:
        assert len(catalogs.text(lang, "ussd.too_fast")) <= 160, lang
        assert len(catalogs.text(lang, "sms.too_many")) <= 160, lang
    assert is_gsm7(catalogs.text("vi", "sms.too_many"))
    # The accented copy is accented (it was once the unaccented text copied).
    assert catalogs.text("vi_accented", "sms.too_many") != catalogs.text("vi", "sms.too_many")
    assert not is_gsm7(catalogs.text("vi_accented", "sms.too_many"))


def test_every_notice_fits_one_sms_with_the_longest_values() -> None:
    name = "N* T* M* K* L* H* "[:18]  # gateway.channels.notices.NAME_MAX
    for lang in ("vi", "en"):  # notices go unaccented (vi) or in English
        longest = {"head": catalogs.text(lang, "notice.head_for", name=name),
                   "amount": catalogs.money(lang, 9_999_999), "month": "12/2026",
                   "wallet": "091****678", "shortcode": "8088", "ussd": "*384*12#",
                   "hotline": "1900 0000", "date": "05/12/2026"}
        for key in catalogs.CATALOGS[lang]:
            if key.startswith("notice.") and key not in ("notice.head", "notice.head_for"):
                text = catalogs.text(lang, key, **longest)
                assert len(text) <= 160 and is_gsm7(text), (lang, key, len(text))
