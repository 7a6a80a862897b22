"""``/api/v1/approver/totp``: an approver key enrols and confirms its authenticator app.

The identity enrolled is always the calling key's (``apikey:<name>``), the one recorded when
it approves. An active enrolment cannot be replaced through the API (a stolen key must not
swap in its own authenticator): an operator removes it with ``gateway approver remove``.
"""

from __future__ import annotations

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.payroll_schemas import TotpConfirm, TotpEnrolment, TotpState
from gateway.approvers.totp import confirm, describe, enrol
from gateway.db import get_db
from gateway.pii.codec import get_pii


@bp.post("/approver/totp")
@requires("approver.totp")
@bp.output(TotpEnrolment, status_code=201)
@bp.doc(responses={409: "This key already has an active authenticator (error.code "
                        "totp_already_enrolled); an operator must remove it first."})
def enrol_totp() -> tuple[dict[str, object], int]:
    """Enrol an authenticator app for the calling key: its QR code, URI and secret, once.

    The enrolment stays pending until confirmed with a first code; enrolling again before
    that replaces the pending secret.
    """
    with get_db().session() as session:
        new = enrol(session, get_pii(), actor(), by=actor())
    return {"actor": new.actor, "state": "pending", "otpauth_uri": new.uri,
            "secret": new.secret, "issuer": new.issuer, "digits": new.digits,
            "period": new.period, "qr_svg": new.qr_svg()}, 201


@bp.post("/approver/totp/confirm")
@requires("approver.totp")
@bp.input(TotpConfirm, location="json")
@bp.output(TotpState)
@bp.doc(responses={
    403: "The code was refused (error.code totp_invalid, totp_replayed or totp_locked).",
    404: "This key has no enrolment to confirm.",
    409: "The enrolment is already active."})
def confirm_totp(json_data: dict[str, object]) -> dict[str, object]:
    """Activate the calling key's pending authenticator with the code it shows now.

    From then on approving and releasing need a current code (``totp`` in the body).
    """
    with get_db().session() as session:
        return describe(confirm(session, get_pii(), actor(), str(json_data["code"])))
