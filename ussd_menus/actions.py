"""Record the caller's answers through the port and decide which screen comes next."""

from __future__ import annotations

from collections.abc import Mapping

from ussd_menus import catalogs
from ussd_menus.menus import HOME, PIN
from ussd_menus.port import CodeResult, ConfirmResult, ProblemKind
from ussd_menus.screens import Action, Context, Step

_CONFIRM_SCREENS = {
    ConfirmResult.CONFIRMED: "confirm_done",
    ConfirmResult.ALREADY_CONFIRMED: "confirm_already",
    ConfirmResult.NOTHING_TO_CONFIRM: "confirm_none",
}

# Where a wallet code or PIN outcome leads; None means "stay and show this error line".
_CODE_ENDS = {
    CodeResult.EXPIRED: "code_expired",
    CodeResult.LOCKED: "code_locked",
    CodeResult.NOT_AVAILABLE: "code_unavailable",
}


def select_person(ctx: Context, value: str) -> Step | None:
    """Act for the person chosen from the list (1-based)."""
    index = int(value) - 1
    if not 0 <= index < len(ctx.state.people):
        return Step(error="invalid")
    ctx.state.person = ctx.state.people[index][0]
    ctx.state.pin_ok = False  # a PIN proves one beneficiary, not everyone on the phone
    return None


def confirm_receipt(ctx: Context, _: str) -> Step | None:
    """Record that the latest paid payment arrived."""
    return Step(goto=_CONFIRM_SCREENS[ctx.port.confirm_receipt(ctx.ref)], replace=True)


def _file(ctx: Context, kind: ProblemKind, note: str | None) -> Step:
    number = ctx.port.report_problem(ctx.ref, kind, note)
    ctx.state.data["ticket"] = number
    ctx.port.send_sms(ctx.phone, ctx.t("problem.sms", ticket=catalogs.plain(ctx.lang, number)))
    return Step(goto="ticket", replace=True)


def report_problem(ctx: Context, value: str) -> Step | None:
    """File a complaint of the kind chosen in the menu."""
    return _file(ctx, ProblemKind(value), None)


def report_note(ctx: Context, value: str) -> Step | None:
    """File an "other" complaint with the caller's short note."""
    return _file(ctx, ProblemKind.OTHER, value.strip()[:160])


def verify_wallet_code(ctx: Context, value: str) -> Step | None:
    """Hand the wallet verification code to the port; the code itself is then forgotten."""
    result = ctx.port.verify_wallet_code(ctx.ref, value)
    if result is CodeResult.OK:
        return Step(goto="wallet_ok", replace=True)
    if result in _CODE_ENDS:
        return Step(goto=_CODE_ENDS[result], replace=True)
    return Step(error="code.wrong")


def verify_pin(ctx: Context, value: str) -> Step | None:
    """Check the PIN and open the protected screen that asked for it."""
    result = ctx.port.verify_pin(ctx.ref, value)
    if result is CodeResult.OK:
        ctx.state.pin_ok = True
        target, ctx.state.pending = ctx.state.pending or HOME, None
        return Step(goto=target, replace=True)
    if result in _CODE_ENDS:
        return Step(goto=_CODE_ENDS[result], replace=True)
    return Step(error="pin.wrong")


def set_language(ctx: Context, value: str) -> Step | None:
    """Switch the session to the chosen language and remember it for the phone."""
    ctx.state.lang = catalogs.normalise_language(value)
    ctx.port.set_language(ctx.phone, ctx.state.lang)
    return Step(goto=HOME)


def resume(ctx: Context, _: str) -> Step | None:
    """Carry on where the dropped session stopped (the PIN is asked again if needed)."""
    snap = ctx.state.resume or {}
    ctx.state.resume = None
    ctx.state.person = snap.get("person") or ctx.state.person
    ctx.state.stack = list(snap.get("stack") or [])
    ctx.state.data = dict(snap.get("data") or {})
    target = snap.get("screen") or HOME
    if target == PIN:
        target = snap.get("pending") or HOME
    return Step(goto=target, replace=True)


def restart(ctx: Context, _: str) -> Step | None:
    """Forget the dropped session and start from the top."""
    ctx.state.resume = None
    return Step(goto=HOME, replace=True)


ACTIONS: Mapping[str, Action] = {
    "select_person": select_person,
    "confirm_receipt": confirm_receipt,
    "report_problem": report_problem,
    "report_note": report_note,
    "verify_wallet_code": verify_wallet_code,
    "verify_pin": verify_pin,
    "set_language": set_language,
    "resume": resume,
    "restart": restart,
}
