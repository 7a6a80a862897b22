"""``gateway wallet`` (provider settings) and ``gateway sandbox-wallet`` commands."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii


@click.group("wallet")
def wallet_group() -> None:
    """Wallet providers: settings (stored encrypted, shown masked)."""


@wallet_group.command("set")
@click.argument("name")
@click.option("--kind", required=True, help="Adapter: sandbox or gsma.")
@click.option("--setting", "pairs", multiple=True, help="KEY=VALUE (repeat).")
@click.option("--rate", default=0, show_default=True, help="Calls per second (0 = no limit).")
@click.option("--max-in-flight", default=400, show_default=True)
@with_appcontext
def wallet_set(name: str, kind: str, pairs: tuple[str, ...], rate: int,
               max_in_flight: int) -> None:
    """Create or replace a provider's settings."""
    import wallet_adapters
    from gateway.audit.chain import record
    from gateway.disbursement.providers import save_provider

    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--setting")
        settings[key.strip()] = value
    try:
        with get_db().session() as session:
            save_provider(session, get_pii(), name, kind, settings, rate_per_s=rate,
                          max_in_flight=max_in_flight)
            record(session, actor="cli", action="wallet.configure", subject_type="provider",
                   subject_id=name, detail={"kind": kind, "keys": sorted(settings)})
    except wallet_adapters.AdapterError as exc:
        raise click.ClickException(f"{exc.code}: {exc.reason}") from None
    click.echo(f"provider {name} ({kind}) saved")


@wallet_group.command("show")
@json_option
@with_appcontext
def wallet_show(as_json: bool) -> None:
    """Show providers with secrets masked."""
    from gateway.disbursement.providers import WalletProvider, shown

    with get_db().sessionmaker() as session:
        rows = [shown(r, get_pii()) for r in session.scalars(sa.select(WalletProvider))]
    emit(rows, as_json, lambda rs: "\n".join(
        f"{r['name']} ({r['kind']}) rate {r['rate_per_s'] or 'unlimited'}/s "
        f"{json.dumps(r['settings'])}" for r in rs) or "no providers configured")


@click.group("sandbox-wallet")
def sandbox_wallet_group() -> None:
    """A local wallet provider for demos and tests (GSMA Mobile Money API v1.2 simulator)."""


@sandbox_wallet_group.command(
    "serve", context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                               "help_option_names": []})
@click.pass_context
def sandbox_wallet_serve(ctx: click.Context) -> None:
    """Serve the GSMA simulator (options: --port, --failure-rate, --timeout-after-apply-rate,
    --retryable-error-rate, --pending-rate, --duplicate-callback-rate, --lost-callback-rate,
    --late-callback-rate, --seed, --webhook-secret, --api-key; --help lists them all).

    Point a provider at it: gateway wallet set gsma --kind gsma --setting
    base_url=http://127.0.0.1:8090 --setting webhook_secret=<the simulator's secret>.
    """
    from wallet_adapters.gsma.simulator import main

    raise SystemExit(main(ctx.args))
