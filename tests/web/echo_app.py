"""A WSGI app for the serving tests: says which process answered and what it was sent.

``/echo`` answers ``<pid> <method> <path> <body>``; ``/ignore`` answers without reading the
body; ``/boom`` raises; ``/sleep`` waits the seconds in its query string, then echoes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer as the module docstring says."""
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/sleep":
        time.sleep(float(environ.get("QUERY_STRING") or 0))
    body = b""
    if path != "/ignore":
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    out = b"%d %s %s %s" % (os.getpid(), environ["REQUEST_METHOD"].encode(), path.encode(), body)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(out)))])
    return [out]
