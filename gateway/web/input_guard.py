"""The one check every request passes before its view: characters, size and depth of input.

``init_app`` installs it app-wide (a ``before_request`` on the app, not on a blueprint), so
every endpoint, the admin API's and any added later, is covered without code of its own.
It refuses, as a 4xx JSON error in the API's shape (details in English and Vietnamese):

- a NUL, another control character or a C1 control in the path (any segment: 404, such a
  path names nothing) or in a query-string name or value (400); PostgreSQL cannot store a
  NUL, and a terminal or log viewer obeys the others;
- a JSON body nested deeper than ``MAX_DEPTH`` (400), found by counting brackets, not by
  parsing: Python's json recurses, so a body 10,000 deep raised RecursionError (a 500);
- a body larger than the request's ``max_content_length`` (413; the admin API sets its own
  limits first, every other request gets ``MAX_BODY_BYTES``).

Under ``bodies_under`` (the admin API, whose schemas read the bodies) it also refuses:

- those characters, or a lone surrogate, in any string of a JSON body, key or value (tab,
  LF and CR are text there), or in a form field's name or value or a file's name;
- JSON that Python parses but no schema should see: ``NaN``/``Infinity`` and integers past
  Python's 4,300-digit limit (a ValueError, a 500) are invalid JSON like a missing brace.

Elsewhere bodies are their readers': a wallet adapter verifies the raw bytes it was signed
over. Paths under ``skip`` (the telco callbacks) are left alone entirely: they must always
answer in the telco's own format (a USSD screen, a 200 to a delivery report) and clean
their own input. What passes is still judged by the endpoint's schema or reader.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest

from gateway.errors import DomainError, NotFound

MAX_DEPTH = 32
MAX_BODY_BYTES = 1024 * 1024
# Control characters (C0, DEL, C1) and lone surrogates; tab, LF and CR are text in a body.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
_BAD_IN_TEXT = re.compile(f"[{_NEVER}]")
_BAD_IN_URL = re.compile(f"[{_NEVER}\t\n\r]")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class InvalidCharacters(DomainError):
    """A path, query, form or JSON value holds a NUL or another control character."""

    code = "invalid_characters"
    http_status = 400


class InvalidPath(NotFound):
    """A path holds a NUL or another control character: it can name nothing."""


class TooDeep(DomainError):
    """A JSON body is nested deeper than any request needs."""

    code = "json_too_deep"
    http_status = 400


def init_app(app: Flask, bodies_under: str, skip: tuple[str, ...] = ()) -> None:
    """Check every request's path, query and body before any view runs.

    Register it after the blueprints whose own ``before_request`` set a body limit (the
    admin API's): the body is read here, so that limit must be in place first.
    """
    app.extensions["chitra.input_guard"] = (bodies_under, skip)
    app.before_request(check_request)


def check_request() -> None:
    """Refuse the current request if its path, query or body is hostile."""
    bodies_under, skip = current_app.extensions["chitra.input_guard"]
    path = request.path
    if path.startswith(skip):
        return
    if _BAD_IN_URL.search(path):
        raise InvalidPath("No such resource: the path contains a NUL or a control character.",
                          "Không có tài nguyên này: đường dẫn chứa ký tự NUL hoặc ký tự "
                          "điều khiển.")
    for name, values in request.args.lists():
        for text in (name, *values):
            _check(_BAD_IN_URL, text, "query string", "chuỗi truy vấn")
    if request.max_content_length is None:
        request.max_content_length = MAX_BODY_BYTES
    if request.is_json:
        body = request.get_data(cache=True)
        _check_depth(body)
        if path.startswith(bodies_under):
            _check_json(body)
    elif path.startswith(bodies_under) and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.form.lists():
            for text in (name or "", *values):
                _check(_BAD_IN_TEXT, text, "form field", "trường biểu mẫu")
        for name, upload in request.files.items(multi=True):
            _check(_BAD_IN_TEXT, f"{name or ''}{upload.filename or ''}", "file name",
                   "tên tệp")


def json_depth(body: bytes) -> int:
    """Return how deep the arrays and objects of a JSON text nest, without parsing it."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    steps = array("b", brackets.translate(_DEPTH_STEP))
    return max(accumulate(steps), default=0)


def _check_depth(body: bytes) -> None:
    if json_depth(body) > MAX_DEPTH:
        raise TooDeep(f"The JSON body is nested deeper than {MAX_DEPTH} levels.",
                      f"Nội dung JSON lồng nhau sâu quá {MAX_DEPTH} cấp.")


def _check_json(body: bytes) -> None:
    if not body.strip():
        return
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        # The same answer webargs gives for JSON it cannot parse.
        error = BadRequest()
        error.data = {"messages": {"json": ["Invalid JSON body."]}}  # type: ignore[attr-defined]
        raise error from None
    pending: list[Any] = [value]
    while pending:  # a loop, not recursion: depth is bounded but width is not
        item = pending.pop()
        if isinstance(item, str):
            _check(_BAD_IN_TEXT, item, "JSON body", "nội dung JSON")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _check(forbidden: re.Pattern[str], text: str, where_en: str, where_vi: str) -> None:
    if forbidden.search(text):
        raise InvalidCharacters(
            f"The {where_en} contains a NUL or another control character.",
            f"{where_vi[0].upper()}{where_vi[1:]} chứa ký tự NUL hoặc ký tự điều khiển.")
