"""Find beneficiaries: by public ref, or by exact citizen ID or phone through the blind indexes."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from gateway.errors import NotFound
from gateway.pii.codec import PiiCodec
from gateway.pii.mask import can_see_pii, mask_citizen_id, mask_name, mask_phone
from gateway.registry.models import Beneficiary, WalletLink
from gateway.vn.cells import InvalidValue
from gateway.vn.citizen_id import parse_citizen_id
from gateway.vn.phone import parse_phone

REF_LENGTH = 32


class BeneficiaryNotFound(NotFound, LookupError):
    """No beneficiary matches the reference or citizen ID given."""

    def __init__(self) -> None:
        """Say so in both languages; the value searched for is not repeated (it may be an ID)."""
        super().__init__("No beneficiary has this reference or citizen ID.",
                         "Không có đối tượng với mã tham chiếu hoặc số CCCD này.")


def phone_owners(digest: sa.ColumnElement[str] | str) -> sa.CompoundSelect:
    """Select the ids of everyone a phone (by blind index) may act for or receive for.

    As themselves, as representative, or as the wallet's phone: a UNION of three index
    lookups. As one WHERE with OR (and the wallet subquery) PostgreSQL filtered the whole table
    by primary key instead (see docs/performance.md).
    """
    return sa.union(
        sa.select(Beneficiary.id).where(Beneficiary.phone_bidx == digest),
        sa.select(Beneficiary.id).where(Beneficiary.rep_phone_bidx == digest),
        sa.select(WalletLink.beneficiary_id).where(WalletLink.phone_bidx == digest))


def find_beneficiary(session: Session, codec: PiiCodec, key: str) -> Beneficiary:
    """Return the beneficiary named by a public ref (32 hex) or a citizen ID (by blind index).

    Raises:
        BeneficiaryNotFound: nothing matches, or ``key`` is neither form.
    """
    key = key.strip()
    if len(key) == REF_LENGTH and all(c in "0123456789abcdef" for c in key):
        query = sa.select(Beneficiary).where(Beneficiary.ref == key)
    else:
        try:
            digest = codec.citizen_id_index(parse_citizen_id(key))
        except (InvalidValue, ValueError, TypeError):
            raise BeneficiaryNotFound() from None
        query = sa.select(Beneficiary).where(Beneficiary.citizen_id_bidx == digest)
    found = session.scalar(query)
    if found is None:
        raise BeneficiaryNotFound()
    return found


def find_beneficiaries(
    session: Session, codec: PiiCodec, *, citizen_id: str | None = None,
    phone: str | None = None, role: str | None = None,
) -> list[dict[str, object]]:
    """Return matching beneficiaries as dicts, masked unless ``role`` may see personal data.

    A phone matches the beneficiary's own phone, a representative's, or a wallet's.

    Raises:
        ValueError: the citizen ID or phone is malformed (message in English and Vietnamese).
    """
    query = sa.select(Beneficiary).options(
        selectinload(Beneficiary.enrolments), selectinload(Beneficiary.wallet))
    try:
        if citizen_id is not None:
            digest = codec.citizen_id_index(parse_citizen_id(citizen_id))
            query = query.where(Beneficiary.citizen_id_bidx == digest)
        elif phone is not None:
            digest = codec.phone_index(parse_phone(phone))
            query = query.where(Beneficiary.id.in_(phone_owners(digest)))
        else:
            raise ValueError("give a citizen ID or a phone")
    except InvalidValue as exc:
        raise ValueError(f"{exc.en} / {exc.vi}") from None
    clear = can_see_pii(role)
    return [_describe(codec, b, clear) for b in session.scalars(query.order_by(Beneficiary.id))]


def _describe(codec: PiiCodec, b: Beneficiary, clear: bool) -> dict[str, object]:
    def open_(field: str) -> str | None:
        token = getattr(b, f"{field}_enc")
        return None if token is None else codec.open("beneficiary", field, b.ref, token)

    name, cid, phone = open_("name") or "", open_("citizen_id") or "", open_("phone") or ""
    wallet_phone = (
        codec.open("wallet_link", "phone", b.wallet.ref, b.wallet.phone_enc) if b.wallet else None
    )
    dob = open_("dob")
    if not clear:
        name, cid, phone = mask_name(name), mask_citizen_id(cid), mask_phone(phone)
        wallet_phone = mask_phone(wallet_phone) if wallet_phone else None
    return {
        "ref": b.ref,
        "name": name,
        "citizen_id": cid,
        "phone": phone,
        "birth_year": date.fromisoformat(dob).year if dob else None,
        "sex": b.sex,
        "commune_code": b.commune_code,
        "household_code": b.household_code,
        "status": b.status,
        "categories": sorted(e.category for e in b.enrolments),
        "wallet_provider": b.wallet.provider if b.wallet else None,
        "wallet_phone": wallet_phone,
        "wallet_to_representative": b.wallet.to_representative if b.wallet else None,
        "wallet_verified": b.wallet.verified if b.wallet else None,
        "wallet_flag": b.wallet.flag if b.wallet else None,
        "masked": not clear,
    }
