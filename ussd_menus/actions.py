"""Record the caller's answers through the port and decide which screen comes next."""

from __future__ import annotations

from collections.abc import Mapping

from ussd_menus import catalogs
from ussd_menus.menus import HOME, PIN, PIN_LOCKED, PIN_NEW, PIN_REPEAT, PIN_SCREENS
from ussd_menus.port import CodeResult, CodeSend, ConfirmResult, PinChange, ProblemKind
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
    CodeResult.SIM_SWAP: "wallet_sim_swap",
}
# Where asking for a wallet code leads; SENT opens the code prompt at once.
_SEND_ENDS = {
    CodeSend.SENT: "wallet_code_sent",
    CodeSend.ALREADY_VERIFIED: "wallet_already",
    CodeSend.NO_WALLET: "wallet_missing",
    CodeSend.WAIT: "wallet_wait",
    CodeSend.TOO_MANY: "wallet_too_many",
    CodeSend.SIM_SWAP: "wallet_sim_swap",
    CodeSend.NOT_AVAILABLE: "code_unavailable",
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


def send_wallet_code(ctx: Context, _: str) -> Step | None:
    """Ask the port to SMS a code to the wallet's phone, then prompt for it."""
    return Step(goto=_SEND_ENDS[ctx.port.send_wallet_code(ctx.ref)], replace=True)


def _open_pending(ctx: Context, notice: str | None = None) -> Step:
    """Mark the PIN proved for this session and open the protected screen that asked for it."""
    ctx.state.pin_ok = True
    target, ctx.state.pending = ctx.state.pending or HOME, None
    return Step(goto=target, replace=True, error=notice)


def verify_pin(ctx: Context, value: str) -> Step | None:
    """Check the PIN and open the protected screen that asked for it."""
    result = ctx.port.verify_pin(ctx.ref, value)
    if result is CodeResult.OK:
        return _open_pending(ctx)
    if result is CodeResult.LOCKED:
        return Step(goto=PIN_LOCKED, replace=True)
    if result in _CODE_ENDS:
        return Step(goto=_CODE_ENDS[result], replace=True)
    tries = ctx.port.pin_status(ctx.ref).tries_left
    if tries:
        return Step(error="pin.wrong_left", values={"tries": tries})
    return Step(error="pin.wrong")


def choose_pin(ctx: Context, value: str) -> Step | None:
    """Take the first entry of a new PIN; the port keeps only its hash until it is repeated."""
    result = ctx.port.choose_pin(ctx.ref, value)
    if result is PinChange.ACCEPTED:
        return Step(goto=PIN_REPEAT, replace=True)
    if result is PinChange.ALREADY_SET:
        return Step(goto=PIN, replace=True)  # set meanwhile (another phone): enter it instead
    return Step(error="pin.weak")


def repeat_pin(ctx: Context, value: str) -> Step | None:
    """Take the repeated PIN: saved when it matches, else start the choice again."""
    result = ctx.port.repeat_pin(ctx.ref, value)
    if result is PinChange.SAVED:
        return _open_pending(ctx, "pin.saved")
    if result is PinChange.ALREADY_SET:
        return Step(goto=PIN, replace=True)
    notice = "pin.mismatch" if result is PinChange.MISMATCH else "pin.expired"
    return Step(goto=PIN_NEW, replace=True, error=notice)


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
    if target in PIN_SCREENS:  # the protected screen behind them asks for the PIN afresh
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
    "send_wallet_code": send_wallet_code,
    "verify_pin": verify_pin,
    "choose_pin": choose_pin,
    "repeat_pin": repeat_pin,
    "set_language": set_language,
    "resume": resume,
    "restart": restart,
}
