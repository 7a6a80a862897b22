"""The Vietnamese e-wallets that rosters and payments name, as people read their names.

A wallet here has no adapter package of its own yet: it is paid through a protocol adapter
(``gsma``) configured under its name (``gateway wallet set viettelmoney --kind gsma``). A
provider package that registers with a ``display_name`` needs no entry: its own name wins.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

KNOWN_WALLETS: Mapping[str, str] = types.MappingProxyType({
    "viettelmoney": "Viettel Money",
    "vnptmoney": "VNPT Money",
    "mobifonemoney": "MobiFone Money",
    "momo": "MoMo",
    "zalopay": "ZaloPay",
})
