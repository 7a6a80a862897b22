"""``gateway esms-stub``: serve the eSMS stand-in by hand (tests and demos only)."""

from __future__ import annotations

import click


@click.command("esms-stub")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8098, show_default=True, type=int)
@click.option("--deliver/--no-deliver", default=True, show_default=True,
              help="Report every accepted message delivered to its CallbackUrl.")
def esms_stub(host: str, port: int, deliver: bool) -> None:
    """Serve a local eSMS API stand-in (tests and demos only)."""
    from gateway.telco.esms.stub import EsmsStub

    stub = EsmsStub(host, port, auto_deliver=deliver)
    click.echo(f"eSMS stub on {stub.url}; set CHITRA_ESMS_BASE_URL={stub.base_url}")
    try:
        stub.serve_forever()
    except KeyboardInterrupt:
        pass
