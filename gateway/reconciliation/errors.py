"""Reconciliation errors: each carries a stable code and a sentence in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Sequence


class StatementRefused(Exception):
    """The whole statement is refused before anything is recorded; ``vi`` and ``en`` say why."""

    code = "statement_refused"
    http_status = 422

    def __init__(self, vi: str, en: str, missing: Sequence[str] = ()) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.missing = list(missing)
