"""Define ChiTra's beneficiary journey as data: every screen, its text keys and where it leads."""

from __future__ import annotations

from collections.abc import Mapping

from ussd_menus.port import ProblemKind
from ussd_menus.screens import Kind, Option, Screen

#: Screens the engine itself jumps to; the graph must define them.
HOME, PICK, UNKNOWN, RESUME, PIN = "main", "pick", "unknown", "resume", "pin"
PIN_NEW, PIN_REPEAT, PIN_LOCKED = "pin_new", "pin_repeat", "pin_locked"
ENGINE_SCREENS = (HOME, PICK, UNKNOWN, RESUME, PIN, PIN_NEW, PIN_LOCKED)
#: Screens that stand in front of a protected one; a resumed session re-enters the latter.
PIN_SCREENS = frozenset({PIN, PIN_NEW, PIN_REPEAT})
_PIN_PATTERN = r"[0-9]{4}"  # ASCII digits only: \d would take other scripts' digits


_CODE_PATTERN = r"[0-9]{6}"  # ASCII digits only


def _report(kind: ProblemKind) -> Option:
    """Offer one kind of complaint, filed at once with no note."""
    return Option(f"problem.{kind.value}", "ticket", action="report_problem", value=kind.value)


_SCREENS = (
    Screen(UNKNOWN, Kind.END, title="unknown_phone"),
    Screen(
        RESUME,
        Kind.MENU,
        title="resume.title",
        options=(
            Option("resume.continue", HOME, action="resume"),
            Option("resume.restart", HOME, action="restart"),
        ),
    ),
    Screen(PICK, Kind.LIST, title="pick.title", view="people", next=HOME, action="select_person"),
    Screen(
        HOME,
        Kind.MENU,
        options=(
            Option("main.entitlement", "entitlement"),
            Option("main.confirm", "confirm"),
            Option("main.history", "history"),
            Option("main.problem", "problem"),
            Option("main.wallet", "wallet"),
            Option("main.language", "language"),
        ),
    ),
    Screen("entitlement", Kind.INFO, view="entitlement"),
    Screen(
        "confirm",
        Kind.MENU,
        view="latest_paid",
        protected=True,
        gate="has_latest_paid",
        options=(
            Option("confirm.yes", "confirm_done", action="confirm_receipt"),
            Option("confirm.no", "problem"),
        ),
    ),
    Screen("confirm_done", Kind.END, title="confirm.done"),
    Screen("confirm_already", Kind.END, title="confirm.already"),
    Screen("confirm_none", Kind.END, title="confirm.none"),
    Screen("history", Kind.INFO, view="history", protected=True),
    Screen(
        "problem",
        Kind.MENU,
        title="problem.title",
        options=(
            _report(ProblemKind.NOT_RECEIVED),
            _report(ProblemKind.WRONG_AMOUNT),
            _report(ProblemKind.WALLET),
            Option("problem.other", "problem_note"),
        ),
    ),
    Screen(
        "problem_note",
        Kind.INPUT,
        title="problem.note",
        pattern=r"(?s)\s*\S.*",
        next="ticket",
        action="report_note",
    ),
    Screen("ticket", Kind.END, view="ticket"),
    Screen(
        "wallet",
        Kind.MENU,
        view="wallet",
        protected=True,
        options=(
            Option("wallet.verify", "wallet_code"),
            Option("wallet.change", "wallet_change"),
            Option("wallet.resend", "wallet_code_sent", action="send_wallet_code"),
        ),
    ),
    # The code goes by SMS to the wallet's phone; typing it here proves that phone. With no
    # code waiting, the gate offers to send one instead of asking for it.
    Screen(
        "wallet_code",
        Kind.INPUT,
        title="wallet.code_prompt",
        pattern=_CODE_PATTERN,
        secret=True,
        protected=True,
        gate="wallet_code_waiting",
        next="wallet_ok",
        action="verify_wallet_code",
    ),
    Screen(
        "wallet_send",
        Kind.MENU,
        title="wallet.no_code",
        protected=True,
        options=(Option("wallet.send", "wallet_code_sent", action="send_wallet_code"),),
    ),
    Screen(
        "wallet_code_sent",
        Kind.INPUT,
        title="wallet.code_sent",
        pattern=_CODE_PATTERN,
        secret=True,
        protected=True,
        next="wallet_ok",
        action="verify_wallet_code",
    ),
    Screen("wallet_already", Kind.END, title="wallet.already"),
    Screen("wallet_missing", Kind.END, title="wallet.none"),
    Screen("wallet_wait", Kind.END, title="wallet.code_wait"),
    Screen("wallet_too_many", Kind.END, title="wallet.code_limit"),
    Screen("wallet_sim_swap", Kind.END, title="wallet.sim_swap"),
    Screen("wallet_change", Kind.INFO, title="wallet.change_info", protected=True),
    Screen("wallet_ok", Kind.END, title="wallet.code_ok"),
    Screen("code_expired", Kind.END, title="code.expired"),
    Screen("code_locked", Kind.END, title="code.locked"),
    Screen("code_unavailable", Kind.END, title="code.not_available"),
    Screen(
        PIN,
        Kind.INPUT,
        title="pin.prompt",
        pattern=_PIN_PATTERN,
        secret=True,
        next=HOME,
        action="verify_pin",
    ),
    # First use: the PIN is chosen, then repeated; the port keeps only a hash in between.
    Screen(
        PIN_NEW,
        Kind.INPUT,
        title="pin.new",
        pattern=_PIN_PATTERN,
        secret=True,
        next=PIN_REPEAT,
        action="choose_pin",
    ),
    Screen(
        PIN_REPEAT,
        Kind.INPUT,
        title="pin.repeat",
        pattern=_PIN_PATTERN,
        secret=True,
        next=HOME,
        action="repeat_pin",
    ),
    Screen(PIN_LOCKED, Kind.END, title="pin.locked"),
    Screen(
        "language",
        Kind.MENU,
        title="lang.title",
        options=(
            Option("lang.vi", HOME, action="set_language", value="vi"),
            Option("lang.vi_accented", HOME, action="set_language", value="vi_accented"),
            Option("lang.en", HOME, action="set_language", value="en"),
        ),
    ),
)

SCREENS: Mapping[str, Screen] = {screen.id: screen for screen in _SCREENS}
