"""Who may call the telco callbacks: the secret path key (rotatable) and an address allow-list.

Africa's Talking signs nothing, so a callback is trusted when its path carries one of the
configured keys and, when an allow-list is set, when it comes from an allowed address. The
key setting holds the current key first and, during a rotation, the old one after it
(``CHITRA_AT_CALLBACK_KEY=new,old``); every candidate is compared, in constant time, whatever
the outcome. The client address is the socket peer unless that peer is one of our own
reverse proxies, in which case ``X-Forwarded-For`` is read from the right, skipping our
proxies (the right-most untrusted address is the first one no proxy of ours could forge).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustSettingError(ValueError):
    """A trust setting is malformed; the message names what is wrong with it."""


# --- callback keys ----------------------------------------------------------------------

def _parts(value: object) -> list[str]:
    # Flask's from_prefixed_env reads JSON, so a setting may arrive as a list or a number.
    if isinstance(value, list | tuple | set | frozenset):
        return [str(p) for p in value]
    return str(value).replace(",", " ").split()


def split_keys(value: object) -> tuple[str, ...]:
    """Split a callback key setting (one key, or ``new,old`` during a rotation) into keys.

    Raises:
        TrustSettingError: a key could not be a URL path segment.
    """
    if value is None or value == "":
        return ()
    parts = _parts(value)
    keys = tuple(str(p).strip() for p in parts if str(p).strip())
    for key in keys:
        if "/" in key or "?" in key or "#" in key or "%" in key:
            raise TrustSettingError("a callback key cannot contain '/', '?', '#' or '%'")
    return keys


def _digest(value: str) -> bytes:
    # Digests first, so neither the content nor the length of a key leaks through timing.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


@functools.lru_cache(maxsize=8)
def _key_digests(value: str | tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(_digest(key) for key in split_keys(value))


def key_matches(given: str, configured: object) -> bool:
    """Tell whether ``given`` is one of the configured keys, comparing against every one."""
    if configured is None or configured == "":
        return False
    hashable = (tuple(str(k) for k in configured)
                if isinstance(configured, list | tuple | set | frozenset) else str(configured))
    candidates = _key_digests(hashable)
    offered = _digest(given)
    found = False
    for candidate in candidates:  # no early exit: the time does not say which key matched
        found |= hmac.compare_digest(offered, candidate)
    return found


# --- addresses --------------------------------------------------------------------------

def parse_networks(value: object) -> tuple[Network, ...]:
    """Parse a list of addresses or CIDR blocks (comma or space separated).

    Raises:
        TrustSettingError: an entry is not an IP address or network.
    """
    if value is None or value == "":
        return ()
    if isinstance(value, tuple) and all(isinstance(v, ipaddress.IPv4Network | ipaddress.IPv6Network)
                                        for v in value):
        return value  # already parsed (the settings are checked once per app)
    parts = _parts(value)
    networks: list[Network] = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise TrustSettingError(f"{text!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def parse_address(text: str | None) -> IPAddress | None:
    """Read one address as proxies write it (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``)."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _inside(address: IPAddress, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(remote_addr: str | None, forwarded_for: Sequence[str],
                   proxies: Sequence[Network]) -> IPAddress | None:
    """Return the caller's address, or None when it cannot be told.

    Args:
        remote_addr: the socket peer (``request.remote_addr``).
        forwarded_for: every ``X-Forwarded-For`` header value, in order.
        proxies: our own reverse proxies; only they may speak for someone else.
    """
    peer = parse_address(remote_addr)
    if peer is None or not _inside(peer, proxies):
        return peer  # nobody we trust forwarded this: the header, if any, is the caller's word
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return None  # a proxy of ours wrote garbage: refuse rather than guess
        client = address
        if not _inside(address, proxies):
            return address
    return client  # the whole chain is ours: the request started inside it


def address_allowed(address: IPAddress | None, allowed: Sequence[Network]) -> bool:
    """Tell whether ``address`` may call; an empty allow-list lets every address in."""
    if not allowed:
        return True
    return address is not None and _inside(address, allowed)


def refusal(cfg: Mapping[str, Any], key_setting: str, ips_setting: str, key: str,
            remote_addr: str | None, forwarded_for: Sequence[str]) -> str | None:
    """Say why a telco callback is refused ("key" or "address"), or None when it may come in.

    Args:
        cfg: the app's checked settings (``TRUSTED_PROXIES`` and the two named below).
        key_setting: the callback key setting, e.g. ``ESMS_CALLBACK_KEY``.
        ips_setting: the address allow-list setting, e.g. ``ESMS_ALLOWED_IPS``.
        key: the key segment of the request's path.
        remote_addr: the socket peer.
        forwarded_for: every ``X-Forwarded-For`` header value, in order.
    """
    if not key_matches(key, cfg.get(key_setting)):
        return "key"
    allowed = parse_networks(cfg.get(ips_setting))
    if allowed:
        caller = client_address(remote_addr, forwarded_for,
                                parse_networks(cfg.get("TRUSTED_PROXIES")))
        if not address_allowed(caller, allowed):
            return "address"
    return None
