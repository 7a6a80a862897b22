"""Measure text the way the network does: GSM 03.38 7-bit or UCS-2, and strip Vietnamese accents."""

from __future__ import annotations

import unicodedata

#: Characters per USSD screen when every character is in the GSM 7-bit alphabet.
USSD_GSM7_LIMIT = 182
#: Characters per USSD screen once one character forces UCS-2 (any Vietnamese diacritic).
USSD_UCS2_LIMIT = 80
#: Length of the telco's ``CON ``/``END `` prefix, budgeted inside every screen.
USSD_PREFIX_LEN = 4
#: Characters of one SMS part in GSM 7-bit and in UCS-2.
SMS_GSM7_LIMIT = 160
SMS_UCS2_LIMIT = 70

# GSM 03.38 default alphabet (ESC 0x1B excluded: it only introduces extension characters).
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (ESC + code).
_EXTENDED = frozenset("^{}\\[~]|€\f")
_GSM7 = _BASIC | _EXTENDED

# Letters that Unicode decomposition does not reduce to ASCII.
_NON_DECOMPOSING = str.maketrans({"đ": "d", "Đ": "D"})


def is_gsm7(text: str) -> bool:
    """Tell whether every character of ``text`` is in the GSM 03.38 alphabet or its extension."""
    return _GSM7.issuperset(text)


def units(text: str, gsm7: bool) -> int:
    """Count ``text`` in one encoding's units: septets for GSM-7, UTF-16 units for UCS-2."""
    if gsm7:
        if _EXTENDED.isdisjoint(text):
            return len(text)
        return len(text) + sum(1 for ch in text if ch in _EXTENDED)
    if text.isascii():
        return len(text)
    # Characters outside the BMP take a surrogate pair: two UCS-2 units.
    return len(text.encode("utf-16-le")) // 2


def length(text: str) -> int:
    """Count ``text`` in the units its own encoding spends on the air."""
    return units(text, is_gsm7(text))


def limit_for(text: str) -> int:
    """Give the USSD screen limit (prefix included) that applies to ``text``."""
    return USSD_GSM7_LIMIT if is_gsm7(text) else USSD_UCS2_LIMIT


def fits_screen(text: str, prefix_len: int = USSD_PREFIX_LEN) -> bool:
    """Tell whether ``text`` plus the ``CON ``/``END `` prefix fits one USSD screen."""
    return length(text) + prefix_len <= limit_for(text)


def sms_limit_for(text: str) -> int:
    """Give the single-part SMS limit that applies to ``text``."""
    return SMS_GSM7_LIMIT if is_gsm7(text) else SMS_UCS2_LIMIT


def strip_accents(text: str) -> str:
    """Return ``text`` without diacritics (Vietnamese ``Trợ cấp`` → ``Tro cap``, ``đ`` → ``d``)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_NON_DECOMPOSING))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)
