"""Every ORM model, imported in one place so the metadata (and Alembic) sees them all."""

from gateway.db import Base
from gateway.registry.models import Beneficiary, Enrolment, ImportRun, WalletLink

__all__ = ["Base", "Beneficiary", "Enrolment", "ImportRun", "WalletLink"]
