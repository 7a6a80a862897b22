"""The database port on its own: what it reveals, what it records, what it refuses."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from gateway.audit.models import AuditEvent
from gateway.channels.language import PhoneLanguage
from gateway.channels.models import SmsMessage
from gateway.channels.port import DbPort
from gateway.db import get_db
from gateway.outbox import OutboxEvent
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.registry.models import WalletLink
from tests.channels.test_ussd import AN, pay
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from ussd_menus import CodeResult, ConfirmResult, PaymentStatus, ProblemKind


def port(app: Flask, channel: str = "ussd") -> DbPort:
    """Give the port as the telco adapter builds it."""
    return DbPort(get_db(app), get_pii(app), get_redis(app), hotline="1900 1234",
                  province_code="46", channel=channel)


def test_language_is_kept_by_blind_index_and_unknown_codes_are_ignored(app: Flask) -> None:
    p = port(app)
    assert p.language(AN) is None
    p.set_language(AN, "en")
    assert p.language(AN) == "en"
    assert get_redis(app).get(PhoneLanguage(get_pii(app), get_redis(app)).key(AN)) == b"en"
    p.set_language(AN, "fr")
    assert p.language(AN) == "en"


def test_unknown_refs_reveal_nothing(app: Flask) -> None:
    p = port(app)
    assert p.entitlement("nope") is None
    assert p.history("nope") == []
    assert p.latest_paid("nope") is None
    assert p.wallet_status("nope") is None
    assert p.confirm_receipt("nope") is ConfirmResult.NOTHING_TO_CONFIRM


def test_history_and_latest_paid_follow_the_payment(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    p = port(app)
    [ref] = [person.ref for person in p.people_for_phone(AN)]
    [line] = p.history(ref)
    assert (line.status, line.paid_on) == (PaymentStatus.PENDING, None)
    assert p.latest_paid(ref) is None
    pay(app, ids[0])
    paid = p.latest_paid(ref)
    assert paid is not None and paid.status is PaymentStatus.SUCCEEDED and paid.paid_on
    assert p.entitlement(ref).status is PaymentStatus.SUCCEEDED  # type: ignore[union-attr]


def test_confirmation_is_audited_without_personal_data(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    p = port(app, "sms")
    ref = p.people_for_phone(AN)[0].ref
    assert p.confirm_receipt(ref) is ConfirmResult.CONFIRMED
    assert p.confirm_receipt(ref) is ConfirmResult.ALREADY_CONFIRMED
    with get_db(app).sessionmaker() as s:
        event = s.scalars(sa.select(AuditEvent).where(AuditEvent.action == "payment.confirm")).one()
        assert event.actor == "sms:beneficiary"


def test_wallet_shows_provider_masked_phone_and_verification(app: Flask) -> None:
    refs = add_people(app, ["an"])
    status = port(app).wallet_status(refs["an"])
    assert status is not None
    assert (status.masked_account, status.verified) == ("09******78", False)
    with get_db(app).session() as s:
        s.execute(sa.delete(WalletLink))
    assert port(app).wallet_status(refs["an"]) is None


def test_codes_and_pins_wait_for_the_otp_feature(app: Flask) -> None:
    refs = add_people(app, ["an"])
    p = port(app)
    assert p.verify_wallet_code(refs["an"], "123456") is CodeResult.NOT_AVAILABLE
    assert p.hotline() == "1900 1234"


def test_complaint_and_its_sms_are_staged_never_sent_inline(app: Flask) -> None:
    refs = add_people(app, ["an"])
    p = port(app)
    ticket = p.report_problem(refs["an"], ProblemKind.WALLET, "vi loi")
    assert ticket.startswith("KN-")
    p.send_sms(AN, f"ChiTra: ma so {ticket}")
    with get_db(app).sessionmaker() as s:
        sms = s.scalars(sa.select(SmsMessage)).one()
        assert (sms.status, sms.kind) == ("queued", "ticket")
        assert AN not in sms.phone_enc and sms.phone_bidx == get_pii(app).phone_index(AN)
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)
                        .where(OutboxEvent.topic == "sms.outbound")) == 1


def test_a_phone_acts_for_itself_whom_it_represents_and_whose_wallet_it_holds(
        app: Flask) -> None:
    from gateway.registry.models import Beneficiary, BeneficiaryStatus
    from tests.channels.test_ussd import make_caregiver

    refs = add_people(app, ["an", "binh", "cuong", "dung"])
    codec = get_pii(app)
    holder = "+84977000111"  # nobody's own phone
    make_caregiver(app, [refs["binh"]], phone=holder)
    with get_db(app).session() as s:
        link = s.scalars(sa.select(WalletLink).join(Beneficiary)
                         .where(Beneficiary.ref == refs["cuong"])).one()
        link.phone_enc = codec.seal("wallet_link", "phone", link.ref, holder)
        link.phone_bidx = codec.phone_index(holder)
        # Dũng's own phone is the holder's too, but Dũng has died: never listed.
        dead = s.scalars(sa.select(Beneficiary).where(Beneficiary.ref == refs["dung"])).one()
        dead.phone_bidx = codec.phone_index(holder)
        dead.status = BeneficiaryStatus.DECEASED.value
    p = port(app)
    assert sorted(person.ref for person in p.people_for_phone(holder)) == \
        sorted([refs["binh"], refs["cuong"]])
    # Own phone and wallet phone at once (An's roster wallet is An's phone): listed once.
    assert [person.ref for person in p.people_for_phone(AN)] == [refs["an"]]
    assert p.people_for_phone("+84900000000") == []
