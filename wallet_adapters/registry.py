"""Registry of wallet adapter factories keyed by provider name.

Which providers are enabled is configuration: the gateway passes the enabled names to
:func:`create`. Each provider declares its settings (``SettingSpec``) so the gateway can store
secrets encrypted and show them masked with :func:`masked_settings`, and owns its display name
(:func:`display_name`) and the headers of its reconciliation statements
(:func:`statement_columns`), so nothing outside its package lists providers.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from wallet_adapters.base import SettingSpec, WalletAdapter
from wallet_adapters.errors import InvalidSettings, UnknownProvider
from wallet_adapters.known_wallets import KNOWN_WALLETS

Factory = Callable[[Mapping[str, Any]], WalletAdapter]
F = TypeVar("F", bound=Callable[..., Any])
# Canonical statement field ("reference", "provider_ref", "amount", "status", "timestamp",
# "msisdn") → the provider's own names for that column.
StatementColumns = Mapping[str, tuple[str, ...]]

MASK = "********"
STATEMENT_FIELDS = frozenset({"reference", "provider_ref", "amount", "status", "timestamp",
                              "msisdn"})

# Built-in providers are the subpackages of wallet_adapters, imported on first use so importing
# the registry stays cheap; they register themselves the same way a third-party provider would.
# A name starting with "_" (the template) is never loaded: only an explicit import enables it.
_BUILTIN_MODULES = tuple(
    f"wallet_adapters.{module.name}"
    for module in pkgutil.iter_modules([str(Path(__file__).parent)])
    if module.ispkg and not module.name.startswith("_")
)


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """Hold what the registry knows about one provider."""

    name: str
    factory: Factory
    settings: tuple[SettingSpec, ...]
    description: str = ""
    display_name: str = ""  # as beneficiaries read it on USSD and SMS ("Viettel Money")
    statement_columns: StatementColumns = field(default_factory=dict)


_providers: dict[str, ProviderSpec] = {}
_builtins_loaded = False


def register(
    name: str,
    *,
    settings: tuple[SettingSpec, ...] | None = None,
    description: str = "",
    display_name: str = "",
    statement_columns: StatementColumns | None = None,
) -> Callable[[F], F]:
    """Register an adapter class or factory under ``name``.

    The decorated callable is called with the validated settings mapping. When ``settings`` is
    not given, the class attribute ``settings_schema`` is used.

    Args:
        display_name: the provider's name as people read it; defaults to ``name``.
        statement_columns: the provider's own headers for statement fields, e.g.
            ``{"reference": ("requestingOrganisationTransactionReference",)}``.

    Raises:
        ValueError: if another factory is already registered under ``name``, or a statement
            column names a field statements do not have.
    """
    columns = {f: tuple(aliases) for f, aliases in (statement_columns or {}).items()}
    unknown = sorted(set(columns) - STATEMENT_FIELDS)
    if unknown:
        raise ValueError(f"statement columns name unknown fields: {', '.join(unknown)}")

    def decorator(factory: F) -> F:
        schema = settings if settings is not None else getattr(factory, "settings_schema", ())
        existing = _providers.get(name)
        if existing is not None and existing.factory is not factory:
            raise ValueError(f"wallet provider {name!r} is already registered")
        doc = description or (factory.__doc__ or "").strip().split("\n")[0]
        _providers[name] = ProviderSpec(name, factory, tuple(schema), doc,
                                        display_name or KNOWN_WALLETS.get(name, name),
                                        types.MappingProxyType(columns))
        return factory

    return decorator


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        for module in _BUILTIN_MODULES:
            importlib.import_module(module)
        _builtins_loaded = True


def display_name(name: str) -> str:
    """Give a wallet provider's name as people read it: its adapter's, a known wallet's, or as is.

    Payments name wallets that have no adapter package of their own (they are paid through a
    protocol adapter such as ``gsma``); :data:`~wallet_adapters.known_wallets.KNOWN_WALLETS`
    names those.
    """
    _load_builtins()
    registered = _providers.get(name)
    if registered is not None:
        return registered.display_name
    return KNOWN_WALLETS.get(name, name)


def statement_columns() -> dict[str, tuple[str, ...]]:
    """Collect every registered provider's statement headers, by canonical field."""
    _load_builtins()
    merged: dict[str, tuple[str, ...]] = {}
    for provider in sorted(_providers.values(), key=lambda p: p.name):
        for name, aliases in provider.statement_columns.items():
            merged[name] = (*merged.get(name, ()), *aliases)
    return merged


def available() -> list[str]:
    """List the names of all registered providers, sorted."""
    _load_builtins()
    return sorted(_providers)


def spec(name: str) -> ProviderSpec:
    """Give the registration of provider ``name``.

    Raises:
        UnknownProvider: if no provider is registered under ``name``.
    """
    _load_builtins()
    try:
        return _providers[name]
    except KeyError:
        raise UnknownProvider(reason=f"no wallet provider named {name!r}") from None


def settings_schema(name: str) -> tuple[SettingSpec, ...]:
    """Give the settings provider ``name`` accepts."""
    return spec(name).settings


def _coerce(setting: SettingSpec, value: Any) -> Any:
    if value is None or setting.kind is object or isinstance(value, setting.kind):
        if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    if setting.kind is bool:
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise InvalidSettings(reason=f"setting {setting.name!r} must be true or false")
    try:
        return setting.kind(value)
    except (TypeError, ValueError):
        raise InvalidSettings(
            reason=f"setting {setting.name!r} must be of type {setting.kind.__name__}"
        ) from None


def validate_settings(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Fill defaults, coerce types and refuse unknown or missing settings.

    Raises:
        InvalidSettings: on an unknown key, a missing required key or a value of the wrong type.
    """
    schema = {s.name: s for s in settings_schema(name)}
    unknown = sorted(set(settings) - set(schema))
    if unknown:
        raise InvalidSettings(reason=f"unknown settings for {name!r}: {', '.join(unknown)}")
    clean: dict[str, Any] = {}
    for key, setting in schema.items():
        value = _coerce(setting, settings.get(key, setting.default))
        if setting.required and value in (None, ""):
            raise InvalidSettings(reason=f"setting {key!r} is required for {name!r}")
        clean[key] = value
    return clean


def create(
    name: str, settings: Mapping[str, Any], *, enabled: Collection[str] | None = None
) -> WalletAdapter:
    """Build an adapter for provider ``name`` from its settings.

    Args:
        name: registered provider name, e.g. ``"gsma"``.
        settings: the provider's settings (decrypted); strings are coerced to declared types.
        enabled: the provider names switched on in configuration; ``None`` allows all.

    Raises:
        UnknownProvider: if ``name`` is not registered or not enabled.
        InvalidSettings: if the settings do not match the provider's schema.
    """
    if enabled is not None and name not in enabled:
        raise UnknownProvider(reason=f"wallet provider {name!r} is not enabled")
    provider = spec(name)
    return provider.factory(validate_settings(name, settings))


def masked_settings(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Copy settings for display, with every secret (and every undeclared key) masked."""
    schema = {s.name: s for s in settings_schema(name)}
    shown: dict[str, Any] = {}
    for key, value in settings.items():
        setting = schema.get(key)
        if setting is None or setting.secret:
            shown[key] = MASK if value not in (None, "") else value
        elif callable(value):
            shown[key] = f"<{getattr(value, '__name__', type(value).__name__)}>"
        else:
            shown[key] = value
    return shown
