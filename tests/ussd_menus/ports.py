"""The same callers on both ports: the in-memory ``FakePort`` and the database's ``DbPort``.

A journey specification talks to a ``Line``: the engine on one port, the callers' phones and
people, and what the port recorded (confirmations, complaints, SMS, typed codes). ``FakeLine``
reads the fake's dicts; ``DbLine`` seeds a real app (database and Redis) with the same people
and payments through the scenario library, and reads the rows the gateway wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import SmsKind, SmsMessage
from gateway.channels.port import DbPort
from gateway.complaints.models import Complaint
from gateway.db import get_db
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.pins.models import BeneficiaryPin
from gateway.pins.service import choose_pin, repeat_pin
from gateway.redis_conn import get_redis
from gateway.registry.models import Beneficiary, WalletLink
from gateway.rosters.importer import ImportSettings, import_roster
from gateway.rosters.source import memory_source
from gateway.wallets.service import wallet_verification
from otp.pin import verify_pin as pin_matches
from tests.support.scenario import HEADER, make_cycle, payment_ids
from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import CAREGIVER, HOTLINE, SINGLE, UNKNOWN, FakePort, demo_port
from ussd_menus import catalogs
from ussd_menus.engine import Reply, UssdEngine
from ussd_menus.port import PinChange, ProblemKind
from ussd_menus.session import RedisSessionStore

# The people of ``demo_port`` as roster rows: b1 (SINGLE) is owed 1.250.000 a month and was
# paid January to August 2026; b2 and b3 are cared for by CAREGIVER: b2 owed 500.000 for
# August, not yet sent; b3 enrolled only from 2027, so nothing is owed today.
DEMO_PEOPLE = {
    "b1": ["Nguyễn Văn An", "01/05/1948", "Nam", "046048333444", "0912345678", "19753",
           "KT_DBN_TE_NCT", "", "01/2022", "", "", "H1"],
    "b2": ["Trần Thị Ba", "04/03/1940", "Nữ", "046140123456", "0903000001", "19753",
           "NCT_80", "", "01/2022", "", "", "H2"],
    "b3": ["Lê Văn Cu", "20/02/1941", "Nam", "046041111222", "0903000002", "19753",
           "NCT_80", "", "01/2027", "", "", "H3"],
}
PAID_MONTHS = range(1, 9)  # January to August 2026, paid on the 10th
PIN_CODE = "5938"  # the PIN the journeys' callers have (DbPort always asks for one)


class Recording:
    """Pass every call to the port under test, keeping the wallet codes and PINs typed."""

    def __init__(self, port: Any) -> None:
        self.target = port
        self.codes_seen: list[str] = []
        self.pins_seen: list[str] = []

    def verify_wallet_code(self, ref: str, code: str) -> Any:
        """Record the code, then check it."""
        self.codes_seen.append(code)
        return self.target.verify_wallet_code(ref, code)

    def choose_pin(self, ref: str, pin: str) -> Any:
        """Record the PIN, then take it."""
        self.pins_seen.append(pin)
        return self.target.choose_pin(ref, pin)

    def repeat_pin(self, ref: str, pin: str) -> Any:
        """Record the PIN, then take it."""
        self.pins_seen.append(pin)
        return self.target.repeat_pin(ref, pin)

    def verify_pin(self, ref: str, pin: str) -> Any:
        """Record the PIN, then check it."""
        self.pins_seen.append(pin)
        return self.target.verify_pin(ref, pin)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


@dataclass
class FakeLine:
    """The journeys on ``demo_port``."""

    store: RedisSessionStore
    port: FakePort = field(default_factory=demo_port)
    name = "fake"

    def __post_init__(self) -> None:
        self.engine = UssdEngine(self.port, self.store)
        self.refs = {"b1": "b1", "b2": "b2", "b3": "b3"}
        self.names = {p.ref: p.masked_name for people in self.port.phones.values()
                      for p in people}

    def dialer(self, phone: str, session_id: str = "ATUid_1") -> Dialer[Reply]:
        """Start a session from ``phone``."""
        return Dialer(self.engine, phone, session_id)

    def confirmed(self) -> set[str]:
        """Return the people (b1, b2, b3) whose payment was confirmed."""
        return set(self.port.confirmed)

    def problems(self) -> list[tuple[str, ProblemKind, str | None]]:
        """Return the complaints filed: (person, kind, note), oldest first."""
        return list(self.port.problems)

    def tickets(self) -> list[str]:
        """Return the complaint tickets, oldest first."""
        return [f"KN-{i:05d}" for i in range(1, len(self.port.problems) + 1)]

    def sms(self) -> list[tuple[str, str]]:
        """Return the ticket SMS queued: (phone, text), oldest first."""
        return list(self.port.sms)

    def codes_seen(self) -> list[str]:
        """Return the wallet codes typed, in order."""
        return list(self.port.codes_seen)

    def arm_wallet_code(self) -> str:
        """Make wallet codes checkable; return the code the wallet phone received."""
        self.port.wallet_code = "654321"
        return "654321"

    def require_pin(self, key: str) -> None:
        """Make ``key`` choose a PIN before protected screens open (DbPort always does)."""
        self.port.pins.setdefault(self.refs[key], "")

    def give_pin(self, key: str, pin: str) -> None:
        """Let ``key`` have chosen ``pin`` already."""
        self.port.pins[self.refs[key]] = pin

    def pin_is(self, key: str, pin: str) -> bool:
        """Tell whether ``key``'s saved PIN is ``pin`` ("": none saved)."""
        return (self.port.pins.get(self.refs[key]) or "") == pin

    def pin_pending(self, key: str) -> bool:
        """Tell whether a first entry of a new PIN waits for its repeat."""
        return self.refs[key] in self.port.pending_pins

    def pin_failures(self, key: str) -> int:
        """Return the wrong PIN tries in a row."""
        return self.port.pin_failures.get(self.refs[key], 0)

    def pins_seen(self) -> list[str]:
        """Return every PIN the port was given, in order."""
        return list(self.port.pins_seen)


class DbLine:
    """The journeys on ``DbPort`` over a real app, seeded with ``demo_port``'s people."""

    name = "db"

    def __init__(self, app: Flask, store: RedisSessionStore, pin: str | None = PIN_CODE) -> None:
        """Seed ``app``; with ``pin``, everyone has that PIN and the dialer types it when asked."""
        self.app, self.pin = app, pin
        self.refs = _seed(app)
        self.port = Recording(self._db_port(wallets=False))
        self.engine = UssdEngine(self.port, store)
        by_ref = {ref: key for key, ref in self.refs.items()}
        self.names = {by_ref[p.ref]: p.masked_name for phone in (SINGLE, CAREGIVER)
                      for p in self.port.people_for_phone(phone)}
        for key in self.refs if pin else ():
            self.give_pin(key, pin)

    def _db_port(self, *, wallets: bool) -> DbPort:
        app = self.app
        return DbPort(get_db(app), get_pii(app), get_redis(app), hotline=HOTLINE,
                      province_code="46", wallets=wallet_verification(app) if wallets else None)

    def dialer(self, phone: str, session_id: str = "ATUid_1") -> Dialer[Reply]:
        """Start a session from ``phone``."""
        if self.pin:
            return PinDialer(self.engine, phone, session_id, self.pin)
        return Dialer(self.engine, phone, session_id)

    def _people(self) -> dict[int, str]:
        with get_db(self.app).sessionmaker() as s:
            rows = dict(s.execute(sa.select(Beneficiary.id, Beneficiary.ref)).all())
        by_ref = {ref: key for key, ref in self.refs.items()}
        return {i: by_ref[ref] for i, ref in rows.items() if ref in by_ref}

    def confirmed(self) -> set[str]:
        """Return the people (b1, b2, b3) whose payment was confirmed."""
        people = self._people()
        with get_db(self.app).sessionmaker() as s:
            ids = s.scalars(sa.select(Payment.beneficiary_id).where(
                Payment.state == PaymentState.CONFIRMED.value))
            return {people[i] for i in ids}

    def _complaints(self) -> list[Complaint]:
        with get_db(self.app).sessionmaker() as s:
            rows = list(s.scalars(sa.select(Complaint).order_by(Complaint.id)))
            for row in rows:
                s.expunge(row)
            return rows

    def problems(self) -> list[tuple[str, ProblemKind, str | None]]:
        """Return the complaints filed: (person, kind, note), oldest first."""
        people, codec = self._people(), get_pii(self.app)
        return [(people[c.beneficiary_id], ProblemKind(c.kind),
                 codec.open("complaint", "note", c.ticket, c.note_enc) if c.note_enc else None)
                for c in self._complaints()]

    def tickets(self) -> list[str]:
        """Return the complaint tickets, oldest first."""
        return [c.ticket for c in self._complaints()]

    def sms(self) -> list[tuple[str, str]]:
        """Return the ticket SMS queued: (phone, text), oldest first."""
        codec = get_pii(self.app)
        with get_db(self.app).sessionmaker() as s:
            rows = s.scalars(sa.select(SmsMessage).where(SmsMessage.kind == SmsKind.TICKET.value)
                             .order_by(SmsMessage.id))
            return [(codec.open("sms_message", "phone", m.ref, m.phone_enc), m.body) for m in rows]

    def codes_seen(self) -> list[str]:
        """Return the wallet codes typed, in order."""
        return list(self.port.codes_seen)

    def arm_wallet_code(self) -> str:
        """Open wallet verification and send b1's wallet phone a code; return that code."""
        from tests.wallets.helpers import received_code

        self.port.target = self._db_port(wallets=True)
        assert self.port.target.send_wallet_code(self.refs["b1"]).value == "sent"
        return received_code(self.app)

    def require_pin(self, key: str) -> None:
        """Make ``key`` choose a PIN before protected screens open: DbPort always does."""

    def give_pin(self, key: str, pin: str) -> None:
        """Let ``key`` have chosen ``pin`` already."""
        with get_db(self.app).session() as s:
            ref = self.refs[key]
            person_id = s.scalar(sa.select(Beneficiary.id).where(Beneficiary.ref == ref))
            assert choose_pin(s, person_id, pin) is PinChange.ACCEPTED
            assert repeat_pin(s, person_id, pin, actor="ussd:beneficiary",
                              subject_ref=ref) is PinChange.SAVED

    def _pin_row(self, key: str) -> BeneficiaryPin | None:
        with get_db(self.app).sessionmaker() as s:
            row = s.scalar(sa.select(BeneficiaryPin).join(
                Beneficiary, Beneficiary.id == BeneficiaryPin.beneficiary_id)
                .where(Beneficiary.ref == self.refs[key]))
            if row is not None:
                s.expunge(row)
            return row

    def pin_is(self, key: str, pin: str) -> bool:
        """Tell whether ``key``'s saved PIN is ``pin`` ("": none saved)."""
        row = self._pin_row(key)
        stored = row.pin_hash if row else None
        return stored is None if not pin else stored is not None and pin_matches(pin, stored)

    def pin_pending(self, key: str) -> bool:
        """Tell whether a first entry of a new PIN waits for its repeat."""
        row = self._pin_row(key)
        return row is not None and row.pending_hash is not None

    def pin_failures(self, key: str) -> int:
        """Return the wrong PIN tries in a row."""
        row = self._pin_row(key)
        return row.failed_attempts if row else 0

    def pins_seen(self) -> list[str]:
        """Return every PIN the port was given, in order."""
        return list(self.port.pins_seen)


class PinDialer(Dialer[Reply]):
    """A dialer that types the PIN DbPort asks for, as a caller who has one would."""

    def __init__(self, engine: UssdEngine, phone: str, session_id: str, pin: str) -> None:
        super().__init__(engine, phone, session_id)
        self.pin = pin

    def _prompted(self, reply: Reply) -> bool:
        return any(reply.text.startswith(catalogs.text(lang, "pin.prompt"))
                   for lang in catalogs.LANGUAGES)

    def dial(self, prefill: str = "") -> Reply:
        """Open the session, then type the PIN if it is asked for at once."""
        reply = super().dial(prefill)
        return super().send(self.pin) if self._prompted(reply) else reply

    def send(self, *values: str) -> Reply:
        """Type the answers, then the PIN whenever it is asked for."""
        for value in values:
            reply = super().send(value)
            if self._prompted(reply):
                reply = super().send(self.pin)
        return reply


def _seed(app: Flask) -> dict[str, str]:
    """Import ``DEMO_PEOPLE``, pay b1 for ``PAID_MONTHS`` and leave b2's August unsent."""
    codec = get_pii(app)
    db = get_db(app)
    with app.app_context(), db.sessionmaker() as s:
        report = import_roster(
            s, codec, memory_source("demo", HEADER, list(DEMO_PEOPLE.values())),
            ImportSettings(providers=["viettelmoney"], province_code="46",
                           today=date(2026, 1, 1)))
        assert report.rejected == 0, report.issues
        refs = {key: s.scalar(sa.select(Beneficiary.ref).where(
            Beneficiary.citizen_id_bidx == codec.citizen_id_index(row[3])))
            for key, row in DEMO_PEOPLE.items()}
    with db.session() as s:
        for key in ("b2", "b3"):
            person = s.scalar(sa.select(Beneficiary).where(Beneficiary.ref == refs[key]))
            person.rep_phone_enc = codec.seal("beneficiary", "rep_phone", person.ref, CAREGIVER)
            person.rep_phone_bidx = codec.phone_index(CAREGIVER)
    for month in PAID_MONTHS:
        ref = make_cycle(app, period=date(2026, month, 1),
                         payment_date=date(2026, month, 10)).ref
        with db.session() as s:
            for pid in payment_ids(app, ref):
                owner = s.scalar(sa.select(Beneficiary.ref).join(
                    Payment, Payment.beneficiary_id == Beneficiary.id).where(Payment.id == pid))
                if owner == refs["b1"]:
                    assert transition(s, pid, PaymentState.SENDING)
                    assert transition(s, pid, PaymentState.SUCCEEDED)
                    s.execute(sa.update(Payment).where(Payment.id == pid)
                              .values(final_at=datetime(2026, month, 10, 3)))
    with db.session() as s:
        s.execute(sa.update(WalletLink).values(verified=False))
    return refs


__all__ = ["CAREGIVER", "HOTLINE", "SINGLE", "UNKNOWN", "DbLine", "FakeLine", "PIN_CODE"]
