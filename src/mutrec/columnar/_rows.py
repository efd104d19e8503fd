"""One row of a columnar table as a request: what the scalar fallback (and the tests) evaluate.

A row is the dict ``pyarrow`` gives for it (``to_pylist``): text, numbers, booleans, aware
datetimes or ``None``. The columns are those of ``mutrec check`` (see
:data:`mutrec.columnar.COLUMNS`), read as ``mutrec check`` reads them
(:mod:`mutrec.policy._check_rows`); instants may be Arrow timestamps with a time zone or
ISO-8601 text with an offset, and there is no default zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mutrec.errors import ResultError
from mutrec.policy import Request
from mutrec.policy._check_rows import FIRST_YEAR, LAST_YEAR, request_from

__all__ = ["FIRST_YEAR", "LAST_YEAR", "request_of"]


def request_of(row: Mapping[str, Any], receiver: str | None, at: datetime | None) -> Request:
    """The request one row stands for (*receiver*, *at*: for rows without those cells).

    Raises:
        MutrecError: The row cannot be read (a ``ResultError``, ``TimeZoneError`` …).

    >>> from datetime import datetime, UTC
    >>> row = {"item": "K", "value": 4.1, "unit": "mmol/L", "issuer": "BJ001",
    ...        "patient": "P1", "collected": datetime(2024, 3, 1, tzinfo=UTC)}
    >>> request_of(row, "BJ003", datetime(2024, 3, 2, tzinfo=UTC)).result.value.value
    4.1
    """
    try:
        return request_from(row, receiver=receiver, at=at)
    except ResultError as error:
        # pyarrow reads an empty CSV cell as '' where the table holds null: one message for
        # both ('value' = None: is required), as a file and its table give one answer.
        if type(error) is ResultError and isinstance(error.value, str) and not error.value.strip():
            raise ResultError(error.field, None, error.reason) from None
        raise
