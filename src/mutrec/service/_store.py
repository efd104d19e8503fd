"""The audit store: every look-up, card and feedback the service answered, in one SQLite file.

One connection in WAL mode, owned by one writer thread. A request hands its rows to the writer
and waits until they are committed (``synchronous = FULL``: on disk, not in a cache) before its
answer leaves, so a crash loses nothing that was answered. The writer commits every request
waiting at that moment in one transaction (a *group commit*), each in its own savepoint so one
failing request does not undo the others: concurrent requests share one disk flush instead of
queueing for one each. Statistics read the same file read-only
(:func:`mutrec.stats.audit_stats`).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from mutrec.policy import Decision
from mutrec.stats._audit import AUDIT_DDL, AUDIT_VERSION

__all__ = ["AuditStore", "Card", "FeedbackConflict", "FeedbackRecord", "Lookup", "Shown"]

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


class FeedbackConflict(Exception):  # noqa: N818 (an answer: the card was answered otherwise)
    """Feedback on a card that already has feedback saying something else."""

    def __init__(self, card_id: str, recorded: str) -> None:
        """Record the card and the outcome already recorded."""
        super().__init__(f"card {card_id[:60]!r} already has feedback ({recorded})")
        self.card_id = card_id
        self.recorded = recorded


Work = Callable[[sqlite3.Cursor], Any]
_BATCH: Final = 256


class _Job:
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class AuditStore:
    """The audit store at *path* (created, with its tables, if absent).

    >>> store = AuditStore(":memory:")
    >>> store.counts()
    {'lookups': 0, 'reminders': 0, 'feedback': 0}
    >>> store.close()
    """

    __slots__ = ("_jobs", "_writer")

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the store and its tables; start the writer."""
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
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer = threading.Thread(
            target=_write, args=(connection, self._jobs), name="mutrec-audit", daemon=True
        )
        self._writer.start()

    def _run(self, work: Work) -> Any:
        if not self._writer.is_alive():
            msg = "the audit store is closed"
            raise RuntimeError(msg)
        job = _Job(work)
        self._jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

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
        """Write one answer's look-ups and cards; return once they are committed."""
        shown = tuple(cards)

        def work(cursor: sqlite3.Cursor) -> None:
            ids = []
            for lookup in lookups:
                d = lookup.decision
                cursor.execute(
                    _LOOKUP,
                    (request_id, served_at, channel, d.receiver_id, lookup.issuer, d.item_code,
                     d.program_id, d.outcome.value, d.catalogue_version, d.policy_version,
                     d.to_json()),
                )  # fmt: skip
                ids.append(cursor.lastrowid)
            for card in shown:
                lookup = lookups[card.lookup]
                d = lookup.decision
                cursor.execute(
                    _CARD,
                    (card.card_id, ids[card.lookup], request_id, served_at, service_id or "",
                     hook_instance, card.draft_order, d.receiver_id, lookup.issuer, d.item_code,
                     d.outcome.value, d.catalogue_version, d.policy_version, d.to_json()),
                )  # fmt: skip

        self._run(work)

    def shown(self, card_id: str) -> Shown | None:
        """The card *card_id* if the service showed it, with its feedback so far."""

        def work(cursor: sqlite3.Cursor) -> Any:
            return cursor.execute(
                "SELECT r.service_id, f.outcome, f.ground FROM reminders r"
                " LEFT JOIN feedback f ON f.card_id = r.card_id WHERE r.card_id = ?",
                (card_id,),
            ).fetchone()

        row = self._run(work)
        if row is None:
            return None
        return Shown(row[0], None if row[1] is None else (row[1], row[2]))

    def decision(self, card_id: str) -> Decision | None:
        """The decision behind the card *card_id*, if the service showed it."""

        def work(cursor: sqlite3.Cursor) -> Any:
            query = "SELECT decision FROM reminders WHERE card_id = ?"
            return cursor.execute(query, (card_id,)).fetchone()

        row = self._run(work)
        return None if row is None else Decision.from_json(row[0])

    def feedback(self, request_id: str, received_at: str, items: Sequence[FeedbackRecord]) -> None:
        """Write one feedback request's items together; return once they are committed.

        A card already answered the same way is a retry: not written twice.

        Raises:
            FeedbackConflict: A card already has other feedback (nothing of *items* is written).
        """

        def work(cursor: sqlite3.Cursor) -> None:
            for item in items:
                cursor.execute(
                    "INSERT OR IGNORE INTO feedback (card_id, request_id, received_at,"
                    " outcome, ground, note, outcome_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (item.card_id, request_id, received_at, item.outcome, item.ground, item.note,
                     item.outcome_timestamp),
                )  # fmt: skip
                if cursor.rowcount == 0:  # there was feedback already: a retry, or a conflict
                    outcome, ground = cursor.execute(
                        "SELECT outcome, ground FROM feedback WHERE card_id = ?", (item.card_id,)
                    ).fetchone()
                    if (outcome, ground) != (item.outcome, item.ground):
                        raise FeedbackConflict(item.card_id, outcome)

        self._run(work)

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""

        def work(cursor: sqlite3.Cursor) -> dict[str, int]:
            return {
                table: cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
                for table in ("lookups", "reminders", "feedback")
            }

        counted: dict[str, int] = self._run(work)
        return counted

    def close(self) -> None:
        """Stop the writer once the work handed to it is committed, and close the file."""
        if self._writer.is_alive():
            self._jobs.put(None)
            self._writer.join()


def _write(connection: sqlite3.Connection, jobs: queue.SimpleQueue[_Job | None]) -> None:
    """The writer: commit each batch of waiting jobs in one transaction, each in a savepoint."""
    stopping = False
    while not stopping:
        first = jobs.get()
        if first is None:
            break
        batch = [first]
        while len(batch) < _BATCH:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stopping = True
                break
            batch.append(job)
        _commit(connection, batch)
    connection.close()


def _commit(connection: sqlite3.Connection, batch: list[_Job]) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
        for job in batch:
            cursor.execute("SAVEPOINT job")
            try:
                job.result = job.work(cursor)
            except Exception as error:  # noqa: BLE001 (handed back to the waiting request)
                job.error = error
                cursor.execute("ROLLBACK TO job")
            cursor.execute("RELEASE job")
        cursor.execute("COMMIT")
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.rollback()
        for job in batch:
            job.error = job.error or error
    finally:
        for job in batch:
            job.done.set()
