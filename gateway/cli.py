"""The ``gateway`` command line: every command runs inside the app (Flask's FlaskGroup).

Commands that show data accept ``--json`` so scripts and operators can consume them.
Domain packages add their own command groups through ``register``.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from gateway.cli_util import emit, json_option
from gateway.config import SECRETS, ConfigError, generate_secret


def _create_app() -> Flask:
    from gateway import create_app

    try:
        return create_app()
    except ConfigError as exc:
        # A clear one-line error instead of a traceback.
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:  # malformed key settings
        raise click.ClickException(f"configuration error: {exc}") from None


@click.group("db")
def db_group() -> None:
    """Create and migrate the database."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply database migrations up to REVISION."""
    from flask import current_app

    from gateway.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
@json_option
@with_appcontext
def db_current(as_json: bool) -> None:
    """Show the database's migration revision and the newest one shipped."""
    from gateway.db import get_db
    from gateway.migrate import current_revision, head_revision

    data = {"current": current_revision(get_db().engine), "head": head_revision()}
    emit(data, as_json, lambda d: f"current {d['current']}, head {d['head']}")


@click.group("keys")
def keys_group() -> None:
    """Generate and rotate the keys that protect personal data."""


@keys_group.command("generate")
def keys_generate() -> None:
    """Print fresh secrets as environment lines (store them in your secret manager)."""
    for name in SECRETS:
        click.echo(f"CHITRA_{name}={generate_secret(name)}")


class _GatewayGroup(FlaskGroup):
    """FlaskGroup that reports refusals and a missing Redis as messages, not tracebacks.

    This is the one place the command line translates a domain error: its English and
    Vietnamese sentences, exit status 1.
    """

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; answer a domain error or a missing Redis with a clear message."""
        from gateway.errors import DomainError
        from gateway.redis_conn import RedisNotConfigured

        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(f"{exc.en}\n{exc.vi}") from None
        except RedisNotConfigured as exc:
            raise click.ClickException(str(exc)) from None


cli = _GatewayGroup(
    name="gateway",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    help="ChiTra gateway: rosters, payment cycles, disbursement, USSD and SMS.",
)
cli.add_command(db_group)
cli.add_command(keys_group)


def _register_domain_commands() -> None:
    # Domain modules import this module's helpers, so they are attached after it is built.
    from gateway.api.commands import apikey_group
    from gateway.approvers.commands import approver_group
    from gateway.audit.commands import audit_group
    from gateway.disbursement.commands import gsma_sim_group, wallet_group
    from gateway.ledger.commands import ledger_group
    from gateway.payroll.commands import budget_group, cycle_group, program_group
    from gateway.pii.commands import keys_rotate, keys_status
    from gateway.pins.commands import pin_group
    from gateway.reconciliation.commands import reconcile_command
    from gateway.registry.commands import beneficiary_group
    from gateway.reports.commands import report_group
    from gateway.rosters.commands import demo_group, roster_group
    from gateway.server import run_command
    from gateway.telco.commands import at_stub, esms_stub, sms_group, ussd_sim
    from gateway.wallets.commands import wallet_link_group

    keys_group.add_command(keys_rotate)
    keys_group.add_command(keys_status)
    cli.add_command(roster_group)
    cli.add_command(beneficiary_group)
    cli.add_command(demo_group)
    cli.add_command(run_command)
    cli.add_command(apikey_group)
    cli.add_command(approver_group)
    cli.add_command(audit_group)
    cli.add_command(reconcile_command)
    # `gateway worker` and `gateway disburse` come from workers/ through the flask.commands
    # entry points in pyproject.toml: the gateway never imports workers.
    for group in (program_group, budget_group, cycle_group, ledger_group, wallet_group,
                  gsma_sim_group):
        cli.add_command(group)
    cli.add_command(report_group)
    cli.add_command(wallet_link_group)
    cli.add_command(pin_group)
    for command in (ussd_sim, sms_group, at_stub, esms_stub):
        cli.add_command(command)


_register_domain_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the ``gateway`` command."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="gateway")


if __name__ == "__main__":
    main()
