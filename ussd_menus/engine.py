"""Answer one USSD hop: work out the new inputs, move through the menus, render one screen."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ussd_menus import catalogs
from ussd_menus.actions import ACTIONS
from ussd_menus.menus import (
    ENGINE_SCREENS,
    HOME,
    PICK,
    PIN,
    PIN_LOCKED,
    PIN_NEW,
    RESUME,
    SCREENS,
    UNKNOWN,
)
from ussd_menus.port import PinState, Port
from ussd_menus.render import paginate
from ussd_menus.screens import (
    BACK,
    MORE,
    Action,
    Context,
    Gate,
    GraphError,
    Kind,
    Screen,
    Step,
    View,
    validate,
)
from ussd_menus.screens import HOME as HOME_KEY
from ussd_menus.session import SessionState, SessionStore
from ussd_menus.views import GATES, VIEWS

log = logging.getLogger(__name__)

MAX_PEOPLE = 20  # a caregiver list longer than this is a data problem, not a menu
_STACK_MAX = 12
_NOT_RESUMABLE = frozenset({HOME, PICK, RESUME, UNKNOWN})
# Where a protected screen sends a caller who has not proved the PIN in this session.
_PIN_GATE = {PinState.SET: PIN, PinState.NOT_SET: PIN_NEW, PinState.LOCKED: PIN_LOCKED}


@dataclass(frozen=True)
class Reply:
    """Say what to show: ``text`` without the telco prefix, and whether the session ends."""

    text: str
    end: bool


class UssdEngine:
    """Run the menu graph for USSD hops; one instance serves every session."""

    def __init__(
        self,
        port: Port,
        store: SessionStore,
        *,
        screens: Mapping[str, Screen] = SCREENS,
        views: Mapping[str, View] = VIEWS,
        actions: Mapping[str, Action] = ACTIONS,
        gates: Mapping[str, Gate] = GATES,
        offer_resume: bool = True,
    ) -> None:
        """Check the graph once and keep it; hops then do no validation work."""
        validate(screens, views, actions, gates, ENGINE_SCREENS)
        problems = static_text_problems(screens)
        if problems:
            raise GraphError("; ".join(problems))
        self._port, self._store = port, store
        self._screens, self._views, self._actions, self._gates = screens, views, actions, gates
        self._offer_resume = offer_resume
        self._patterns = {
            sid: re.compile(s.pattern) for sid, s in screens.items() if s.pattern is not None
        }
        # Screens whose text depends on nothing but the language: safe to render once.
        self._static = frozenset(
            sid
            for sid, s in screens.items()
            if s.view is None
            and not ({s.title, *(o.label for o in s.options)} & catalogs.HOTLINE_KEYS)
        )
        self._page_cache: dict[tuple[str, str, str | None, tuple[str, ...]], list[str]] = {}
        self._handlers: dict[Kind, Callable[[Context, Screen, str], Step | None]] = {
            Kind.MENU: self._on_menu,
            Kind.LIST: self._on_list,
            Kind.INPUT: self._on_input,
        }

    def handle(self, session_id: str, phone: str, text: str) -> Reply:
        """Answer one hop; ``text`` is the aggregator's cumulative input joined by ``*``.

        Never raises: a failing port or store gives the caller a polite END and a logged error.
        """
        try:
            return self._handle(session_id, phone, text or "")
        except Exception:
            # Only the session id is logged: inputs may hold a PIN or a code.
            log.exception("USSD hop failed for session %s", session_id)
            return Reply(catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system"), end=True)

    def _handle(self, session_id: str, phone: str, text: str) -> Reply:
        parts = text.split("*") if text else []
        state = self._store.load(session_id)
        if state is None:
            state = self._start(session_id, phone, prefilled=bool(parts))
            new = parts  # a pre-filled dial string answers the first screens in order
        elif len(parts) >= state.consumed:
            new = parts[state.consumed :]  # empty when the aggregator retries the same hop
        else:
            new = parts[-1:]  # the aggregator restarted its count: take the latest input only
        state.consumed = len(parts)
        state.lang = catalogs.normalise_language(state.lang)
        ctx = Context(self._port, phone, state)
        if state.screen not in self._screens or any(s not in self._screens for s in state.stack):
            self._enter(ctx, HOME, replace=True)  # the menus changed under a live session
        error: str | None = None  # the line shown above the screen: an error or a notice
        for value in new:
            screen = self._screens[state.screen]
            if screen.kind is Kind.END and state.page >= state.pages - 1:
                break  # the session is over; later inputs have nothing to answer
            error = self._answer(ctx, screen, value)
        if error:
            state.page = 0  # re-show the screen from its start, under the error line
        reply = self._render(ctx, error)
        if reply.end:
            self._store.end(state, phone)
        else:
            resumable = state.screen not in _NOT_RESUMABLE
            self._store.save(state, phone, resumable=resumable)
        log.debug("USSD hop session=%s inputs=%d screen=%s", session_id, len(new), state.screen)
        return reply

    def _start(self, session_id: str, phone: str, *, prefilled: bool) -> SessionState:
        people = self._port.people_for_phone(phone)[:MAX_PEOPLE]
        lang = catalogs.DEFAULT_LANGUAGE
        if people:
            lang = catalogs.normalise_language(self._port.language(phone))
        state = SessionState(session_id=session_id, lang=lang, screen=UNKNOWN)
        if not people:
            return state  # an unknown phone learns nothing but how to register
        state.people = [[p.ref, p.masked_name] for p in people]
        if len(people) == 1:
            state.person, state.screen = people[0].ref, HOME
        else:
            state.screen = PICK
        # A pre-filled dial string is an explicit request: honour it rather than offer a resume.
        if self._offer_resume and not prefilled:
            dropped = self._store.load_dropped(phone)
            if dropped is not None and self._worth_resuming(dropped, state):
                state.resume = {
                    "screen": dropped.screen,
                    "stack": [s for s in dropped.stack if s in self._screens],
                    "person": dropped.person,
                    "pending": dropped.pending,
                    "data": dropped.data,
                }
                state.screen = RESUME
        return state

    def _worth_resuming(self, dropped: SessionState, state: SessionState) -> bool:
        screen = self._screens.get(dropped.screen)
        refs = {ref for ref, _ in state.people}
        return (
            dropped.session_id != state.session_id
            and screen is not None
            and screen.kind is not Kind.END
            and dropped.screen not in _NOT_RESUMABLE
            and (dropped.person is None or dropped.person in refs)
        )

    def _can_go_home(self, state: SessionState, screen: Screen) -> bool:
        return (
            screen.kind is not Kind.END
            and state.screen not in (HOME, RESUME, UNKNOWN)
            and (state.person is not None or state.screen != PICK)
        )

    def _answer(self, ctx: Context, screen: Screen, value: str) -> str | None:
        """Apply one input to the current screen; return the line to show above it, if any."""
        state = ctx.state
        state.note_input(value, secret=screen.secret)
        if value == MORE:
            if state.page + 1 < state.pages:
                state.page += 1
                return None
            return ctx.t("invalid")
        if value == BACK:
            if state.page > 0:
                state.page -= 1
                return None
            if state.stack and screen.kind is not Kind.END:
                state.screen, state.page, state.pages = state.stack.pop(), 0, 1
                return None
            return ctx.t("invalid")
        if value == HOME_KEY and self._can_go_home(state, screen):
            self._enter(ctx, HOME, replace=True)
            return None
        handler = self._handlers.get(screen.kind)
        if handler is None:
            return ctx.t("invalid")  # info and end screens take navigation only
        step = handler(ctx, screen, value)
        if step is not None and step.error and not step.goto:
            return ctx.t(step.error, **step.values)  # stay, and say what was wrong
        default = screen.next
        goto = step.goto if step is not None and step.goto else default
        if goto is None:
            return ctx.t("invalid")
        self._enter(ctx, goto, replace=step.replace if step is not None else False)
        return ctx.t(step.error, **step.values) if step is not None and step.error else None

    def _on_menu(self, ctx: Context, screen: Screen, value: str) -> Step | None:
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= len(screen.options)):
            return Step(error="invalid")
        option = screen.options[int(value) - 1]
        step = self._actions[option.action](ctx, option.value) if option.action else None
        return step if step is not None else Step(goto=option.next)

    def _on_list(self, ctx: Context, screen: Screen, value: str) -> Step | None:
        count = len(self._views[screen.view or ""](ctx))
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= count):
            return Step(error="invalid")
        return self._actions[screen.action or ""](ctx, value)

    def _on_input(self, ctx: Context, screen: Screen, value: str) -> Step | None:
        if not self._patterns[screen.id].fullmatch(value):
            return Step(error="invalid")
        # A secret value goes to the action and no further: not into state, trail or logs.
        return self._actions[screen.action or ""](ctx, value)

    def _enter(self, ctx: Context, target: str, *, replace: bool) -> None:
        """Move to ``target``, asking for the PIN or following a gate's redirect first."""
        state = ctx.state
        if target == HOME:
            target = HOME if state.person is not None else PICK
            state.stack = [PICK] if target == HOME and len(state.people) > 1 else []
            state.pending = None
            replace = True
        screen = self._screens[target]
        if screen.gate is not None:
            # First, so nobody is asked for a PIN only to learn there is nothing to confirm.
            target = self._gates[screen.gate](ctx) or target
            screen = self._screens[target]
        if screen.protected and not state.pin_ok and self._port.requires_pin(ctx.ref):
            # Set at first use, asked once a session, or locked until an officer resets it.
            state.pending, target = target, _PIN_GATE[self._port.pin_status(ctx.ref).state]
        if not replace and state.screen != target:
            state.stack.append(state.screen)
            del state.stack[:-_STACK_MAX]
        state.screen, state.page, state.pages = target, 0, 1

    def _render(self, ctx: Context, error: str | None) -> Reply:
        state = ctx.state
        screen = self._screens[state.screen]
        end = screen.kind is Kind.END
        footer: list[str] = []
        if not end and state.stack:
            footer.append(f"{BACK} {ctx.t('nav.back')}")
        if self._can_go_home(state, screen):
            footer.append(f"{HOME_KEY} {ctx.t('nav.home')}")
        # Static screens (most hops: menus) are paginated once per language and frame.
        key = (state.lang, screen.id, error, tuple(line[:2] for line in footer))
        pages = self._page_cache.get(key) if screen.id in self._static else None
        if pages is None:
            lines = screen_lines(ctx, screen, self._views)
            head = [error] if error else None
            pages = paginate(lines, footer, f"{MORE} {ctx.t('nav.more')}", head=head)
            if screen.id in self._static:
                self._page_cache[key] = pages
        state.pages = len(pages)
        state.page = min(state.page, len(pages) - 1)
        return Reply(pages[state.page], end=end and state.page == len(pages) - 1)


def screen_lines(ctx: Context, screen: Screen, views: Mapping[str, View]) -> list[str]:
    """Build a screen's lines before pagination: title, view lines or items, numbered options."""
    lines = [ctx.t(screen.title)] if screen.title else []
    if screen.view is not None:
        items = views[screen.view](ctx)
        if screen.kind is Kind.LIST:
            items = [f"{i} {item}" for i, item in enumerate(items, 1)]
        lines += items
    lines += [f"{i} {ctx.t(o.label)}" for i, o in enumerate(screen.options, 1)]
    return lines


def static_text_problems(screens: Mapping[str, Screen]) -> list[str]:
    """List static screens that would need more than one page, in any language.

    In the default language a static screen must fit even with the "invalid choice" line above
    it; the accented and English catalogs may paginate that re-shown screen.
    """
    problems: list[str] = []
    for lang, cat in catalogs.CATALOGS.items():
        back, home, more = (
            f"{BACK} {cat['nav.back']}",
            f"{HOME_KEY} {cat['nav.home']}",
            cat["nav.more"],
        )
        for sid, screen in screens.items():
            if screen.view is not None:
                continue  # dynamic screens are paginated at run time
            lines = [cat[screen.title].format(hotline="1800 1234")] if screen.title else []
            lines += [f"{i} {cat[o.label]}" for i, o in enumerate(screen.options, 1)]
            if screen.kind is Kind.END or sid == RESUME:
                footer = []
            else:
                footer = [back] if sid == HOME else [back, home]
            heads = [None, [cat["invalid"]]] if lang == catalogs.DEFAULT_LANGUAGE else [None]
            for head in heads:
                pages = paginate(lines, footer, f"{MORE} {more}", head=head)
                if len(pages) > 1:
                    problems.append(f"screen {sid!r} needs {len(pages)} pages in {lang}")
    return problems
