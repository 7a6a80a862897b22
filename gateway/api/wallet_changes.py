"""``/api/v1/wallet-changes``: officers move a beneficiary's wallet, two people at a time."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from flask import current_app

from gateway.api.auth import current_caller, requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.schemas import Strict
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.pii.mask import can_see_pii
from gateway.wallets import changes
from gateway.wallets.models import ChangeStatus

REF = Length(1, 32)


class WalletChangeIn(Strict):
    """A request to send a beneficiary's money to another wallet phone."""

    beneficiary = String(required=True, validate=REF, metadata={"description": "Beneficiary ref."})
    provider = String(required=True, validate=Length(1, 32), metadata={"example": "viettelmoney"})
    phone = String(required=True, validate=Length(9, 20), metadata={"example": "0912345678"})
    reason = String(required=True, validate=Length(3, changes.REASON_MAX),
                    metadata={"example": "SIM lost; new number confirmed at the commune office"})


class WalletChangeQuery(Strict):
    """Filters of the request list (newest first)."""

    status = String(validate=OneOf([s.value for s in ChangeStatus]))
    limit = Integer(load_default=50, validate=Range(1, 500))
    after = Integer(validate=Range(0, 2**31 - 1),  # ids are int4 on PostgreSQL
                    metadata={"description": "Give next_after of the previous page."})


class WalletChangeOut(Schema):
    """A wallet change request; the new phone is always masked."""

    ref = String()
    beneficiary = String(allow_none=True)
    provider = String()
    phone = String(metadata={"description": "Masked, e.g. 09******78."})
    old_provider = String()
    status = String()
    reason = String(allow_none=True, metadata={"description": "Only for roles that may see "
                                                              "personal data."})
    requested_by = String()
    requested_at = DateTime()
    decided_by = String(allow_none=True)
    decided_at = DateTime(allow_none=True)
    code = String(allow_none=True, metadata={"description": "After approval: whether a "
                                                            "verification code was sent."})
    repointed_payments = Integer(allow_none=True)


class WalletChangeList(Schema):
    """One page of requests."""

    items = List(Nested(WalletChangeOut))
    next_after = Integer(allow_none=True)


def _clear() -> bool:
    return can_see_pii(current_caller().role.value)


@bp.post("/wallet-changes")
@requires("wallet_changes.request")
@bp.input(WalletChangeIn, location="json")
@bp.output(WalletChangeOut, status_code=201)
@bp.doc(responses={404: "The beneficiary has no wallet link.",
                   409: "Another request for this wallet waits for a decision.",
                   422: "Unknown provider, malformed phone, or no change."})
def request_change(json_data: dict[str, str]) -> dict[str, object]:
    """Ask to move a beneficiary's wallet; its payments are held until a second officer
    approves and the new phone proves itself with a code."""
    with get_db().session() as s:
        change = changes.request_change(
            s, get_pii(), beneficiary_ref=json_data["beneficiary"],
            provider=json_data["provider"], phone=json_data["phone"],
            reason=json_data["reason"], actor=actor(),
            providers=current_app.config["WALLET_PROVIDERS"])
        [data] = changes.describe(s, get_pii(), [change], clear_reason=_clear())
    return data


@bp.post("/wallet-changes/<ref>/approve")
@requires("wallet_changes.approve")
@bp.output(WalletChangeOut)
@bp.doc(responses={403: "The officer who asked may not approve.",
                   404: "No such request.", 409: "Already decided, or the wallet changed."})
def approve_change(ref: str) -> dict[str, object]:
    """Apply a waiting request (a different officer than who asked) and SMS a code to the
    new phone; a refusal is audited."""
    from gateway.wallets.service import wallet_verification

    with get_db().session() as s:
        decision = changes.approve_change(s, get_pii(), ref, actor=actor(),
                                          verification=wallet_verification())
        [data] = changes.describe(s, get_pii(), [decision.request], clear_reason=_clear())
    if decision.refused is not None:  # committed first, so the refusal stays audited
        raise decision.refused
    return {**data, "code": decision.code.status.value if decision.code else None,
            "repointed_payments": decision.repointed}


@bp.post("/wallet-changes/<ref>/reject")
@requires("wallet_changes.approve")
@bp.output(WalletChangeOut)
@bp.doc(responses={404: "No such request.", 409: "Already decided."})
def reject_change(ref: str) -> dict[str, object]:
    """Close a waiting request without changing the wallet (its maker may withdraw it)."""
    with get_db().session() as s:
        decision = changes.reject_change(s, ref, actor=actor())
        [data] = changes.describe(s, get_pii(), [decision.request], clear_reason=_clear())
    return data


@bp.get("/wallet-changes")
@requires("wallet_changes.read")
@bp.input(WalletChangeQuery, location="query")
@bp.output(WalletChangeList)
def list_changes(query_data: dict[str, object]) -> dict[str, object]:
    """List wallet change requests, newest first; phones masked, reasons only for roles that
    may see personal data."""
    limit = int(query_data["limit"])  # type: ignore[call-overload]
    with get_db().sessionmaker() as s:
        after = query_data.get("after")
        rows = changes.list_changes(s, status=query_data.get("status"),  # type: ignore[arg-type]
                                    limit=limit + 1,
                                    after=int(after) if after is not None else None)  # type: ignore[call-overload]
        items = changes.describe(s, get_pii(), rows[:limit], clear_reason=_clear())
        next_after = rows[limit - 1].id if len(rows) > limit else None
    return {"items": items, "next_after": next_after}
