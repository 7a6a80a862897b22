"""The provider template: copy this package to add a wallet provider, then fill the blanks.

It is a real, working adapter for a made-up protocol, "Template Pay API v1", served by its own
stub in ``sim/``; the shared contract suite passes against it over HTTP. Replace the protocol
below with your provider's, as its documentation states it: every line marked ``FILL:`` in
``adapter.py``, ``client.py``, ``transformers.py`` and ``sim/`` is one you rewrite. The rest
(error classification, signature check before reading, the stub's book and faults) stays.

Template Pay API v1 (the example to replace):

- every call carries ``Authorization: Bearer <api_key>``;
- ``POST /v1/payouts`` with ``Idempotency-Key: <our key>`` and the body
  ``{"reference", "amount" (whole đồng), "currency": "VND", "recipient": {"msisdn"},
  "description", "callback_url"}`` answers 201 with a Payout object, or 200 with the same
  Payout when the key was seen before; 409 ``idempotency_conflict`` when the key was used with
  another amount or recipient; 400 on a bad body; 503 when nothing was applied;
- the Payout object is ``{"id", "reference", "amount", "currency", "recipient", "state",
  "failure_reason", "updated_at"}``; ``state`` is ``received``, ``processing``, ``paid`` or
  ``rejected`` (only the last two are final);
- ``GET /v1/payouts/by-reference/{reference}`` answers the Payout, or 404
  ``payout_not_found``;
- ``GET /v1/wallets/{msisdn}`` answers ``{"msisdn", "state": "active" | "closed"}``, or 404
  when no wallet has that number; ``GET /v1/balance`` answers ``{"available", "currency"}``;
- errors are ``{"error": {"code", "message"}}``;
- callbacks are ``POST {callback_url}`` with ``{"type": "payout.updated", "payout": {Payout}}``,
  signed with Standard Webhooks (``webhook-id`` is the same on every redelivery).

The template never registers itself on import, so it cannot be live in production by accident
(the registry also skips packages whose name starts with ``_``). Tests call :func:`enable`.
FILL: your copy registers when imported: add ``enable()`` at the end of this module.
"""

from wallet_adapters._template.adapter import NAME, TemplateAdapter, enable

__all__ = ["NAME", "TemplateAdapter", "enable"]
