"""``/api/v1/beneficiaries``: look people up, masked unless the caller's role may see them.

A citizen ID or phone is asked for in a JSON body (``POST /beneficiaries/search``), never in
a URL: access logs, proxies and browser histories keep URLs.
"""

from __future__ import annotations

import sqlalchemy as sa
from apiflask import HTTPError

from gateway.api.auth import current_caller, requires
from gateway.api.blueprint import bp
from gateway.api.schemas import BeneficiaryDetail, BeneficiaryList, BeneficiarySearch
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.registry.lookup import find_beneficiaries
from gateway.registry.models import Beneficiary as BeneficiaryRow


@bp.post("/beneficiaries/search")
@requires("beneficiaries.read")
@bp.input(BeneficiarySearch, location="json")
@bp.output(BeneficiaryList)
def find(json_data: dict[str, str]) -> dict[str, object]:
    """Find beneficiaries by citizen ID or phone, given in the body (never in the URL).

    Exact match through the blind indexes; names and numbers are masked for approvers.
    Nothing is changed: POST only keeps the personal data out of the URL.
    """
    with get_db().sessionmaker() as session:
        try:
            found = find_beneficiaries(session, get_pii(), role=current_caller().role.value,
                                       **json_data)
        except ValueError as exc:  # malformed ID or phone; the message is bilingual
            field = next(iter(json_data))
            raise HTTPError(422, str(exc), detail={"json": {field: [str(exc)]}}) from None
    return {"items": found}


@bp.get("/beneficiaries/<ref>")
@requires("beneficiaries.read")
@bp.output(BeneficiaryDetail)
def show(ref: str) -> dict[str, object]:
    """Show one beneficiary by public reference."""
    codec = get_pii()
    with get_db().sessionmaker() as session:
        row = session.scalar(sa.select(BeneficiaryRow).where(BeneficiaryRow.ref == ref))
        if row is None:
            raise HTTPError(404, "No beneficiary has this reference.")
        # Through the citizen ID, so masking and the answer's shape stay find_beneficiaries'.
        citizen_id = codec.open("beneficiary", "citizen_id", row.ref, row.citizen_id_enc)
        found = find_beneficiaries(session, codec, citizen_id=citizen_id,
                                   role=current_caller().role.value)
    return found[0]
