"""Vietnam's administrative units as shipped reference data: communes and citizen-ID prefixes.

Since 2025-07-01 a province has communes and wards with 5-digit codes and no district level;
citizen IDs keep the prefix of the (pre-merger) province where the birth was registered.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType

COMMUNES_FILE = "vn-communes-2025-07-01.csv"
PROVINCES_FILE = "vn-provinces-before-2025-07-01.csv"


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune-level unit (xã, phường, đặc khu) in force from 2025-07-01."""

    code: str
    name: str
    province_code: str
    province_name: str
    kind: str


def _read_csv(name: str) -> list[dict[str, str]]:
    """Read one packaged CSV file into a list of rows."""
    text = (files("gateway") / "data" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


@functools.cache
def communes() -> Mapping[str, Commune]:
    """Return the 2025-07-01 communes by their 5-digit code."""
    table = {
        row["commune_code"]: Commune(
            code=row["commune_code"],
            name=row["commune_name"],
            province_code=row["province_code"],
            province_name=row["province_name"],
            kind=row["kind"],
        )
        for row in _read_csv(COMMUNES_FILE)
    }
    return MappingProxyType(table)


@functools.cache
def provinces() -> Mapping[str, str]:
    """Return the 34 provinces in force from 2025-07-01, code → name."""
    return MappingProxyType({c.province_code: c.province_name for c in communes().values()})


@functools.cache
def citizen_id_prefixes() -> Mapping[str, str]:
    """Return the 63 pre-merger province prefixes of citizen IDs, prefix → province name."""
    # IDs keep their birth-registration prefix for life, so the pre-merger list is the right one.
    return MappingProxyType(
        {row["citizen_id_prefix"]: row["province_name"] for row in _read_csv(PROVINCES_FILE)}
    )

