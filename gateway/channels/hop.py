"""Answer one USSD hop for any aggregator: rate limit, session, language, menu engine.

An aggregator's USSD module reads its wire format into a session id, a phone and the
caller's input, calls :meth:`UssdHop.answer`, and writes the :class:`HopReply` back in its
own format (Africa's Talking: ``CON``/``END``). Built once per app, when the app is created
(building the engine validates the whole menu graph), and used by every thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask

from gateway.channels import ratelimit
from gateway.channels.language import key_for as language_key_for
from gateway.channels.port import DbPort
from gateway.pii.codec import PiiCodec
from ussd_menus import RedisSessionStore, UssdEngine, catalogs
from ussd_menus.batch import Batch
from ussd_menus.gsm7 import fits_screen

log = logging.getLogger(__name__)
EXTENSION = "chitra.ussd_hop"


@dataclass(frozen=True, slots=True)
class HopReply:
    """One screen for the caller, and whether it ends the session."""

    text: str
    end: bool


def _screen(text: str, *, end: bool) -> HopReply:
    """Keep a screen that fits one page; one that would not becomes the error screen."""
    if not fits_screen(text):
        return HopReply(catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system"), True)
    return HopReply(text, end)


class UssdHop:
    """Answer USSD hops: count them per phone, load the session, run the menu engine."""

    def __init__(self, port: DbPort, codec: PiiCodec, redis_client: redis.Redis, *,
                 secret_key: str, hotline: str, hops_per_minute: Callable[[], int]) -> None:
        """Build the engine once: it validates the whole menu graph.

        ``hops_per_minute`` gives the per-phone limit at each hop (a setting).

        Raises:
            ussd_menus.screens.GraphError: the menu graph is broken (a missing screen or text, ...).
        """
        self._redis, self._codec, self._port = redis_client, codec, port
        self._hotline, self._limit = hotline, hops_per_minute
        self._store = RedisSessionStore(redis_client, prefix="chitra:ussd",
                                        phone_key_secret=secret_key.encode())
        self._engine = UssdEngine(port, self._store)

    def _lang(self, phone: str | None) -> str:
        if phone is None:
            return catalogs.DEFAULT_LANGUAGE
        try:
            return catalogs.normalise_language(self._port.language(phone))
        except Exception:  # Redis down: the default language still answers
            return catalogs.DEFAULT_LANGUAGE

    def refusal(self, phone: str | None) -> HopReply:
        """Say why a hop that lacks its session id, phone or input cannot be answered."""
        key = "unknown_phone" if phone is None else "error.system"
        return _screen(catalogs.text(self._lang(phone), key, hotline=self._hotline), end=True)

    def answer(self, session_id: str | None, phone: str | None, text: str | None) -> HopReply:
        """Answer one hop from the caller's E.164 phone and cumulative input (``1*2``)."""
        if phone is None or not session_id or text is None:
            return self.refusal(phone)
        try:
            # One round trip counts the hop and reads the session, the resume copy and the
            # phone's language (which a session's first screen needs).
            index = self._codec.phone_index(phone)
            batch = Batch(self._redis)
            ratelimit.queue_hit(batch, "ussd", index, 60)
            self._store.prefetch(batch, session_id, phone)
            batch.get(language_key_for(index))
            count, _, session, resume, lang = batch.execute()
            if int(count) > self._limit():
                chosen = catalogs.normalise_language(self._port.language_from(lang))
                return _screen(catalogs.text(chosen, "ussd.too_fast"), end=True)
            with self._store.primed(session_id, phone, [session, resume]), \
                    self._port.primed_language(phone, lang):
                reply = self._engine.handle(session_id, phone, text)
        except Exception:
            # No input, phone or session id in the log: the exception type is enough to alert.
            log.exception("ussd hop failed")
            return _screen(catalogs.text(self._lang(phone), "error.system"), end=True)
        return _screen(reply.text, end=reply.end)



def failure() -> HopReply:
    """Give the polite error screen, for a hop that could not reach the hop service."""
    return _screen(catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system"), end=True)


def ussd_hop(app: Flask) -> UssdHop | None:
    """Return the app's hop service (built by ``gateway.telco.init_app``), None without Redis."""
    return app.extensions.get(EXTENSION)
