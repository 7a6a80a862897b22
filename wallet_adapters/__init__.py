"""Pay e-wallets through pluggable providers behind one small async protocol.

Stands alone: imports nothing from the gateway, Flask or the database.
"""

from wallet_adapters.base import (
    CURRENCY,
    AccountCheck,
    CallbackEvent,
    SettingSpec,
    TransferRequest,
    TransferResult,
    TransferStatus,
    WalletAdapter,
)
from wallet_adapters.errors import (
    AdapterError,
    CallbackRejected,
    InvalidRequest,
    InvalidSettings,
    NotSupported,
    TransferNotFound,
    TransferOutcomeUnknown,
    UnknownProvider,
    WebhookVerificationError,
)
from wallet_adapters.registry import (
    available,
    create,
    display_name,
    masked_settings,
    register,
    settings_schema,
    statement_columns,
)

__all__ = [
    "CURRENCY",
    "AccountCheck",
    "AdapterError",
    "CallbackEvent",
    "CallbackRejected",
    "InvalidRequest",
    "InvalidSettings",
    "NotSupported",
    "SettingSpec",
    "TransferNotFound",
    "TransferOutcomeUnknown",
    "TransferRequest",
    "TransferResult",
    "TransferStatus",
    "UnknownProvider",
    "WalletAdapter",
    "WebhookVerificationError",
    "available",
    "create",
    "display_name",
    "masked_settings",
    "register",
    "settings_schema",
    "statement_columns",
]
