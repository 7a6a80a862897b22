"""Write a report as a text table, CSV or XLSX, with Vietnamese headers for the files."""

from __future__ import annotations

import csv
import io
from typing import Any, Protocol

from gateway.reports.common import Column
from gateway.vn.money import digits


class Tabular(Protocol):
    """A report with a header, a row per commune and totals (CycleReport, Settlement)."""

    cycle: dict[str, Any]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    columns: list[Column]
    table_columns: list[tuple[str, str]]


def number(value: int) -> str:
    """Format đồng or a count with a dot as the thousands separator."""
    return digits(value)


def _day(iso: str) -> str:
    """Return an ISO date as people read it in Vietnam, dd/mm/yyyy."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _title(report: Tabular, title: str) -> list[str]:
    c = report.cycle
    lines = [title,
            f"Kỳ chi trả {c['ref']} — chương trình {c['program']}, tháng "
            f"{c['period'][5:]}/{c['period'][:4]}, trạng thái {c['state']}, ngày chi "
            f"{_day(c['payment_date'])}",
            f"Lập lúc {c['generated_at'][11:16]} ngày {_day(c['generated_at'][:10])} (UTC)"]
    account = getattr(report, "account", None)
    if account:  # a settlement: the program month's account it draws on
        lines.append(f"Tài khoản {account['name']}: đã cấp {number(account['funded'])} đ, "
                     f"còn lại {number(account['balance'])} đ")
    return lines


def table(report: Tabular, title: str) -> str:
    """Return the report as a fixed-width text table (amounts in đồng) with short headers."""
    keys = [key for key, _ in report.table_columns]
    heads = [head for _, head in report.table_columns]

    def cell(value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "NO"
        return number(value) if isinstance(value, int) else str(value)

    lines = [[cell(row[k]) for k in keys] for row in [*report.rows, report.totals]]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(heads)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    rule = "  ".join("-" * w for w in widths)
    body = [fmt(line) for line in lines[:-1]]
    return "\n".join([*_title(report, title), "", fmt(heads), rule, *body, rule,
                      fmt(lines[-1])])


def to_csv(report: Tabular) -> bytes:
    """Return the report as CSV (UTF-8 with a BOM, so Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([vi for _, vi, _ in report.columns])
    for row in [*report.rows, report.totals]:
        writer.writerow([row[key] for key, _, _ in report.columns])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: Tabular, title: str) -> bytes:
    """Return the report as an XLSX workbook: a title block, headers, a row per commune."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Bao cao"
    for line in _title(report, title):
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append([vi for _, vi, _ in report.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in report.rows:
        ws.append([row[key] for key, _, _ in report.columns])
    ws.append([report.totals[key] for key, _, _ in report.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=header_row + 1, min_col=3):
        for cell in row:
            cell.number_format = "#,##0"
    for i, (_, vi, _) in enumerate(report.columns):
        ws.column_dimensions[ws.cell(header_row, i + 1).column_letter].width = max(12, len(vi) + 2)
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
