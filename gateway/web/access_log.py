"""Access-log lines without query values or personal data, werkzeug's and gunicorn's alike.

An access log writes the URL of every request, and a URL is where a careless client (or an
old one) puts a phone number or a citizen ID. ``init_app`` puts ``ScrubAccessLog`` on the
``werkzeug`` and ``gunicorn.access`` loggers of the process that creates the app, which is
every gunicorn worker serving ``wsgi:app`` (and the master too under ``--preload``): query
values are dropped (names stay, for debugging) from the request line, the referer and the
``%(q)s`` atom of any ``--access-logformat``, and what is left goes through
``gateway.logs.scrub`` (a phone or an ID typed into a path or a user agent).
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping

from flask import Flask

from gateway.logs import scrub

LOGGERS = ("werkzeug", "gunicorn.access")
# gunicorn atoms that hold a bare query string, without the "?" that marks one elsewhere.
_BARE_QUERIES = ("q", "{query_string}e")
_QUERY = re.compile(r"\?[^\s\"]*")
_VALUE = re.compile(r"=[^&;\s\"]*")


def without_query_values(text: str) -> str:
    """Return ``text`` with the value of every query parameter of every URL in it removed."""
    return _QUERY.sub(lambda m: _VALUE.sub("=", m.group()), text)


class ScrubAccessLog(logging.Filter):
    """Rewrite an access-log record: no query values, nothing shaped like personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Clean the record in place; always keep it."""
        atoms = record.args
        if isinstance(atoms, MutableMapping):
            # gunicorn renders its line from named atoms (headers and environ among them);
            # its atoms object answers "-" for names it lacks, so it is cleaned in place.
            for name, value in list(atoms.items()):
                if isinstance(value, str):
                    atoms[name] = "" if name in _BARE_QUERIES else without_query_values(value)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        record.msg, record.args = scrub(without_query_values(message)), None
        return True


def init_app(app: Flask) -> None:
    """Put the scrub filter on the access loggers of this process (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubAccessLog) for f in logger.filters):
            logger.addFilter(ScrubAccessLog())
