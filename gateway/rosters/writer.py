"""Write validated roster rows: insert new people, update known ones, keep what is unchanged."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.clock import utcnow
from gateway.pii.codec import PiiCodec
from gateway.registry.models import Beneficiary, Enrolment, WalletLink
from gateway.rosters.validation import RosterRow

B = Beneficiary.__table__
E = Enrolment.__table__
W = WalletLink.__table__

# Fields of a beneficiary that are encrypted, with how a roster row gives each in clear.
_SEALED = ("citizen_id", "name", "dob", "phone", "rep_name", "rep_phone")


def new_ref() -> str:
    """Return a fresh random public reference for a row."""
    return secrets.token_hex(16)


def _clear(row: RosterRow) -> dict[str, str | None]:
    return {
        "citizen_id": row.citizen_id,
        "name": row.full_name,
        "dob": row.date_of_birth.isoformat(),
        "phone": row.phone,
        "rep_name": row.representative_name,
        "rep_phone": row.representative_phone,
    }


def _plain(row: RosterRow) -> dict[str, object]:
    return {
        "sex": row.sex,
        "commune_code": row.commune_code,
        "household_code": row.household_code,
        "status": row.status,
    }


@dataclass(frozen=True, slots=True)
class WalletChange:
    """A row that names another wallet for a known beneficiary: it needs a second officer."""

    row: int
    wallet_link_id: int
    provider: str
    phone: str


class RosterWriter:
    """Writes chunks of valid rows inside the caller's transaction, counting what changed."""

    def __init__(
        self, session: Session, codec: PiiCodec, *, default_provider: str, today: date
    ) -> None:
        self.session = session
        self.codec = codec
        self.default_provider = default_provider
        self.this_month = today.replace(day=1)
        self.created = self.updated = self.unchanged = 0
        self.wallet_changes: list[WalletChange] = []

    def write(self, rows: Sequence[tuple[int, RosterRow, str]]) -> list[tuple[int, str]]:
        """Write one chunk of (row number, row, citizen-ID digest).

        Returns:
            (row number, wallet phone digest) for each row, to find shared phones.
        """
        by_digest = {digest: (n, r) for n, r, digest in rows}
        existing = {
            rec.citizen_id_bidx: rec
            for rec in self.session.execute(
                sa.select(B).where(B.c.citizen_id_bidx.in_(list(by_digest)))
            )
        }
        fresh = [(d, n, r) for d, (n, r) in by_digest.items() if d not in existing]
        known = [(existing[d], n, r) for d, (n, r) in by_digest.items() if d in existing]
        out: list[tuple[int, str]] = []
        if fresh:
            out += self._insert(fresh)
        if known:
            out += self._update(known)
        return out

    def _wallet(self, row: RosterRow) -> tuple[str, str, bool]:
        phone = row.representative_phone or row.phone
        provider = row.wallet_provider or self.default_provider
        return provider, phone, row.representative_phone is not None

    def _sealed(self, ref: str, row: RosterRow) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, clear in _clear(row).items():
            values[f"{name}_enc"] = None if clear is None else self.codec.seal(
                "beneficiary", name, ref, clear)
        values["phone_bidx"] = self.codec.phone_index(row.phone)
        values["rep_phone_bidx"] = (
            self.codec.phone_index(row.representative_phone) if row.representative_phone else None
        )
        return values

    def _enrolment_rows(self, beneficiary_id: int, row: RosterRow) -> list[dict[str, object]]:
        return [
            {
                "beneficiary_id": beneficiary_id,
                "category": cat,
                "children": row.children if cat == "DON_THAN" else None,
                "start_month": row.start_month,
                "end_month": row.end_month,
            }
            for cat in row.categories
        ]

    def _insert(self, fresh: list[tuple[str, int, RosterRow]]) -> list[tuple[int, str]]:
        now = utcnow()
        params = []
        for digest, _n, row in fresh:
            ref = new_ref()
            params.append({
                "ref": ref, "citizen_id_bidx": digest, **self._sealed(ref, row), **_plain(row),
                "created_at": now, "updated_at": now,
            })
        # One multi-row INSERT, then one SELECT for the new ids: SQLite cannot return ids of
        # an executemany in order without falling back to one statement per row.
        self.session.execute(sa.insert(B), params)
        by_ref = dict(self.session.execute(
            sa.select(B.c.ref, B.c.id).where(B.c.ref.in_([p["ref"] for p in params]))).all())
        ids = [by_ref[p["ref"]] for p in params]
        enrolments: list[dict[str, object]] = []
        wallets: list[dict[str, object]] = []
        out = []
        for bid, (_digest, number, row) in zip(ids, fresh, strict=True):
            enrolments += self._enrolment_rows(bid, row)
            provider, phone, to_rep = self._wallet(row)
            wref = new_ref()
            phone_digest = self.codec.phone_index(phone)
            wallets.append({
                "ref": wref, "beneficiary_id": bid, "provider": provider,
                "phone_enc": self.codec.seal("wallet_link", "phone", wref, phone),
                "phone_bidx": phone_digest, "to_representative": to_rep,
                "verified": False, "flag": None, "updated_at": now,
            })
            out.append((number, phone_digest))
        self.session.execute(sa.insert(E), enrolments)
        self.session.execute(sa.insert(W), wallets)
        self.created += len(fresh)
        return out

    def _update(self, known: list[tuple[sa.Row, int, RosterRow]]) -> list[tuple[int, str]]:
        codec = self.codec
        ids = [rec.id for rec, _n, _r in known]
        enrolled: dict[int, dict[str, sa.Row]] = {}
        for e in self.session.execute(sa.select(E).where(E.c.beneficiary_id.in_(ids))):
            enrolled.setdefault(e.beneficiary_id, {})[e.category] = e
        wallets = {
            w.beneficiary_id: w
            for w in self.session.execute(sa.select(W).where(W.c.beneficiary_id.in_(ids)))
        }
        now = utcnow()
        out = []
        for rec, number, row in known:
            changed = False
            stored = {
                name: None if getattr(rec, f"{name}_enc") is None else codec.open(
                    "beneficiary", name, rec.ref, getattr(rec, f"{name}_enc"))
                for name in _SEALED
            }
            plain = _plain(row)
            if stored != _clear(row) or any(getattr(rec, k) != v for k, v in plain.items()):
                self.session.execute(
                    B.update().where(B.c.id == rec.id)
                    .values(**self._sealed(rec.ref, row), **plain, updated_at=now)
                )
                changed = True
            changed |= self._sync_enrolments(rec.id, enrolled.get(rec.id, {}), row)
            provider, phone, to_rep = self._wallet(row)
            phone_digest = codec.phone_index(phone)
            wallet = wallets.get(rec.id)
            if wallet is None:
                wref = new_ref()
                self.session.execute(sa.insert(W).values(
                    ref=wref, beneficiary_id=rec.id, provider=provider,
                    phone_enc=codec.seal("wallet_link", "phone", wref, phone),
                    phone_bidx=phone_digest, to_representative=to_rep, verified=False,
                    updated_at=now,
                ))
                changed = True
            elif (wallet.provider, wallet.phone_bidx) != (provider, phone_digest):
                # Another wallet phone is an officer steering money elsewhere: the link
                # stays as it is and a change request waits for a second officer
                # (gateway.wallets.changes); the importer files it.
                # (Counted by the importer as flagged, not here as an update.)
                self.wallet_changes.append(WalletChange(number, wallet.id, provider, phone))
                phone_digest = wallet.phone_bidx
            elif wallet.to_representative != to_rep:
                # The same phone, now noted as the representative's (or no longer): no money
                # moves elsewhere, so no second officer is needed.
                self.session.execute(W.update().where(W.c.id == wallet.id).values(
                    to_representative=to_rep, updated_at=now))
                changed = True
            if changed:
                self.updated += 1
            else:
                self.unchanged += 1
            out.append((number, phone_digest))
        return out

    def _sync_enrolments(self, bid: int, current: dict[str, sa.Row], row: RosterRow) -> bool:
        """Make the person's enrolments match the row; close categories the row no longer has."""
        changed = False
        wanted = {e["category"]: e for e in self._enrolment_rows(bid, row)}
        for cat, want in wanted.items():
            have = current.get(cat)
            if have is None:
                self.session.execute(sa.insert(E).values(**want))
                changed = True
            elif (have.children, have.start_month, have.end_month) != (
                want["children"], want["start_month"], want["end_month"]
            ):
                self.session.execute(E.update().where(E.c.id == have.id).values(
                    children=want["children"], start_month=want["start_month"],
                    end_month=want["end_month"],
                ))
                changed = True
        for cat, have in current.items():
            if cat not in wanted and (have.end_month is None or have.end_month > self.this_month):
                # Dropped from the roster: paid through this month, not after.
                self.session.execute(
                    E.update().where(E.c.id == have.id).values(end_month=self.this_month))
                changed = True
        return changed
