"""Officers change where a beneficiary's money goes, two people at a time (maker-checker).

An officer asks (new provider and phone, and why); a different officer approves; only then
the link changes. The changed link is unverified, so its payments stay held until the new
phone proves itself with the one-time code sent to it on approval. While a request waits,
the link carries the flag ``change_pending`` and the disbursement engine holds its payments.

Unpaid payments follow an approved change of phone: pending ones (cycle not yet released)
take the new phone and provider; released ones (ready or held) take the new phone when the
provider stays the same. A released payment whose provider changed stays held for review
(its money sits in the old provider's clearing account).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.clock import utcnow
from gateway.errors import DomainError, InvalidRequest, InvalidTransition, NotFound
from gateway.payroll.errors import MakerChecker
from gateway.payroll.models import Payment, PaymentState
from gateway.pii.codec import PiiCodec
from gateway.pii.mask import mask_phone
from gateway.registry.models import Beneficiary, WalletLink
from gateway.vn.cells import InvalidValue
from gateway.vn.phone import parse_phone
from gateway.wallets.models import ChangeStatus, WalletChangeRequest
from gateway.wallets.verification import StartResult, WalletVerification, release_held

PENDING_FLAG = "change_pending"
REASON_MAX = 200
_OPEN = (PaymentState.PENDING.value, PaymentState.READY.value, PaymentState.HELD.value)


@dataclass
class Decision:
    """What an approval or rejection did.

    ``refused`` is set (and the refusal audited in the caller's transaction) when the request
    could not be approved; the caller commits, then reports the error.
    """

    request: WalletChangeRequest
    changed: bool
    refused: DomainError | None = None
    code: StartResult | None = None
    repointed: int = 0


def _link_for(session: Session, beneficiary_ref: str) -> WalletLink:
    link = session.scalar(sa.select(WalletLink).join(Beneficiary)
                          .where(Beneficiary.ref == beneficiary_ref).with_for_update())
    if link is None:
        shown = beneficiary_ref[:40]
        raise NotFound(f"no wallet link for beneficiary {shown!r}",
                       f"Không có ví nhận tiền của đối tượng {shown!r}.")
    return link


def _snapshot(link: WalletLink) -> dict[str, Any]:
    """Describe a link for the audit digest: stored values only (blind index, no phone)."""
    return {"provider": link.provider, "phone_bidx": link.phone_bidx,
            "verified": link.verified, "flag": link.flag}


def request_change(session: Session, codec: PiiCodec, *, beneficiary_ref: str, provider: str,
                   phone: str, reason: str, actor: str,
                   providers: list[str]) -> WalletChangeRequest:
    """Record an officer's request to move a beneficiary's wallet to another phone.

    Raises:
        NotFound: the beneficiary has no wallet link.
        InvalidRequest: unknown provider, malformed phone, empty reason, or no change.
        InvalidTransition: another request for this link waits for a decision.
    """
    provider = provider.strip().lower()
    if provider not in providers:
        raise InvalidRequest(f"provider {provider[:32]!r} is not enabled here",
                             f"Ví {provider[:32]!r} chưa được dùng ở đây.")
    try:
        number = parse_phone(phone)
    except InvalidValue as exc:
        raise InvalidRequest(exc.en, exc.vi) from None
    reason = " ".join(reason.split())
    if not 3 <= len(reason) <= REASON_MAX:
        raise InvalidRequest(f"give a reason of 3 to {REASON_MAX} characters",
                             f"Ghi lý do từ 3 đến {REASON_MAX} ký tự.")
    link = _link_for(session, beneficiary_ref)
    digest = codec.phone_index(number)
    if (link.provider, link.phone_bidx) == (provider, digest):
        raise InvalidRequest("the wallet already is this provider and phone",
                             "Ví hiện tại đã là ví và số điện thoại này.")
    waiting = session.scalar(sa.select(WalletChangeRequest.ref).where(
        WalletChangeRequest.wallet_link_id == link.id,
        WalletChangeRequest.status == ChangeStatus.PENDING.value))
    if waiting is not None:
        raise InvalidTransition(f"request {waiting} for this wallet waits for a decision",
                                f"Yêu cầu {waiting} đổi ví này đang chờ duyệt.")
    before = _snapshot(link)
    ref = secrets.token_hex(8)
    change = WalletChangeRequest(
        ref=ref, wallet_link_id=link.id, provider=provider,
        phone_enc=codec.seal("wallet_change_request", "phone", ref, number), phone_bidx=digest,
        old_provider=link.provider, old_phone_bidx=link.phone_bidx,
        reason_enc=codec.seal("wallet_change_request", "reason", ref, reason),
        status=ChangeStatus.PENDING.value, requested_by=actor, requested_at=utcnow())
    session.add(change)
    if link.flag is None:
        link.flag = PENDING_FLAG  # its payments wait while the change waits
        link.updated_at = utcnow()
    session.flush()
    record(session, actor=actor, action="wallet_link.change_request",
           subject_type="wallet_link", subject_id=link.ref, before=before,
           after=_snapshot(link), detail={"request": ref, "provider": provider})
    return change


def request_from_roster(session: Session, codec: PiiCodec, *, wallet_link_id: int,
                        provider: str, phone: str, actor: str, file_name: str) -> str | None:
    """File the change a roster row asks for (another wallet phone); return its ref.

    A roster is an officer's word like any other: the link keeps its phone, and the new one
    waits for a second officer, exactly as ``request_change``. A request still waiting from
    an earlier roster or officer is superseded (closed as stale, audited). Returns None when
    the row names the wallet the link already has.
    """
    link = session.scalar(sa.select(WalletLink).where(WalletLink.id == wallet_link_id)
                          .with_for_update())
    assert link is not None  # the writer just read it in this transaction
    digest = codec.phone_index(phone)
    waiting = session.scalar(sa.select(WalletChangeRequest).where(
        WalletChangeRequest.wallet_link_id == link.id,
        WalletChangeRequest.status == ChangeStatus.PENDING.value).with_for_update())
    if waiting is not None:
        if (waiting.provider, waiting.phone_bidx) == (provider, digest):
            return waiting.ref  # the same change, asked again: one request
        _close(link, waiting, ChangeStatus.STALE, actor)
        record(session, actor=actor, action="wallet_link.change_superseded",
               subject_type="wallet_link", subject_id=link.ref,
               detail={"request": waiting.ref, "by": "roster"})
        session.flush()
    if (link.provider, link.phone_bidx) == (provider, digest):
        return None
    reason = f"roster import {file_name}"[:REASON_MAX]
    return request_change(session, codec, beneficiary_ref=_beneficiary_ref(session, link),
                          provider=provider, phone=phone, reason=reason, actor=actor,
                          providers=[provider]).ref


def _beneficiary_ref(session: Session, link: WalletLink) -> str:
    ref = session.scalar(sa.select(Beneficiary.ref).where(Beneficiary.id == link.beneficiary_id))
    assert ref is not None
    return ref


def _find(session: Session, ref: str) -> WalletChangeRequest:
    change = session.scalar(sa.select(WalletChangeRequest)
                            .where(WalletChangeRequest.ref == ref[:32]).with_for_update())
    if change is None:
        shown = ref[:40]
        raise NotFound(f"no wallet change request {shown!r}",
                       f"Không có yêu cầu đổi ví {shown!r}.")
    if change.status != ChangeStatus.PENDING.value:
        raise InvalidTransition(f"request {change.ref} was already {change.status}",
                                f"Yêu cầu {change.ref} đã được xử lý ({change.status}).")
    return change


def _close(link: WalletLink, change: WalletChangeRequest, status: ChangeStatus,
           actor: str) -> None:
    now = utcnow()
    change.status, change.decided_by, change.decided_at = status.value, actor, now
    if link.flag == PENDING_FLAG:
        link.flag = None
        link.updated_at = now


def approve_change(session: Session, codec: PiiCodec, ref: str, *, actor: str,
                   verification: WalletVerification | None = None) -> Decision:
    """Apply a waiting request if ``actor`` is not who asked; send a code to the new phone.

    A refusal (same officer, or the link changed since the request) is audited in
    ``session`` and returned in ``Decision.refused`` so the caller can commit it first.

    Raises:
        NotFound: no such request.
        InvalidTransition: the request was already decided.
    """
    change = _find(session, ref)
    link = session.scalar(sa.select(WalletLink).where(WalletLink.id == change.wallet_link_id)
                          .with_for_update())
    assert link is not None  # the foreign key cascades deletes
    if actor == change.requested_by:
        record(session, actor=actor, action="wallet_link.change_refused",
               subject_type="wallet_link", subject_id=link.ref,
               detail={"request": change.ref, "reason": "same_officer"})
        return Decision(change, False, MakerChecker(
            "a different officer must approve this wallet change",
            "Cán bộ khác phải duyệt yêu cầu đổi ví này."))
    if (link.provider, link.phone_bidx) != (change.old_provider, change.old_phone_bidx):
        _close(link, change, ChangeStatus.STALE, actor)
        record(session, actor=actor, action="wallet_link.change_refused",
               subject_type="wallet_link", subject_id=link.ref,
               detail={"request": change.ref, "reason": "link_changed"})
        return Decision(change, False, InvalidTransition(
            "the wallet changed since the request; ask again",
            "Ví đã thay đổi sau khi gửi yêu cầu; hãy gửi yêu cầu mới."))
    before = _snapshot(link)
    number = codec.open("wallet_change_request", "phone", change.ref, change.phone_enc)
    same_provider = link.provider == change.provider
    _close(link, change, ChangeStatus.APPROVED, actor)
    link.provider = change.provider
    link.phone_enc = codec.seal("wallet_link", "phone", link.ref, number)
    link.phone_bidx = change.phone_bidx
    link.verified, link.verified_at, link.updated_at = False, None, utcnow()
    repointed = _repoint(session, link, same_provider)
    record(session, actor=actor, action="wallet_link.change_approve",
           subject_type="wallet_link", subject_id=link.ref, before=before,
           after=_snapshot(link),
           detail={"request": change.ref, "requested_by": change.requested_by,
                   "repointed_payments": repointed})
    code = None
    if verification is not None:
        code = verification.start_verification(session, link, actor="system:wallet-change")
    return Decision(change, True, None, code, repointed)


def _repoint(session: Session, link: WalletLink, same_provider: bool) -> int:
    """Make the link's unpaid payments follow its new phone (see the module's rules)."""
    P = Payment.__table__
    states = list(_OPEN) if same_provider else [PaymentState.PENDING.value]
    result = session.execute(
        P.update().where(P.c.wallet_link_id == link.id, P.c.state.in_(states))
        .values(phone_bidx=link.phone_bidx, provider=link.provider, updated_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reject_change(session: Session, ref: str, *, actor: str) -> Decision:
    """Close a waiting request without changing the link (its maker may withdraw it too).

    Raises:
        NotFound: no such request.
        InvalidTransition: the request was already decided.
    """
    change = _find(session, ref)
    link = session.get(WalletLink, change.wallet_link_id)
    assert link is not None
    before = _snapshot(link)
    _close(link, change, ChangeStatus.REJECTED, actor)
    release_held(session, link)
    record(session, actor=actor, action="wallet_link.change_reject",
           subject_type="wallet_link", subject_id=link.ref, before=before,
           after=_snapshot(link), detail={"request": change.ref})
    return Decision(change, True)


def describe(session: Session, codec: PiiCodec, rows: list[WalletChangeRequest], *,
             clear_reason: bool) -> list[dict[str, Any]]:
    """Return requests as the CLI and API show them: phones always masked."""
    ids = {r.wallet_link_id for r in rows}
    owners: dict[int, str] = {wid: bref for wid, bref in session.execute(
        sa.select(WalletLink.id, Beneficiary.ref).join(Beneficiary)
        .where(WalletLink.id.in_(ids)))} if ids else {}
    return [{
        "ref": r.ref, "beneficiary": owners.get(r.wallet_link_id), "provider": r.provider,
        "phone": mask_phone(codec.open("wallet_change_request", "phone", r.ref, r.phone_enc)),
        "old_provider": r.old_provider, "status": r.status,
        "reason": (codec.open("wallet_change_request", "reason", r.ref, r.reason_enc)
                   if clear_reason else None),
        "requested_by": r.requested_by, "requested_at": r.requested_at,
        "decided_by": r.decided_by, "decided_at": r.decided_at,
    } for r in rows]


def list_changes(session: Session, *, status: str | None = None, limit: int = 50,
                 after: int | None = None) -> list[WalletChangeRequest]:
    """List requests newest first, optionally in one status, ``after`` a request id."""
    query = sa.select(WalletChangeRequest).order_by(WalletChangeRequest.id.desc())
    if status:
        query = query.where(WalletChangeRequest.status == status)
    if after is not None:
        query = query.where(WalletChangeRequest.id < after)
    return list(session.scalars(query.limit(limit)))
