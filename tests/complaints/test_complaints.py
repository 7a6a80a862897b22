"""Complaints: short tickets, linked to the latest payment, notes sealed, audited without PII."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway.audit.models import AuditEvent
from gateway.audit.verify import verify
from gateway.complaints.filing import (
    TICKET_ALPHABET,
    file_complaint,
    get_complaint,
    new_ticket,
    open_note,
    open_resolution_note,
    resolve_complaint,
)
from gateway.complaints.models import Complaint
from gateway.db import get_db
from gateway.errors import InvalidRequest, NotFound
from gateway.payroll import cycles
from gateway.payroll.models import Payment
from gateway.pii.codec import get_pii
from gateway.pii.crypto import DecryptionError
from tests.reports.scenario import beneficiary_ids

NOTE = "Chưa nhận được tiền, gọi 0912345678"


def file(app, beneficiary_id, kind="not_received", **kw):
    with get_db(app).session() as s:
        c = file_complaint(s, get_pii(app), beneficiary_id=beneficiary_id, kind=kind,
                           channel=kw.pop("channel", "ussd"), **kw)
        return c.ticket


def load(app, ticket):
    with get_db(app).sessionmaker() as s:
        return get_complaint(s, ticket)


def cycle_for(app, period):
    with get_db(app).session() as s:
        return cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG", period=period,
                                   actor="cli:maker", province_code="46").cycle.id


@pytest.fixture
def who(app, people):
    return beneficiary_ids(app, people)


def test_tickets_are_short_uppercase_and_free_of_ambiguous_characters():
    tickets = {new_ticket() for _ in range(2000)}
    assert len(tickets) == 2000
    assert all(re.fullmatch(r"KN-[A-Z2-9]{6}", t) for t in tickets)
    assert not set("".join(t[3:] for t in tickets)) & set("01OIL")
    assert set(TICKET_ALPHABET) == set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_a_complaint_is_about_the_latest_payment_when_none_is_given(app, who):
    cycle_for(app, date(2026, 11, 1))
    december = cycle_for(app, date(2026, 12, 1))
    complaint = load(app, file(app, who["an"]))
    with get_db(app).sessionmaker() as s:
        payment = s.get(Payment, complaint.payment_id)
    assert complaint.cycle_id == december and payment.cycle_id == december
    assert payment.beneficiary_id == who["an"]
    assert complaint.commune_code == "19753" and complaint.status == "open"
    assert complaint.channel == "ussd" and complaint.kind == "not_received"


def test_a_complaint_names_the_payment_it_is_about(app, who):
    november = cycle_for(app, date(2026, 11, 1))
    cycle_for(app, date(2026, 12, 1))
    with get_db(app).sessionmaker() as s:
        payment_id = s.scalar(sa.select(Payment.id).where(
            Payment.cycle_id == november, Payment.beneficiary_id == who["binh"]))
    complaint = load(app, file(app, who["binh"], "wrong_amount", payment_id=payment_id))
    assert (complaint.payment_id, complaint.cycle_id) == (payment_id, november)


def test_a_complaint_without_any_payment_belongs_to_the_beneficiarys_commune(app, who):
    complaint = load(app, file(app, who["cuong"], "wallet", channel="officer"))
    assert complaint.payment_id is None and complaint.cycle_id is None
    assert complaint.commune_code == "20182"


def test_someone_elses_payment_is_refused(app, who):
    cycle = cycle_for(app, date(2026, 12, 1))
    with get_db(app).sessionmaker() as s:
        other = s.scalar(sa.select(Payment.id).where(
            Payment.cycle_id == cycle, Payment.beneficiary_id == who["an"]))
    with pytest.raises(InvalidRequest):
        file(app, who["binh"], payment_id=other)
    with pytest.raises(NotFound):
        file(app, who["binh"], payment_id=999_999)


@pytest.mark.parametrize("field,value", [("kind", "angry"), ("channel", "fax")])
def test_unknown_kind_or_channel_is_refused_in_both_languages(app, who, field, value):
    with pytest.raises(InvalidRequest) as exc:
        file(app, who["an"], **{field: value})
    assert value in exc.value.en and value in exc.value.vi


def test_unknown_beneficiary_is_not_found(app, people):
    with pytest.raises(NotFound):
        file(app, 999_999)


def test_the_note_is_sealed_and_bound_to_its_ticket(app, who):
    first = load(app, file(app, who["an"], "other", note=NOTE))
    second = load(app, file(app, who["binh"], "other", note="khác"))
    assert NOTE not in first.note_enc and "0912345678" not in first.note_enc
    assert open_note(get_pii(app), first) == NOTE
    with get_db(app).sessionmaker() as s:
        stored = s.execute(sa.text("SELECT note_enc FROM complaint WHERE ticket = :t"),
                           {"t": first.ticket}).scalar_one()
    assert "Chưa" not in stored
    # A sealed note copied onto another complaint does not open there.
    second.note_enc = first.note_enc
    with pytest.raises(DecryptionError):
        open_note(get_pii(app), second)


def test_filing_is_audited_without_personal_data(app, who):
    ticket = file(app, who["an"], "other", note=NOTE)
    with get_db(app).sessionmaker() as s:
        [event] = s.scalars(sa.select(AuditEvent).where(AuditEvent.action == "complaint.file"))
        assert verify(s).ok
    assert event.subject_type == "complaint" and event.subject_id == ticket
    assert event.actor == "ussd:beneficiary"
    assert event.detail["kind"] == "other" and event.detail["has_note"] is True
    text = f"{event.detail_json}{event.actor}{event.subject_id}"
    assert "0912345678" not in text and "Chưa" not in text and "Nguyễn" not in text


def test_resolving_closes_once_and_records_who(app, who):
    ticket = file(app, who["an"])
    with get_db(app).session() as s:
        resolve_complaint(s, ticket.lower(), "apikey:officer-1", "paid",
                          note="Đã chuyển lại", codec=get_pii(app))
    with get_db(app).session() as s:
        again = resolve_complaint(s, ticket, "apikey:officer-2", "rejected")
        assert again.resolved_by == "apikey:officer-1" and again.resolution == "paid"
    complaint = load(app, ticket)
    assert complaint.status == "resolved" and complaint.resolved_at is not None
    assert open_resolution_note(get_pii(app), complaint) == "Đã chuyển lại"
    with get_db(app).sessionmaker() as s:
        events = s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "complaint.resolve")).all()
    assert len(events) == 1 and events[0].detail == {"resolution": "paid",
                                                     "kind": "not_received"}


def test_resolving_needs_a_known_ticket_and_resolution(app, who):
    ticket = file(app, who["an"])
    with get_db(app).session() as s, pytest.raises(NotFound):
        resolve_complaint(s, "KN-ZZZZZZ", "apikey:o", "paid")
    with get_db(app).session() as s, pytest.raises(InvalidRequest):
        resolve_complaint(s, ticket, "apikey:o", "forgotten")
    assert load(app, ticket).status == "open"


def test_tickets_are_found_whatever_case_or_prefix_is_typed(app, who):
    ticket = file(app, who["an"])
    assert load(app, ticket.lower()).ticket == ticket
    assert load(app, ticket[3:]).ticket == ticket


def test_the_database_refuses_a_kind_it_does_not_know(app, who):
    with pytest.raises(IntegrityError), get_db(app).session() as s:
        s.add(Complaint(ticket="KN-TEST22", beneficiary_id=who["an"], commune_code="19753",
                        kind="angry", channel="ussd", status="open"))
        s.flush()


def test_a_ticket_is_unique_in_the_database(app, who):
    ticket = file(app, who["an"])
    with pytest.raises(IntegrityError), get_db(app).session() as s:
        s.add(Complaint(ticket=ticket, beneficiary_id=who["binh"], commune_code="19777",
                        kind="other", channel="sms", status="open"))
        s.flush()
