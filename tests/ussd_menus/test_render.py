"""Pagination keeps every page within one screen, footer and prefix included."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ussd_menus.gsm7 import fits_screen
from ussd_menus.render import paginate

FOOTER = ["0 Quay lai", "00 Menu chinh"]


def test_short_content_is_one_page_without_more() -> None:
    assert paginate(["1 Mot", "2 Hai"], FOOTER, "98 Xem them") == [
        "1 Mot\n2 Hai\n0 Quay lai\n00 Menu chinh"
    ]


def test_long_content_gets_more_on_every_page_but_the_last() -> None:
    lines = [f"{i:02d}/2026 1.250.000 d Da chuyen vao vi" for i in range(1, 13)]
    pages = paginate(lines, FOOTER, "98 Xem them")
    assert len(pages) > 1
    assert all("98 Xem them" in page for page in pages[:-1])
    assert "98 Xem them" not in pages[-1]
    assert all(fits_screen(page) for page in pages)
    shown = [line for page in pages for line in page.splitlines()]
    assert [line for line in shown if "/2026" in line] == lines


def test_one_accented_character_drops_every_page_to_the_ucs2_budget() -> None:
    lines = ["x" * 30, "y" * 30, "Tiền"]
    pages = paginate(lines, FOOTER, "98 Xem them")
    assert all(len(page) + 4 <= 80 for page in pages)


def test_a_line_longer_than_a_screen_is_wrapped_at_spaces() -> None:
    line = " ".join(["word"] * 80)
    pages = paginate([line], FOOTER, "98 Xem them")
    assert len(pages) > 1 and all(fits_screen(page) for page in pages)
    body = " ".join(p.split("\n98 ")[0].split("\n0 Quay")[0] for p in pages)
    assert body.split() == line.split()


def test_no_content_still_gives_a_page() -> None:
    assert paginate([], FOOTER, "98 Xem them") == ["0 Quay lai\n00 Menu chinh"]


@given(
    lines=st.lists(st.text(max_size=200), max_size=15),
    head=st.one_of(st.none(), st.text(min_size=1, max_size=30).map(lambda s: [s])),
)
def test_every_page_of_anything_fits(lines: list[str], head: list[str] | None) -> None:
    for page in paginate(lines, FOOTER, "98 Xem them", head=head):
        assert fits_screen(page)
