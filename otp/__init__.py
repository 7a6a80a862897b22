"""One-time codes, TOTP, USSD PINs and SIM-swap checks for ChiTra.

Stands alone: imports nothing of the gateway, only ``redis`` and ``cryptography``.
"""

from otp.codes import (
    CodePolicy,
    CodeStatus,
    IssueResult,
    IssueStatus,
    OneTimeCodes,
    VerifyResult,
)
from otp.errors import MalformedPinHashError, OtpError, PolicyError, WeakPinError
from otp.pin import (
    PinWeakness,
    ScryptParams,
    hash_pin,
    needs_rehash,
    pin_locked_out,
    pin_weakness,
    verify_pin,
)
from otp.simswap import (
    DEFAULT_MAX_AGE_HOURS,
    NoSimSwapCheck,
    SimSwapCheck,
    SimSwapResult,
    StaticSimSwapCheck,
)
from otp.totp import (
    TotpResult,
    TotpStatus,
    decode_secret,
    encode_secret,
    generate_secret,
    hotp_code,
    match_totp,
    provisioning_uri,
    time_step,
    totp_code,
    verify_totp,
)

__all__ = [
    "DEFAULT_MAX_AGE_HOURS",
    "CodePolicy",
    "CodeStatus",
    "IssueResult",
    "IssueStatus",
    "MalformedPinHashError",
    "NoSimSwapCheck",
    "OneTimeCodes",
    "OtpError",
    "PinWeakness",
    "PolicyError",
    "ScryptParams",
    "SimSwapCheck",
    "SimSwapResult",
    "StaticSimSwapCheck",
    "TotpResult",
    "TotpStatus",
    "VerifyResult",
    "WeakPinError",
    "decode_secret",
    "encode_secret",
    "generate_secret",
    "hash_pin",
    "hotp_code",
    "match_totp",
    "needs_rehash",
    "pin_locked_out",
    "pin_weakness",
    "provisioning_uri",
    "time_step",
    "totp_code",
    "verify_pin",
    "verify_totp",
]
