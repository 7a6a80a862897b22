"""The app's personal-data codec: encrypt/decrypt cells and compute blind indexes."""

from __future__ import annotations

from flask import Flask, current_app

from gateway.pii.crypto import BlindIndex, Keyring, aad


class PiiCodec:
    """Encrypts and indexes personal data with the configured keys."""

    def __init__(self, keyring: Keyring, index: BlindIndex) -> None:
        self.keyring = keyring
        self.index = index

    def seal(self, table: str, column: str, ref: str, value: str) -> str:
        """Encrypt one cell's value, bound to its table, column and row reference."""
        return self.keyring.encrypt(value, aad(table, column, ref))

    def open(self, table: str, column: str, ref: str, token: str) -> str:
        """Decrypt one cell's value.

        Raises:
            DecryptionError: wrong key, tampered value, or value moved from another cell.
        """
        return self.keyring.decrypt(token, aad(table, column, ref))

    def citizen_id_index(self, citizen_id: str) -> str:
        """Return the blind index of a 12-digit citizen ID."""
        return self.index.digest("citizen_id", citizen_id)

    def phone_index(self, phone_e164: str) -> str:
        """Return the blind index of a phone in E.164 form (+84...)."""
        return self.index.digest("phone", phone_e164)


def init_app(app: Flask) -> None:
    """Build the codec from PII_KEYS and BLIND_INDEX_KEY."""
    app.extensions["chitra.pii"] = PiiCodec(
        Keyring.from_setting(app.config["PII_KEYS"]),
        BlindIndex.from_setting(app.config["BLIND_INDEX_KEY"]),
    )


def get_pii(app: Flask | None = None) -> PiiCodec:
    """Return the app's codec (the current app's by default)."""
    return (app or current_app).extensions["chitra.pii"]
