"""Key rotation finds every encrypted column from the models: none can be forgotten."""

from __future__ import annotations

import sqlalchemy as sa

import gateway.models  # noqa: F401  every model, as create_app loads them
from gateway.db import Base
from gateway.pii.crypto import SEALED
from gateway.pii.rotation import encrypted_tables


def test_every_column_holding_ciphertext_is_found_by_rotation() -> None:
    sealed = {(t.name, c.name.removesuffix("_enc")) for t in Base.metadata.sorted_tables
              for c in t.columns if c.name.endswith("_enc")}
    found = {(spec.table.name, field) for spec in encrypted_tables() for field in spec.fields}
    assert found == sealed
    assert ("beneficiary", "citizen_id") in found and ("complaint", "note") in found


def test_a_new_sealed_column_is_rotated_without_editing_a_list() -> None:
    metadata = sa.MetaData()
    sa.Table("pay_list", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("ref", sa.String(32)), sa.Column("holder_enc", sa.Text, info=SEALED),
             sa.Column("note", sa.Text))
    [spec] = encrypted_tables(metadata)
    assert (spec.table.name, spec.fields, spec.bound_to) == ("pay_list", ("holder",), "ref")


def test_a_table_names_the_column_its_ciphertexts_are_bound_to() -> None:
    [complaint] = [s for s in encrypted_tables() if s.table.name == "complaint"]
    assert complaint.bound_to == "ticket"
    assert set(complaint.fields) == {"note", "resolution_note"}
