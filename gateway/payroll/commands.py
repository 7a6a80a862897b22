"""``gateway program``, ``gateway budget`` and ``gateway cycle`` commands."""

from __future__ import annotations

import csv
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

totp_option = click.option(
    "--totp", metavar="CODE", default=None,
    help="The current 6-digit code of the actor's authenticator app (see `gateway approver`).")


@click.group("program")
def program_group() -> None:
    """Benefit programs and the rules that price them (standard levels, coefficients)."""


@program_group.command("list")
@json_option
@with_appcontext
def program_list(as_json: bool) -> None:
    """List programs."""
    from gateway.payroll.programs import describe_program, list_programs

    with get_db().sessionmaker() as session:
        rows = [describe_program(p) for p in list_programs(session)]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['code']:<14} {r['kind']:<8} {r['name_vi']}" for r in rs))


@program_group.command("create")
@click.option("--code", required=True, help="Short code, e.g. COVID_2021.")
@click.option("--name-vi", required=True, help="The name beneficiaries read, in Vietnamese.")
@click.option("--name-en", required=True, help="The name in English.")
@click.option("--amount", type=int, help="Fixed amount per person (đồng).")
@click.option("--level-multiple", type=int,
              help="Pay this many times the standard level (mai táng: 20).")
@actor_option
@totp_option
@with_appcontext
def program_create(code: str, name_vi: str, name_en: str, amount: int | None,
                   level_multiple: int | None, actor: str, totp: str | None) -> None:
    """Create a one-off program (e.g. an emergency package) paying a fixed amount to a list."""
    from gateway.approvers.settings import second_factor
    from gateway.payroll.programs import create_program

    with get_db().session() as session:
        program = create_program(session, code=code, name_vi=name_vi, name_en=name_en,
                                 actor=actor, amount=amount, level_multiple=level_multiple,
                                 second_factor=second_factor(totp))
        code = program.code
    click.echo(f"created program {code}")


@program_group.command("rules")
@json_option
@with_appcontext
def program_rules(as_json: bool) -> None:
    """List the standard levels and category coefficients, each from its month."""
    from gateway.payroll.programs import list_rules

    with get_db().sessionmaker() as session:
        data = list_rules(session)

    def text(d: dict) -> str:  # type: ignore[type-arg]
        lines = [f"level    {r['effective_from']}  {vnd(r['amount']):>12}  "
                 f"{r['province_code'] or 'national'}  {r['note'] or ''}" for r in d["levels"]]
        for r in d["coefficients"]:
            extra = " per child" if r["per_child"] else ""
            if r["age_from"] is not None:
                extra += f", {r['age_coefficient']} from age {r['age_from']} ({r['age_switch']})"
            lines.append(f"{r['category']:<15} {r['effective_from']}  {r['coefficient']}{extra}")
        return "\n".join(lines)

    emit(data, as_json, text)


@program_group.command("set-level")
@click.option("--from", "start", required=True, help="First month, e.g. 2027-01.")
@click.option("--amount", required=True, type=int, help="đồng per month")
@click.option("--national", is_flag=True,
              help="The national level (a decree); default: this province's higher level.")
@click.option("--note", default="", help="The decision it comes from, e.g. Decree 76/2024.")
@actor_option
@totp_option
@json_option
@with_appcontext
def program_set_level(start: str, amount: int, national: bool, note: str, actor: str,
                      totp: str | None, as_json: bool) -> None:
    """Set the standard level from a month (a province's may only raise the national one)."""
    from gateway.approvers.settings import second_factor
    from gateway.payroll.programs import describe_level, set_standard_level

    province = None if national else current_app.config["PROVINCE_CODE"]
    if not national and not province:
        raise click.ClickException("set CHITRA_PROVINCE_CODE to record a province level, "
                                   "or give --national")
    with get_db().session() as session:
        result = set_standard_level(session, effective_from=parse_period(start), amount=amount,
                                    actor=actor, province_code=province, note=note or None,
                                    second_factor=second_factor(totp))
        data = {**describe_level(result.rule), "changed": result.changed}
    emit(data, as_json, lambda d: ("" if d["changed"] else "already in force: ")
         + (f"province {d['province_code']}" if d["province_code"] else "national")
         + f" standard level {vnd(d['amount'])} from {d['effective_from']}")


@program_group.command("set-coefficient")
@click.option("--category", required=True, help="Category code, e.g. KT_NANG.")
@click.option("--from", "start", required=True, help="First month, e.g. 2027-01.")
@click.option("--coefficient", required=True, help="e.g. 2.5")
@click.option("--age-from", type=int, help="From this age another coefficient applies ...")
@click.option("--age-coefficient", help="... this one (e.g. 2.0).")
@click.option("--age-switch", type=click.Choice(["next_month", "birthday_month"]),
              help="From the month after the birthday (default) or the birthday's month.")
@click.option("--drop-age-change", is_flag=True,
              help="End the age change of the rule in force (kept by default).")
@actor_option
@totp_option
@json_option
@with_appcontext
def program_set_coefficient(category: str, start: str, coefficient: str, age_from: int | None,
                            age_coefficient: str | None, age_switch: str | None,
                            drop_age_change: bool, actor: str, totp: str | None,
                            as_json: bool) -> None:
    """Set a category's coefficient from a month (per child if the category is paid so)."""
    from gateway.approvers.settings import second_factor
    from gateway.payroll.programs import describe_coefficient, set_coefficient

    with get_db().session() as session:
        result = set_coefficient(
            session, category=category, effective_from=parse_period(start),
            coefficient=coefficient, actor=actor, age_from=age_from,
            age_coefficient=age_coefficient, age_switch=age_switch,
            drop_age_change=drop_age_change, second_factor=second_factor(totp))
        data = {**describe_coefficient(result.rule), "changed": result.changed}
    emit(data, as_json, lambda d: ("" if d["changed"] else "already in force: ")
         + f"{d['category']} coefficient {d['coefficient']}"
         + (" per child" if d["per_child"] else "") + f" from {d['effective_from']}")


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
