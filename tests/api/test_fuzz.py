"""A small fuzz over every documented endpoint: garbage in, a 4xx (or 2xx) out, never a 5xx."""

from __future__ import annotations

import io
import json
import random
import string
from typing import Any

from gateway.api.roles import Role

ODD_STRINGS = [
    "", " ", "0", "-1", "1e308", "NaN", "null", "true", "[]", "{}", "%00", "\x00", "é" * 300,
    "' OR 1=1 --", "../../etc/passwd", "<script>", "0" * 5000, "+84" + "9" * 40, "😀",
    # Past a 32-bit id column: PostgreSQL errors (was a 500 for every keyset cursor).
    "2147483648", "9007199254740992",
]
# Sent as the raw query string: bytes a dict cannot express.
RAW_QUERIES = ["%ff%fe=%ff", "citizen_id=%ED%A0%80", "%ZZ=1&&&=", "phone", "limit=1&limit=2",
               "=" * 50, "a=" + "%00" * 20]
RUN_IDS = ["0", "1", "2147483647", "2147483648", "9" * 30]



def garbage_queries(rng: random.Random, params: list[str]) -> list[dict[str, str]]:
    names = params + ["unknown", "limit", "page", "role", "__proto__"]
    out: list[dict[str, str]] = []
    for _ in range(12):
        out.append({rng.choice(names): rng.choice(ODD_STRINGS)
                    for _ in range(rng.randint(1, 3))})
    return out


def garbage_bodies(rng: random.Random) -> list[dict[str, Any]]:
    noise = bytes(rng.getrandbits(8) for _ in range(256))
    return [
        {"data": noise, "content_type": "application/octet-stream"},
        {"data": noise, "content_type": "application/json"},
        {"data": json.dumps({"file": "x", "dry_run": [1]}), "content_type": "application/json"},
        {"data": "file=x&dry_run=2", "content_type": "application/x-www-form-urlencoded"},
        {"data": b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx",
         "content_type": "multipart/form-data; boundary=b"},
        # A part without a name: its validation message is keyed None (was a 500).
        {"data": b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b\r\n"
                 b"Content-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--b--\r\n",
         "content_type": "multipart/form-data; boundary=b"},
        {"data": json.dumps({"communes": ["1", "2", 3], "": None}),
         "content_type": "application/json"},
        # Python's json recursed (RecursionError), refused 4300+ digit integers with a
        # ValueError, and PostgreSQL refused NUL in a string: each was a 500.
        {"data": "[" * 10_000 + "]" * 10_000, "content_type": "application/json"},
        {"data": '{"amount": ' + "9" * 5000 + "}", "content_type": "application/json"},
        {"data": '{"reference": "a\\u0000b", "beneficiary": "\\u0000", "totp": "\\ud800"}',
         "content_type": "application/json"},
        {"data": {"file": (io.BytesIO(noise), "r.csv"), "dry_run": "yes"}},
        {"data": {"file": (io.BytesIO(noise), "r.xlsx")}},
        {"data": {"file": (io.BytesIO(b"PK\x03\x04" + noise), "r.xlsx"), "dry_run": "0"}},
        {"data": {"file": (io.BytesIO(noise), "")}},
        {"data": {"file": "not a file"}},
    ]


def allowed_role(op: dict[str, Any]) -> Role:
    # The most privileged allowed role gets furthest into the endpoint.
    for role in (Role.OFFICER, Role.AUDITOR, Role.APPROVER):
        if role.value in op["x-chitra-roles"]:
            return role
    raise AssertionError("no admin role may call this endpoint")


def test_no_garbage_makes_any_endpoint_fail_with_5xx(client, as_role):
    spec = client.get("/api/v1/openapi.json").get_json()
    rng = random.Random(2026)
    failures = []
    for template, ops in spec["paths"].items():
        for method, op in ops.items():
            params = [p["name"] for p in op["parameters"] if p["in"] == "query"]
            headers = as_role(allowed_role(op))
            for _ in range(3):
                filler = "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40)))
                path = template.replace("{ref}", filler.replace("/", "%2F").replace("?", "%3F")
                                        .replace("#", "%23"))
                # <int:...> ids route only as digits: try small, absent and oversize ones.
                path = path.replace("{run_id}", rng.choice(RUN_IDS))
                for query in [*garbage_queries(rng, params), *RAW_QUERIES]:
                    response = client.open(path, method=method.upper(), headers=headers,
                                           query_string=query)
                    if response.status_code >= 500:
                        failures.append((method, path, query, response.status_code))
            if method in ("post", "put", "patch"):
                for body in garbage_bodies(rng):
                    response = client.open(template, method=method.upper(), headers=headers,
                                           **body)
                    if response.status_code >= 500:
                        failures.append((method, template, body, response.status_code))
    assert not failures, failures[:5]


def test_unknown_query_parameters_are_refused_everywhere(client, as_role):
    spec = client.get("/api/v1/openapi.json").get_json()
    for template, ops in spec["paths"].items():
        for method, op in ops.items():
            path = template.replace("{ref}", "x").replace("{run_id}", "1")
            response = client.open(path, method=method.upper(),
                                   headers=as_role(allowed_role(op)),
                                   query_string={"surely_unknown": "1"})
            assert response.status_code == 422, (method, template)
            details = response.get_json()["error"]["details"]
            assert "surely_unknown" in details["query"], (method, template, details)


def test_cursors_past_a_32_bit_id_are_refused_not_failing(client, as_role):
    # SQLite compares any integer; PostgreSQL errors on an int4 column (CI runs both).
    spec = client.get("/api/v1/openapi.json").get_json()
    for template, ops in spec["paths"].items():
        for method, op in ops.items():
            names = [p["name"] for p in op["parameters"]
                     if p["in"] == "query" and p["name"] in ("after", "offset")]
            path = template.replace("{ref}", "x").replace("{run_id}", "1")
            for name in names:
                for value in ("2147483647", "2147483648", "9007199254740993"):
                    response = client.open(path, method=method.upper(),
                                           headers=as_role(allowed_role(op)),
                                           query_string={name: value})
                    assert response.status_code < 500, (method, template, name, value)
