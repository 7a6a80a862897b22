"""``/api/v1/beneficiaries/<ref>/pin``: officers see and reset a beneficiary's USSD PIN.

By public reference only: a citizen ID in a URL would end up in access logs. Find the
reference first with ``GET /beneficiaries?citizen_id=...`` (or use ``gateway pin reset``).
"""

from __future__ import annotations

from apiflask import HTTPError
from sqlalchemy.orm import Session

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.schemas import PinResetOut, PinStatusOut
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.pins.service import describe, reset_pin
from gateway.registry.lookup import BeneficiaryNotFound, find_beneficiary
from gateway.registry.models import Beneficiary

_REF_LENGTH = 32


def _beneficiary(session: Session, ref: str) -> Beneficiary:
    """Return the beneficiary with this public reference, or answer 404."""
    if len(ref) != _REF_LENGTH:  # refs only: never look a citizen ID up from a URL
        raise HTTPError(404, "No beneficiary has this reference.")
    try:
        return find_beneficiary(session, get_pii(), ref)
    except BeneficiaryNotFound:
        raise HTTPError(404, "No beneficiary has this reference.") from None


@bp.get("/beneficiaries/<ref>/pin")
@requires("pins.read")
@bp.output(PinStatusOut)
@bp.doc(responses={404: "No beneficiary has this reference."})
def pin_status(ref: str) -> dict[str, object]:
    """Show whether the beneficiary has a USSD PIN, is locked out, and when it was reset."""
    with get_db().sessionmaker() as session:
        return describe(session, _beneficiary(session, ref))


@bp.post("/beneficiaries/<ref>/pin/reset")
@requires("pins.reset")
@bp.output(PinResetOut)
@bp.doc(responses={404: "No beneficiary has this reference."})
def pin_reset(ref: str) -> dict[str, object]:
    """Clear a forgotten or locked PIN; the beneficiary chooses a new one at the next use.

    Check the person's identity first. The reset is audited (who, whom, when; no PIN).
    Resetting a beneficiary with no PIN changes nothing (``changed`` is false).
    """
    with get_db().session() as session:
        person = _beneficiary(session, ref)
        outcome = reset_pin(session, person, actor=actor())
        data = describe(session, person)
    return {**data, "changed": outcome.changed, "previous": outcome.previous.value}
