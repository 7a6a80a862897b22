"""Every ORM model, imported in one place so the metadata (and Alembic) sees them all."""

from gateway.api.keys import ApiKey
from gateway.audit.models import AuditEvent, AuditHead  # noqa: F401 (tables for Alembic)
from gateway.db import Base
from gateway.registry.models import Beneficiary, Enrolment, ImportRun, WalletLink

__all__ = ["ApiKey", "Base", "Beneficiary", "Enrolment", "ImportRun", "WalletLink"]
