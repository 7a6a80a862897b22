"""Logging set-up with a last-line filter that masks personal data in any log record.

Code must not log personal data in the first place; this filter is the safety net for what
slips through (an exception message quoting a value, a library logging a URL).
"""

from __future__ import annotations

import logging
import re

# 12-digit citizen IDs, 9-digit old IDs, Vietnamese phones in national or E.164 form.
_PATTERNS = [
    (re.compile(r"(?<!\d)(\+?84|0)([35789]\d)\d{5}(\d{2})(?!\d)"), r"\1\2****\3"),
    (re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)"), r"\1******\2"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "*********"),
]


def scrub(text: str) -> str:
    """Mask anything that looks like a citizen ID or a phone number."""
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class PiiScrubFilter(logging.Filter):
    """Rewrite each record's message with ``scrub`` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the rendered message in place; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        clean = scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


def configure(level: str = "INFO") -> None:
    """Install the scrub filter on the root handlers (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, PiiScrubFilter) for f in handler.filters):
            handler.addFilter(PiiScrubFilter())
