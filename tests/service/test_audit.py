"""The audit store and the regulators' figures read from it (no server needed)."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec.cli import main
from mutrec.errors import ArgumentError, RecordError
from mutrec.policy import Decision, Finding, Outcome, Severity
from mutrec.service._store import AuditStore, Card, FeedbackRecord, Lookup
from mutrec.stats import audit_stats

AT = datetime(2024, 3, 2, 9, tzinfo=UTC)


def _decision(outcome: Outcome, item: str = "K", receiver: str = "TJ001") -> Decision:
    findings: tuple[Finding, ...] = ()
    if outcome is Outcome.NOT_RECOGNISED:
        findings = (Finding("window.expired", Severity.BLOCK),)
    elif outcome is Outcome.RECOGNISED_WITH_CAUTION:
        findings = (Finding("value.critical", Severity.CAUTION),)
    return Decision(outcome, findings, None, AT, "r", receiver, "p", "2023-2024", "1", item)


def _fill(store: AuditStore) -> None:
    lookups = [
        Lookup(_decision(Outcome.RECOGNISED), "BJ001"),
        Lookup(_decision(Outcome.RECOGNISED_WITH_CAUTION, "Na"), "BJ001"),
        Lookup(_decision(Outcome.NOT_RECOGNISED, "Na"), "BJ002"),
        Lookup(_decision(Outcome.RECOGNISED, "K", "TJ002"), "BJ002"),
    ]
    cards = [Card("c1", 0, "ServiceRequest/1"), Card("c2", 1, "ServiceRequest/2"),
             Card("c3", 3, "ServiceRequest/3")]  # fmt: skip
    store.record("req-1", "2024-03-02T09:00:00+08:00", "cds", lookups, cards, service_id="s")
    store.feedback(
        "req-2",
        "2024-03-02T09:05:00+08:00",
        [
            FeedbackRecord("c1", "accepted", None, None, None),
            FeedbackRecord("c2", "accepted", None, None, None),
            FeedbackRecord("c3", "overridden", "emergency", "抢救", None),
        ],
    )


def test_the_figures_regulators_ask_for(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.db")
    _fill(store)
    store.close()
    (total,) = audit_stats(tmp_path / "audit.db")
    assert (total.lookups.recognised, total.lookups.with_caution, total.lookups.brought) == (
        2,
        1,
        4,
    )
    assert (total.reminders.recognised, total.reminders.with_caution, total.reminders.brought) == (
        1, 1, 3,
    )  # fmt: skip
    assert total.overrides == 1
    assert total.by_ground == (("emergency", 1),)
    by_item = {f.key: f for f in audit_stats(tmp_path / "audit.db", by="item")}
    assert by_item["Na"].lookups.brought == 2
    assert by_item["Na"].lookups.with_caution == 1
    by_receiver = {
        f.key: f.lookups.brought for f in audit_stats(tmp_path / "audit.db", by="receiver")
    }
    assert by_receiver == {"TJ001": 3, "TJ002": 1}
    by_issuer = {
        f.key: f.reminders.brought for f in audit_stats(tmp_path / "audit.db", by="issuer")
    }
    assert by_issuer == {"BJ001": 2, "BJ002": 1}
    (week,) = audit_stats(tmp_path / "audit.db", by="week")
    assert week.key == "2024-W09"


def test_mutrec_stats_prints_the_table_and_json(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.db")
    _fill(store)
    store.close()
    out = io.StringIO()
    assert main(["stats", "--audit", str(tmp_path / "audit.db")], out=out) == 0
    assert "调阅互认率" in out.getvalue()
    assert "emergency 1" in out.getvalue()
    out = io.StringIO()
    assert main(["stats", "--audit", str(tmp_path / "audit.db"), "--by", "item", "--format",
                 "json"], out=out) == 0  # fmt: skip
    assert [g["key"] for g in json.loads(out.getvalue())] == ["K", "Na"]


def test_a_missing_or_foreign_file_is_a_record_error(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="no such file"):
        audit_stats(tmp_path / "none.db")
    (tmp_path / "other.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(RecordError, match="not a mutrec audit store"):
        audit_stats(tmp_path / "other.db")
    with pytest.raises(ArgumentError):
        audit_stats(tmp_path / "none.db", by="month")  # type: ignore[arg-type]
    err = io.StringIO()
    assert main(["stats", "--audit", str(tmp_path / "none.db")], err=err) == 1
    assert err.getvalue().startswith("mutrec: error:")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.db")

    def write(n: int) -> None:
        for i in range(25):
            lookup = Lookup(_decision(Outcome.RECOGNISED), "BJ001")
            store.record(f"{n}-{i}", "2024-03-02T09:00:00+08:00", "rest", [lookup],
                         [Card(f"c{n}-{i}", 0, None)], service_id="s")  # fmt: skip

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.counts() == {"lookups": 200, "reminders": 200, "feedback": 0}
    store.close()
    (total,) = audit_stats(tmp_path / "audit.db")
    assert total.lookups.brought == 200


OUTCOMES = st.sampled_from(list(Outcome))
FEEDBACK = st.sampled_from([None, "accepted", "overridden"])


@settings(max_examples=15)
@given(rows=st.lists(st.tuples(OUTCOMES, FEEDBACK, st.text(max_size=5)), max_size=12))
def test_the_figures_add_up_whatever_was_recorded(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[Outcome, str | None, str]]
) -> None:
    path = tmp_path_factory.mktemp("audit") / "audit.db"
    store = AuditStore(path)
    lookups = [Lookup(_decision(outcome, item=item or "K"), None) for outcome, _, item in rows]
    cards = [Card(f"c{i}", i, None) for i in range(len(rows))]
    store.record("r", "2024-03-02T09:00:00+08:00", "cds", lookups, cards, service_id="s")
    given_back = [
        FeedbackRecord(f"c{i}", fb, "other" if fb == "overridden" else None, None, None)
        for i, (_, fb, _) in enumerate(rows)
        if fb is not None
    ]
    store.feedback("f", "2024-03-02T09:05:00+08:00", given_back)
    store.close()
    (total,) = audit_stats(path)
    groups = audit_stats(path, by="item")
    assert total.lookups.brought == len(rows) == sum(g.lookups.brought for g in groups)
    adopted = sum(fb == "accepted" for _, fb, _ in rows)
    assert total.reminders.recognised + total.reminders.with_caution == adopted
    assert total.overrides == sum(fb == "overridden" for _, fb, _ in rows)
    assert total.lookups.recognised == sum(o is Outcome.RECOGNISED for o, _, _ in rows)


def test_one_failing_request_does_not_undo_the_others_committed_with_it(tmp_path: Path) -> None:
    import sqlite3

    store = AuditStore(tmp_path / "audit.db")
    lookup = Lookup(_decision(Outcome.RECOGNISED), "BJ001")
    store.record("a", "2024-03-02T09:00:00+08:00", "cds", [lookup], [Card("same", 0, None)])
    errors: list[BaseException] = []

    def write(n: int) -> None:
        card = Card("same" if n == 0 else f"c{n}", 0, None)  # the first repeats a card id
        try:
            store.record(f"r{n}", "2024-03-02T09:00:00+08:00", "cds", [lookup], [card])
        except sqlite3.IntegrityError as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    # The failed request left nothing (not even its look-up); the five others are all there.
    assert store.counts() == {"lookups": 6, "reminders": 6, "feedback": 0}
    store.close()


def test_contradicting_feedback_is_a_conflict_and_a_retry_is_not(tmp_path: Path) -> None:
    from mutrec.service._store import FeedbackConflict

    store = AuditStore(tmp_path / "audit.db")
    _fill(store)
    again = FeedbackRecord("c3", "overridden", "emergency", "抢救", None)
    store.feedback("again", "2024-03-02T09:06:00+08:00", [again])
    with pytest.raises(FeedbackConflict):
        store.feedback("x", "2024-03-02T09:07:00+08:00",
                       [FeedbackRecord("c3", "accepted", None, None, None)])  # fmt: skip
    assert store.counts()["feedback"] == 3
    store.close()
