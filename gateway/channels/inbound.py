"""Receive inbound SMS durably and answer each exactly once, whatever fails on the way.

An aggregator's adapter turns its callback into an :class:`~gateway.telco.base.InboundMessage`
and calls :meth:`Inbox.receive`. The message is first stored (sender and text sealed: they
are personal data), committed, under its telco's message id; only then is it handled. The
handling (the SMS keywords TC/XN/KN/HD/XT through ``ussd_menus.SmsResponder``) files what it
asks for, queues the reply and marks the message answered in one transaction, so these
cannot split: when Redis or the database fails half-way, nothing of it is kept and the
message stays unanswered. The worker pool's SMS pass retries unanswered messages from the
table (:meth:`Inbox.retry_unanswered`); a redelivery by the telco is handled the same way.
A short claim keeps two handlers (the callback and a retry) from working on one message at
once, and the answered mark is set only on a still unanswered row, so nothing is filed twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import redis
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.channels import ratelimit
from gateway.channels.models import InboundSms, SmsKind
from gateway.channels.outbound import stage_sms
from gateway.channels.port import DbPort
from gateway.channels.seam import InboundMessage
from gateway.clock import utcnow
from gateway.db import Database
from gateway.pii.codec import PiiCodec
from ussd_menus import SmsResponder, catalogs

log = logging.getLogger(__name__)

EXTENSION = "chitra.inbox"
TABLE = "sms_inbound"
CLAIM = timedelta(seconds=60)  # longer than any handling; an expired claim is taken over
RETRY_AFTER = timedelta(seconds=20)  # leave a fresh message to its own callback first
MAX_ATTEMPTS = 20  # a message that failed this often waits for an operator
TEXT_MAX = 1000


class Unstored(Exception):
    """The message could not be stored (the database is down): the telco must deliver again."""


class AlreadyAnswered(Exception):
    """Another handler answered the message first; this handling is rolled back."""


class Inbox:
    """Store, handle and answer inbound SMS for every telco."""

    def __init__(self, db: Database, codec: PiiCodec, redis_client: redis.Redis, port: DbPort,
                 *, per_hour: Callable[[], int], now: Callable[[], datetime] = utcnow) -> None:
        """Answer through ``port`` (channel "sms"); ``per_hour`` gives the phone's hourly limit."""
        self._db, self._codec, self._redis, self._port = db, codec, redis_client, port
        self._responder = SmsResponder(port)
        self._per_hour = per_hour
        self._now = now

    # --- the callback's side ------------------------------------------------------------

    def receive(self, message: InboundMessage, *, reply_by_sms: bool = True) -> str | None:
        """Store the message, handle it now if it can be, and return the reply text (or None).

        With ``reply_by_sms`` (Africa's Talking) the reply is queued as an outbound SMS; an
        adapter whose callback answer carries the reply (eSMS) passes False and sends the
        returned text itself. None: nothing to say now (a redelivery of a message answered
        already, a phone over its hourly limit, or a handling that failed and will be
        retried from the database, its reply then going by SMS).

        Raises:
            Unstored: the database could not store it; answer so the telco delivers again.
        """
        try:
            inbound_id = self._store(message)
        except IntegrityError:
            inbound_id = self._find(message)
        except sa.exc.SQLAlchemyError as exc:
            raise Unstored(type(exc).__name__) from exc
        if inbound_id is None:
            raise Unstored("stored message not found")
        try:
            return self._handle(inbound_id, reply_by_sms=reply_by_sms)
        except AlreadyAnswered:
            return None
        except Exception:
            # No phone or text in the log; the message waits in the table for a retry.
            log.exception("inbound sms not answered yet; kept for a retry")
            self._release(inbound_id)
            return None

    def _store(self, message: InboundMessage) -> int:
        ref = secrets.token_hex(8)
        with self._db.session() as s:
            row = InboundSms(
                ref=ref, telco=message.telco, telco_message_id=message.telco_message_id[:100],
                phone_enc=self._codec.seal(TABLE, "phone", ref, message.phone),
                phone_bidx=self._codec.phone_index(message.phone),
                text_enc=self._codec.seal(TABLE, "text", ref, message.text[:TEXT_MAX]),
                attempts=0, received_at=self._now())
            s.add(row)
            s.flush()
            return row.id

    def _find(self, message: InboundMessage) -> int | None:
        with self._db.sessionmaker() as s:
            return s.scalar(sa.select(InboundSms.id).where(
                InboundSms.telco == message.telco,
                InboundSms.telco_message_id == message.telco_message_id[:100]))

    # --- handling -----------------------------------------------------------------------

    def _claim(self, inbound_id: int) -> bool:
        """Take the message for ``CLAIM`` if it is unanswered and nobody else holds it."""
        now = self._now()
        with self._db.session() as s:
            taken = s.execute(
                sa.update(InboundSms)
                .where(InboundSms.id == inbound_id, InboundSms.answered_at.is_(None),
                       sa.or_(InboundSms.claimed_until.is_(None),
                              InboundSms.claimed_until < now))
                .values(claimed_until=now + CLAIM, attempts=InboundSms.attempts + 1))
            return bool(taken.rowcount)

    def _release(self, inbound_id: int) -> None:
        """Let a retry take the message at once; if even this fails the claim expires."""
        try:
            with self._db.session() as s:
                s.execute(sa.update(InboundSms).where(InboundSms.id == inbound_id)
                          .values(claimed_until=None))
        except sa.exc.SQLAlchemyError:
            pass

    def _handle(self, inbound_id: int, *, reply_by_sms: bool) -> str | None:
        if not self._claim(inbound_id):
            return None  # answered already (a redelivery), or being answered right now
        with self._db.session() as s:
            row = s.get(InboundSms, inbound_id)
            if row is None or row.phone_enc is None or row.text_enc is None:
                raise AlreadyAnswered("nothing to answer")
            phone = self._codec.open(TABLE, "phone", row.ref, row.phone_enc)
            text = self._codec.open(TABLE, "text", row.ref, row.text_enc)
            with self._port.within(s):
                reply = self._reply(phone, text)
                reply_id = (stage_sms(s, self._codec, phone, reply, SmsKind.REPLY)
                            if reply is not None and reply_by_sms else None)
            self._mark_answered(s, inbound_id, reply_id)
        return reply

    def _mark_answered(self, s: Session, inbound_id: int, reply_id: int | None) -> None:
        done = s.execute(
            sa.update(InboundSms)
            .where(InboundSms.id == inbound_id, InboundSms.answered_at.is_(None))
            .values(answered_at=self._now(), claimed_until=None, reply_id=reply_id))
        if not done.rowcount:
            raise AlreadyAnswered("answered by another handler")

    def _reply(self, phone: str, text: str) -> str | None:
        """Write the reply, or the polite refusal once when the phone sends too much."""
        limit = self._per_hour()
        count = ratelimit.hit(self._redis, "sms", self._codec.phone_index(phone), 3600)
        if count > limit:
            # Refuse once per window: answering every message would let anyone run up our bill.
            if count != limit + 1:
                return None
            lang = catalogs.normalise_language(self._port.language(phone))
            return catalogs.text(lang, "sms.too_many")
        return self._responder.reply(phone, text)

    # --- the worker pool's side -----------------------------------------------------------

    def retry_unanswered(self, *, limit: int = 100, now: datetime | None = None) -> int:
        """Handle stored messages still unanswered (their reply goes by SMS); return how many.

        Messages younger than ``RETRY_AFTER`` are left to their own callback, and one that
        failed ``MAX_ATTEMPTS`` times waits for an operator rather than looping for ever.
        """
        now = now or self._now()
        with self._db.sessionmaker() as s:
            ids = list(s.scalars(
                sa.select(InboundSms.id)
                .where(InboundSms.answered_at.is_(None), InboundSms.phone_enc.is_not(None),
                       InboundSms.received_at <= now - RETRY_AFTER,
                       InboundSms.attempts < MAX_ATTEMPTS,
                       sa.or_(InboundSms.claimed_until.is_(None),
                              InboundSms.claimed_until < now))
                .order_by(InboundSms.id).limit(limit)))
        answered = 0
        for inbound_id in ids:
            try:
                if self._handle(inbound_id, reply_by_sms=True) is None:
                    continue
            except AlreadyAnswered:
                continue
            except Exception:
                log.warning("inbound sms retry failed; kept for the next pass", exc_info=True)
                self._release(inbound_id)
                break  # Redis or the database is still down: the next pass tries again
            answered += 1
        return answered


def inbox(app: Flask) -> Inbox:
    """Return the app's inbox (built by ``gateway.telco.init_app``)."""
    return app.extensions[EXTENSION]
