"""Registry tables: beneficiaries, enrolments, wallet links, import runs.

Names, citizen IDs, phones and dates of birth are stored only encrypted (``*_enc``) and
looked up by keyed blind indexes (``*_bidx``). ``ref`` is a random public reference: safe to
show, used in URLs and as the binding of each ciphertext to its row.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.crypto import SEALED


class BeneficiaryStatus(str, enum.Enum):
    """Whether a person is currently paid."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DECEASED = "deceased"
    EXITED = "exited"


class Beneficiary(Base):
    """A person entitled to social assistance (đối tượng bảo trợ xã hội)."""

    __tablename__ = "beneficiary"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    citizen_id_bidx: Mapped[str] = mapped_column(sa.String(32), unique=True)
    citizen_id_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    name_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    dob_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    sex: Mapped[str] = mapped_column(sa.String(1))
    commune_code: Mapped[str] = mapped_column(sa.String(5), index=True)
    household_code: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(12), default=BeneficiaryStatus.ACTIVE.value)
    phone_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    phone_bidx: Mapped[str] = mapped_column(sa.String(32), index=True)
    rep_name_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    rep_phone_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    rep_phone_bidx: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="beneficiary")
    wallet: Mapped[WalletLink | None] = relationship(back_populates="beneficiary")

    __table_args__ = (
        sa.CheckConstraint("status IN ('active','suspended','deceased','exited')", name="status"),
        sa.CheckConstraint("sex IN ('M','F')", name="sex"),
    )


class Enrolment(Base):
    """Membership of one beneficiary in one category (mã đối tượng) over a span of months."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("beneficiary.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(sa.String(16))
    children: Mapped[int | None] = mapped_column(sa.SmallInteger)
    start_month: Mapped[date] = mapped_column(sa.Date)
    end_month: Mapped[date | None] = mapped_column(sa.Date)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="enrolments")

    __table_args__ = (sa.UniqueConstraint("beneficiary_id", "category"),)


class WalletLink(Base):
    """Where a beneficiary's money goes: a provider and a phone (theirs or a representative's)."""

    __tablename__ = "wallet_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    beneficiary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("beneficiary.id", ondelete="CASCADE"), unique=True
    )
    provider: Mapped[str] = mapped_column(sa.String(32))
    phone_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    phone_bidx: Mapped[str] = mapped_column(sa.String(32), index=True)
    to_representative: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None]
    # Set when the link needs an officer's review before money may go to it,
    # e.g. "shared_phone": the phone also receives for another household.
    flag: Mapped[str | None] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="wallet")


class ImportRun(Base):
    """One roster import: who, which file (by digest), and the outcome counts."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    actor: Mapped[str] = mapped_column(sa.String(64))
    dry_run: Mapped[bool] = mapped_column(default=False)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
