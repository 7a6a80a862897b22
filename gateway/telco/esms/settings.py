"""eSMS settings (``CHITRA_ESMS_*``, defaults in gateway/config.py): the start-up check.

Flask's ``from_prefixed_env`` reads JSON, so an all-digit key or OA id arrives as a number
and ``1``/``true`` as a number or a bool; :func:`check` turns every value into its one shape
or stops the start-up with a message naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gateway.settings import SettingError
from gateway.telco.trust import TrustSettingError, parse_networks, split_keys

PRODUCTION_URL = "https://rest.esms.vn/MainService.svc/json"  # ESMS_BASE_URL's default
_KIND = re.compile(r"[a-z][a-z_]{0,31}")
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,50}")
_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,49}")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EsmsSettingError(SettingError):
    """An eSMS setting is malformed; the message names the variable."""

    def __init__(self, message: str) -> None:
        """Keep ``message`` as it is: it names the variable and what is wrong."""
        ValueError.__init__(self, message)
        self.name = message.split()[0].removeprefix("CHITRA_")


@dataclass(frozen=True)
class ZnsTemplate:
    """A registered ZNS template: its id and, when given, the order of its parameters."""

    template_id: str
    params: tuple[str, ...] = ()  # eSMS's Params is a list in the template's own order


@dataclass(frozen=True)
class EsmsSettings:
    """The parsed settings an eSMS sender needs."""

    api_key: str
    secret_key: str
    brandname: str
    base_url: str
    sandbox: bool
    timeout: float
    zalo_oa_id: str | None
    zalo_templates: Mapping[str, ZnsTemplate]


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EsmsSettingError(f"CHITRA_{name} must be true or false, not {value!r}")


def _url(name: str, value: object) -> str:
    text = _text(value) or ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise EsmsSettingError(f"CHITRA_{name} must be an http(s) URL, not {text!r}")
    return text.rstrip("/")


def _template(kind: str, text: str) -> ZnsTemplate:
    template_id, _, order = text.partition(":")
    names = tuple(n.strip() for n in order.split("|") if n.strip()) if order else ()
    if (not _KIND.fullmatch(kind) or not _TEMPLATE_ID.fullmatch(template_id.strip())
            or not all(_PARAM.fullmatch(n) for n in names)):
        raise EsmsSettingError(
            f"CHITRA_ESMS_ZALO_TEMPLATES: {kind}:{text} is not kind:template_id or "
            "kind:template_id:param|param (e.g. succeeded:205644:amount|month)")
    return ZnsTemplate(template_id.strip(), names)


def parse_templates(value: object) -> dict[str, ZnsTemplate]:
    """Parse ``kind:template_id[:param|param...]`` pairs (comma separated, or a JSON object).

    Raises:
        EsmsSettingError: a pair is malformed or a kind is listed twice.
    """
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    else:
        pairs = [(k, v) for k, _, v in (p.strip().partition(":") for p in str(value).split(","))
                 if k or v]
    templates: dict[str, ZnsTemplate] = {}
    for kind, text in pairs:
        kind = kind.strip()
        if kind in templates:
            raise EsmsSettingError(f"CHITRA_ESMS_ZALO_TEMPLATES: {kind} is listed twice")
        templates[kind] = _template(kind, text.strip())
    return templates


def check(cfg: MutableMapping[str, Any]) -> None:
    """Normalise the eSMS settings in place, or raise naming the malformed variable.

    Raises:
        EsmsSettingError: a value is malformed or the values contradict each other.
    """
    for name in ("ESMS_API_KEY", "ESMS_SECRET_KEY", "ESMS_BRANDNAME", "ESMS_MO_PRIVATE_KEY",
                 "ESMS_MO_CPID", "ESMS_ZALO_OA_ID"):
        cfg[name] = _text(cfg.get(name))
    brandname = cfg["ESMS_BRANDNAME"]
    # Decree 91/2020: a brandname is at most 11 Latin letters, digits, "-", "_", "." or space.
    if brandname is not None and not re.fullmatch(r"[A-Za-z0-9 ._-]{1,11}", brandname):
        raise EsmsSettingError(f"CHITRA_ESMS_BRANDNAME {brandname!r} is not a brandname "
                               "(1 to 11 Latin letters, digits, '-', '_', '.' or space)")
    cfg["ESMS_BASE_URL"] = _url("ESMS_BASE_URL", cfg.get("ESMS_BASE_URL") or PRODUCTION_URL)
    cfg["ESMS_SANDBOX"] = _flag("ESMS_SANDBOX", cfg.get("ESMS_SANDBOX"))
    try:
        timeout = float(cfg.get("ESMS_TIMEOUT") or 10.0)
    except (TypeError, ValueError):
        timeout = -1.0
    if not 0.5 <= timeout <= 60:
        raise EsmsSettingError(f"CHITRA_ESMS_TIMEOUT must be 0.5 to 60 seconds, not "
                               f"{cfg.get('ESMS_TIMEOUT')!r}")
    cfg["ESMS_TIMEOUT"] = timeout
    for name, parse in (("ESMS_CALLBACK_KEY", split_keys), ("ESMS_ALLOWED_IPS", parse_networks)):
        try:
            parsed = parse(cfg.get(name))
        except TrustSettingError as exc:
            raise EsmsSettingError(f"CHITRA_{name}: {exc}") from None
        if name == "ESMS_ALLOWED_IPS":
            cfg[name] = parsed
    cfg["ESMS_ZALO_TEMPLATES"] = parse_templates(cfg.get("ESMS_ZALO_TEMPLATES"))
    if cfg["ESMS_ZALO_TEMPLATES"] and not cfg["ESMS_ZALO_OA_ID"]:
        raise EsmsSettingError("CHITRA_ESMS_ZALO_TEMPLATES needs CHITRA_ESMS_ZALO_OA_ID "
                               "(the Zalo Official Account the templates belong to)")
    if bool(cfg["ESMS_API_KEY"]) != bool(cfg["ESMS_SECRET_KEY"]):
        raise EsmsSettingError("CHITRA_ESMS_API_KEY and CHITRA_ESMS_SECRET_KEY go together: "
                               "set both or neither")
    if cfg["ESMS_API_KEY"] and not brandname:
        raise EsmsSettingError("CHITRA_ESMS_BRANDNAME is required with CHITRA_ESMS_API_KEY "
                               "(customer-care SMS are sent under a registered brandname)")


def settings_from(cfg: Mapping[str, Any]) -> EsmsSettings | None:
    """Return the sender's settings from a checked config, or None when no account is set."""
    if not cfg.get("ESMS_API_KEY"):
        return None
    return EsmsSettings(
        api_key=str(cfg["ESMS_API_KEY"]), secret_key=str(cfg["ESMS_SECRET_KEY"]),
        brandname=str(cfg["ESMS_BRANDNAME"]), base_url=str(cfg["ESMS_BASE_URL"]),
        sandbox=bool(cfg["ESMS_SANDBOX"]), timeout=float(cfg["ESMS_TIMEOUT"]),
        zalo_oa_id=cfg.get("ESMS_ZALO_OA_ID"),
        zalo_templates=dict(cfg.get("ESMS_ZALO_TEMPLATES") or {}))
