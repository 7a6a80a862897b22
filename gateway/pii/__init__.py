"""Personal-data protection: field encryption, blind indexes and masking."""

from gateway.pii.crypto import BlindIndex, DecryptionError, Keyring
from gateway.pii.mask import can_see_pii, mask_citizen_id, mask_name, mask_phone

__all__ = [
    "BlindIndex",
    "DecryptionError",
    "Keyring",
    "can_see_pii",
    "mask_citizen_id",
    "mask_name",
    "mask_phone",
]
