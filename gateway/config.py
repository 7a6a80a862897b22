"""Settings: defaults, ``CHITRA_*`` environment variables, the secrets check, typed values.

Every setting can be given as ``CHITRA_<NAME>`` (read with Flask's ``from_prefixed_env``) or
through ``create_app(test_config={...})``. ``load`` parses every one of them when the app is
created into one frozen :class:`Settings` (``settings(app)``); a value that cannot be used stops
the start-up with one line naming the variable and the form it expects. Outside development and
testing the app refuses to start without its secrets; in development missing secrets are
generated once and kept in ``instance/dev-secrets.json`` so demo data stays readable across
restarts.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from typing import Any

from flask import Flask

from gateway import settings as parse
from gateway.settings import Settings, load_channels, load_wallets

DEFAULTS: dict[str, Any] = {
    # "development" | "testing" | "production"
    "ENV": "production",
    # SQLAlchemy URL; default: SQLite (WAL) file under instance/
    "DATABASE_URL": None,
    # redis:// URL; when unset in development, `gateway run` starts an embedded redis-server
    "REDIS_URL": None,
    "SECRET_KEY": None,
    # Comma-separated "key_id:base64(32 bytes)"; the first encrypts, all decrypt.
    "PII_KEYS": None,
    # base64(32 bytes): HMAC key for blind indexes (exact-match lookups on encrypted columns).
    "BLIND_INDEX_KEY": None,
    # Two-digit province code this installation serves (e.g. "46" for Huế); None = any.
    "PROVINCE_CODE": None,
    # Wallet providers enabled in this installation; the first is the roster default.
    "WALLET_PROVIDERS": "sandbox",
    "LOG_LEVEL": "INFO",
    # Where providers reach us (callback URLs are built from it), e.g. https://chitra.example.
    "PUBLIC_URL": None,
    # Day of the month payments are made (province setting).
    "PAYMENT_DAY": 5,
    # Test/demo only: adapter settings merged over the stored ones, per provider.
    "WALLET_ADAPTER_OVERRIDES": None,
    # Beneficiary channels (USSD and SMS). SMS_TELCO: the aggregator that sends SMS
    # (africastalking or esms); every registered aggregator's callbacks are served.
    "SMS_TELCO": "africastalking",
    "HOTLINE": "1900 0000",
    # The code beneficiaries dial and the number they text, printed in SMS notices.
    "USSD_CODE": "*384*12#",
    "SMS_SHORTCODE": "8088",
    # Secret path segment of the Africa's Talking callbacks; None = the callbacks answer 404.
    # During a rotation give "new,old": every listed key is accepted, the first is current.
    "AT_CALLBACK_KEY": None,
    # Addresses/CIDR blocks allowed to call the Africa's Talking callbacks; empty = any.
    "AT_ALLOWED_IPS": None,
    # Our own reverse proxies (addresses/CIDR blocks): only their X-Forwarded-For is believed.
    "TRUSTED_PROXIES": None,
    "AT_USERNAME": "sandbox",
    "AT_API_KEY": None,
    # None = the SDK's own host; tests and demos point it at gateway/telco/africastalking/stub.py.
    "AT_BASE_URL": None,
    "AT_SENDER_ID": None,
    # eSMS (VIHAT), checked by gateway/telco/esms/settings.py: the account's keys (sent in
    # the request body) and registered brandname; the API root (tests and demos point it at
    # gateway/telco/esms/stub.py); Sandbox (eSMS checks requests but neither sends nor
    # charges); seconds per request; the callbacks' secret path segment ("new,old" during a
    # rotation) and allowed addresses; the short-code service's PrivateKey (signs each MO)
    # and CP id; the Zalo OA and ZNS templates per notice kind ("succeeded:205644,failed:
    # 205645", optionally "succeeded:205644:amount|month" naming the parameters' order).
    "ESMS_API_KEY": None,
    "ESMS_SECRET_KEY": None,
    "ESMS_BRANDNAME": None,
    "ESMS_BASE_URL": "https://rest.esms.vn/MainService.svc/json",
    "ESMS_SANDBOX": False,
    "ESMS_TIMEOUT": 10.0,
    "ESMS_CALLBACK_KEY": None,
    "ESMS_ALLOWED_IPS": None,
    "ESMS_MO_PRIVATE_KEY": None,
    "ESMS_MO_CPID": None,
    "ESMS_ZALO_OA_ID": None,
    "ESMS_ZALO_TEMPLATES": None,
    # Per phone: USSD hops a minute and inbound SMS an hour before a polite refusal.
    "USSD_HOPS_PER_MINUTE": 30,
    "SMS_INBOUND_PER_HOUR": 10,
    # Local hours (Asia/Ho_Chi_Minh) when non-urgent notices may be sent: [start, end).
    "NOTICE_HOURS": "7-22",
    # Days before the payment date when a reminder SMS announces it (0: no reminders).
    "NOTICE_REMINDER_DAYS": 0,
    # Approvers' TOTP when approving and releasing cycles: "required" (every approver must
    # have enrolled an authenticator), "enrolled" (only those who enrolled must give a code)
    # or "off". None = "required" in production, "enrolled" in development and testing.
    "APPROVER_TOTP": None,
    # Wallet verification by SMS code. OTP_KEY: base64 HMAC key of the codes (None = derived
    # from SECRET_KEY). SIM_SWAP_URL: a CAMARA SimSwap-style base URL (POST {url}/check);
    # None = no check configured. A SIM changed within SIM_SWAP_MAX_AGE_HOURS blocks SMS
    # codes and holds payouts ("sim_swap"); answers are cached SIM_SWAP_CACHE_SECONDS.
    "OTP_KEY": None,
    "SIM_SWAP_URL": None,
    "SIM_SWAP_TOKEN": None,
    "SIM_SWAP_MAX_AGE_HOURS": 72,
    "SIM_SWAP_CACHE_SECONDS": 300,
    "SIM_SWAP_TIMEOUT": 3.0,
}

SECRETS = ("SECRET_KEY", "PII_KEYS", "BLIND_INDEX_KEY")


class ConfigError(RuntimeError):
    """The configuration cannot run the service; the message says what to set."""


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
TOTP_POLICIES = ("required", "enrolled", "off")


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, environment and ``test_config``, then check it.

    Raises:
        ConfigError: a secret is missing outside development, or a value is malformed.
    """
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("CHITRA")
    if test_config:
        app.config.from_mapping(test_config)
    cfg = app.config
    try:
        cfg["ENV"] = parse.choice(cfg, "ENV", ("development", "testing", "production"))
    except parse.SettingError as exc:
        raise ConfigError(str(exc)) from None
    if not cfg["DATABASE_URL"]:
        os.makedirs(app.instance_path, exist_ok=True)
        cfg["DATABASE_URL"] = f"sqlite:///{os.path.join(app.instance_path, 'chitra.db')}"
    missing = [name for name in SECRETS if not cfg.get(name)]
    if missing and cfg["ENV"] == "development":
        _fill_dev_secrets(app, missing)
        missing = []
    if missing:
        names = ", ".join(f"CHITRA_{name}" for name in missing)
        raise ConfigError(
            f"missing secret(s): {names}. Generate keys with `gateway keys generate` "
            "and set them in the environment (or set CHITRA_ENV=development for a local demo)."
        )
    cfg["SECRET_KEY"] = str(cfg["SECRET_KEY"])
    from gateway.api import MAX_BODY_BYTES, MAX_UPLOAD_BYTES

    try:
        typed = _parse(cfg)
        # The admin API's body limits, read per request: whole numbers of bytes from here on.
        for name, default in (("API_MAX_BODY_BYTES", MAX_BODY_BYTES),
                              ("API_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)):
            cfg[name] = parse.integer(cfg, name, low=1024, high=2**31 - 1, default=default)
    except parse.SettingError as exc:
        raise ConfigError(str(exc)) from None
    parse.install(app, typed)
    # Code that still reads app.config sees the parsed values.
    cfg["PROVINCE_CODE"] = typed.province_code
    cfg["WALLET_PROVIDERS"] = list(typed.wallet_providers)
    cfg["APPROVER_TOTP"] = typed.approver_totp
    cfg["PAYMENT_DAY"] = typed.payment_day
    cfg["LOG_LEVEL"] = typed.log_level
    _check_telco_trust(cfg)


def update(app: Flask, **values: Any) -> Settings:
    """Change settings of a built app and parse them again (``gateway run`` and tests use it).

    ``gateway run`` fills in what it starts itself (the embedded Redis, the development
    telco stub); the long-lived services that read a changed value are rebuilt by the caller.

    Raises:
        ConfigError: a value cannot be used; the app keeps its previous settings.
    """
    candidate = {**app.config, **values}
    try:
        parsed = _parse(candidate)
    except parse.SettingError as exc:
        raise ConfigError(str(exc)) from None
    app.config.update(values)
    parse.install(app, parsed)
    return parsed


def _parse(cfg: Any) -> Settings:
    """Parse every setting into a :class:`Settings`.

    Raises:
        gateway.settings.SettingError: a value cannot be used (the message names it).
    """
    province = parse.integer(cfg, "PROVINCE_CODE", low=1, high=99, default=0)
    return Settings(
        env=cfg["ENV"],
        database_url=str(cfg["DATABASE_URL"]),
        redis_url=parse.url(cfg, "REDIS_URL", schemes=("redis", "rediss", "unix")),
        province_code=f"{province:02d}" if province else None,
        wallet_providers=tuple(parse.names(cfg, "WALLET_PROVIDERS")),
        log_level=parse.choice(cfg, "LOG_LEVEL", LOG_LEVELS, default="info").upper(),
        public_url=parse.url(cfg, "PUBLIC_URL"),
        payment_day=parse.integer(cfg, "PAYMENT_DAY", low=1, high=28, default=5),
        wallet_adapter_overrides=parse.mapping(cfg, "WALLET_ADAPTER_OVERRIDES"),
        approver_totp=_approver_totp_policy(cfg),
        channels=load_channels(cfg),
        wallets=load_wallets(cfg),
    )


def _check_telco_trust(cfg: Any) -> None:
    """Parse the callback keys and address lists now, so a typo stops the start-up."""
    from gateway.telco.trust import TrustSettingError, parse_networks, split_keys

    try:
        split_keys(cfg.get("AT_CALLBACK_KEY"))
    except TrustSettingError as exc:
        raise ConfigError(f"CHITRA_AT_CALLBACK_KEY: {exc}") from None
    for name in ("AT_ALLOWED_IPS", "TRUSTED_PROXIES"):
        try:
            cfg[name] = parse_networks(cfg.get(name))
        except TrustSettingError as exc:
            raise ConfigError(f"CHITRA_{name}: {exc}") from None


def _approver_totp_policy(cfg: Any) -> str:
    """Return the approver TOTP policy, defaulting by environment (required in production)."""
    default = "required" if cfg["ENV"] == "production" else "enrolled"
    return parse.choice(cfg, "APPROVER_TOTP", TOTP_POLICIES, default=default)


def _fill_dev_secrets(app: Flask, missing: list[str]) -> None:
    """Load or create development secrets in instance/dev-secrets.json."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "dev-secrets.json")
    stored: dict[str, str] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            stored = json.load(fh)
    changed = False
    for name in missing:
        if name not in stored:
            stored[name] = generate_secret(name)
            changed = True
        app.config[name] = stored[name]
    if changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stored, fh, indent=2)


def generate_secret(name: str) -> str:
    """Return a fresh random value in the format the named secret expects."""
    if name == "PII_KEYS":
        return f"{secrets.token_hex(4)}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
    if name == "BLIND_INDEX_KEY":
        return base64.b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)
