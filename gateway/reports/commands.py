"""``gateway report cycle``: a cycle's report or settlement as a table, CSV, XLSX or JSON."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option

REPORT_TITLE = "BÁO CÁO KẾT QUẢ CHI TRẢ TRỢ CẤP XÃ HỘI"
SETTLEMENT_TITLE = "QUYẾT TOÁN KINH PHÍ CHI TRẢ"


@click.group("report")
def report_group() -> None:
    """Reports per cycle and commune, and settlements (quyết toán)."""


@report_group.command("cycle")
@click.argument("cycle_ref")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx"]), default="table",
              show_default=True, help="table prints; csv and xlsx write a file.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: report-<cycle>.<format> here).")
@click.option("--settlement", "as_settlement", is_flag=True,
              help="Show the settlement (from the ledger) instead of the payment figures.")
@json_option
@with_appcontext
def report_cycle(cycle_ref: str, fmt: str, output: str | None, as_settlement: bool,
                 as_json: bool) -> None:
    """Report a cycle per commune: due, paid, failed, pending, held, complaints, fees."""
    from gateway.db import get_db
    from gateway.payroll.cycles import get_cycle
    from gateway.reports import render
    from gateway.reports.cycle import cycle_report
    from gateway.reports.settlement import settlement

    with get_db().session() as session:
        cycle = get_cycle(session, cycle_ref)
        report = settlement(session, cycle) if as_settlement else cycle_report(session, cycle)
    title = SETTLEMENT_TITLE if as_settlement else REPORT_TITLE
    if as_json:
        emit(report.as_dict(), True)
        return
    if fmt == "table":
        click.echo(render.table(report, title))
        return
    kind = "settlement" if as_settlement else "report"
    path = output or f"{kind}-{report.cycle['ref']}.{fmt}"
    data = render.to_csv(report) if fmt == "csv" else render.to_xlsx(report, title)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc}") from None
    click.echo(f"wrote {path} ({len(report.rows)} communes)")
