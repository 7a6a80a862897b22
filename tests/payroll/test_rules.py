"""Amount rules: the worked examples of DOMAIN.md and the effective dates around them."""

from datetime import date

import pytest

from gateway.payroll.rules import CoefficientRule, Enrolled, LevelRule, NoRule, RuleBook

LEVELS = [LevelRule(date(2000, 1, 1), 270_000), LevelRule(date(2021, 7, 1), 360_000),
          LevelRule(date(2024, 7, 1), 500_000)]
START = date(2000, 1, 1)
COEFFICIENTS = [
    CoefficientRule("NCT_80", START, 10), CoefficientRule("KT_NANG_TE_NCT", START, 20),
    CoefficientRule("KT_DBN_TE_NCT", START, 25), CoefficientRule("DON_THAN", START, 10, True),
    CoefficientRule("TE_MC_DUOI4", START, 25, age_from=4, age_coefficient_x10=15),
    CoefficientRule("NCT_NGHEO", START, 15, age_from=80, age_coefficient_x10=20),
]
BOOK = RuleBook(LEVELS, COEFFICIENTS)
OLD = date(1940, 1, 1)


def price(period, *enrolled, born=OLD, book=BOOK):
    result = book.monthly_amount(period, born, list(enrolled))
    return None if result is None else result.amount


def e(category, start=date(2020, 1, 1), end=None, children=None):
    return Enrolled(category, start, end, children)


@pytest.mark.parametrize("enrolled, amount", [
    ([e("NCT_80")], 500_000),
    ([e("KT_DBN_TE_NCT")], 1_250_000),
    ([e("DON_THAN", children=3)], 1_500_000),
    ([e("NCT_80"), e("KT_NANG_TE_NCT")], 1_000_000),  # the single highest, not the sum
])
def test_worked_examples_of_the_domain_at_500000(enrolled, amount):
    assert price(date(2026, 12, 1), *enrolled) == amount


def test_a_cycle_for_june_2024_uses_360000_and_july_2024_uses_500000():
    assert price(date(2024, 6, 1), e("NCT_80")) == 360_000
    assert price(date(2024, 7, 1), e("NCT_80")) == 500_000
    assert price(date(2021, 6, 1), e("NCT_80")) == 270_000
    assert price(date(2021, 7, 1), e("KT_DBN_TE_NCT")) == 900_000


def test_child_under_4_gets_1_5_from_the_month_after_turning_4_and_the_basis_says_so():
    born = date(2021, 3, 10)
    assert price(date(2025, 3, 1), e("TE_MC_DUOI4"), born=born) == 1_250_000
    result = BOOK.monthly_amount(date(2025, 4, 1), born, [e("TE_MC_DUOI4")])
    assert result.amount == 750_000
    assert "from 04/2025" in result.basis and "age 4" in result.basis


def test_the_month_of_an_age_change_is_a_rule_setting():
    book = RuleBook(LEVELS, [CoefficientRule("TE_MC_DUOI4", START, 25, age_from=4,
                                             age_coefficient_x10=15,
                                             age_switch="birthday_month")])
    assert price(date(2025, 3, 1), e("TE_MC_DUOI4"), born=date(2021, 3, 10), book=book) == 750_000


def test_poor_elderly_become_2_0_at_80():
    born = date(1946, 11, 2)
    assert price(date(2026, 11, 1), e("NCT_NGHEO"), born=born) == 750_000
    assert price(date(2026, 12, 1), e("NCT_NGHEO"), born=born) == 1_000_000


def test_payment_starts_in_the_start_month_and_stops_after_the_end_month():
    enrolled = e("NCT_80", start=date(2026, 3, 1), end=date(2026, 9, 1))
    assert price(date(2026, 2, 1), enrolled) is None
    assert price(date(2026, 3, 1), enrolled) == 500_000
    assert price(date(2026, 9, 1), enrolled) == 500_000
    assert price(date(2026, 10, 1), enrolled) is None


def test_a_province_may_raise_the_level_but_never_lower_it():
    raised = RuleBook(LEVELS + [LevelRule(date(2025, 1, 1), 600_000, "46")], COEFFICIENTS, "46")
    assert price(date(2024, 12, 1), e("NCT_80"), book=raised) == 500_000
    assert price(date(2025, 1, 1), e("NCT_80"), book=raised) == 600_000
    lowered = RuleBook(LEVELS + [LevelRule(date(2025, 1, 1), 400_000, "46")], COEFFICIENTS, "46")
    assert price(date(2025, 1, 1), e("NCT_80"), book=lowered) == 500_000
    other = RuleBook(LEVELS + [LevelRule(date(2025, 1, 1), 600_000, "01")], COEFFICIENTS, "46")
    assert price(date(2025, 1, 1), e("NCT_80"), book=other) == 500_000


def test_single_parent_with_no_children_is_not_paid_and_unknown_rules_are_errors():
    assert price(date(2026, 1, 1), e("DON_THAN", children=0)) is None
    with pytest.raises(NoRule):
        price(date(2026, 1, 1), e("NO_SUCH"))
    with pytest.raises(NoRule):
        RuleBook([], COEFFICIENTS).level(date(2026, 1, 1))
