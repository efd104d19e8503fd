"""Tokens already accepted: a CDS Hooks JWT is good for one call (its ``jti``)."""

from __future__ import annotations

import threading
import time
from typing import Final

__all__ = ["Replays"]

_PURGE_AT: Final = 10_000
_LEEWAY_SECONDS: Final = 30


class Replays:
    """The ``jti`` of every token accepted and not yet expired: a token is good once.

    >>> replays = Replays()
    >>> replays.first("https://ehr", "a", 2e9), replays.first("https://ehr", "a", 2e9)
    (True, False)
    """

    __slots__ = ("_lock", "_seen")

    def __init__(self) -> None:
        """Start with no token seen."""
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], float] = {}

    def first(self, iss: str, jti: str, expires: float) -> bool:
        """Whether *jti* of *iss* is seen for the first time (and remember it until *expires*)."""
        now = time.time()
        with self._lock:
            if len(self._seen) > _PURGE_AT:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            key = (iss, jti)
            if self._seen.get(key, 0.0) > now:
                return False
            self._seen[key] = expires + _LEEWAY_SECONDS
            return True
