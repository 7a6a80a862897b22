"""Describe menus as data (screens, catalog keys, next screens) and check the graph."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ussd_menus import catalogs
from ussd_menus.port import Port
from ussd_menus.session import SessionState

#: Inputs the engine keeps for navigation; no option may be numbered with them.
BACK, HOME, MORE = "0", "00", "98"
MAX_OPTIONS = 9


class Kind(StrEnum):
    """Name the kinds of screen; the engine has one handler per kind."""

    MENU = "menu"  # numbered static options, optional dynamic header lines
    LIST = "list"  # numbered items produced at run time (people, ...)
    INPUT = "input"  # free input checked by a pattern, optionally secret
    INFO = "info"  # dynamic or static lines; only navigation is accepted
    END = "end"  # last screen: the session ends once its last page is shown


@dataclass(frozen=True)
class Option:
    """One numbered choice of a menu: a label key, the next screen, and an optional action."""

    label: str
    next: str
    action: str | None = None
    value: str = ""


@dataclass(frozen=True)
class Screen:
    """One screen of the journey, referring to catalog keys, views and actions by name."""

    id: str
    kind: Kind
    title: str | None = None  # catalog key shown first
    view: str | None = None  # lines (or LIST items) computed at run time
    options: tuple[Option, ...] = ()
    next: str | None = None  # LIST/INPUT: where to go after a valid answer
    action: str | None = None  # LIST/INPUT: called with the answer
    pattern: str | None = None  # INPUT: the answer must match it whole
    secret: bool = False  # INPUT: a PIN or code, handed to the action and never stored
    protected: bool = False  # needs the PIN first when the port says so
    gate: str | None = None  # may redirect before the screen is entered


@dataclass
class Context:
    """Give views and actions the port, the caller and the session they work on."""

    port: Port
    phone: str
    state: SessionState

    @property
    def lang(self) -> str:
        """Give the session's language code."""
        return self.state.lang

    @property
    def ref(self) -> str:
        """Give the selected beneficiary's ref (every screen past the person pick has one)."""
        if self.state.person is None:
            raise LookupError("no beneficiary selected")
        return self.state.person

    def t(self, key: str, **values: object) -> str:
        """Translate a catalog key into the session's language."""
        if key in catalogs.HOTLINE_KEYS and "hotline" not in values:
            values["hotline"] = self.port.hotline()
        return catalogs.text(self.state.lang, key, **values)


@dataclass(frozen=True)
class Step:
    """Say what an action decided: go to a screen, or stay and show an error line."""

    goto: str | None = None
    # Catalog key of a line shown above the screen: the re-shown one when there is no goto
    # (an error), else the one gone to (a notice such as "PIN saved").
    error: str | None = None
    replace: bool = False  # don't remember the current screen for "back"
    values: Mapping[str, object] = field(default_factory=dict)  # placeholders of ``error``


View = Callable[[Context], list[str]]
Action = Callable[[Context, str], Step | None]
Gate = Callable[[Context], str | None]


class GraphError(ValueError):
    """Report what is wrong with a menu graph."""


def _keys(screen: Screen) -> list[str]:
    keys = [screen.title] if screen.title else []
    return keys + [o.label for o in screen.options]


def validate(
    screens: Mapping[str, Screen],
    views: Mapping[str, View],
    actions: Mapping[str, Action],
    gates: Mapping[str, Gate],
    required: tuple[str, ...],
) -> None:
    """Check the graph once at load: targets, names, catalog keys, option counts, kinds."""
    problems: list[str] = []
    for sid in required:
        if sid not in screens:
            problems.append(f"required screen {sid!r} is missing")
    for sid, s in screens.items():
        where = f"screen {sid!r}"
        if s.id != sid:
            problems.append(f"{where} is filed under another id ({s.id!r})")
        targets = [o.next for o in s.options] + ([s.next] if s.next else [])
        problems += [f"{where} leads to unknown {t!r}" for t in targets if t not in screens]
        names = [(s.view, views, "view"), (s.gate, gates, "gate"), (s.action, actions, "action")]
        names += [(o.action, actions, "action") for o in s.options]
        problems += [f"{where} names unknown {k} {n!r}" for n, r, k in names if n and n not in r]
        for lang, cat in catalogs.CATALOGS.items():
            problems += [f"{where} key {k!r} missing in {lang}" for k in _keys(s) if k not in cat]
        if s.kind is Kind.MENU and not 1 <= len(s.options) <= MAX_OPTIONS:
            problems.append(f"{where} must have 1 to {MAX_OPTIONS} options")
        if s.kind in (Kind.LIST, Kind.INPUT) and not (s.next and s.action):
            problems.append(f"{where} needs a next screen and an action")
        if s.kind is Kind.LIST and not s.view:
            problems.append(f"{where} needs a view for its items")
        if s.kind is Kind.INPUT and not s.pattern:
            problems.append(f"{where} needs a pattern")
        if s.secret and s.kind is not Kind.INPUT:
            problems.append(f"{where} is secret but not an input")
        if s.kind is not Kind.MENU and s.options:
            problems.append(f"{where} has options but is not a menu")
    if problems:
        raise GraphError("; ".join(problems))
