"""Answer SMS keywords (TC, XN, KN, HD, XT) with the same catalogs and port as the USSD menus."""

from __future__ import annotations

import re

from ussd_menus import catalogs
from ussd_menus.gsm7 import strip_accents
from ussd_menus.port import (
    CodeResult,
    CodeSend,
    ConfirmResult,
    Person,
    PinState,
    Port,
    ProblemKind,
)

NOTE_MAX = 300
_CODE = re.compile(r"\d{6}")
_PIN = re.compile(r"[0-9]{4}")

_CONFIRM_KEYS = {
    ConfirmResult.CONFIRMED: "confirm.done",
    ConfirmResult.ALREADY_CONFIRMED: "confirm.already",
    ConfirmResult.NOTHING_TO_CONFIRM: "confirm.none",
}
_CODE_KEYS = {
    CodeResult.OK: "wallet.code_ok",
    CodeResult.WRONG: "code.wrong",
    CodeResult.EXPIRED: "code.expired",
    CodeResult.LOCKED: "code.locked",
    CodeResult.NOT_AVAILABLE: "code.not_available",
    CodeResult.SIM_SWAP: "wallet.sim_swap",
}
_SEND_KEYS = {
    CodeSend.SENT: "sms.xt_sent",
    CodeSend.ALREADY_VERIFIED: "wallet.already",
    CodeSend.NO_WALLET: "wallet.none",
    CodeSend.WAIT: "wallet.code_wait",
    CodeSend.TOO_MANY: "wallet.code_limit",
    CodeSend.SIM_SWAP: "wallet.sim_swap",
    CodeSend.NOT_AVAILABLE: "code.not_available",
}


class SmsResponder:
    """Turn one inbound SMS into one reply text, recording actions through the port."""

    def __init__(self, port: Port) -> None:
        """Use ``port`` for data and actions."""
        self._port = port

    def reply(self, phone: str, message: str) -> str:
        """Answer ``message`` from ``phone``; unknown keywords get the help text."""
        people = self._port.people_for_phone(phone)
        if not people:
            return self._t("vi", "unknown_phone")
        lang = catalogs.normalise_language(self._port.language(phone))
        # Keywords match without case or accents ("xn", "Xń"); the rest keeps the caller's text.
        words = (message or "").split(None, 1)
        keyword = strip_accents(words[0]).upper().strip(".:,;!") if words else ""
        rest = words[1].strip() if len(words) > 1 else ""
        if keyword == "TC":
            return self._check(lang, people, rest)
        if keyword in ("XN", "KN", "XT"):
            person, rest = self._pick(people, rest)
            if person is None:
                return self._choose(lang, keyword, people)
            if keyword == "XN":
                return self._confirm(lang, person, rest)
            if keyword == "KN":
                return self._complain(lang, person, rest)
            return self._verify(lang, person, rest)
        return self._t(lang, "sms.help")

    def _t(self, lang: str, key: str, **values: object) -> str:
        if "{hotline}" in catalogs.CATALOGS[lang][key]:
            values.setdefault("hotline", self._port.hotline())
        return catalogs.text(lang, key, **values)

    @staticmethod
    def _pick(people: list[Person], rest: str) -> tuple[Person | None, str]:
        """Choose the person an action is for: the only one, or the number the caregiver sent."""
        if len(people) == 1:
            return people[0], rest
        head, _, tail = rest.partition(" ")
        if head.isascii() and head.isdigit() and 1 <= int(head) <= len(people):
            return people[int(head) - 1], tail.strip()
        return None, rest

    def _choose(self, lang: str, keyword: str, people: list[Person]) -> str:
        choices = ", ".join(
            f"{i} {catalogs.plain(lang, p.masked_name)}" for i, p in enumerate(people, 1)
        )
        return self._t(lang, "sms.choose", count=len(people), keyword=keyword, choices=choices)

    def _check(self, lang: str, people: list[Person], rest: str) -> str:
        chosen, _ = self._pick(people, rest)
        lines = []
        for person in [chosen] if chosen else people:
            name = catalogs.plain(lang, person.masked_name)
            ent = self._port.entitlement(person.ref)
            if ent is None:
                lines.append(self._t(lang, "sms.tc_none", name=name))
                continue
            amount = catalogs.money(lang, ent.monthly_amount)
            if ent.period is None:  # enrolled and priced, but no cycle has paid them yet
                lines.append(self._t(lang, "sms.tc_no_cycle", name=name, amount=amount))
                continue
            status = ent.status.value if ent.status else "unknown"
            period = catalogs.month(ent.period)
            line = self._t(
                lang,
                "sms.tc",
                name=name,
                amount=amount,
                period=period,
                status=self._t(lang, f"status.{status}"),
            )
            if ent.payment_date is not None:
                line += ". " + self._t(lang, "ent.date", date=catalogs.day(ent.payment_date))
            lines.append(line)
        return "\n".join(lines)

    def _confirm(self, lang: str, person: Person, pin: str) -> str:
        """Confirm receipt; with PINs on, only ``XN <PIN>`` does (``XN <number> <PIN>``)."""
        if self._port.requires_pin(person.ref):
            refusal = self._check_pin(lang, person, pin.replace(" ", ""))
            if refusal is not None:
                return refusal
        return self._t(lang, _CONFIRM_KEYS[self._port.confirm_receipt(person.ref)])

    def _check_pin(self, lang: str, person: Person, pin: str) -> str | None:
        """Return why the PIN sent with XN does not open confirmation, or None when it does.

        A PIN is chosen on USSD only: SMS cannot ask for it twice, and a PIN chosen by SMS
        would sit in the phone's sent messages. Wrong PINs count towards the same lockout.
        """
        state = self._port.pin_status(person.ref).state
        if state is PinState.LOCKED:
            return self._t(lang, "pin.locked")
        if state is PinState.NOT_SET:
            return self._t(lang, "sms.pin_not_set")
        if not _PIN.fullmatch(pin):
            return self._t(lang, "sms.xn_pin")
        # The PIN goes to the port and nowhere else: it is not logged, kept or echoed.
        result = self._port.verify_pin(person.ref, pin)
        if result is CodeResult.OK:
            return None
        if result is CodeResult.LOCKED:
            return self._t(lang, "pin.locked")
        if result is CodeResult.WRONG:
            tries = self._port.pin_status(person.ref).tries_left
            key = "pin.wrong_left" if tries else "pin.wrong"
            return self._t(lang, key, tries=tries)
        return self._t(lang, "code.not_available")

    def _complain(self, lang: str, person: Person, note: str) -> str:
        if not note:
            return self._t(lang, "sms.kn_empty")
        ticket = self._port.report_problem(person.ref, ProblemKind.OTHER, note[:NOTE_MAX])
        return self._t(lang, "problem.sms", ticket=catalogs.plain(lang, ticket))

    def _verify(self, lang: str, person: Person, code: str) -> str:
        code = code.replace(" ", "")
        if not code:  # "XT" alone asks for a code, sent to the wallet's phone
            return self._t(lang, _SEND_KEYS[self._port.send_wallet_code(person.ref)])
        if not _CODE.fullmatch(code):
            return self._t(lang, "sms.xt_empty")
        # The code goes to the port and nowhere else: it is not logged or kept.
        return self._t(lang, _CODE_KEYS[self._port.verify_wallet_code(person.ref, code)])
