"""Canonical JSON: the same value always gives the same bytes, so digests are reproducible."""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gateway.audit import canonical, digest


class State(str, enum.Enum):
    APPROVED = "approved"


def test_keys_are_sorted_and_there_is_no_whitespace():
    text = canonical({"b": [1, 2], "a": {"d": None, "c": True}})
    assert text == '{"a":{"c":true,"d":null},"b":[1,2]}'


def test_equal_amounts_are_written_the_same_whatever_their_python_type():
    forms = [Decimal("100000.00"), Decimal("100000"), 100000, 100000.0, Decimal("1E+5")]
    assert {canonical(v) for v in forms} == {"100000"}
    assert canonical(Decimal("0.50")) == "0.5"
    assert canonical(Decimal("-0")) == "0"


def test_dates_are_iso_and_aware_datetimes_become_utc():
    ict = timezone(timedelta(hours=7))
    assert canonical(date(2026, 11, 27)) == '"2026-11-27"'
    assert canonical(datetime(2026, 11, 27, 8, 0, tzinfo=ict)) == canonical(
        datetime(2026, 11, 27, 1, 0, tzinfo=UTC)) == '"2026-11-27T01:00:00"'


def test_vietnamese_text_is_utf8_not_escaped_and_enums_are_their_values():
    assert canonical({"xã": "Phú Vang", "state": State.APPROVED}) == (
        '{"state":"approved","xã":"Phú Vang"}')


def test_digest_is_sha256_of_the_canonical_text():
    assert digest({"b": 1, "a": 2}) == hashlib.sha256(b'{"a":2,"b":1}').hexdigest()


@pytest.mark.parametrize("value", [float("nan"), Decimal("Infinity"), float("inf")])
def test_values_without_a_number_form_are_refused(value):
    with pytest.raises(ValueError):
        canonical({"amount": value})


@pytest.mark.parametrize("value", [{1, 2}, b"raw", object(), {1: "int key"}])
def test_values_without_a_canonical_form_are_refused(value):
    with pytest.raises(TypeError):
        canonical(value)
