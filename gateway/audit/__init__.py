"""Audit chain (nhật ký kiểm toán): every state change appends a hash-chained, PII-free event.

``record`` appends in the caller's transaction; ``verify`` walks the chain and names the first
broken link; ``gateway audit head`` prints the head so it can be anchored off-host.
"""

from gateway.audit.canonical import canonical, digest
from gateway.audit.chain import GENESIS, AuditChainError, Change, record, record_many
from gateway.audit.verify import Anchor, VerifyResult, verify

__all__ = [
    "GENESIS",
    "Anchor",
    "AuditChainError",
    "Change",
    "VerifyResult",
    "canonical",
    "digest",
    "record",
    "record_many",
    "verify",
]
