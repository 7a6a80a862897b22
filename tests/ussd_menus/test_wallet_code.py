"""Menu 5 and SMS XT with a fake port: asking for a wallet code, and every outcome's words."""

from __future__ import annotations

import pytest

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import HOTLINE, SINGLE, FakePort
from ussd_menus import catalogs
from ussd_menus.engine import UssdEngine
from ussd_menus.gsm7 import fits_screen
from ussd_menus.port import CodeResult, CodeSend, WalletStatus
from ussd_menus.sms import SmsResponder

LANGS = list(catalogs.LANGUAGES)


def t(lang: str, key: str, **values: object) -> str:
    if key in catalogs.HOTLINE_KEYS:
        values.setdefault("hotline", HOTLINE)
    return catalogs.text(lang, key, **values)


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest, port: FakePort) -> str:
    port.languages[SINGLE] = request.param
    return str(request.param)


def at_wallet(engine: UssdEngine) -> Dialer:
    dialer = Dialer(engine, SINGLE)
    dialer.dial()
    dialer.send("5")
    return dialer


def test_with_no_code_waiting_the_menu_offers_to_send_one(
        engine: UssdEngine, port: FakePort, lang: str) -> None:
    port.code_pending = False
    port.wallet_code = "654321"
    dialer = at_wallet(engine)
    offer = dialer.send("1")
    assert offer.text.startswith(t(lang, "wallet.no_code")) and fits_screen(offer.text)
    prompt = dialer.send("1")
    assert prompt.text.startswith(t(lang, "wallet.code_sent")) and not prompt.end
    assert port.codes_sent == ["b1"]
    done = dialer.send("654321")
    assert done.end and done.text == t(lang, "wallet.code_ok")


@pytest.mark.parametrize(("result", "key"), [
    (CodeSend.WAIT, "wallet.code_wait"), (CodeSend.TOO_MANY, "wallet.code_limit"),
    (CodeSend.SIM_SWAP, "wallet.sim_swap"), (CodeSend.ALREADY_VERIFIED, "wallet.already"),
    (CodeSend.NO_WALLET, "wallet.none"), (CodeSend.NOT_AVAILABLE, "code.not_available")])
def test_every_refusal_to_send_ends_with_its_reason(
        engine: UssdEngine, port: FakePort, lang: str, result: CodeSend, key: str) -> None:
    port.send_result = result
    reply = at_wallet(engine).send("3")  # "get a new code"
    assert reply.end and reply.text == t(lang, key) and fits_screen(reply.text)


def test_a_verified_wallet_is_not_asked_for_a_code(engine: UssdEngine, port: FakePort,
                                                   lang: str) -> None:
    port.wallets["b1"] = WalletStatus("Viettel Money", "09******78", verified=True)
    reply = at_wallet(engine).send("1")
    assert reply.end and reply.text == t(lang, "wallet.already")


def test_a_sim_swap_noticed_at_the_code_ends_with_its_reason(
        engine: UssdEngine, port: FakePort, lang: str) -> None:
    port.verify_wallet_code = lambda ref, code: CodeResult.SIM_SWAP  # type: ignore[method-assign]
    dialer = at_wallet(engine)
    dialer.send("1")
    reply = dialer.send("123456")
    assert reply.end and reply.text == t(lang, "wallet.sim_swap")


@pytest.mark.parametrize(("result", "key"), [
    (CodeSend.SENT, "sms.xt_sent"), (CodeSend.WAIT, "wallet.code_wait"),
    (CodeSend.SIM_SWAP, "wallet.sim_swap"), (CodeSend.ALREADY_VERIFIED, "wallet.already")])
def test_sms_xt_alone_asks_for_a_code(port: FakePort, lang: str, result: CodeSend,
                                      key: str) -> None:
    port.send_result = result
    assert SmsResponder(port).reply(SINGLE, "XT") == t(lang, key)
    assert port.codes_sent == ["b1"] and port.codes_seen == []


def test_the_code_sms_fits_one_message_in_every_language() -> None:
    from ussd_menus.gsm7 import length, sms_limit_for

    for lang in LANGS:
        text = catalogs.text(lang, "sms.otp", code="123456", minutes=5)
        assert "123456" in text and length(text) <= sms_limit_for(text), lang
