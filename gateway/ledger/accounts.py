"""Account names. Balances are positive when the account holds money.

- ``budget:<program>``: the state budget's side of funding; goes negative as money is
  allocated (it is the source, not a pot).
- ``program:<program>:<yyyy-mm>``: money allocated to a program for one month, not yet
  released; never negative.
- ``clearing:<provider>``: released to a wallet provider, outcome not yet final; never negative.
- ``paid:<provider>``: paid out to beneficiaries through that provider; never negative.
"""

from __future__ import annotations

from datetime import date

NON_NEGATIVE_PREFIXES = ("program:", "clearing:", "paid:")


def budget(program: str) -> str:
    """Return the budget account of a program."""
    return f"budget:{program}"


def program_period(program: str, period: date) -> str:
    """Return the account that holds a program's money for one month."""
    return f"program:{program}:{period:%Y-%m}"


def clearing(provider: str) -> str:
    """Return the clearing account of a wallet provider."""
    return f"clearing:{provider}"


def paid(provider: str) -> str:
    """Return the paid-out account of a wallet provider."""
    return f"paid:{provider}"
