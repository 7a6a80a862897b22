"""The SIM-swap gate of the disbursement engine's claim step.

Asked once per distinct wallet phone of a chunk (answers cached by the check itself), in a
few threads, only when a check is configured. A recent swap holds the phone's payments with
reason ``sim_swap`` and marks its link unverified: the money waits until the new SIM's holder
proves the phone with a code, which ``start_verification`` refuses while the swap is recent.
A check that cannot answer leaves the payments ready with a back-off: they are neither sent
unchecked nor held (a hold would send the beneficiary a notice for a telco outage).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.payroll.models import SIM_SWAP_HOLD, Payment, PaymentState
from gateway.pii.codec import PiiCodec
from gateway.registry.models import WalletLink
from gateway.wallets.simswap import SimSwapUnavailable
from otp import SimSwapCheck

log = logging.getLogger(__name__)

HOLD_REASON = SIM_SWAP_HOLD
RETRY_AFTER = timedelta(minutes=5)
THREADS = 8


def sim_swap_gate(session: Session, codec: PiiCodec, check: SimSwapCheck, max_age_hours: int,
                  go: Mapping[int, Any], now: datetime) -> tuple[set[int], set[int]]:
    """Check the wallet phones of payments about to be sent.

    Args:
        session: The claim's transaction (links are marked unverified in it).
        codec: Opens the wallet phones.
        check: The configured SIM-swap check.
        max_age_hours: A swap this recent counts.
        go: Payment id → claim row (with ``w_id``, ``w_ref``, ``w_bidx``, ``phone_enc``).
        now: The claim's time.

    Returns:
        The payment ids to hold for a swap, and those deferred because the check failed.
    """
    phones: dict[str, tuple[int, str, str]] = {}
    for r in go.values():
        if r.w_bidx not in phones:
            phones[r.w_bidx] = (r.w_id, r.w_ref, r.phone_enc)

    def ask(item: tuple[str, tuple[int, str, str]]) -> tuple[str, bool | None]:
        bidx, (_, ref, token) = item
        try:
            return bidx, check.check(codec.open("wallet_link", "phone", ref, token),
                                     max_age_hours).swapped
        except SimSwapUnavailable as exc:
            log.warning("payout deferred: %s", exc)
            return bidx, None

    items = list(phones.items())
    if len(items) == 1:
        answers = dict([ask(items[0])])
    else:
        with ThreadPoolExecutor(max_workers=min(THREADS, len(items))) as pool:
            answers = dict(pool.map(ask, items))
    swapped = {pid for pid, r in go.items() if answers.get(r.w_bidx) is True}
    deferred = {pid for pid, r in go.items() if answers.get(r.w_bidx) is None}
    if deferred:
        P = Payment.__table__
        session.execute(P.update().where(P.c.id.in_(deferred),
                                         P.c.state == PaymentState.READY.value)
                        .values(next_attempt_at=now + RETRY_AFTER, updated_at=now,
                                state_reason="SIM-swap check unavailable; will retry"))
    links = {phones[b][0]: phones[b][1] for b, a in answers.items() if a is True}
    for link_id, ref in links.items():
        W = WalletLink.__table__
        changed = session.execute(W.update().where(W.c.id == link_id, W.c.verified.is_(True))
                                  .values(verified=False, verified_at=None, updated_at=now))
        record(session, actor="system:disburser", action="wallet_link.sim_swap_hold",
               subject_type="wallet_link", subject_id=ref,
               before={"verified": bool(changed.rowcount)}, after={"verified": False},
               detail={"max_age_hours": max_age_hours,
                       "payments": sum(1 for r in go.values() if r.w_id == link_id)})
    return swapped, deferred
