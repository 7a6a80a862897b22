"""The naive disbursement design the benchmark compares against: one job per payment.

Each job loads its app, reads one payment, calls the adapter once and writes the outcome —
what a first version built on RQ's defaults would do. It exists only for bench/disburse.py.
"""

from __future__ import annotations

import asyncio

from gateway import create_app
from gateway.db import get_db
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.refs import as_uuid
from gateway.registry.models import WalletLink
from wallet_adapters import TransferRequest, TransferStatus, create

_app = None


def preload() -> None:
    """Build the app before the worker forks, as a tuned deployment would."""
    global _app
    _app = create_app()
    # Warm SQLAlchemy's mappers and statement cache once, so forked jobs inherit them.
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    with get_db(_app).session() as session:
        session.get(Payment, 0)
        session.get(WalletLink, 0)
    get_db(_app).dispose()


def pay_one(payment_id: int) -> str:
    """Pay one payment the simple way."""
    app = _app or create_app()
    db, codec = get_db(app), get_pii(app)
    with db.session() as session:
        payment = session.get(Payment, payment_id)
        link = session.get(WalletLink, payment.wallet_link_id)
        phone = codec.open("wallet_link", "phone", link.ref, link.phone_enc)
        transition(session, payment_id, PaymentState.SENDING)
        adapter = create("sandbox", {"book": "naive"})
        result = asyncio.run(adapter.transfer(
            TransferRequest(as_uuid(payment.ref), payment.amount, phone)))
        target = (PaymentState.SUCCEEDED if result.status is TransferStatus.SUCCEEDED
                  else PaymentState.FAILED)
        transition(session, payment_id, target, provider_ref=result.provider_ref)
    db.dispose()
    return target.value


if __name__ == "__main__":
    # RQ's default worker: one forked work-horse per job, here with the app preloaded so the
    # baseline is not charged for building it each time.
    import sys

    from redis import Redis
    from rq import Worker

    preload()
    Worker(["naive"], connection=Redis.from_url(sys.argv[1])).work(burst=True,
                                                                    logging_level="WARNING")
