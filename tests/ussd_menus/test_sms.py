"""SMS keywords reuse the catalogs and the port; vi replies fit one GSM-7 SMS."""

from __future__ import annotations

import pytest

from tests.ussd_menus.fakes import CAREGIVER, HOTLINE, SINGLE, UNKNOWN, FakePort
from ussd_menus import catalogs
from ussd_menus.gsm7 import SMS_GSM7_LIMIT, SMS_UCS2_LIMIT, is_gsm7, length
from ussd_menus.port import ProblemKind
from ussd_menus.sms import SmsResponder


def t(lang: str, key: str, **values: object) -> str:
    return catalogs.text(lang, key, **values)


@pytest.fixture
def sms(port: FakePort) -> SmsResponder:
    return SmsResponder(port)


def _one_gsm7_sms(text: str) -> bool:
    return is_gsm7(text) and length(text) <= SMS_GSM7_LIMIT


@pytest.mark.parametrize("message", ["TC", "tc", " Tc ", "TĆ", "tc."])
def test_tc_checks_the_entitlement_whatever_the_case_or_accents(
    sms: SmsResponder, message: str
) -> None:
    reply = sms.reply(SINGLE, message)
    assert "1.250.000 d/thang" in reply and "08/2026" in reply and "10/08/2026" in reply
    assert _one_gsm7_sms(reply)


def test_tc_for_a_caregiver_covers_each_person(sms: SmsResponder) -> None:
    reply = sms.reply(CAREGIVER, "TC")
    assert "Tr*** T** Ba: 500.000 d/thang" in reply
    assert "Le*** V** Cu" in reply
    assert _one_gsm7_sms(reply)
    assert "Le*** V** Cu" not in sms.reply(CAREGIVER, "TC 1")


def test_xn_confirms_receipt(sms: SmsResponder, port: FakePort) -> None:
    assert sms.reply(SINGLE, "xn") == t("vi", "confirm.done")
    assert sms.reply(SINGLE, "XN") == t("vi", "confirm.already")
    assert port.confirmed == {"b1"}


def test_xn_needs_the_pin_once_one_is_set(sms: SmsResponder, port: FakePort) -> None:
    port.pins["b1"] = "4827"
    assert sms.reply(SINGLE, "XN") == t("vi", "sms.xn_pin")
    assert sms.reply(SINGLE, "XN 4828") == t("vi", "pin.wrong_left", tries=2)
    assert port.confirmed == set()
    assert sms.reply(SINGLE, "xn 4827") == t("vi", "confirm.done")
    assert port.confirmed == {"b1"} and port.pin_failures["b1"] == 0


def test_xn_asks_to_choose_a_pin_on_ussd_first(sms: SmsResponder, port: FakePort) -> None:
    port.pins["b1"] = ""  # required, not chosen yet: SMS cannot choose one
    assert sms.reply(SINGLE, "XN 4827") == t("vi", "sms.pin_not_set")
    assert port.confirmed == set() and port.pins_seen == []


def test_wrong_pins_by_sms_lock_like_on_ussd(sms: SmsResponder, port: FakePort) -> None:
    port.pins["b1"] = "4827"
    assert sms.reply(SINGLE, "XN 1111") == t("vi", "pin.wrong_left", tries=2)
    assert sms.reply(SINGLE, "XN 2222") == t("vi", "pin.wrong_left", tries=1)
    assert sms.reply(SINGLE, "XN 3333") == t("vi", "pin.locked", hotline=HOTLINE)
    assert sms.reply(SINGLE, "XN 4827") == t("vi", "pin.locked", hotline=HOTLINE)
    assert port.confirmed == set()


def test_a_caregiver_sends_the_number_then_the_pin(sms: SmsResponder, port: FakePort) -> None:
    port.histories["b3"] = port.histories["b1"]
    port.pins.update({"b2": "5830", "b3": "6941"})
    assert sms.reply(CAREGIVER, "XN 2 5830") == t("vi", "pin.wrong_left", tries=2)
    assert sms.reply(CAREGIVER, "XN 2 6941") == t("vi", "confirm.done")
    assert port.confirmed == {"b3"}


@pytest.mark.parametrize("lang", ["vi", "vi_accented", "en"])
def test_pin_replies_by_sms_fit_one_message(lang: str) -> None:
    for key in ("sms.xn_pin", "sms.pin_not_set", "pin.wrong_left", "pin.locked"):
        text = t(lang, key, tries=2, hotline=HOTLINE)
        assert length(text) <= (SMS_GSM7_LIMIT if is_gsm7(text) else SMS_UCS2_LIMIT), key


def test_a_caregiver_must_say_which_person(sms: SmsResponder, port: FakePort) -> None:
    reply = sms.reply(CAREGIVER, "XN")
    assert "XN <so>" in reply and "1 Tr*** T** Ba" in reply and "2 Le*** V** Cu" in reply
    assert _one_gsm7_sms(reply)
    assert sms.reply(CAREGIVER, "XN 1") == t("vi", "confirm.none")
    sms.reply(CAREGIVER, "KN 2 chua thay tien")
    assert port.problems == [("b3", ProblemKind.OTHER, "chua thay tien")]


def test_kn_files_a_complaint_with_the_text_and_returns_the_ticket(
    sms: SmsResponder, port: FakePort
) -> None:
    reply = sms.reply(SINGLE, "kn Chưa nhận tiền tháng 8")
    assert reply == t("vi", "problem.sms", ticket="KN-00001", hotline=HOTLINE)
    assert port.problems == [("b1", ProblemKind.OTHER, "Chưa nhận tiền tháng 8")]
    assert _one_gsm7_sms(reply)


def test_kn_without_text_explains_how(sms: SmsResponder, port: FakePort) -> None:
    assert sms.reply(SINGLE, "KN") == t("vi", "sms.kn_empty")
    assert port.problems == []


def test_xt_passes_the_code_to_the_port_which_may_say_not_available(
    sms: SmsResponder, port: FakePort
) -> None:
    assert sms.reply(SINGLE, "XT 123456") == t("vi", "code.not_available", hotline=HOTLINE)
    port.wallet_code = "654321"
    assert sms.reply(SINGLE, "xt 654 321") == t("vi", "wallet.code_ok")
    assert sms.reply(SINGLE, "XT 111111") == t("vi", "code.wrong")
    assert sms.reply(SINGLE, "XT 12") == t("vi", "sms.xt_empty")


@pytest.mark.parametrize("message", ["HD", "hd", "", "hello", "???", "TCX", "1"])
def test_anything_else_gets_the_help_text(sms: SmsResponder, message: str) -> None:
    reply = sms.reply(SINGLE, message)
    assert reply == t("vi", "sms.help", hotline=HOTLINE)
    assert _one_gsm7_sms(reply)


def test_an_unknown_phone_gets_how_to_register_and_nothing_else(
    sms: SmsResponder, port: FakePort
) -> None:
    for message in ("TC", "XN", "KN ho tro", "XT 123456"):
        assert sms.reply(UNKNOWN, message) == t("vi", "unknown_phone", hotline=HOTLINE)
    assert not port.problems and not port.codes_seen


def test_every_vi_reply_fits_one_gsm7_sms(sms: SmsResponder, port: FakePort) -> None:
    port.wallet_code = "654321"
    messages = ["TC", "XN", "XN", "KN a", "KN", "XT 1", "XT 654321", "XT 111111", "HD"]
    for message in messages:
        assert _one_gsm7_sms(sms.reply(SINGLE, message)), message
    assert _one_gsm7_sms(sms.reply(UNKNOWN, "TC"))


def test_replies_follow_the_phones_language(sms: SmsResponder, port: FakePort) -> None:
    port.languages[SINGLE] = "en"
    assert sms.reply(SINGLE, "TC").startswith("Ng*** V** An: 1.250.000 VND/month")
    port.languages[SINGLE] = "vi_accented"
    assert "1.250.000 đ/tháng" in sms.reply(SINGLE, "TC")


def test_accented_replies_may_need_more_than_one_ucs2_sms(
    sms: SmsResponder, port: FakePort
) -> None:
    # Accented Vietnamese is UCS-2: 70 characters a part. Help and the entitlement check run over
    # and go as a 2-part message; that cost is why unaccented is the default.
    port.languages[SINGLE] = "vi_accented"
    help_text = sms.reply(SINGLE, "HD")
    assert not is_gsm7(help_text)
    assert SMS_UCS2_LIMIT < length(help_text) <= 2 * 67  # 67 per part once concatenated
    assert length(sms.reply(SINGLE, "XN")) <= SMS_UCS2_LIMIT
