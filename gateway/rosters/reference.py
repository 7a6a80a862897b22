"""Reference data for roster validation: the beneficiary categories (places: gateway.vn)."""

from __future__ import annotations

from collections.abc import Mapping
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


_CATEGORY_ROWS: tuple[tuple[str, str, str], ...] = (
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
    (DON_THAN, "Người đơn thân nghèo đang nuôi con", "Poor single parent raising children"),
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

CATEGORIES: Mapping[str, Category] = MappingProxyType(
    {code: Category(code, vi, en) for code, vi, en in _CATEGORY_ROWS}
)
