"""What regulators ask of a decision-support service, read from its audit store (SQLite).

The service (``mutrec serve``) writes one row per evaluation it served (a *look-up*, 调阅), one
per card it showed (a *reminder*, 提醒) and one per feedback (an *adoption* or an *override*
with its ground). These functions read that file and count [domain.md §6]:

- 调阅互认率 = recognised look-ups ÷ look-ups (caution kept apart, as :class:`Rate` does);
- 同期互认率 = adoptions ÷ reminders;
- overrides by ground (the six statutory grounds and the program's local ones);

overall, or by receiving institution, issuing institution, item or ISO week (in the zone the
service recorded its instants in).

The schema lives here, beside its reader, and the service creates it with :data:`AUDIT_DDL`.

>>> AUDIT_VERSION
'mutrec.audit/1'
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from mutrec.errors import ArgumentError, RecordError
from mutrec.stats._values import Rate

__all__ = ["AUDIT_DDL", "AUDIT_VERSION", "AuditFigures", "AuditKey", "audit_stats"]

AUDIT_VERSION: Final = "mutrec.audit/1"

AUDIT_DDL: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lookups (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    served_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    receiver TEXT,
    issuer TEXT,
    item_code TEXT,
    program_id TEXT,
    outcome TEXT NOT NULL,
    catalogue_version TEXT,
    policy_version TEXT NOT NULL,
    decision TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reminders (
    card_id TEXT PRIMARY KEY,
    lookup_id INTEGER NOT NULL REFERENCES lookups(id),
    request_id TEXT NOT NULL,
    served_at TEXT NOT NULL,
    service_id TEXT NOT NULL,
    hook_instance TEXT,
    draft_order TEXT,
    receiver TEXT,
    issuer TEXT,
    item_code TEXT,
    outcome TEXT NOT NULL,
    catalogue_version TEXT,
    policy_version TEXT NOT NULL,
    decision TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL UNIQUE REFERENCES reminders(card_id),
    request_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    ground TEXT,
    note TEXT,
    outcome_timestamp TEXT
);
"""
"""The tables: ``lookups``, ``reminders`` (cards shown) and ``feedback`` (one per card)."""

AuditKey = Literal["receiver", "issuer", "item", "week"]
"""What :func:`audit_stats` groups by: receiving or issuing institution, item, or ISO week."""

_COLUMNS: Final[Mapping[str, str]] = {
    "receiver": "receiver",
    "issuer": "issuer",
    "item": "item_code",
    "week": "served_at",
}
_RECOGNISED: Final = "recognised"
_CAUTION: Final = "recognised_with_caution"


def _rate(value: object) -> Rate:
    if not isinstance(value, Rate):
        raise ArgumentError("rate", value, "a mutrec.stats.Rate")  # noqa: EM101
    return value


@attrs.frozen
class AuditFigures:
    """The figures of one group of the audit store (or of all of it: ``key`` is ``None``).

    Attributes:
        key: The group's value (an institution id, item code or ``2024-W10``), or ``None``.
        lookups: 调阅互认率: look-ups recognised (and with caution) of those served.
        reminders: 同期互认率: reminders adopted of those shown (``with_caution`` counts the
            adopted reminders whose prior was recognised only with caution).
        overrides: How many reminders were overridden.
        by_ground: Overrides per ground code, most frequent first (``(none)`` for none given).

    >>> figures = AuditFigures(None, Rate(3, 4), Rate(1, 2), 1, (("emergency", 1),))
    >>> print(figures.lookups, figures.reminders.rate)
    3/4 (75.0%) 0.5
    """

    key: str | None
    lookups: Rate = attrs.field(converter=_rate)
    reminders: Rate = attrs.field(converter=_rate)
    overrides: int
    by_ground: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form.

        >>> AuditFigures("BJ001", Rate(0, 0), Rate(0, 0), 0, ()).to_dict()["key"]
        'BJ001'
        """
        return {
            "key": self.key,
            "lookups": self.lookups.to_dict(),
            "reminders": self.reminders.to_dict(),
            "overrides": self.overrides,
            "by_ground": dict(self.by_ground),
        }


def _week(served_at: object) -> str:
    try:
        year, week, _ = datetime.fromisoformat(str(served_at)).isocalendar()
    except ValueError:
        return "(unknown)"
    return f"{year}-W{week:02d}"


def _key(by: AuditKey | None, value: object) -> str | None:
    if by is None:
        return None
    if by == "week":
        return _week(value)
    return "(none)" if value is None else str(value)


class _Tally:
    __slots__ = ("adopted", "adopted_caution", "caution", "grounds", "lookups", "recognised")

    def __init__(self) -> None:
        self.lookups = self.recognised = self.caution = 0
        self.adopted = self.adopted_caution = 0
        self.grounds: Counter[str] = Counter()

    def figures(self, key: str | None, reminders: int) -> AuditFigures:
        ranked = sorted(self.grounds.items(), key=lambda pair: (-pair[1], pair[0]))
        return AuditFigures(
            key,
            Rate(self.recognised, self.lookups, with_caution=self.caution),
            Rate(self.adopted - self.adopted_caution, reminders, with_caution=self.adopted_caution),
            sum(self.grounds.values()),
            tuple(ranked),
        )


def _connect(path: str | Path) -> sqlite3.Connection:
    given: object = path  # typed, but callers outside mypy pass anything
    if not isinstance(given, str | Path) or not str(given).strip():
        raise ArgumentError("path", path, "the audit database's file name")  # noqa: EM101
    file = Path(path)
    try:
        found = file.is_file()
        # Read-only: statistics never change the record (and never create an empty one).
        connection = found and sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, ValueError, sqlite3.Error) as error:
        raise RecordError("audit", "path", str(path)[:200], str(error)) from None  # noqa: EM101
    if not connection:
        raise RecordError("audit", "path", str(path)[:200], "no such file")  # noqa: EM101
    return connection


def audit_stats(path: str | Path, *, by: AuditKey | None = None) -> tuple[AuditFigures, ...]:
    """The regulators' figures from the audit store at *path*, overall or per group.

    Args:
        path: The SQLite file ``mutrec serve --audit`` wrote.
        by: ``None`` (one line for everything), ``"receiver"``, ``"issuer"``, ``"item"`` or
            ``"week"`` (ISO week of the instant the service served it, in its zone).

    Returns:
        One :class:`AuditFigures` per group, sorted by key (one with key ``None`` overall).

    Raises:
        ArgumentError: *path* is not a file name, or *by* is not one of the keys.
        RecordError: The file is missing or is not a mutrec audit store.

    >>> audit_stats("no-such.db")
    Traceback (most recent call last):
    mutrec.errors.RecordError: audit path = 'no-such.db': no such file
    """
    if by is not None and by not in _COLUMNS:
        raise ArgumentError("by", by, "None, 'receiver', 'issuer', 'item' or 'week'")  # noqa: EM101
    connection = _connect(path)
    try:
        return _figures(connection, by)
    except sqlite3.Error as error:
        msg = f"not a mutrec audit store ({error})"
        raise RecordError("audit", "path", str(path)[:200], msg) from None  # noqa: EM101
    finally:
        connection.close()


def _figures(connection: sqlite3.Connection, by: AuditKey | None) -> tuple[AuditFigures, ...]:
    column = _COLUMNS[by] if by is not None else "receiver"
    tallies: dict[str | None, _Tally] = {}
    reminders: Counter[str | None] = Counter()
    for value, outcome in connection.execute(f"SELECT {column}, outcome FROM lookups"):  # noqa: S608 (a fixed column name)
        tally = tallies.setdefault(_key(by, value), _Tally())
        tally.lookups += 1
        tally.recognised += outcome == _RECOGNISED
        tally.caution += outcome == _CAUTION
    query = (
        f"SELECT r.{column}, r.outcome, f.outcome, f.ground "  # noqa: S608 (a fixed column name)
        "FROM reminders r LEFT JOIN feedback f ON f.card_id = r.card_id"
    )
    for value, shown, feedback, ground in connection.execute(query):
        key = _key(by, value)
        tally = tallies.setdefault(key, _Tally())
        reminders[key] += 1
        if feedback == "accepted":
            tally.adopted += 1
            tally.adopted_caution += shown == _CAUTION
        elif feedback == "overridden":
            tally.grounds[ground or "(none)"] += 1
    if by is None:
        total = tallies.get(None, _Tally())
        return (total.figures(None, reminders[None]),)
    return tuple(
        tallies[key].figures(key, reminders[key])
        for key in sorted(tallies, key=lambda k: "" if k is None else k)
    )
