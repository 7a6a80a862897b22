"""``gateway program``, ``gateway budget`` and ``gateway cycle`` commands."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import actor_option, emit, json_option, parse_day, parse_period
from gateway.db import get_db
from gateway.payroll.models import FINAL_STATES
from gateway.payroll.views import cycle_summary
from gateway.pii.codec import get_pii
from gateway.vn.money import vnd

# --- programs ---------------------------------------------------------------------------

@click.group("program")
def program_group() -> None:
    """Benefit programs and their standard levels."""


@program_group.command("list")
@json_option
@with_appcontext
def program_list(as_json: bool) -> None:
    """List programs."""
    from gateway.payroll.models import Program

    with get_db().sessionmaker() as session:
        rows = [{"code": p.code, "kind": p.kind, "name_vi": p.name_vi, "name_en": p.name_en,
                 "fixed_amount": p.fixed_amount, "level_multiple": p.level_multiple,
                 "active": p.active}
                for p in session.scalars(sa.select(Program).order_by(Program.code))]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['code']:<14} {r['kind']:<8} {r['name_vi']}" for r in rs))


@program_group.command("create")
@click.option("--code", required=True, help="Short code, e.g. COVID_2021.")
@click.option("--name-vi", required=True)
@click.option("--name-en", required=True)
@click.option("--amount", type=click.IntRange(1), help="Fixed amount per person (đồng).")
@click.option("--level-multiple", type=click.IntRange(1),
              help="Pay this many times the standard level (mai táng: 20).")
@actor_option
@with_appcontext
def program_create(code: str, name_vi: str, name_en: str, amount: int | None,
                   level_multiple: int | None, actor: str) -> None:
    """Create a one-off program (e.g. an emergency package) paying a fixed amount to a list."""
    from gateway.audit.chain import record
    from gateway.payroll.models import Program, ProgramKind

    if bool(amount) == bool(level_multiple):
        raise click.UsageError("give exactly one of --amount or --level-multiple")
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_]{2,32}", code):
        raise click.BadParameter("use 2-32 letters, digits or _", param_hint="--code")
    with get_db().session() as session:
        if session.scalar(sa.select(Program).where(Program.code == code)):
            raise click.ClickException(f"program {code} already exists")
        program = Program(code=code, name_vi=name_vi, name_en=name_en,
                          kind=ProgramKind.ONE_OFF.value, fixed_amount=amount,
                          level_multiple=level_multiple)
        session.add(program)
        session.flush()
        record(session, actor=actor, action="program.create", subject_type="program",
               subject_id=code, detail={"amount": amount, "level_multiple": level_multiple})
    click.echo(f"created program {code}")


@program_group.command("set-level")
@click.option("--from", "start", required=True, help="First month, e.g. 2025-01.")
@click.option("--amount", required=True, type=click.IntRange(1))
@click.option("--note", default="")
@actor_option
@with_appcontext
def program_set_level(start: str, amount: int, note: str, actor: str) -> None:
    """Set this province's standard level from a month (it can only raise the national one)."""
    from gateway.audit.chain import record
    from gateway.payroll.models import StandardLevel

    province = current_app.config["PROVINCE_CODE"]
    if not province:
        raise click.ClickException("set CHITRA_PROVINCE_CODE to record a province level")
    period = parse_period(start)
    with get_db().session() as session:
        row = session.scalar(sa.select(StandardLevel).where(
            StandardLevel.effective_from == period, StandardLevel.province_code == province))
        if row is None:
            session.add(StandardLevel(effective_from=period, amount=amount,
                                      province_code=province, note=note or None))
        else:
            row.amount = amount
        record(session, actor=actor, action="level.set", subject_type="standard_level",
               subject_id=f"{province}:{period:%Y-%m}", detail={"amount": amount})
    click.echo(f"province {province} standard level {vnd(amount)} from {period:%m/%Y}")


# --- budget -----------------------------------------------------------------------------

@click.group("budget")
def budget_group() -> None:
    """Budget allocations that fund cycles."""


@budget_group.command("allocate")
@click.option("--program", "program_code", required=True)
@click.option("--period", required=True, help="Month, e.g. 2026-12.")
@click.option("--amount", required=True, type=click.IntRange(1), help="đồng")
@click.option("--reference", required=True, help="The budget decision's number.")
@actor_option
@json_option
@with_appcontext
def budget_allocate(program_code: str, period: str, amount: int, reference: str, actor: str,
                    as_json: bool) -> None:
    """Record money allocated to a program for a month."""
    from gateway.payroll.funding import allocate

    month = parse_period(period)
    with get_db().session() as session:
        result = allocate(session, program_code=program_code, period=month, amount=amount,
                          reference=reference, actor=actor)
    data = {"allocation_id": result.allocation.id, "changed": result.changed,
            "available": result.available}
    emit(data, as_json, lambda d: (
        ("allocated " if d["changed"] else "already recorded: ")
        + f"{vnd(amount)}; {program_code.upper()} {month:%m/%Y} now has {vnd(d['available'])}"))


# --- cycles -----------------------------------------------------------------------------

@click.group("cycle")
def cycle_group() -> None:
    """Payment cycles (kỳ chi trả): create, submit, approve, release, cancel, show."""


def _read_list(path: str) -> list[str]:
    """Read citizen IDs (first column or a citizen_id column) and return beneficiary refs."""
    from gateway.registry.models import Beneficiary
    from gateway.vn.cells import InvalidValue
    from gateway.vn.citizen_id import parse_citizen_id

    codec = get_pii()
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    digests = []
    for number, row in enumerate(rows, start=1):
        if not row or not row[0].strip():
            continue
        try:
            digests.append(codec.citizen_id_index(parse_citizen_id(row[0])))
        except InvalidValue as exc:
            if number == 1:
                continue  # a header line
            raise click.ClickException(f"{path} row {number}: {exc.en}") from None
    with get_db().sessionmaker() as session:
        refs = list(session.scalars(sa.select(Beneficiary.ref).where(
            Beneficiary.citizen_id_bidx.in_(digests))))
    if len(refs) != len(set(digests)):
        click.echo(f"warning: {len(set(digests)) - len(refs)} citizen IDs in {path} are not "
                   "in the registry", err=True)
    return refs


@cycle_group.command("create")
@click.option("--program", "program_code", required=True)
@click.option("--period", required=True, help="Month, e.g. 2026-12.")
@click.option("--communes", help="Comma-separated commune codes (default: the whole province).")
@click.option("--payment-date", help="dd/mm/yyyy (default: the province's payment day).")
@click.option("--list", "list_path", type=click.Path(dir_okay=False),
              help="One-off programs: CSV of citizen IDs to pay.")
@actor_option
@json_option
@with_appcontext
def cycle_create(program_code: str, period: str, communes: str | None,
                 payment_date: str | None, list_path: str | None, actor: str,
                 as_json: bool) -> None:
    """Build a draft cycle: one payment per eligible beneficiary, a reason per skip."""
    from gateway.payroll.cycles import create_cycle

    cfg = current_app.config
    refs = _read_list(list_path) if list_path else None
    with get_db().session() as session:
        result = create_cycle(
            session, get_pii(), program_code=program_code, period=parse_period(period),
            actor=actor, payment_day=int(cfg.get("PAYMENT_DAY", 5)),
            payment_date=parse_day(payment_date) if payment_date else None,
            communes=communes.split(",") if communes else None,
            province_code=cfg["PROVINCE_CODE"], beneficiary_refs=refs)
        data = cycle_summary(session, result.cycle)
    data["changed"] = result.changed
    emit(data, as_json, lambda d: ("created" if d["changed"] else "already exists:")
         + f" cycle {d['ref']} {d['program']} {d['period']}: {d['payments']} payments, "
         f"{vnd(d['total_amount'])}, {d['skipped']} skipped")


totp_option = click.option(
    "--totp", metavar="CODE", default=None,
    help="The current 6-digit code of the actor's authenticator app (see `gateway approver`).")


def _cycle_step(name: str, fn_name: str, help_text: str, *,
                second_factor: bool = False) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("cycle_ref")
    @actor_option
    @json_option
    @with_appcontext
    def command(cycle_ref: str, actor: str, as_json: bool, totp: str | None = None) -> None:
        from gateway.approvers.settings import second_factor as factor
        from gateway.payroll import cycles

        step: Callable = getattr(cycles, fn_name)
        kwargs = {"second_factor": factor(totp)} if second_factor else {}
        with get_db().session() as session:
            result = step(session, cycle_ref, actor, **kwargs)
            data = cycle_summary(session, result.cycle)
        data["changed"] = result.changed
        emit(data, as_json, lambda d: (f"cycle {d['ref']} is {d['state']}" if d["changed"]
                                       else f"nothing to do: cycle {d['ref']} is {d['state']}"))

    return totp_option(command) if second_factor else command


cycle_group.add_command(_cycle_step("submit", "submit_cycle", "Send a draft cycle for approval."))
cycle_group.add_command(_cycle_step(
    "approve", "approve_cycle", "Approve a submitted cycle (not by who prepared it; "
    "--totp CODE when the approver has an authenticator or CHITRA_APPROVER_TOTP=required).",
    second_factor=True))
cycle_group.add_command(_cycle_step(
    "release", "release_cycle", "Release an approved cycle for disbursement (checks funding; "
    "--totp CODE as for approve).", second_factor=True))
cycle_group.add_command(_cycle_step("cancel", "cancel_cycle", "Cancel a cycle before release."))


@cycle_group.command("show")
@click.argument("cycle_ref")
@click.option("--watch", is_flag=True, help="Follow disbursement live until every payment "
              "is final (Ctrl+C to stop watching).")
@json_option
@with_appcontext
def cycle_show(cycle_ref: str, watch: bool, as_json: bool) -> None:
    """Show a cycle: totals, payments by state, reasons for skips."""
    from gateway.payroll.cycles import get_cycle

    with get_db().session() as session:
        data = cycle_summary(session, get_cycle(session, cycle_ref))
    if watch and not as_json:
        _watch(data)
        with get_db().session() as session:
            data = cycle_summary(session, get_cycle(session, cycle_ref))

    def text(d: dict) -> str:
        lines = [f"cycle {d['ref']} ({d['id']}) {d['program']} {d['period']} [{d['scope']}] "
                 f"state {d['state']}, payment date {d['payment_date']}",
                 f"  {d['payments']} payments, {vnd(d['total_amount'])}; {d['skipped']} skipped"]
        for state, v in sorted(d["by_state"].items()):
            lines.append(f"  {state:<10} {v['count']:>7}  {vnd(v['amount'])}")
        for reason, n in sorted(d["skip_reasons"].items()):
            lines.append(f"  skipped: {reason} {n}")
        return "\n".join(lines)

    emit(data, as_json, text)




def _watch(data: dict) -> None:  # type: ignore[type-arg]
    """Draw a live progress bar of final payments with counts by state."""
    import time

    from gateway.payroll.cycles import state_counts

    total = int(data["payments"]) or 1
    done = sum(v["count"] for s, v in data["by_state"].items() if s in FINAL_STATES)
    with click.progressbar(length=total, label="paid or final", show_pos=True,
                           item_show_func=lambda s: s) as bar:
        bar.update(done)
        try:
            while done < total:
                time.sleep(1)
                with get_db().sessionmaker() as session:
                    counts = state_counts(session, int(data["id"]))
                now = sum(v["count"] for s, v in counts.items() if s in FINAL_STATES)
                line = " ".join(f"{s} {v['count']}" for s, v in sorted(counts.items()))
                bar.update(now - done, line)
                done = now
        except KeyboardInterrupt:
            pass


@cycle_group.command("list")
@json_option
@with_appcontext
def cycle_list(as_json: bool) -> None:
    """List cycles, newest first."""
    from gateway.payroll.models import Cycle, Program

    with get_db().sessionmaker() as session:
        rows = [{"ref": c.ref, "id": c.id, "program": code, "period": f"{c.period:%Y-%m}",
                 "scope": c.scope, "state": c.state, "payments": c.payment_count,
                 "total_amount": c.total_amount}
                for c, code in session.execute(
                    sa.select(Cycle, Program.code).join(Program).order_by(Cycle.id.desc()))]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['ref']} {r['program']:<12} {r['period']} {r['state']:<10} {r['payments']:>7} "
        f"{vnd(r['total_amount'])}" for r in rs) or "no cycles")
