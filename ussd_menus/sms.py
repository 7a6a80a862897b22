"""Answer SMS keywords (TC, XN, KN, HD, XT) with the same catalogs and port as the USSD menus."""

from __future__ import annotations

import re

from ussd_menus import catalogs
from ussd_menus.gsm7 import strip_accents
from ussd_menus.port import CodeResult, ConfirmResult, Person, Port, ProblemKind

NOTE_MAX = 300
_CODE = re.compile(r"\d{6}")

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
                return self._confirm(lang, person)
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
            status = ent.status.value if ent.status else "unknown"
            period = catalogs.month(ent.period) if ent.period else "-"
            line = self._t(
                lang,
                "sms.tc",
                name=name,
                amount=catalogs.money(lang, ent.monthly_amount),
                period=period,
                status=self._t(lang, f"status.{status}"),
            )
            if ent.payment_date is not None:
                line += ". " + self._t(lang, "ent.date", date=catalogs.day(ent.payment_date))
            lines.append(line)
        return "\n".join(lines)

    def _confirm(self, lang: str, person: Person) -> str:
        if self._port.requires_pin(person.ref):
            return self._t(lang, "sms.use_ussd")  # SMS cannot carry the PIN step safely
        return self._t(lang, _CONFIRM_KEYS[self._port.confirm_receipt(person.ref)])

    def _complain(self, lang: str, person: Person, note: str) -> str:
        if not note:
            return self._t(lang, "sms.kn_empty")
        ticket = self._port.report_problem(person.ref, ProblemKind.OTHER, note[:NOTE_MAX])
        return self._t(lang, "problem.sms", ticket=catalogs.plain(lang, ticket))

    def _verify(self, lang: str, person: Person, code: str) -> str:
        code = code.replace(" ", "")
        if not _CODE.fullmatch(code):
            return self._t(lang, "sms.xt_empty")
        # The code goes to the port and nowhere else: it is not logged or kept.
        return self._t(lang, _CODE_KEYS[self._port.verify_wallet_code(person.ref, code)])
