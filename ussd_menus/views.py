"""Compute the dynamic lines of screens from the port's data, in the caller's language."""

from __future__ import annotations

from collections.abc import Mapping

from ussd_menus import catalogs
from ussd_menus.port import PaymentLine, PaymentStatus
from ussd_menus.screens import Context, Gate, View

HISTORY_LIMIT = 6


def _status(ctx: Context, status: PaymentStatus | None) -> str:
    return ctx.t(f"status.{(status or PaymentStatus.UNKNOWN).value}")


def _money(ctx: Context, amount: int) -> str:
    return catalogs.money(ctx.lang, amount)


def people(ctx: Context) -> list[str]:
    """List the masked names of the people this phone acts for."""
    return [catalogs.plain(ctx.lang, masked) for _, masked in ctx.state.people]


def entitlement(ctx: Context) -> list[str]:
    """Show the program, the monthly amount and where this cycle's payment stands."""
    ent = ctx.port.entitlement(ctx.ref)
    if ent is None:
        return [ctx.t("ent.none")]
    lines = [
        catalogs.program_name(ctx.lang, ent.program),
        ctx.t("ent.amount", amount=_money(ctx, ent.monthly_amount)),
    ]
    if ent.period is None:
        lines.append(ctx.t("ent.no_cycle"))
    else:
        period = catalogs.month(ent.period)
        lines.append(ctx.t("ent.period", period=period, status=_status(ctx, ent.status)))
    if ent.payment_date is not None:
        lines.append(ctx.t("ent.date", date=catalogs.day(ent.payment_date)))
    return lines


def latest_paid(ctx: Context) -> list[str]:
    """Show the latest paid payment and ask whether it arrived in full."""
    line = ctx.port.latest_paid(ctx.ref)
    if line is None:  # the gate normally redirects first; this keeps a stale session safe
        return [ctx.t("confirm.none")]
    paid = catalogs.day(line.paid_on) if line.paid_on else "-"
    return [
        ctx.t(
            "confirm.latest",
            period=catalogs.month(line.period),
            amount=_money(ctx, line.amount),
            date=paid,
        ),
        ctx.t("confirm.question"),
    ]


def _history_line(ctx: Context, line: PaymentLine) -> str:
    return ctx.t(
        "history.line",
        period=catalogs.month(line.period),
        amount=_money(ctx, line.amount),
        status=_status(ctx, line.status),
    )


def history(ctx: Context) -> list[str]:
    """List the latest payments, one line each, newest first."""
    lines = ctx.port.history(ctx.ref, limit=HISTORY_LIMIT)[:HISTORY_LIMIT]
    if not lines:
        return [ctx.t("history.none")]
    return [ctx.t("history.title"), *(_history_line(ctx, line) for line in lines)]


def wallet(ctx: Context) -> list[str]:
    """Show the linked wallet, masked, and whether it is verified."""
    status = ctx.port.wallet_status(ctx.ref)
    if status is None:
        return [ctx.t("wallet.none")]
    provider = catalogs.plain(ctx.lang, status.provider)
    account = catalogs.plain(ctx.lang, status.masked_account)
    state = ctx.t("wallet.verified" if status.verified else "wallet.unverified")
    return [ctx.t("wallet.line", provider=provider, account=account), state]


def ticket(ctx: Context) -> list[str]:
    """Show the ticket number of the complaint just filed."""
    number = catalogs.plain(ctx.lang, ctx.state.data.get("ticket", "-"))
    return [ctx.t("problem.ticket", ticket=number)]


def wallet_code_waiting(ctx: Context) -> str | None:
    """Ask for the code only when one waits; else say why not, or offer to send one."""
    status = ctx.port.wallet_status(ctx.ref)
    if status is None:
        return "wallet_missing"
    if status.verified:
        return "wallet_already"
    return None if ctx.port.wallet_code_pending(ctx.ref) else "wallet_send"


def has_latest_paid(ctx: Context) -> str | None:
    """Send the caller to an explanation when no payment has reached the wallet yet."""
    return None if ctx.port.latest_paid(ctx.ref) is not None else "confirm_none"


VIEWS: Mapping[str, View] = {
    "people": people,
    "entitlement": entitlement,
    "latest_paid": latest_paid,
    "history": history,
    "wallet": wallet,
    "ticket": ticket,
}

GATES: Mapping[str, Gate] = {
    "has_latest_paid": has_latest_paid,
    "wallet_code_waiting": wallet_code_waiting,
}
