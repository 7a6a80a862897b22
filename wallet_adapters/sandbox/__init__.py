"""In-process sandbox wallet provider: registers ``"sandbox"`` in the adapter registry."""

from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET, SandboxAdapter
from wallet_adapters.sandbox.book import (
    FAULT_NAMES,
    BookEntry,
    Faults,
    ProviderBook,
    get_book,
    reset_books,
)

__all__ = [
    "DEMO_WEBHOOK_SECRET",
    "FAULT_NAMES",
    "BookEntry",
    "Faults",
    "ProviderBook",
    "SandboxAdapter",
    "get_book",
    "reset_books",
]
