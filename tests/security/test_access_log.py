"""No phone number or citizen ID in an access log: the real app under a real gunicorn writes
its own access-log file while people are looked up, and the file is read back."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.embedded_redis import free_port
from gateway.web.access_log import ScrubAccessLog, without_query_values
from tests.support.app import app_config
from tests.support.scenario import GOOD, make_key, write_csv

ROOT = Path(__file__).resolve().parents[2]
BINH_ID, BINH_PHONE = "046185654321", "987654321"  # Trần Thị Bình (0987654321)
CUONG_REPRESENTATIVE = "778889990"  # +84778889990
PERSONAL = [BINH_ID, BINH_PHONE, CUONG_REPRESENTATIVE]


def leaks(text: str) -> list[str]:
    """Return the lines of ``text`` that show a known phone (any format) or citizen ID."""
    # A phone's nine national digits are in each of its forms: 0…, 84…, +84…, %2B84….
    return [line for line in text.splitlines()
            if any(value in line for value in PERSONAL) or re.search(r"\d{9}", line)]


def test_the_search_finds_a_phone_in_every_format_and_a_citizen_id():
    for line in (f"GET /x?phone=0{BINH_PHONE}", f"/x?p=%2B84{BINH_PHONE}", f"84{BINH_PHONE}",
                 f"+84{CUONG_REPRESENTATIVE}", f"id {BINH_ID}", "a 046040123456 b"):
        assert leaks(line) == [line]
    assert leaks('127.0.0.1 - - [04/Dec/2026:19:50:00 +0000] "GET /healthz HTTP/1.1" 200') == []


@pytest.fixture
def gunicorn(app, runner, database_url, redis_url, tmp_path) -> Iterator[tuple[int, Path]]:
    """Serve ``wsgi:app`` on the test database under gunicorn with an access-log file."""
    result = runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    assert result.exit_code == 0, result.output
    log = tmp_path / "access.log"
    env = {**os.environ, **{f"CHITRA_{name}": str(value) for name, value in
                            app_config(database_url, redis_url).items()}}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "-b", f"127.0.0.1:{port}",
         "-k", "gateway.web.serving.InlineWorker", "--workers", "1",
         "--access-logfile", str(log), "--log-level", "warning", "wsgi:app"],
        env=env, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"gunicorn exited with {server.returncode}"
            assert time.monotonic() < deadline, "gunicorn did not come up"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                time.sleep(0.2)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def call(port: int, method: str, path: str, token: str, body: object = None,
         headers: dict[str, str] | None = None) -> tuple[int, object]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Authorization": f"Bearer {token}",
                          "Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def test_gunicorns_access_log_shows_no_phone_or_citizen_id_after_lookups(gunicorn):
    port, log = gunicorn
    token = make_key("log-officer", "officer")
    planted = f"planted leak: phone 0{BINH_PHONE}, citizen ID {BINH_ID}\n"
    with log.open("a") as file:
        file.write(planted)
    assert leaks(log.read_text()) == [planted.strip()]  # the search sees what is there

    # Lookups the right way: in the body.
    searches = [{"citizen_id": BINH_ID}, {"phone": f"0{BINH_PHONE}"},
                {"phone": f"+84{BINH_PHONE}"}, {"phone": f"84{CUONG_REPRESENTATIVE}"}]
    for body in searches:
        status, answer = call(port, "POST", "/api/v1/beneficiaries/search", token, body)
        assert status == 200 and answer["items"], (body, answer)
    # And the wrong ways a client may still try: in query strings, the path, the referer.
    hostile = [("GET", f"/api/v1/beneficiaries?phone=0{BINH_PHONE}"),
               ("GET", f"/api/v1/beneficiaries?citizen_id={BINH_ID}"),
               ("POST", f"/api/v1/beneficiaries/search?phone=%2B84{BINH_PHONE}"),
               ("GET", f"/api/v1/cycles?phone=84{CUONG_REPRESENTATIVE}&limit=5"),
               ("GET", f"/healthz?citizen_id={BINH_ID}"),
               ("GET", f"/api/v1/beneficiaries/{BINH_ID}"),
               ("GET", f"/wallets/sandbox/callback?msisdn=84{BINH_PHONE}")]
    for method, path in hostile:
        status, _answer = call(port, method, path, token, {"phone": f"0{BINH_PHONE}"},
                               headers={"Referer": f"https://admin.example/find?p=0{BINH_PHONE}",
                                        "User-Agent": f"client/1 (+84{BINH_PHONE})"})
        assert status < 500, (method, path, status)

    def logged() -> tuple[int, int]:
        text = log.read_text()
        return text.count('search HTTP/1.1" 200'), text.count("https://admin.example/find")

    deadline = time.monotonic() + 10
    while logged() != (len(searches), len(hostile)) and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert logged() == (len(searches), len(hostile)), text  # every request was logged
    assert "/api/v1/cycles?phone=&limit= " in text  # query names stay, values go
    assert leaks(text) == [planted.strip()], text


def test_werkzeug_access_lines_lose_query_values_and_personal_data(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "04/Dec/2026",
                                       f"GET /x?phone=0{BINH_PHONE}&a=1 HTTP/1.1", "200")
    [record] = [r for r in caplog.records if r.name == "werkzeug"]
    assert record.getMessage() == '127.0.0.1 - - [04/Dec/2026] "GET /x?phone=&a= HTTP/1.1" 200 -'


def test_a_custom_gunicorn_format_with_the_bare_query_atom_loses_it_too():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms({"r": f"GET /x?id={BINH_ID} HTTP/1.1", "q": f"id={BINH_ID}",
                       "{query_string}e": f"id={BINH_ID}", "U": "/x", "s": 200})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"%(r)s" q=%(q)s e=%({query_string}e)s %(s)s', (atoms,), None)
    assert ScrubAccessLog().filter(record)
    assert record.getMessage() == '"GET /x?id= HTTP/1.1" q= e= 200'


def test_every_query_value_of_every_url_in_a_line_is_removed():
    line = '"GET /a?x=1&y=%2B84 HTTP/1.1" "https://r.example/p?q=2;z=3" "ua?k=v"'
    assert without_query_values(line) == (
        '"GET /a?x=&y= HTTP/1.1" "https://r.example/p?q=;z=" "ua?k="')


def test_no_admin_api_url_takes_a_phone_or_citizen_id(client):
    # A lookup by personal data is a JSON body; the OpenAPI document lists no such parameter.
    spec = client.get("/api/v1/openapi.json").get_json()
    for template, operations in spec["paths"].items():
        assert not re.search(r"phone|citizen|cccd|msisdn", template, re.I), template
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not {n for n in names if re.search(r"phone|citizen|cccd|msisdn", n, re.I)}, (
                method, template, names)
