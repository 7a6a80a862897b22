"""Field encryption, blind indexes and masking."""

import base64
import os

import pytest

from gateway.pii.crypto import BlindIndex, DecryptionError, KeyConfigError, Keyring, aad
from gateway.pii.mask import can_see_pii, mask_citizen_id, mask_name, mask_phone


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_encrypted_value_round_trips_and_hides_the_plaintext():
    ring = Keyring.from_setting(f"a:{_key()}")
    token = ring.encrypt("046152012345", aad("beneficiary", "citizen_id", "r1"))
    assert "046152012345" not in token
    assert token.startswith("a:")
    assert ring.decrypt(token, aad("beneficiary", "citizen_id", "r1")) == "046152012345"


def test_same_value_encrypts_differently_each_time():
    ring = Keyring.from_setting(f"a:{_key()}")
    cell = aad("beneficiary", "name", "r1")
    assert ring.encrypt("Nguyễn Văn An", cell) != ring.encrypt("Nguyễn Văn An", cell)


def test_ciphertext_moved_to_another_row_or_column_does_not_decrypt():
    ring = Keyring.from_setting(f"a:{_key()}")
    token = ring.encrypt("0912345678", aad("beneficiary", "phone", "row-1"))
    with pytest.raises(DecryptionError):
        ring.decrypt(token, aad("beneficiary", "phone", "row-2"))
    with pytest.raises(DecryptionError):
        ring.decrypt(token, aad("beneficiary", "rep_phone", "row-1"))


def test_tampered_ciphertext_is_refused():
    ring = Keyring.from_setting(f"a:{_key()}")
    cell = aad("beneficiary", "name", "r")
    token = ring.encrypt("Trần Thị Bình", cell)
    raw = bytearray(base64.urlsafe_b64decode(token[2:]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt("a:" + base64.urlsafe_b64encode(bytes(raw)).decode(), cell)


def test_rotation_keeps_old_values_readable_and_rewrites_them_under_the_new_key():
    old_key, new_key = _key(), _key()
    cell = aad("beneficiary", "dob", "r")
    old = Keyring.from_setting(f"old:{old_key}")
    token = old.encrypt("1952-03-04", cell)
    both = Keyring.from_setting(f"new:{new_key},old:{old_key}")
    assert both.decrypt(token, cell) == "1952-03-04"
    assert not both.is_current(token)
    rotated = both.rotate(token, cell)
    assert rotated.startswith("new:") and both.is_current(rotated)
    assert both.rotate(rotated, cell) == rotated  # running rotation again changes nothing
    only_new = Keyring.from_setting(f"new:{new_key}")
    assert only_new.decrypt(rotated, cell) == "1952-03-04"
    with pytest.raises(DecryptionError):
        only_new.decrypt(token, cell)


@pytest.mark.parametrize(
    "setting",
    ["", "nokeyid", "a:not-base64!", f"a:{base64.b64encode(b'short').decode()}",
     f"a:{base64.b64encode(b'x' * 32).decode()},a:{base64.b64encode(b'y' * 32).decode()}"],
)
def test_malformed_key_settings_are_refused_with_a_reason(setting):
    with pytest.raises(KeyConfigError):
        Keyring.from_setting(setting)


def test_blind_index_is_deterministic_keyed_and_separate_per_column():
    key = os.urandom(32)
    index = BlindIndex(key)
    assert index.digest("phone", "+84912345678") == BlindIndex(key).digest("phone", "+84912345678")
    assert index.digest("phone", "+84912345678") != index.digest("phone", "+84912345679")
    assert index.digest("phone", "x") != index.digest("citizen_id", "x")
    assert index.digest("phone", "+84912345678") != BlindIndex(os.urandom(32)).digest(
        "phone", "+84912345678")
    assert len(index.digest("phone", "+84912345678")) == 32


def test_masks_follow_the_domain_formats():
    assert mask_citizen_id("046152012123") == "046*******123"
    assert mask_phone("+84912345678") == "09******78"
    assert mask_phone("0912345678") == "09******78"
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"


def test_only_officers_and_auditors_see_personal_data():
    assert can_see_pii("officer") and can_see_pii("auditor")
    assert not can_see_pii("approver") and not can_see_pii("partner") and not can_see_pii(None)
