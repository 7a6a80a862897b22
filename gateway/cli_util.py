"""What every ``gateway`` command shares: output, who acts, and how months and days are typed.

Domain errors need no handling here: ``gateway.cli`` turns any :class:`gateway.errors.DomainError`
a command raises into one clear message in English and Vietnamese (exit 1).
"""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def emit(data: Any, as_json: bool, text: Callable[[Any], str] | str | None = None) -> None:
    """Print ``data`` as JSON, or as the human text ``text`` renders from it."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif callable(text):
        click.echo(text(data))
    elif text is not None:
        click.echo(text)
    else:
        click.echo(data)


def default_actor() -> str:
    """Return ``cli:<login name>`` for whoever runs the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli:unknown"


actor_option = click.option("--actor", default=default_actor, show_default="cli:$USER",
                            help="Who does this (recorded; approver must differ from maker).")


def parse_period(text: str) -> date:
    """Parse a month given as ``2026-12`` or ``12/2026``.

    Raises:
        click.BadParameter: not a month.
    """
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match:
        a, b = match.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return date(year, month, 1)
    raise click.BadParameter(f"{text!r} is not a month (use 2026-12 or 12/2026)")


def parse_day(text: str) -> date:
    """Parse a date given as ``dd/mm/yyyy`` or ``yyyy-mm-dd``.

    Raises:
        click.BadParameter: not a date.
    """
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{text!r} is not a date (use dd/mm/yyyy)")
