"""Who may reach the Africa's Talking callbacks: rotated keys, an address allow-list, proxies."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.config import ConfigError
from gateway.telco import trust
from tests.support.app import app_config, make_app
from tests.support.ussd import KEY

NEW_KEY = "rotated-at-key-b81c0e"
AT_NET = "196.201.214.0/24"  # stands for Africa's Talking's published callback range
AT_HOST = "196.201.214.200"
PROXIES = "10.0.0.0/8, fd00::/8"
STRANGER = "203.0.113.9"
PATHS = ("ussd", "ussd/events", "sms/inbound", "sms/delivery")
FORM = {"sessionId": "s-trust", "phoneNumber": "+84912345678", "text": "", "id": "m-1",
        "from": "+84912345678", "status": "Success"}


@pytest.fixture
def rotating(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app in the middle of a key rotation: the new key first, the old one after."""
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=f"{NEW_KEY},{KEY}") as app:
        yield app


@pytest.fixture
def guarded(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app that takes callbacks only from AT's range, behind our own proxies."""
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=KEY, AT_ALLOWED_IPS=AT_NET,
                  TRUSTED_PROXIES=PROXIES) as app:
        yield app


def post(client: FlaskClient, path: str, *, key: str = KEY, peer: str = "127.0.0.1",
         forwarded: list[str] | None = None) -> int:
    headers = [("X-Forwarded-For", value) for value in forwarded or []]
    return client.post(f"/telco/africastalking/{key}/{path}", data=FORM, headers=headers,
                       environ_base={"REMOTE_ADDR": peer}).status_code


# --- key rotation -----------------------------------------------------------------------

def test_old_and_new_keys_both_open_every_callback_during_a_rotation(rotating: Flask) -> None:
    client = rotating.test_client()
    for path in PATHS:
        assert post(client, path, key=NEW_KEY) == 200, path
        assert post(client, path, key=KEY) == 200, path
        assert post(client, path, key="neither-key") == 404, path
        assert post(client, path, key=f"{NEW_KEY},{KEY}") == 404, path


def test_a_single_key_setting_still_works_and_a_retired_key_is_refused(
        database_url: str, redis_url: str) -> None:
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=NEW_KEY) as app:
        client = app.test_client()
        assert post(client, "ussd", key=NEW_KEY) == 200
        assert post(client, "ussd", key=KEY) == 404


def test_every_key_is_compared_whichever_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[bytes] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(trust.hmac, "compare_digest", counting)
    for given in ("k1", "k2", "k3", "nope"):
        compared.clear()
        assert trust.key_matches(given, "k1,k2 k3") is (given != "nope")
        assert len(compared) == 3, given  # no early exit that would time which key matched


@pytest.mark.parametrize("setting", ["", None, [], " , "])
def test_no_configured_key_matches_nothing(setting: object) -> None:
    assert not trust.key_matches("", setting)
    assert not trust.key_matches("None", setting)


# --- address allow-list -----------------------------------------------------------------

def test_allowed_address_is_served_and_others_look_like_a_wrong_key(guarded: Flask) -> None:
    client = guarded.test_client()
    for path in PATHS:
        assert post(client, path, peer=AT_HOST) == 200, path
        assert post(client, path, peer=STRANGER) == 404, path
        assert post(client, path, peer=STRANGER, key="wrong") == 404, path


def test_forwarded_for_is_believed_only_from_our_proxies(guarded: Flask) -> None:
    client = guarded.test_client()
    # Through our proxy, which appends the peer it saw.
    assert post(client, "ussd", peer="10.0.0.2", forwarded=[AT_HOST]) == 200
    # Through two of our proxies.
    assert post(client, "ussd", peer="10.0.0.2", forwarded=[f"{AT_HOST}, 10.1.2.3"]) == 200
    # The header split over two lines is one list.
    assert post(client, "ussd", peer="10.0.0.2", forwarded=[AT_HOST, "10.1.2.3"]) == 200
    # A stranger writing AT's address into the header, straight to us: ignored.
    assert post(client, "ussd", peer=STRANGER, forwarded=[AT_HOST]) == 404
    # ... or through our proxy: the proxy appends the stranger, the right-most untrusted hop.
    assert post(client, "ussd", peer="10.0.0.2", forwarded=[f"{AT_HOST}, {STRANGER}"]) == 404
    # A proxy with no header, or garbage in it, proves nothing.
    assert post(client, "ussd", peer="10.0.0.2") == 404
    assert post(client, "ussd", peer="10.0.0.2", forwarded=["unknown"]) == 404
    assert post(client, "ussd", peer="10.0.0.2", forwarded=[f"{AT_HOST}, not-an-ip"]) == 404


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("1.2.3.4", [], "1.2.3.4"),
    ("1.2.3.4", ["5.6.7.8"], "1.2.3.4"),  # untrusted peer: its header is its own word
    ("10.0.0.1", ["5.6.7.8"], "5.6.7.8"),
    ("10.0.0.1", ["9.9.9.9, 5.6.7.8, 10.0.0.7"], "5.6.7.8"),
    ("10.0.0.1", ["10.0.0.9, 10.0.0.7"], "10.0.0.9"),  # the chain is all ours
    ("10.0.0.1", [], "10.0.0.1"),
    ("10.0.0.1", ["5.6.7.8:4711"], "5.6.7.8"),
    ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
    ("::ffff:10.0.0.1", ["2001:db8::2"], "2001:db8::2"),
    ("fd00::1", ["5.6.7.8"], "5.6.7.8"),
    ("10.0.0.1", ["5.6.7.8, garbage"], None),
    ("not an address", [], None),
    (None, [], None),
])
def test_client_address_is_the_rightmost_untrusted_hop(peer: str | None, forwarded: list[str],
                                                       expected: str | None) -> None:
    proxies = trust.parse_networks(PROXIES)
    found = trust.client_address(peer, forwarded, proxies)
    assert found == (ipaddress.ip_address(expected) if expected else None)


def test_empty_allow_list_lets_everyone_in_but_an_unknown_address_never_passes_a_list() -> None:
    assert trust.address_allowed(None, ())
    assert not trust.address_allowed(None, trust.parse_networks(AT_NET))
    assert trust.address_allowed(ipaddress.ip_address(AT_HOST), trust.parse_networks(AT_NET))


# --- settings ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value"), [
    ("AT_ALLOWED_IPS", "196.201.214.0/33"),
    ("AT_ALLOWED_IPS", "africastalking.com"),
    ("TRUSTED_PROXIES", "10.0.0.1, 10.0.0.300"),
    ("AT_CALLBACK_KEY", "new/key,old"),
])
def test_a_malformed_trust_setting_stops_the_start_naming_it(database_url: str, redis_url: str,
                                                             name: str, value: str) -> None:
    from gateway import create_app

    with pytest.raises(ConfigError, match=f"CHITRA_{name}"):
        create_app(app_config(database_url, redis_url, **{name: value}))


def test_trust_settings_are_read_from_the_environment(database_url: str, redis_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway import create_app

    monkeypatch.setenv("CHITRA_AT_ALLOWED_IPS", f"{AT_NET},196.201.215.7")
    monkeypatch.setenv("CHITRA_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("CHITRA_AT_CALLBACK_KEY", f"{NEW_KEY},{KEY}")
    app = create_app(app_config(database_url, redis_url))
    assert app.config["AT_ALLOWED_IPS"] == (ipaddress.ip_network(AT_NET),
                                            ipaddress.ip_network("196.201.215.7/32"))
    assert app.config["TRUSTED_PROXIES"] == (ipaddress.ip_network("10.0.0.0/8"),)
    assert trust.split_keys(app.config["AT_CALLBACK_KEY"]) == (NEW_KEY, KEY)
    monkeypatch.setenv("CHITRA_TRUSTED_PROXIES", "my-proxy")
    with pytest.raises(ConfigError, match="CHITRA_TRUSTED_PROXIES"):
        create_app(app_config(database_url, redis_url))
