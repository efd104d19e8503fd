"""The audit store: every look-up, card and feedback the service answered, in one SQLite file.

One connection in WAL mode, shared by the worker threads under a lock; each answer's rows are
written in one transaction, committed (``synchronous = FULL``) before the answer leaves, so a
crash loses nothing that was answered. Statistics read the same file read-only
(:func:`mutrec.stats.audit_stats`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import attrs

from mutrec.policy import Decision
from mutrec.stats._audit import AUDIT_DDL, AUDIT_VERSION

__all__ = ["AuditStore", "Card", "FeedbackRecord", "Lookup", "Shown"]

_LOOKUP: Final = (
    "INSERT INTO lookups (request_id, served_at, channel, receiver, issuer, item_code,"
    " program_id, outcome, catalogue_version, policy_version, decision)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CARD: Final = (
    "INSERT INTO reminders (card_id, lookup_id, request_id, served_at, service_id,"
    " hook_instance, draft_order, receiver, issuer, item_code, outcome, catalogue_version,"
    " policy_version, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@attrs.frozen
class Lookup:
    """One evaluation served: the decision and the issuer of the result decided on."""

    decision: Decision
    issuer: str | None


@attrs.frozen
class Card:
    """One card shown: its id, the look-up (by position in the answer) and the draft order."""

    card_id: str
    lookup: int
    draft_order: str | None


@attrs.frozen
class Shown:
    """A card as the store knows it: the service that showed it and the grounds it offered."""

    service_id: str
    feedback: tuple[str, str | None] | None


@attrs.frozen
class FeedbackRecord:
    """One feedback on a card: accepted or overridden, with the ground and the doctor's note."""

    card_id: str
    outcome: str
    ground: str | None
    note: str | None
    outcome_timestamp: str | None


class AuditStore:
    """The audit store at *path* (created, with its tables, if absent).

    >>> store = AuditStore(":memory:")
    >>> store.counts()
    {'lookups': 0, 'reminders': 0, 'feedback': 0}
    >>> store.close()
    """

    __slots__ = ("_connection", "_lock")

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the store and its tables."""
        self._lock = threading.Lock()
        connection = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(AUDIT_DDL)
        connection.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (AUDIT_VERSION,)
        )
        self._connection = connection

    def record(  # noqa: PLR0913 (what one answer leaves behind)
        self,
        request_id: str,
        served_at: str,
        channel: str,
        lookups: Sequence[Lookup],
        cards: Iterable[Card] = (),
        *,
        service_id: str | None = None,
        hook_instance: str | None = None,
    ) -> None:
        """Write one answer's look-ups and cards in one committed transaction."""
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                ids = []
                for lookup in lookups:
                    d = lookup.decision
                    cursor.execute(
                        _LOOKUP,
                        (
                            request_id,
                            served_at,
                            channel,
                            d.receiver_id,
                            lookup.issuer,
                            d.item_code,
                            d.program_id,
                            d.outcome.value,
                            d.catalogue_version,
                            d.policy_version,
                            d.to_json(),
                        ),
                    )
                    ids.append(cursor.lastrowid)
                for card in cards:
                    lookup = lookups[card.lookup]
                    d = lookup.decision
                    cursor.execute(
                        _CARD,
                        (
                            card.card_id,
                            ids[card.lookup],
                            request_id,
                            served_at,
                            service_id or "",
                            hook_instance,
                            card.draft_order,
                            d.receiver_id,
                            lookup.issuer,
                            d.item_code,
                            d.outcome.value,
                            d.catalogue_version,
                            d.policy_version,
                            d.to_json(),
                        ),
                    )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

    def shown(self, card_id: str) -> Shown | None:
        """The card *card_id* if the service showed it, with its feedback so far."""
        with self._lock:
            row = self._connection.execute(
                "SELECT r.service_id, f.outcome, f.ground FROM reminders r"
                " LEFT JOIN feedback f ON f.card_id = r.card_id WHERE r.card_id = ?",
                (card_id,),
            ).fetchone()
        if row is None:
            return None
        return Shown(row[0], None if row[1] is None else (row[1], row[2]))

    def decision(self, card_id: str) -> Decision | None:
        """The decision behind the card *card_id*, if the service showed it."""
        with self._lock:
            row = self._connection.execute(
                "SELECT decision FROM reminders WHERE card_id = ?", (card_id,)
            ).fetchone()
        return None if row is None else Decision.from_json(row[0])

    def feedback(self, request_id: str, received_at: str, items: Sequence[FeedbackRecord]) -> None:
        """Write one feedback request's items in one committed transaction.

        A card already answered with the same outcome and ground is a retry: not written twice.
        """
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for item in items:
                    cursor.execute(
                        "INSERT OR IGNORE INTO feedback (card_id, request_id, received_at,"
                        " outcome, ground, note, outcome_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            item.card_id,
                            request_id,
                            received_at,
                            item.outcome,
                            item.ground,
                            item.note,
                            item.outcome_timestamp,
                        ),
                    )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        with self._lock:
            return {
                table: self._connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
                for table in ("lookups", "reminders", "feedback")
            }

    def close(self) -> None:
        """Close the connection (everything written is already committed)."""
        with self._lock:
            self._connection.close()
