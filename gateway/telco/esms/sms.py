"""The eSMS ``SmsSender``: one customer-care SMS (or Zalo-then-SMS notice) per recipient.

eSMS takes one phone per request, so a batch is sent recipient by recipient, each with our
message ref as ``RequestId``: eSMS blocks a repeated RequestId for 24 hours, so a retry after
a lost answer is answered ``124`` (accepted before) instead of sending twice. The same
RequestId is the id delivery reports are matched on (:mod:`gateway.telco.esms.callbacks`).
A batch with a template whose notice kind has a ZNS template configured goes through
``MultiChannelMessage`` (Zalo first, the same text by SMS when Zalo cannot deliver it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from gateway.telco.base import (
    Recipient,
    SendOutcome,
    SendStatus,
    SmsBatch,
    TelcoUnavailable,
    Template,
)
from gateway.telco.esms import client as wire
from gateway.telco.esms.codes import Verdict, verdict
from gateway.telco.esms.settings import EsmsSettings

log = logging.getLogger(__name__)

NAME = "esms"
REASON_MAX = 100


def callback_url(public_url: str | None, callback_key: object) -> str | None:
    """Build the delivery-report URL from ``PUBLIC_URL`` and the current callback key."""
    from gateway.telco.trust import split_keys

    keys = split_keys(callback_key)
    if not public_url or not keys:
        return None
    return f"{str(public_url).rstrip('/')}/telco/esms/{keys[0]}/delivery"


class EsmsSender:
    """Send SMS batches through eSMS; ``send`` returns one outcome per recipient."""

    name = NAME
    max_batch = 50  # one HTTP call per recipient: keep a pass's batch short

    def __init__(self, settings: EsmsSettings, callback: str | None,
                 client: wire.EsmsClient | None = None) -> None:
        """Send with ``settings``; eSMS reports deliveries to ``callback`` (None: no reports)."""
        self.settings = settings
        self.callback = callback
        self.client = client or wire.EsmsClient(settings.base_url, settings.timeout)

    def zalo_template(self, template: Template | None) -> tuple[str, list[str]] | None:
        """Return the ZNS template id and its ``Params`` list to send first, or None (plain SMS).

        ``template.template_id`` names a notice kind listed in ``ESMS_ZALO_TEMPLATES`` (or
        one of the ZNS ids listed there). With a parameter order configured, a notice that
        lacks one of the parameters goes as plain SMS rather than as a broken ZNS message.
        """
        if template is None or not self.settings.zalo_oa_id:
            return None
        configured = self.settings.zalo_templates
        zns = configured.get(template.template_id) or next(
            (t for t in configured.values() if t.template_id == template.template_id), None)
        if zns is None:
            return None
        if not zns.params:
            return zns.template_id, [str(v) for v in template.params.values()]
        missing = [name for name in zns.params if name not in template.params]
        if missing:
            log.warning("zns template %s lacks %s: sending by SMS", zns.template_id,
                        ", ".join(missing))
            return None
        return zns.template_id, [str(template.params[name]) for name in zns.params]

    def send(self, batch: SmsBatch) -> list[SendOutcome]:
        """Send the batch's text to each recipient and say what became of each.

        Raises:
            TelcoUnavailable: the first call got no answer, or an answer saying nothing can
                be sent now (keys, balance, brandname, IP); nothing of the batch was accepted.
        """
        zns = self.zalo_template(batch.template)
        outcomes: list[SendOutcome] = []
        for index, recipient in enumerate(batch.recipients):
            try:
                outcomes.append(self._one(batch.body, recipient, zns))
            except TelcoUnavailable as exc:
                if index == 0:
                    raise
                # Later recipients wait for the next pass; those before were accepted.
                outcomes.extend(SendOutcome(r.message_ref, SendStatus.RETRY, reason=str(exc))
                                for r in batch.recipients[index:])
                break
        return outcomes

    def _one(self, body: str, recipient: Recipient,
             zns: tuple[str, list[str]] | None) -> SendOutcome:
        if zns is not None:
            payload: dict[str, Any] = wire.multichannel_request(
                self.settings, recipient.phone, body, recipient.message_ref, self.callback,
                *zns)
            answer = self._post(wire.MULTICHANNEL, payload)
            judged, reason = verdict(answer)
            if judged is not Verdict.NO_ZALO:
                return self._outcome(recipient, judged, reason)
            # The Zalo half is misconfigured (template, OA): the notice still goes, by SMS.
            log.warning("zalo notice not sent (%s): sending it by SMS", reason)
        answer = self._post(wire.SEND_SMS, wire.sms_request(
            self.settings, recipient.phone, body, recipient.message_ref, self.callback))
        judged, reason = verdict(answer)
        if judged is Verdict.NO_ZALO:
            judged = Verdict.FAILED  # a Zalo code for a plain SMS: eSMS refuses this message
        return self._outcome(recipient, judged, reason)

    def _post(self, endpoint: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return self.client.post(endpoint, dict(payload))
        except wire.EsmsUnavailable as exc:
            raise TelcoUnavailable(f"eSMS unavailable: {exc}") from None

    @staticmethod
    def _outcome(recipient: Recipient, judged: Verdict, reason: str) -> SendOutcome:
        reason = reason[:REASON_MAX]
        if judged is Verdict.ACCOUNT:
            log.warning("eSMS refused the account's send: %s", reason)
            raise TelcoUnavailable(reason)
        if judged is Verdict.SENT:
            # Reports are matched on the RequestId, which eSMS echoes in every callback: a
            # 124 answer carries no SMSID, and both halves of a multichannel send share it.
            return SendOutcome(recipient.message_ref, SendStatus.SENT,
                               recipient.message_ref[:wire.REQUEST_ID_MAX])
        status = SendStatus.RETRY if judged is Verdict.RETRY else SendStatus.FAILED
        return SendOutcome(recipient.message_ref, status, reason=reason)


def sender_from_config(config: Mapping[str, Any]) -> EsmsSender | None:
    """Build the eSMS sender from a checked config, or None while no account is configured."""
    from gateway.telco.esms.settings import settings_from

    settings = settings_from(config)
    if settings is None:
        return None
    return EsmsSender(settings, callback_url(config.get("PUBLIC_URL"),
                                             config.get("ESMS_CALLBACK_KEY")))
