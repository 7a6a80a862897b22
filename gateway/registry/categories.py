"""The beneficiary categories (đối tượng), in one place: codes, labels and how each is paid.

They belong to the registry (an ``Enrolment`` is a person in a category), so the roster
import (validator, writer, export, demo) and payroll's rules both read them here without an
import cycle. A category a new decree adds is one row below (``per_child`` when it is paid per
child raised), then a coefficient from a month with ``gateway program set-coefficient``; see
docs/adding-a-benefit-program.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Single-parent benefit is paid per child raised, so the roster must carry the count.
DON_THAN = "DON_THAN"


@dataclass(frozen=True, slots=True)
class Category:
    """A beneficiary category (đối tượng) by its roster code, labelled for people."""

    code: str
    label_vi: str
    label_en: str
    # Paid per child raised: the roster must give the number of children (Số con), and the
    # category's coefficient is multiplied by it.
    per_child: bool = False


# code, Vietnamese label, English label (and True when paid per child raised).
_CATEGORY_ROWS: tuple[tuple[str, str, str] | tuple[str, str, str, bool], ...] = (
    (
        "TE_MC_DUOI4",
        "Trẻ em dưới 4 tuổi không có nguồn nuôi dưỡng",
        "Child under 4 without a source of care",
    ),
    (
        "TE_MC",
        "Trẻ em từ 4 đến dưới 16 tuổi không có nguồn nuôi dưỡng",
        "Child aged 4 to 15 without a source of care",
    ),
    (
        "TE_16_22",
        "Người từ 16 đến 22 tuổi không có nguồn nuôi dưỡng, đang đi học",
        "Person aged 16 to 22 without a source of care, still in school",
    ),
    (
        "TE_HIV_DUOI4",
        "Trẻ em dưới 4 tuổi nhiễm HIV thuộc hộ nghèo",
        "Child under 4 with HIV in a poor household",
    ),
    (
        "TE_HIV",
        "Trẻ em từ 4 tuổi nhiễm HIV thuộc hộ nghèo",
        "Child aged 4 or older with HIV in a poor household",
    ),
    (DON_THAN, "Người đơn thân nghèo đang nuôi con", "Poor single parent raising children", True),
    (
        "NCT_NGHEO",
        "Người cao tuổi từ 60 đến 80 tuổi thuộc hộ nghèo, không có người phụng dưỡng",
        "Poor elderly person aged 60 to 80 with no carer",
    ),
    (
        "NCT_NGHEO_80",
        "Người cao tuổi từ 80 tuổi thuộc hộ nghèo, không có người phụng dưỡng",
        "Poor elderly person aged 80 or older with no carer",
    ),
    (
        "NCT_75_DTTS",
        "Người cao tuổi từ 75 đến 80 tuổi thuộc hộ nghèo, cận nghèo ở vùng DTTS đặc biệt khó khăn",
        "Elderly person aged 75 to 80, poor or near-poor household, "
        "ethnic-minority extremely difficult area",
    ),
    (
        "NCT_80",
        "Người từ 80 tuổi không có lương hưu, trợ cấp bảo hiểm xã hội",
        "Person aged 80 or older with no pension or social-insurance allowance",
    ),
    (
        "NCT_CHAM_SOC",
        "Người cao tuổi thuộc hộ nghèo đủ điều kiện vào cơ sở, được chăm sóc tại cộng đồng",
        "Poor elderly person eligible for institutional care, cared for in the community",
    ),
    ("KT_NANG", "Người khuyết tật nặng", "Person with a severe disability"),
    (
        "KT_NANG_TE_NCT",
        "Trẻ em, người cao tuổi khuyết tật nặng",
        "Child or elderly person with a severe disability",
    ),
    ("KT_DBN", "Người khuyết tật đặc biệt nặng", "Person with an extremely severe disability"),
    (
        "KT_DBN_TE_NCT",
        "Trẻ em, người cao tuổi khuyết tật đặc biệt nặng",
        "Child or elderly person with an extremely severe disability",
    ),
    (
        "TE_DUOI3_DTTS",
        "Trẻ em dưới 3 tuổi thuộc hộ nghèo, cận nghèo ở vùng đặc biệt khó khăn",
        "Child under 3, poor or near-poor household, extremely difficult area",
    ),
    (
        "HIV",
        "Người nhiễm HIV thuộc hộ nghèo không có nguồn thu nhập ổn định",
        "Person with HIV in a poor household with no stable income",
    ),
)

_REGISTERED: dict[str, Category] = {row[0]: Category(*row) for row in _CATEGORY_ROWS}
CATEGORIES: Mapping[str, Category] = MappingProxyType(_REGISTERED)


def register_category(category: Category) -> None:
    """Add a category so rosters may carry it and payroll may price it.

    Raises:
        ValueError: another category already has this code.
    """
    known = _REGISTERED.get(category.code)
    if known is not None and known != category:
        raise ValueError(f"category {category.code} is already registered differently")
    _REGISTERED[category.code] = category


def unregister_category(code: str) -> None:
    """Remove a category added with :func:`register_category` (a test's own, say)."""
    _REGISTERED.pop(code, None)


def per_child(code: str) -> bool:
    """Tell whether the category with this code is paid per child raised (unknown: no)."""
    category = _REGISTERED.get(code)
    return category is not None and category.per_child


def per_child_codes(codes: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return the codes paid per child raised, among ``codes`` or among every category."""
    return tuple(c for c in (_REGISTERED if codes is None else codes) if per_child(c))
