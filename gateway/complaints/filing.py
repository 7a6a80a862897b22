"""File and resolve complaints; each step is audited without personal data."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.clock import utcnow
from gateway.complaints.models import (
    Channel,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Resolution,
)
from gateway.errors import InvalidRequest, NotFound
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.pii.codec import PiiCodec
from gateway.registry.models import Beneficiary

# No 0/O, 1/I/L: tickets are read aloud on the phone and typed on keypads.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_PREFIX = "KN-"  # khiếu nại
TICKET_LENGTH = 6  # 31**6 ≈ 887 million tickets: a clash is rare and retried
MAX_NOTE_CHARS = 1000
_TICKET = re.compile(f"^{TICKET_PREFIX}[{TICKET_ALPHABET}]{{{TICKET_LENGTH}}}$")


def new_ticket() -> str:
    """Return a random ticket such as ``KN-7Q3F2A``."""
    return TICKET_PREFIX + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def normalise_ticket(text: str) -> str:
    """Return a ticket as stored, whatever case or spacing the caller typed."""
    raw = text.strip().upper().replace(" ", "")
    if not raw.startswith(TICKET_PREFIX):
        raw = TICKET_PREFIX + raw.removeprefix("KN")
    return raw


def _choice(value: str, allowed: type[ComplaintKind | Channel | Resolution], what_en: str,
            what_vi: str) -> str:
    names = [m.value for m in allowed]
    if value not in names:
        raise InvalidRequest(f"unknown {what_en} {value!r}; one of {', '.join(names)}",
                             f"{what_vi} {value!r} không hợp lệ; chọn một trong: "
                             f"{', '.join(names)}.")
    return value


def _snapshot(c: Complaint) -> dict[str, object]:
    # As stored: the sealed note, never its text.
    return {"ticket": c.ticket, "kind": c.kind, "channel": c.channel, "status": c.status,
            "payment_id": c.payment_id, "cycle_id": c.cycle_id, "note_enc": c.note_enc,
            "resolution": c.resolution, "resolution_note_enc": c.resolution_note_enc}


def _latest_payment(session: Session, beneficiary_id: int) -> Payment | None:
    """Return the beneficiary's payment in the newest month (cancelled ones do not count)."""
    return session.scalar(
        sa.select(Payment).join(Cycle, Cycle.id == Payment.cycle_id)
        .where(Payment.beneficiary_id == beneficiary_id,
               Payment.state != PaymentState.CANCELLED.value)
        .order_by(Cycle.period.desc(), Payment.id.desc()).limit(1))


def file_complaint(
    session: Session,
    codec: PiiCodec,
    *,
    beneficiary_id: int,
    kind: str,
    note: str | None = None,
    channel: str,
    payment_id: int | None = None,
    actor: str | None = None,
) -> Complaint:
    """Record a complaint and return it (flushed, in the caller's transaction).

    Without ``payment_id`` the complaint is about the beneficiary's latest payment, if any.
    ``actor`` defaults to ``<channel>:beneficiary``.

    Raises:
        NotFound: no such beneficiary or payment.
        InvalidRequest: unknown kind or channel, a payment of someone else, a note too long.
    """
    kind = _choice(kind, ComplaintKind, "complaint kind", "Loại khiếu nại")
    channel = _choice(channel, Channel, "channel", "Kênh")
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise NotFound(f"no beneficiary {beneficiary_id}",
                       f"Không có đối tượng {beneficiary_id}.")
    if payment_id is not None:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise NotFound(f"no payment {payment_id}", f"Không có khoản chi {payment_id}.")
        if payment.beneficiary_id != beneficiary_id:
            raise InvalidRequest("the payment belongs to someone else",
                                 "Khoản chi không phải của đối tượng này.")
    else:
        payment = _latest_payment(session, beneficiary_id)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidRequest(f"the note is longer than {MAX_NOTE_CHARS} characters",
                             f"Nội dung dài quá {MAX_NOTE_CHARS} ký tự.")
    ticket = new_ticket()
    while session.scalar(sa.select(Complaint.id).where(Complaint.ticket == ticket)) is not None:
        ticket = new_ticket()
    complaint = Complaint(
        ticket=ticket, beneficiary_id=beneficiary_id,
        payment_id=payment.id if payment else None,
        cycle_id=payment.cycle_id if payment else None,
        # The payment's commune is where the money was due; reports count it there.
        commune_code=payment.commune_code if payment else beneficiary.commune_code,
        kind=kind, channel=channel, status=ComplaintStatus.OPEN.value,
        note_enc=codec.seal("complaint", "note", ticket, note) if note else None,
        created_at=utcnow(),
    )
    session.add(complaint)
    session.flush()
    record(session, actor=actor or f"{channel}:beneficiary", action="complaint.file",
           subject_type="complaint", subject_id=ticket, after=_snapshot(complaint),
           detail={"kind": kind, "channel": channel, "commune": complaint.commune_code,
                   "cycle_id": complaint.cycle_id, "payment_id": complaint.payment_id,
                   "has_note": note is not None})
    return complaint


def get_complaint(session: Session, ticket: str) -> Complaint:
    """Return a complaint by ticket (any case, with or without ``KN-``).

    Raises:
        NotFound: no complaint has this ticket.
    """
    ticket = normalise_ticket(ticket)
    # Text that cannot be a ticket never reaches the database (PostgreSQL refuses NUL bytes).
    complaint = None
    if _TICKET.match(ticket):
        complaint = session.scalar(sa.select(Complaint).where(Complaint.ticket == ticket))
    if complaint is None:
        shown = ticket[:20]
        raise NotFound(f"no complaint {shown!r}", f"Không có khiếu nại {shown!r}.")
    return complaint


def resolve_complaint(session: Session, ticket: str, actor: str, resolution: str, *,
                      note: str | None = None, codec: PiiCodec | None = None) -> Complaint:
    """Close a complaint with a resolution code; closing it again changes nothing.

    ``note`` (free text, sealed like the complaint's own note) needs ``codec``.

    Raises:
        NotFound: no complaint has this ticket.
        InvalidRequest: unknown resolution, or a note without a codec or too long.
    """
    resolution = _choice(resolution, Resolution, "resolution", "Kết quả xử lý")
    note = (note or "").strip() or None
    if note is not None and (codec is None or len(note) > MAX_NOTE_CHARS):
        raise InvalidRequest(f"the note must be at most {MAX_NOTE_CHARS} characters",
                             f"Ghi chú tối đa {MAX_NOTE_CHARS} ký tự.")
    complaint = get_complaint(session, ticket)
    # Locks the row on PostgreSQL, so two officers resolving at once leave one resolution.
    session.refresh(complaint, with_for_update=True)
    if complaint.status == ComplaintStatus.RESOLVED.value:
        return complaint
    before = _snapshot(complaint)
    complaint.status = ComplaintStatus.RESOLVED.value
    complaint.resolution = resolution
    if note is not None and codec is not None:
        complaint.resolution_note_enc = codec.seal("complaint", "resolution_note",
                                                   complaint.ticket, note)
    complaint.resolved_at, complaint.resolved_by = utcnow(), actor
    session.flush()
    record(session, actor=actor, action="complaint.resolve", subject_type="complaint",
           subject_id=complaint.ticket, before=before, after=_snapshot(complaint),
           detail={"resolution": resolution, "kind": complaint.kind})
    return complaint


def open_note(codec: PiiCodec, complaint: Complaint) -> str | None:
    """Return the complaint's note in the clear (for roles that may see personal data)."""
    if complaint.note_enc is None:
        return None
    return codec.open("complaint", "note", complaint.ticket, complaint.note_enc)


def open_resolution_note(codec: PiiCodec, complaint: Complaint) -> str | None:
    """Return the resolution's note in the clear (for roles that may see personal data)."""
    if complaint.resolution_note_enc is None:
        return None
    return codec.open("complaint", "resolution_note", complaint.ticket,
                      complaint.resolution_note_enc)
