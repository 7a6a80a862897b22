"""Whatever arrives, every reply is non-empty, continue-or-end, fits its screen, never raises."""

from __future__ import annotations

import itertools
import os
from datetime import date

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ussd_menus.fakes import CAREGIVER, SINGLE, UNKNOWN, FakePort, demo_port
from ussd_menus import catalogs
from ussd_menus.engine import Reply, UssdEngine
from ussd_menus.gsm7 import fits_screen
from ussd_menus.port import (
    Entitlement,
    PaymentLine,
    PaymentStatus,
    Person,
    ProgramName,
    WalletStatus,
)
from ussd_menus.session import RedisSessionStore

_ids = itertools.count()
SYSTEM_ERROR = catalogs.text("vi", "error.system")
PHONES = st.sampled_from([SINGLE, CAREGIVER, UNKNOWN])
LANGS = st.sampled_from(catalogs.LANGUAGES)
# Inputs a caller might type, mixed with anything at all.
TOKENS = st.one_of(
    st.sampled_from(["0", "00", "98", "1", "2", "3", "4", "5", "6", "7", "9", "", "1234"]),
    st.text(alphabet="0123456789", min_size=1, max_size=8),
    st.text(max_size=40),
)
RAW_TEXT = st.one_of(
    st.lists(TOKENS, max_size=12).map("*".join),
    st.text(max_size=300),
    st.text(alphabet="*1290", max_size=60),
)
SETTINGS = settings(
    max_examples=int(os.environ.get("USSD_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _check(reply: Reply) -> None:
    assert isinstance(reply.end, bool)
    assert reply.text.strip()
    assert fits_screen(reply.text), (len(reply.text), reply.text)
    # The engine turns exceptions into this END; the fake port never fails, so it means a bug.
    assert reply.text != SYSTEM_ERROR


def _engine(port: FakePort, client: redis.Redis) -> UssdEngine:
    return UssdEngine(port, RedisSessionStore(client))


@SETTINGS
@given(phone=PHONES, lang=LANGS, text=RAW_TEXT)
def test_any_first_hop_gets_a_valid_reply(
    redis_client: redis.Redis, phone: str, lang: str, text: str
) -> None:
    port = demo_port()
    port.languages[phone] = lang
    _check(_engine(port, redis_client).handle(f"P{next(_ids)}", phone, text))


@SETTINGS
@given(phone=PHONES, lang=LANGS, inputs=st.lists(TOKENS, min_size=1, max_size=25))
def test_any_sequence_of_answers_gets_valid_replies(
    redis_client: redis.Redis, phone: str, lang: str, inputs: list[str]
) -> None:
    port = demo_port()
    port.languages[phone] = lang
    port.pins["b2"] = "1234"
    engine, sid = _engine(port, redis_client), f"Q{next(_ids)}"
    reply = engine.handle(sid, phone, "")
    _check(reply)
    for n in range(1, len(inputs) + 1):
        if reply.end:
            break
        reply = engine.handle(sid, phone, "*".join(inputs[:n]))
        _check(reply)


@SETTINGS
@given(phone=PHONES, texts=st.lists(RAW_TEXT, min_size=1, max_size=10))
def test_any_sequence_of_raw_texts_on_one_session_gets_valid_replies(
    redis_client: redis.Redis, phone: str, texts: list[str]
) -> None:
    engine, sid = _engine(demo_port(), redis_client), f"R{next(_ids)}"
    for text in texts:
        _check(engine.handle(sid, phone, text))


NAMES = st.text(min_size=1, max_size=60)


@SETTINGS
@given(
    lang=LANGS,
    names=st.lists(NAMES, min_size=1, max_size=12),
    program=NAMES,
    provider=NAMES,
    amount=st.integers(min_value=0, max_value=10**12),
    inputs=st.lists(st.sampled_from(["1", "2", "3", "5", "98", "0", "00", "1", "7"]), max_size=12),
)
def test_any_port_data_still_fits_the_screen(
    redis_client: redis.Redis,
    lang: str,
    names: list[str],
    program: str,
    provider: str,
    amount: int,
    inputs: list[str],
) -> None:
    people = [Person(f"x{i}", name) for i, name in enumerate(names)]
    line = PaymentLine(date(2026, 5, 1), amount, PaymentStatus.SUCCEEDED, date(2026, 5, 10))
    port = FakePort(
        phones={SINGLE: people},
        languages={SINGLE: lang},
        entitlements={
            p.ref: Entitlement(ProgramName(program, program), amount, date(2026, 5, 1))
            for p in people
        },
        histories={p.ref: [line] * 6 for p in people},
        wallets={p.ref: WalletStatus(provider, names[0], verified=True) for p in people},
    )
    engine, sid = _engine(port, redis_client), f"D{next(_ids)}"
    _check(engine.handle(sid, SINGLE, ""))
    for n in range(1, len(inputs) + 1):
        reply = engine.handle(sid, SINGLE, "*".join(inputs[:n]))
        _check(reply)
        if reply.end:
            break
