"""A phone's chosen language, kept in Redis under the phone's blind index (never the number)."""

from __future__ import annotations

import redis

from gateway.pii.codec import PiiCodec
from ussd_menus.batch import Batch
from ussd_menus.catalogs import CATALOGS

LANGUAGE_TTL = 400 * 24 * 3600  # a chosen language outlives a year of monthly calls
_KNOWN = frozenset(CATALOGS)


def key_for(phone_index: str) -> str:
    """Name the Redis key of a phone's language from the phone's blind index."""
    return f"chitra:lang:{phone_index}"


def parse(raw: object) -> str | None:
    """Read a language code as Redis returned it; None when there is none or it is unknown."""
    if not isinstance(raw, bytes):
        return None
    lang = raw.decode(errors="replace")
    return lang if lang in _KNOWN else None


class PhoneLanguage:
    """Read and remember the language each phone chose in the menus."""

    def __init__(self, codec: PiiCodec, redis_client: redis.Redis) -> None:
        """Key phones by ``codec``'s blind index in ``redis_client``."""
        self._codec, self._redis = codec, redis_client

    def key(self, phone: str) -> str:
        """Name the Redis key of this E.164 phone's language."""
        return key_for(self._codec.phone_index(phone))

    def get(self, phone: str) -> str | None:
        """Give the language code remembered for this phone, or None.

        Raises:
            redis.RedisError: Redis cannot be reached; callers that can answer anyway catch it.
        """
        return parse(self._redis.get(self.key(phone)))

    def set(self, phone: str, lang: str) -> None:
        """Remember the language code chosen on this phone (unknown codes are ignored)."""
        if lang in _KNOWN:
            # The hop's thread-kept connection (ussd_menus.batch), not a pool round trip.
            Batch(self._redis).set(self.key(phone), lang, ex=LANGUAGE_TTL).execute()
