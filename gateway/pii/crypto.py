"""Field encryption (AES-256-GCM, rotatable keyring) and keyed blind indexes.

A ciphertext is stored as ``<key_id>:<base64url(nonce || ciphertext+tag)>``. The key id names
the key that wrote it, so rotation can find rows still under an old key with a plain
``LIKE`` and re-encrypt them in small batches while the service keeps running. Every
ciphertext is bound (GCM associated data) to the table, column and the row's random
reference, so a ciphertext copied onto another row or column does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12
# Column info of every ``<field>_enc`` column: key rotation finds them all from the models,
# so a new encrypted column cannot be forgotten. A table whose ciphertexts are bound to a
# column other than ``ref`` names it in its own info as ``BOUND_TO``.
SEALED = {"pii": True}
BOUND_TO = "pii_bound_to"


class DecryptionError(ValueError):
    """A ciphertext could not be decrypted: unknown key, tampering, or moved between rows."""


class KeyConfigError(ValueError):
    """A key setting is malformed; the message says which part."""


def _b64key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{what} is not valid base64") from None
    if len(key) != 32:
        raise KeyConfigError(f"{what} must decode to 32 bytes, not {len(key)}")
    return key


class Keyring:
    """Encryption keys by id; the first (primary) encrypts, every key decrypts."""

    def __init__(self, keys: Iterable[tuple[str, bytes]]) -> None:
        self._ciphers: dict[str, AESGCM] = {}
        order: list[str] = []
        for key_id, key in keys:
            if not key_id or ":" in key_id or "," in key_id:
                raise KeyConfigError(f"bad key id {key_id!r}")
            if key_id in self._ciphers:
                raise KeyConfigError(f"key id {key_id!r} appears twice")
            self._ciphers[key_id] = AESGCM(key)
            order.append(key_id)
        if not order:
            raise KeyConfigError("no encryption key configured")
        self.primary_id = order[0]
        self.key_ids = tuple(order)
        self._primary = self._ciphers[self.primary_id]
        self._prefix = f"{self.primary_id}:"

    @classmethod
    def from_setting(cls, setting: str) -> Keyring:
        """Build a keyring from ``"id1:base64,id2:base64"`` (first is primary).

        Raises:
            KeyConfigError: the setting is malformed.
        """
        pairs = []
        for part in str(setting).split(","):
            if not part.strip():
                continue
            key_id, sep, encoded = part.strip().partition(":")
            if not sep:
                raise KeyConfigError("each PII key must be written key_id:base64")
            pairs.append((key_id, _b64key(encoded, f"PII key {key_id!r}")))
        return cls(pairs)

    def encrypt(self, plaintext: str, aad: bytes) -> str:
        """Encrypt text under the primary key, bound to ``aad``."""
        nonce = os.urandom(_NONCE)
        sealed = self._primary.encrypt(nonce, plaintext.encode("utf-8"), aad)
        return self._prefix + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str, aad: bytes) -> str:
        """Decrypt a stored value.

        Raises:
            DecryptionError: unknown key id, malformed value, tampering or wrong binding.
        """
        key_id, sep, body = token.partition(":")
        cipher = self._ciphers.get(key_id)
        if not sep or cipher is None:
            raise DecryptionError(f"no key {key_id!r} in the keyring")
        try:
            raw = base64.urlsafe_b64decode(body)
            return cipher.decrypt(raw[:_NONCE], raw[_NONCE:], aad).decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error):
            raise DecryptionError("ciphertext failed authentication") from None

    def is_current(self, token: str) -> bool:
        """Tell whether a stored value is already under the primary key."""
        return token.startswith(self._prefix)

    def rotate(self, token: str, aad: bytes) -> str:
        """Re-encrypt a stored value under the primary key (unchanged if already there)."""
        if self.is_current(token):
            return token
        return self.encrypt(self.decrypt(token, aad), aad)


class BlindIndex:
    """Keyed HMAC digests for exact-match lookups on encrypted columns.

    Each column gets its own subkey derived from the configured key, so equal values in
    different columns do not produce equal digests.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._subkeys: dict[str, bytes] = {}

    @classmethod
    def from_setting(cls, setting: str) -> BlindIndex:
        """Build from a base64 32-byte key."""
        return cls(_b64key(str(setting), "BLIND_INDEX_KEY"))

    def _subkey(self, column: str) -> bytes:
        sub = self._subkeys.get(column)
        if sub is None:
            label = b"chitra-blind-index:" + column.encode()
            sub = hmac.new(self._key, label, hashlib.sha256).digest()
            self._subkeys[column] = sub
        return sub

    def digest(self, column: str, normalized_value: str) -> str:
        """Return the 32-hex-character index of an already normalised value."""
        return hmac.digest(self._subkey(column), normalized_value.encode("utf-8"), "sha256")[
            :16].hex()


def aad(table: str, column: str, row_ref: str) -> bytes:
    """Return the associated data that binds a ciphertext to one cell."""
    return f"{table}.{column}:{row_ref}".encode()
