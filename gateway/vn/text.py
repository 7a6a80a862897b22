"""Folding Vietnamese text for comparison: no accents, "đ" as "d", lower case, single spaces."""

from __future__ import annotations

import functools
import unicodedata

_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Return text lower-cased, without accents ("đ" → "d") and with single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
