"""Commands: ``gateway ussd-sim``, ``gateway sms notices|send``, ``at-stub`` and ``esms-stub``."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option


def _post_hop(url: str, form: dict[str, str]) -> str:
    data = urllib.parse.urlencode(form).encode()
    try:
        with urllib.request.urlopen(url, data=data, timeout=15) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return f"END (HTTP {exc.code} from the gateway)"
    except urllib.error.URLError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc.reason}") from None


def split_dial(code: str, service_code: str) -> tuple[str, list[str]]:
    """Split a dial string into AT's ``serviceCode`` and the inputs it pre-fills.

    ``*384*12*1#`` dialled on the service ``*384*12#`` pre-fills ``["1"]``, as on AT; a
    code that is not the service's own is sent as the service code with nothing pre-filled.
    """
    dialled = code.strip().rstrip("#")
    base = service_code.strip().rstrip("#")
    if dialled == base or not dialled.startswith(base + "*"):
        return dialled + "#", []
    return base + "#", [part for part in dialled[len(base) + 1:].split("*") if part]


@click.command("ussd-sim")
@click.option("--phone", required=True, help="The caller's phone, e.g. 0912345678.")
@click.option("--code", default="*384*12#", show_default=True, help="The USSD code dialled.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the gateway listens.")
@click.option("--key", default=None,
              help="Callback key (default: the USSD telco's current one, CHITRA_AT_CALLBACK_KEY).")
@with_appcontext
def ussd_sim(phone: str, code: str, url: str, key: str | None) -> None:
    """Dial the gateway's USSD menus from this terminal, as the USSD aggregator would."""
    from gateway import telco

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        # During a rotation the setting is "new,old": dial with the current (first) key.
        path = telco.ussd_path(app, key)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    from gateway.vn.cells import InvalidValue
    from gateway.vn.phone import parse_phone

    try:
        e164 = parse_phone(phone)
    except InvalidValue as exc:
        raise click.ClickException(exc.en) from None
    endpoint = f"{url.rstrip('/')}{path}"
    service, inputs = split_dial(code, str(current_app.config.get("USSD_CODE") or code))
    session_id = f"ATUid_sim_{uuid.uuid4().hex[:16]}"
    click.echo(f"Dialling {code.strip()} ... (Ctrl-D to hang up)")
    while True:
        screen = _post_hop(endpoint, {
            "sessionId": session_id, "serviceCode": service, "phoneNumber": e164,
            "networkCode": "45204", "text": "*".join(inputs)})
        kind, _, body = screen.partition(" ")
        click.echo("-" * 32)
        click.echo(body)
        click.echo("-" * 32)
        if kind != "CON":
            break
        try:
            answer = click.prompt("", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo("\nhung up")
            break
        inputs.append(answer.strip())


@click.group("sms")
def sms_group() -> None:
    """Queue payment notices and send queued SMS through the configured telco."""


@sms_group.command("notices")
@json_option
@with_appcontext
def sms_notices(as_json: bool) -> None:
    """Turn pending payment events into SMS notices (queued until 07:00 at night)."""
    from gateway.channels.notices import notice_settings, stage_notices
    from gateway.db import get_db
    from gateway.pii.codec import get_pii
    from gateway.redis_conn import get_redis
    from gateway.settings import settings

    settings = notice_settings(settings().channels)
    queued = stage_notices(get_db(), get_pii(), settings, redis_client=get_redis())
    emit({"queued": queued}, as_json, lambda d: f"{d['queued']} notice(s) queued")


@sms_group.command("send")
@json_option
@with_appcontext
def sms_send(as_json: bool) -> None:
    """Send every queued SMS that is due, batched by text."""
    from gateway import telco
    from gateway.channels.notices import notice_settings
    from gateway.channels.sms import send_queued
    from gateway.db import get_db
    from gateway.pii.codec import get_pii
    from gateway.redis_conn import get_redis
    from gateway.settings import settings

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        sender = telco.package(telco.sms_telco(app)).sender(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    settings = notice_settings(settings().channels)
    report = send_queued(get_db(), get_pii(), sender, redis_client=get_redis(),
                         notice_hours=(settings.start_hour, settings.end_hour))
    data = {"sent": report.sent, "failed": report.failed, "retry": report.retry,
            "calls": report.calls, "reasons": report.reasons}
    emit(data, as_json, lambda d: f"sent {d['sent']}, failed {d['failed']}, "
                                  f"to retry {d['retry']} in {d['calls']} call(s)")


@click.command("at-stub")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8099, show_default=True, type=int)
def at_stub(host: str, port: int) -> None:
    """Serve a local Africa's Talking SMS API stand-in (tests and demos only)."""
    from gateway.telco.africastalking.stub import AtStub

    stub = AtStub(host, port)
    click.echo(f"AT stub on {stub.url}; set CHITRA_AT_BASE_URL={stub.url}")
    try:
        stub.serve_forever()
    except KeyboardInterrupt:
        pass


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
