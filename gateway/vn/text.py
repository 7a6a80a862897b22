"""Folding Vietnamese text for comparison: no accents, "đ" as "d", lower case, single spaces.

Column headers of rosters and providers' statements are matched by ``header_key``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Return text lower-cased, without accents ("đ" → "d") and with single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


_PARENTHETICAL = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_NOT_ALNUM = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """Return the comparison key of a header: folded, no trailing parenthetical, no spaces."""
    folded = fold(text)
    while True:
        stripped = _PARENTHETICAL.sub("", folded)
        # Keep the parenthetical when it is the whole header, e.g. "(STT)".
        if stripped == folded or not stripped:
            break
        folded = stripped
    return _NOT_ALNUM.sub("", folded)
