"""Decisions as a pandas DataFrame (pandas, an optional extra, loads only when asked)."""

from __future__ import annotations

import importlib
from typing import Any

from mutrec.errors import MissingDependencyError
from mutrec.policy import Batch, Outcome
from mutrec.stats._compute import Decisions, decisions_of

__all__ = ["to_dataframe"]

_COLUMNS = (
    "row",
    "result_id",
    "item_code",
    "outcome",
    "recognised",
    "with_caution",
    "codes",
    "expires_at",
    "evaluated_at",
    "receiver_id",
    "program_id",
    "catalogue_version",
    "policy_version",
    "error",
    "message",
)


def _records(source: Decisions) -> list[dict[str, Any]]:
    errors = {e.index: e for e in source.errors} if isinstance(source, Batch) else {}
    rows = []
    for index, d in enumerate(decisions_of(source)):
        err = errors.get(index)
        rows.append(
            {
                "row": index,
                "result_id": d.result_id if d is not None else err and err.result_id,
                "item_code": None if d is None else d.item_code,
                "outcome": None if d is None else d.outcome.value,
                "recognised": None if d is None else d.outcome is Outcome.RECOGNISED,
                "with_caution": None if d is None else d.outcome is Outcome.RECOGNISED_WITH_CAUTION,
                "codes": None if d is None else ";".join(d.codes),
                "expires_at": None if d is None else d.expires_at,
                "evaluated_at": None if d is None else d.evaluated_at,
                "receiver_id": None if d is None else d.receiver_id,
                "program_id": None if d is None else d.program_id,
                "catalogue_version": None if d is None else d.catalogue_version,
                "policy_version": None if d is None else d.policy_version,
                "error": None if err is None else err.error,
                "message": None if err is None else err.message,
            }
        )
    return rows


def to_dataframe(source: Decisions) -> Any:
    """One row per decision (or bad row) as a pandas DataFrame; instants in UTC.

    ``recognised`` is true for a fully recognised result only; ``with_caution`` for one
    recognised with caution (``outcome`` names all three).

    Needs the optional extra: ``pip install mutrec[pandas]``.

    Raises:
        MissingDependencyError: pandas is not installed (an :class:`ImportError`).

    >>> from mutrec._demo import demo_decisions
    >>> df = to_dataframe(demo_decisions())
    >>> int(df["recognised"].sum()), len(df), str(df["expires_at"].dt.tz)
    (6, 9, 'UTC')
    """
    records = _records(source)  # checked before pandas loads: a wrong argument is no import
    package = "pandas"
    try:
        pd = importlib.import_module(package)
    except ImportError:
        raise MissingDependencyError(package, feature="to_dataframe") from None
    frame = pd.DataFrame.from_records(records, columns=list(_COLUMNS))
    for column in ("expires_at", "evaluated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
