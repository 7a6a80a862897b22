"""Define ChiTra's beneficiary journey as data: every screen, its text keys and where it leads."""

from __future__ import annotations

from collections.abc import Mapping

from ussd_menus.port import ProblemKind
from ussd_menus.screens import Kind, Option, Screen

#: Screens the engine itself jumps to; the graph must define them.
HOME, PICK, UNKNOWN, RESUME, PIN = "main", "pick", "unknown", "resume", "pin"
ENGINE_SCREENS = (HOME, PICK, UNKNOWN, RESUME, PIN)


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
        ),
    ),
    # The OTP feature plugs in here: the port's verify_wallet_code answers NOT_AVAILABLE until then.
    Screen(
        "wallet_code",
        Kind.INPUT,
        title="wallet.code_prompt",
        pattern=r"\d{6}",
        secret=True,
        protected=True,
        next="wallet_ok",
        action="verify_wallet_code",
    ),
    Screen("wallet_change", Kind.INFO, title="wallet.change_info", protected=True),
    Screen("wallet_ok", Kind.END, title="wallet.code_ok"),
    Screen("code_expired", Kind.END, title="code.expired"),
    Screen("code_locked", Kind.END, title="code.locked"),
    Screen("code_unavailable", Kind.END, title="code.not_available"),
    Screen(
        PIN,
        Kind.INPUT,
        title="pin.prompt",
        pattern=r"\d{4}",
        secret=True,
        next=HOME,
        action="verify_pin",
    ),
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
