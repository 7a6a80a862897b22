"""RQ job functions: thin doors that hand payment ids to the disbursement engine."""

from __future__ import annotations

from workers import context


def send_payments(payment_ids: list[int]) -> dict[str, object]:
    """Send a chunk of released payments (already-claimed ones are skipped)."""
    outcome = context.disburser().send(payment_ids)
    return {"claimed": outcome.claimed, "held": outcome.held, "states": dict(outcome.by_state)}


def poll_payments(payment_ids: list[int]) -> dict[str, object]:
    """Ask providers about a chunk of accepted or unknown payments."""
    outcome = context.disburser().poll(payment_ids)
    return {"states": dict(outcome.by_state)}
