"""Entitlement rules as data: standard levels and category coefficients, effective-dated.

Monthly amount = standard level x the single highest coefficient among the person's
categories in that month (a category paid per child, as single parents are, multiplies its
coefficient by the children raised). Age-dependent coefficients follow the person's age in
the cycle's month. Amounts are integer đồng; coefficients are kept in tenths so no float ever
touches money.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date


def add_months(month: date, n: int) -> date:
    """Return the first day of the month ``n`` months after ``month``."""
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def fmt_coef(x10: int) -> str:
    """Format a coefficient in tenths as ``2.5``."""
    return f"{x10 // 10}.{x10 % 10}"


@dataclass(frozen=True, slots=True)
class LevelRule:
    """A standard level from a month; ``province_code`` None for the national level."""

    effective_from: date
    amount: int
    province_code: str | None = None


@dataclass(frozen=True, slots=True)
class CoefficientRule:
    """A category's coefficient from a month, optionally changing at an age."""

    category: str
    effective_from: date
    coefficient_x10: int
    per_child: bool = False
    age_from: int | None = None
    age_coefficient_x10: int | None = None
    age_switch: str = "next_month"


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A person's membership of one category."""

    category: str
    start_month: date
    end_month: date | None = None
    children: int | None = None

    def covers(self, period: date) -> bool:
        """Tell whether the enrolment counts in ``period`` (inclusive of its end month)."""
        return self.start_month <= period and (self.end_month is None or period <= self.end_month)


@dataclass(frozen=True, slots=True)
class Amount:
    """A decided monthly amount and how it was reached."""

    amount: int
    category: str
    coefficient_x10: int
    level: int
    basis: str


class NoRule(LookupError):
    """No rule covers the period or category; the message says which."""


class RuleBook:
    """The rules in force, ready to price people for any month."""

    def __init__(self, levels: Iterable[LevelRule], coefficients: Iterable[CoefficientRule],
                 province_code: str | None = None) -> None:
        self.province_code = province_code
        self._national = sorted((r for r in levels if r.province_code is None),
                                key=lambda r: r.effective_from)
        self._province = sorted(
            (r for r in levels if province_code and r.province_code == province_code),
            key=lambda r: r.effective_from)
        self._coef: dict[str, list[CoefficientRule]] = {}
        for rule in sorted(coefficients, key=lambda r: r.effective_from):
            self._coef.setdefault(rule.category, []).append(rule)
        # Categories whose coefficient depends on age: only they need a birth date.
        self.age_categories = frozenset(
            c for c, rules in self._coef.items() if any(r.age_from is not None for r in rules))

    def level(self, period: date) -> int:
        """Return the standard level for a month: the province's if it set a higher one.

        Raises:
            NoRule: no national level is in force for the month.
        """
        national = _latest(self._national, period)
        if national is None:
            raise NoRule(f"no standard level in force for {period:%m/%Y}")
        province = _latest(self._province, period)
        return max(national.amount, province.amount if province else 0)

    def coefficient(self, enrolled: Enrolled, period: date,
                    born: date | Callable[[], date]) -> tuple[int, str]:
        """Return the coefficient (tenths) of one enrolment in a month and how it was reached.

        ``born`` may be a function: the birth date is then only looked up (decrypted) for
        categories whose coefficient depends on age.

        Raises:
            NoRule: the category has no rule in force for the month.
        """
        rule = _latest(self._coef.get(enrolled.category, []), period)
        if rule is None:
            raise NoRule(f"no coefficient for {enrolled.category} in {period:%m/%Y}")
        x10, note = rule.coefficient_x10, enrolled.category
        if rule.age_from is not None and rule.age_coefficient_x10 is not None:
            if callable(born):
                born = born()
            birthday = date(born.year + rule.age_from, born.month, 1)
            change = birthday if rule.age_switch == "birthday_month" else add_months(birthday, 1)
            if period >= change:
                x10 = rule.age_coefficient_x10
                note = (f"{enrolled.category} {fmt_coef(x10)} from {change:%m/%Y} "
                        f"(age {rule.age_from})")
        if rule.per_child:
            children = max(enrolled.children or 0, 0)
            return x10 * children, f"{note} ({fmt_coef(x10)} per child x {children})"
        return x10, note

    def monthly_amount(self, period: date, born: date | Callable[[], date],
                       enrolments: Sequence[Enrolled]) -> Amount | None:
        """Price a person for a month; None if no enrolment covers it.

        Raises:
            NoRule: a rule the person needs is missing.
        """
        best: tuple[int, str, str] | None = None
        for e in enrolments:
            if not e.covers(period):
                continue
            x10, note = self.coefficient(e, period, born)
            if best is None or x10 > best[0]:
                best = (x10, e.category, note)
        if best is None or best[0] <= 0:
            return None
        level = self.level(period)
        x10, category, note = best
        # Half-up rounding to whole đồng; with levels in thousands it is always exact.
        amount = (level * x10 + 5) // 10
        return Amount(amount, category, x10, level, f"{level}x{fmt_coef(x10)} {note}"[:200])


def _latest(rules: Sequence, period: date):  # type: ignore[no-untyped-def]
    found = None
    for rule in rules:
        if rule.effective_from <= period:
            found = rule
        else:
            break
    return found
