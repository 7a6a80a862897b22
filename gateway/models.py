"""Every ORM model, imported in one place so the metadata (and Alembic) sees them all."""

from gateway.api.keys import ApiKey
from gateway.approvers.models import ApproverTotp
from gateway.audit.models import AuditEvent, AuditHead  # noqa: F401 (tables for Alembic)
from gateway.channels.models import InboundSms, SmsMessage
from gateway.complaints.models import Complaint
from gateway.db import Base
from gateway.disbursement.providers import WalletProvider
from gateway.ledger.models import LedgerTxn, Posting
from gateway.locks import AppLock
from gateway.outbox import OutboxEvent
from gateway.payroll.models import (
    Allocation,
    CategoryRule,
    Cycle,
    CycleSkip,
    Payment,
    Program,
    StandardLevel,
)
from gateway.pins.models import BeneficiaryPin
from gateway.reconciliation.models import ReconciliationFinding, ReconciliationRun
from gateway.registry.models import Beneficiary, Enrolment, ImportRun, WalletLink
from gateway.wallets.models import WalletChangeRequest

__all__ = [
    "Allocation", "ApiKey", "AppLock", "Base", "Beneficiary", "CategoryRule", "Complaint",
    "Cycle", "CycleSkip", "Enrolment", "ImportRun", "InboundSms", "LedgerTxn", "OutboxEvent",
    "Payment", "Posting", "Program", "ReconciliationFinding", "ReconciliationRun",
    "SmsMessage", "StandardLevel", "WalletChangeRequest", "WalletLink", "WalletProvider",
    "ApproverTotp", "BeneficiaryPin",
]
