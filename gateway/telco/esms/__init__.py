"""eSMS (VIHAT), Vietnam's SMS aggregator: brandname SMS, Zalo ZNS first, short-code MO.

- :mod:`.client`: eSMS's documented request bodies and one HTTP call each;
- :mod:`.codes`: what every ``CodeResult`` and ``SendStatus`` means;
- :mod:`.sms`: the :class:`~gateway.telco.base.SmsSender`;
- :mod:`.callbacks`: delivery reports and MOs under ``/telco/esms/<key>/``;
- :mod:`.settings`: the ``ESMS_*`` check; :mod:`.stub`: a local stand-in for eSMS;
- :mod:`.dev`: ``gateway run`` pointed at eSMS (its stub in development).
See README.md here for the wire shapes and where eSMS documents them.
"""

from __future__ import annotations

from flask import Flask

from gateway.telco.esms import callbacks, dev, settings
from gateway.telco.esms.sms import EsmsSender, sender_from_config

NAME = callbacks.TELCO


def init_app(app: Flask) -> None:
    """Check the ``ESMS_*`` settings and serve eSMS's callbacks.

    Raises:
        gateway.settings.SettingError: a setting is malformed; the message names the variable.
    """
    settings.check(app.config)
    app.register_blueprint(callbacks.bp)


def sender(app: Flask) -> EsmsSender:
    """Build the eSMS sender from the current ``ESMS_*`` settings.

    Raises:
        RuntimeError: no API key is configured.
    """
    built = sender_from_config(app.config)
    if built is None:
        raise RuntimeError("set CHITRA_ESMS_API_KEY to send SMS through eSMS")
    return built


def start_dev_stub(app: Flask, base: str) -> str:
    """Point this run at eSMS, or at a local eSMS stub in development; say where SMS go."""
    return dev.ensure_esms(app, base)


def stop_dev_stub(app: Flask) -> None:
    """Stop the stub a development run started, if any."""
    dev.stop_stub(app)
