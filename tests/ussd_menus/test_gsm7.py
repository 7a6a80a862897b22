"""The GSM 03.38 helpers decide how many characters a screen may hold."""

from __future__ import annotations

from ussd_menus.gsm7 import fits_screen, is_gsm7, length, limit_for, sms_limit_for, strip_accents


def test_plain_latin_digits_and_newlines_are_gsm7() -> None:
    assert is_gsm7("1 Tien duoc huong\n98 Xem them @£$")
    assert limit_for("1 Tien duoc huong") == 182


def test_any_vietnamese_diacritic_forces_ucs2_and_the_80_limit() -> None:
    for text in ("Tiền", "đ", "Đ", "ư", "ơ", "Bạn"):
        assert not is_gsm7(text)
        assert limit_for(text) == 80


def test_the_few_accented_letters_in_the_gsm_alphabet_stay_gsm7() -> None:
    assert is_gsm7("è é ù ì ò à Ä Ö Ñ Ü")


def test_extension_characters_cost_two_septets() -> None:
    assert is_gsm7("€[]")
    assert length("€[]") == 6


def test_characters_outside_the_bmp_cost_two_ucs2_units() -> None:
    assert length("a😀") == 3


def test_the_prefix_is_budgeted_inside_the_limit() -> None:
    assert fits_screen("x" * 178)
    assert not fits_screen("x" * 179)
    assert fits_screen("đ" * 76)
    assert not fits_screen("đ" * 77)


def test_strip_accents_turns_vietnamese_into_plain_letters() -> None:
    assert strip_accents("Trợ cấp xã hội hàng tháng") == "Tro cap xa hoi hang thang"
    assert strip_accents("Đồng đ Ủy ban") == "Dong d Uy ban"
    assert is_gsm7(strip_accents("Nguyễn Thị Ánh Tuyết, Quảng Điền"))


def test_sms_limits_follow_the_encoding() -> None:
    assert sms_limit_for("TC") == 160
    assert sms_limit_for("Tiền") == 70
