"""The synthetic demo province."""

import json
from datetime import date

import sqlalchemy as sa

from gateway.db import get_db
from gateway.registry.models import Beneficiary
from gateway.rosters.demo import HEADER, RosterGenerator, province_communes
from gateway.rosters.validation import RosterRow, RowValidator


def test_hue_has_its_40_communes():
    assert len(province_communes("46")) == 40


def test_generated_rows_are_valid_realistic_and_reproducible():
    rows = list(RosterGenerator(seed=7, today=date(2026, 11, 27)).rows(2000))
    again = list(RosterGenerator(seed=7, today=date(2026, 11, 27)).rows(2000))
    assert rows == again
    validator = RowValidator(providers=["sandbox"], province_code="46", today=date(2026, 11, 27))
    fields = ["_", "full_name", "date_of_birth", "sex", "citizen_id", "phone", "commune_code",
              "category", "children", "start_month", "wallet_provider", "representative_name",
              "representative_phone", "household_code"]
    assert len(fields) == len(HEADER)
    parsed = [validator.validate(dict(zip(fields, r, strict=True))) for r in rows]
    assert all(isinstance(p, RosterRow) for p in parsed), [p for p in parsed if
                                                           isinstance(p, list)][:3]
    assert len({p.commune_code for p in parsed}) >= 35
    assert len({p.phone[:6] for p in parsed}) >= 20  # spread over carriers' prefixes
    categories = {c for p in parsed for c in p.categories}
    assert {"NCT_80", "KT_NANG", "DON_THAN", "TE_MC"} <= categories
    assert sum(p.representative_phone is not None for p in parsed) > 100
    assert sum(p.citizen_id.startswith("046") for p in parsed) > 1600


def test_demo_seed_imports_through_the_roster_path_and_reruns_change_nothing(runner):
    first = json.loads(runner.invoke("demo", "seed", "--beneficiaries", "300", "--json").output)
    assert (first["accepted"], first["rejected"]) == (300, 0)
    second = json.loads(runner.invoke("demo", "seed", "--beneficiaries", "300", "--json").output)
    assert second["unchanged"] == 300
    with get_db().sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Beneficiary)) == 300


def test_demo_seed_marks_most_unflagged_wallets_verified(runner):
    from gateway.registry.models import WalletLink

    runner.invoke("demo", "seed", "--beneficiaries", "200", "--verified", "0.9")
    with get_db().sessionmaker() as s:
        unflagged = s.scalar(sa.select(sa.func.count()).select_from(WalletLink)
                             .where(WalletLink.flag.is_(None)))
        verified = s.scalar(sa.select(sa.func.count()).select_from(WalletLink)
                            .where(WalletLink.verified.is_(True)))
        flagged_verified = s.scalar(sa.select(sa.func.count()).select_from(WalletLink).where(
            WalletLink.verified.is_(True), WalletLink.flag.is_not(None)))
    assert 0.8 * unflagged <= verified <= unflagged and flagged_verified == 0
