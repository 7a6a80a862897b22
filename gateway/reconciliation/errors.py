"""Reconciliation errors, on top of the shared ones in :mod:`gateway.errors`."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import DomainError


class StatementRefused(DomainError):
    """The whole statement is refused before anything is recorded; ``vi`` and ``en`` say why."""

    code = "statement_refused"
    http_status = 422

    def __init__(self, vi: str, en: str, missing: Sequence[str] = ()) -> None:
        super().__init__(en, vi)
        self.missing = list(missing)
