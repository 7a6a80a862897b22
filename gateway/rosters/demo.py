"""Synthetic province rosters for demos, tests and benchmarks (Huế-like by default).

Rows look like what a commune officer exports: Vietnamese headers, accented names, valid
citizen IDs consistent with birth date and sex, phones spread over the carriers' prefixes,
a realistic category mix with ages that fit each category, representatives for children and
the very old or severely disabled, and a few households sharing a phone.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from gateway.vn.phone import is_vietnamese_mobile
from gateway.vn.places import communes

HEADER = [
    "STT", "Họ và tên", "Ngày sinh", "Giới tính (Nam/Nữ)", "Số CCCD", "Số điện thoại",
    "Mã xã", "Mã đối tượng", "Số con", "Tháng bắt đầu", "Ví nhận tiền", "Người nhận thay",
    "SĐT người nhận thay", "Mã hộ",
]

FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3),
    ("Phan", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 3), ("Ngô", 2),
    ("Dương", 1), ("Lý", 1), ("Tôn Thất", 1), ("Trương", 2), ("Đoàn", 1), ("Lương", 1),
]
MIDDLE_M = ["Văn", "Đức", "Hữu", "Quang", "Minh", "Công", "Đình", "Xuân"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Diệu"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc",
           "Quân", "Sơn", "Tâm", "Thắng", "Tiến", "Trung", "Tuấn", "Vinh", "Hòa", "Lộc"]
GIVEN_F = ["Anh", "Bích", "Cúc", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên",
           "Mai", "Nga", "Nhung", "Phượng", "Sen", "Thảo", "Trang", "Tuyết", "Vân", "Yến"]
# Mobile prefixes by carrier (Viettel, VinaPhone, MobiFone, Vietnamobile).
PREFIXES = (["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098"]
            + ["081", "082", "083", "084", "085", "088", "091", "094"]
            + ["070", "076", "077", "078", "079", "089", "090", "093"]
            + ["052", "056", "058", "092"])
OTHER_PREFIXES = ["001", "020", "048", "079", "044", "045", "049", "051", "038", "042"]


@dataclass(frozen=True, slots=True)
class _Profile:
    categories: tuple[str, ...]
    weight: float
    min_age: int
    max_age: int


PROFILES = [
    _Profile(("NCT_80",), 33, 80, 99),
    _Profile(("KT_NANG",), 22, 18, 59),
    _Profile(("KT_DBN",), 7, 18, 59),
    _Profile(("KT_NANG_TE_NCT",), 6, 60, 90),
    _Profile(("KT_NANG_TE_NCT",), 2, 4, 15),
    _Profile(("KT_DBN_TE_NCT",), 3, 60, 90),
    _Profile(("KT_DBN_TE_NCT",), 1.5, 2, 15),
    _Profile(("NCT_NGHEO",), 5, 60, 79),
    _Profile(("NCT_NGHEO_80",), 2, 80, 95),
    _Profile(("NCT_80", "KT_NANG_TE_NCT"), 2, 80, 95),
    _Profile(("NCT_75_DTTS",), 1, 75, 79),
    _Profile(("NCT_CHAM_SOC",), 0.5, 60, 90),
    _Profile(("TE_MC",), 3, 4, 15),
    _Profile(("TE_MC_DUOI4",), 0.5, 0, 3),
    _Profile(("TE_16_22",), 1, 16, 21),
    _Profile(("TE_HIV",), 0.3, 4, 15),
    _Profile(("TE_HIV_DUOI4",), 0.1, 1, 3),
    _Profile(("TE_DUOI3_DTTS",), 0.5, 0, 2),
    _Profile(("DON_THAN",), 5, 20, 45),
    _Profile(("HIV",), 1, 20, 55),
]


def province_communes(province_code: str = "46") -> list[str]:
    """Return the commune codes of a province (Huế, 46, has 40)."""
    return sorted(c.code for c in communes().values() if c.province_code == province_code)


class RosterGenerator:
    """Deterministic generator of roster rows for one province."""

    def __init__(self, *, seed: int = 2021, province_code: str = "46",
                 today: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.communes = province_communes(province_code)
        if not self.communes:
            raise ValueError(f"no communes for province {province_code}")
        # Uneven commune sizes, as in real provinces.
        self.commune_weights = [self.rng.uniform(0.4, 2.5) for _ in self.communes]
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.profile_weights = [p.weight for p in PROFILES]

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(PREFIXES) + f"{self.rng.randrange(10**7):07d}"
            # Not every block of a prefix is allocated (e.g. only 0896-0899 of 089).
            if phone not in self.used_phones and is_vietnamese_mobile(phone[1:]):
                self.used_phones.add(phone)
                return phone

    def _name(self, male: bool) -> str:
        family = self.rng.choices([f for f, _ in FAMILY], [w for _, w in FAMILY])[0]
        middle = self.rng.choice(MIDDLE_M if male else MIDDLE_F)
        given = self.rng.choice(GIVEN_M if male else GIVEN_F)
        return f"{family} {middle} {given}"

    def _birth(self, min_age: int, max_age: int) -> date:
        day = min(self.today.day, 28)  # no 29 February in most years
        start = date(self.today.year - max_age - 1, self.today.month, day) + timedelta(days=1)
        end = date(self.today.year - min_age, self.today.month, day)
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def _citizen_id(self, born: date, male: bool) -> str:
        prefix = "046" if self.rng.random() < 0.9 else self.rng.choice(OTHER_PREFIXES)
        century = (born.year // 100 - 19) * 2 + (0 if male else 1)
        while True:
            cid = f"{prefix}{century}{born.year % 100:02d}{self.rng.randrange(10**6):06d}"
            if cid not in self.used_ids:
                self.used_ids.add(cid)
                return cid

    def _start_month(self, born: date) -> str:
        first = max(date(2015, 1, 1), born.replace(day=1))
        months = (self.today.year - first.year) * 12 + self.today.month - first.month
        offset = self.rng.randrange(max(months, 0) + 1)
        year, month = divmod(first.month - 1 + offset, 12)
        return f"{month + 1:02d}/{first.year + year}"

    def rows(self, n: int) -> Iterator[list[object]]:
        """Yield ``n`` rows in ``HEADER`` order."""
        household = 0
        # phone, representative name and phone, household, commune of a household with room
        # for a second beneficiary
        shared: tuple[str, str, str, str, str] | None = None
        for i in range(1, n + 1):
            profile = self.rng.choices(PROFILES, self.profile_weights)[0]
            male = self.rng.random() < (0.42 if profile.min_age >= 60 else 0.5)
            born = self._birth(profile.min_age, profile.max_age)
            commune = self.rng.choices(self.communes, self.commune_weights)[0]
            age = self.today.year - born.year
            needs_rep = age < 16 or "DBN" in profile.categories[0] or (
                age >= 85 and self.rng.random() < 0.5)
            rep_name = rep_phone = ""
            if shared and self.rng.random() < 0.5:
                # Second beneficiary of the same household (an elderly couple, siblings).
                phone, rep_name, rep_phone, hh, commune = shared
                shared = None
            else:
                household += 1
                hh = f"{commune}-{household:06d}"
                phone = self._phone()
                if needs_rep:
                    rep_name = self._name(self.rng.random() < 0.4)
                    rep_phone = self._phone()
                if self.rng.random() < 0.08:
                    shared = (phone, rep_name, rep_phone, hh, commune)
            if self.rng.random() < 0.002:
                # A phone that also receives for another household: the import must flag it.
                phone = self.rng.choice(sorted(self.used_phones)[:50])
            cats = list(profile.categories)
            children = self.rng.randint(1, 4) if "DON_THAN" in cats else None
            yield [
                i, self._name(male), born.strftime("%d/%m/%Y"), "Nam" if male else "Nữ",
                self._citizen_id(born, male), phone, commune, ";".join(cats),
                children if children else "", self._start_month(born), "", rep_name, rep_phone, hh,
            ]


def write_xlsx(path: str, n: int, *, seed: int = 2021, province_code: str = "46") -> None:
    """Write an ``n``-row roster as XLSX with a shared-string table, as Excel saves it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sach"
    sheet.append(["DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP XÃ HỘI HẰNG THÁNG"])
    sheet.append(HEADER)
    for row in RosterGenerator(seed=seed, province_code=province_code).rows(n):
        sheet.append(row)
    book.save(path)


def write_csv(path: str, n: int, *, seed: int = 2021, province_code: str = "46") -> None:
    """Write an ``n``-row roster as CSV UTF-8 with BOM (as Excel saves it)."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(RosterGenerator(seed=seed, province_code=province_code).rows(n))
