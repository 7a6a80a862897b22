"""Cut a screen's lines into pages that fit one USSD screen, footer and prefix included."""

from __future__ import annotations

from ussd_menus.gsm7 import (
    USSD_GSM7_LIMIT,
    USSD_PREFIX_LEN,
    USSD_UCS2_LIMIT,
    is_gsm7,
    length,
    limit_for,
    units,
)


def clip(text: str, prefix_len: int = USSD_PREFIX_LEN) -> str:
    """Shorten ``text`` until it fits one screen; a last resort that valid menus never need."""
    while text and length(text) + prefix_len > limit_for(text):
        text = text[:-1]
    return text


def _split_line(line: str, room: int, gsm7: bool) -> tuple[str, str]:
    """Cut ``line`` after the last word that fits in ``room`` units (mid-word if it must)."""
    cut = 0
    for i in range(1, len(line) + 1):
        if units(line[:i], gsm7) > room:
            break
        cut = i
    cut = max(cut, 1)
    space = line.rfind(" ", 0, cut + 1)
    if 0 < space and cut < len(line):
        return line[:space], line[space + 1 :]
    return line[:cut], line[cut:]


def paginate(
    lines: list[str],
    footer: list[str],
    more: str,
    *,
    head: list[str] | None = None,
    prefix_len: int = USSD_PREFIX_LEN,
) -> list[str]:
    """Return pages of ``lines``; each page is head + lines + (more) + footer and fits one screen.

    The encoding is chosen once for the whole text: if any character needs UCS-2 every page gets
    the 80-character budget, which is safe even for pages that happen to be pure GSM 7-bit.
    """
    head = list(head or [])
    rest = [line for line in lines if line]
    gsm7 = all(is_gsm7(part) for part in (*head, *rest, *footer, more))
    budget = (USSD_GSM7_LIMIT if gsm7 else USSD_UCS2_LIMIT) - prefix_len

    def size(block: list[str]) -> int:
        # Lines are joined by "\n", one unit in either encoding.
        return sum(units(line, gsm7) for line in block) + max(len(block) - 1, 0)

    frame_last = size(footer)
    frame_more = size([more, *footer])
    pages: list[str] = []
    while rest:
        sizes = [units(line, gsm7) + 1 for line in rest]  # each line plus its newline
        top = size(head) + (1 if head else 0)
        if top + sum(sizes) + frame_last - (0 if footer else 1) <= budget:
            pages.append("\n".join(head + rest + footer))
            break
        used, n = top, 0
        while n < len(rest) and used + sizes[n] + frame_more <= budget:
            used += sizes[n]
            n += 1
        if n == 0:
            room = budget - top - frame_more - 1  # one line beside the head and the frame
            if room < 1 and head:
                head = []  # head and frame alone fill the screen: drop the head, keep the limit
                continue
            # One line longer than a page: wrap it into the room a page leaves.
            first, second = _split_line(rest[0], max(room, 1), gsm7)
            rest = [first, second, *rest[1:]] if second else [first, *rest[1:]]
            if units(first, gsm7) > room:
                # Not even one character fits; emit it and let clip() keep the limit.
                pages.append("\n".join(head + [first, more, *footer]))
                rest = rest[1:]
            continue
        pages.append("\n".join(head + rest[:n] + [more, *footer]))
        rest = rest[n:]
    if not pages:
        pages.append("\n".join(head + footer))
    return [clip(page, prefix_len) for page in pages]
