"""Batches: a bad row, whatever it raises, becomes a RowError; the batch never aborts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ResultError
from mutrec.files import load_example_region
from mutrec.model import LabResult
from mutrec.policy import ClinicalContext, Finding, Outcome, Policy, Request, default_rules

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mutrec.policy import Subject

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2024, 3, 2, 9, tzinfo=SH)
VISIT = ClinicalContext(patient="p1")
REGION = load_example_region()
POTASSIUM = LabResult.build(
    "K",
    "4.1",
    datetime(2024, 3, 1, 8, tzinfo=SH),
    "BJ001",
    "p1",
    unit="mmol/L",
    reported=datetime(2024, 3, 1, 11, tzinfo=SH),
    specimen="serum",
)
GOOD = (POTASSIUM, "TJ001", AT, VISIT, "good")


class FollowUpRule:
    """A vendor rule with calendar arithmetic: it overflows for an instant near year 9999."""

    code_prefix = "acme"

    def check(self, subject: Subject) -> tuple[Finding, ...]:
        _ = subject.at + timedelta(days=30)  # the follow-up date, as a vendor might compute it
        return ()


class BrokenRule:
    """A vendor rule with a bug."""

    code_prefix = "acme"

    def check(self, subject: Subject) -> tuple[Finding, ...]:
        return (1 / 0,)  # type: ignore[return-value]


class InterruptingRule:
    """A rule during which the operator presses Ctrl-C."""

    code_prefix = "acme"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def check(self, subject: Subject) -> tuple[Finding, ...]:
        raise self.error


def policy(*extra: object) -> Policy:
    return Policy.from_region(REGION, [*default_rules(), *extra], version="t")  # type: ignore[list-item]


def test_good_rows_around_bad_ones_are_decided() -> None:
    rows: list[Any] = [GOOD, "not a row", GOOD, (POTASSIUM, "TJ001"), GOOD]
    batch = policy().evaluate_many(rows)
    assert len(batch) == 5
    assert batch.ok == 3
    assert [e.index for e in batch.errors] == [1, 3]
    assert [d is None for d in batch] == [False, True, False, True, False]
    assert all(d.outcome is Outcome.RECOGNISED for d in batch if d is not None)


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        ((POTASSIUM, 5, AT, VISIT), "receiver", "must be the receiving institution's id"),
        ((POTASSIUM, "TJ001", "2024-03-02T09:00+08:00", VISIT), "at", "must be an aware datetime"),
        ((POTASSIUM, "TJ001", AT, VISIT, 7), "result_id", "must be a str"),
        ((POTASSIUM, "TJ001", datetime(2024, 3, 2, 9), VISIT), "at", "naive"),  # noqa: DTZ001
    ],
)
def test_wrong_types_in_a_tuple_name_the_field(row: tuple[Any, ...], field: str, says: str) -> None:
    batch = policy().evaluate_many([GOOD, row, GOOD])
    (error,) = batch.errors
    assert (error.index, error.field) == (1, field)
    assert says in error.message
    assert batch.ok == 2


@pytest.mark.parametrize(
    "row",
    [
        (None, "TJ001", AT, VISIT),
        ("K 4.1 mmol/L", "TJ001", AT, VISIT),
        (POTASSIUM, "TJ001", AT, "a visit"),
        Request(POTASSIUM, None, AT, VISIT),  # type: ignore[arg-type]
        (POTASSIUM, "TJ001", AT, VISIT, "r", "extra"),
        (),
        None,
    ],
)
def test_rows_that_are_not_rows_become_row_errors(row: object) -> None:
    batch = policy().evaluate_many([GOOD, row, GOOD])  # type: ignore[list-item]
    assert batch.ok == 2
    assert [e.index for e in batch.errors] == [1]
    assert batch.errors[0].message


def test_instants_at_the_ends_of_the_calendar_never_abort_the_batch() -> None:
    edges = [
        datetime.max.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-14))),
        datetime.min.replace(tzinfo=UTC),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    ]
    rows = [GOOD, *((POTASSIUM, "TJ001", at, VISIT, f"edge{i}") for i, at in enumerate(edges))]
    rows.append(GOOD)
    batch = policy(FollowUpRule()).evaluate_many(rows)
    assert len(batch) == len(rows)
    assert batch.decisions[0] is not None
    assert batch.decisions[-1] is not None
    for decision in batch.decisions[1:-1]:  # decided (not recognised), or a row error
        assert decision is None or not decision.outcome.recognised


def test_calendar_overflow_in_a_rule_is_a_row_error() -> None:
    late = datetime(9999, 12, 20, tzinfo=UTC)
    result = LabResult.build(
        "K", "4.1", late - timedelta(days=1), "BJ001", "p1", unit="mmol/L", reported=late
    )
    # The example catalogues end long before year 9999, so a rule never runs for this result;
    # the rule runs for the good result evaluated at an instant near the end of time.
    batch = policy(FollowUpRule()).evaluate_many(
        [GOOD, (result, "TJ001", late, VISIT, "late"), (POTASSIUM, "TJ001", late, VISIT, "x")]
    )
    assert batch.decisions[0] is not None
    assert batch.decisions[1] is not None
    assert batch.decisions[1].codes  # refused for want of a catalogue in force
    (error,) = batch.errors
    assert (error.index, error.result_id) == (2, "x")
    if (
        error.error == "OverflowError"
    ):  # what the vendor rule raises, unless the policy refuses first
        assert "too near year 1 or 9999" in error.message


def test_a_collection_at_the_dawn_of_time_is_refused_when_the_result_is_built() -> None:
    # Refused before any batch sees it: no zone can place year 1, 00:00 UTC + 08:00 earlier.
    dawn = datetime.min.replace(tzinfo=UTC)
    with pytest.raises(ResultError, match="outside the calendar"):
        LabResult.build("K", "4.1", dawn, "BJ001", "p1", unit="mmol/L", reported=dawn)


def test_a_rule_that_raises_is_recorded_per_row() -> None:
    batch = policy(BrokenRule()).evaluate_many([GOOD, GOOD])
    assert batch.ok == 0
    assert [(e.index, e.error, e.result_id) for e in batch.errors] == [
        (0, "ZeroDivisionError", "good"),
        (1, "ZeroDivisionError", "good"),
    ]
    assert batch.errors[0].message == "division by zero"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(3), MemoryError()])
def test_interrupts_and_memory_errors_are_not_swallowed(interrupt: BaseException) -> None:
    with pytest.raises(type(interrupt)):
        policy(InterruptingRule(interrupt)).evaluate_many([GOOD])


def test_rows_iterable_that_fails_keeps_what_was_decided() -> None:
    def rows() -> Iterator[Any]:
        yield GOOD
        yield GOOD
        message = "the source database went away"
        raise ConnectionError(message)

    batch = policy().evaluate_many(rows())
    assert batch.ok == 2
    (error,) = batch.errors
    assert (error.index, error.error) == (2, "ConnectionError")
    assert "rows after 2 were not read" in error.message
    assert "went away" in error.message


def test_a_row_with_a_hostile_repr_is_still_reported() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError

    batch = policy().evaluate_many([Hostile(), GOOD])  # type: ignore[list-item]
    assert batch.ok == 1
    assert batch.errors[0].index == 0
    assert "cannot be shown" in batch.errors[0].message


anything = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.just(POTASSIUM),
    st.just(VISIT),
)


@given(st.lists(st.tuples(anything, anything, anything, anything) | anything, max_size=4))
def test_any_rows_give_one_entry_each_and_never_raise(rows: list[Any]) -> None:
    batch = policy().evaluate_many([*rows, GOOD])
    assert len(batch) == len(rows) + 1
    assert batch.ok + len(batch.errors) == len(batch)
    assert batch.decisions[-1] is not None
    for decision in batch.decisions:
        if decision is not None:
            decision.to_json()  # every decision made can be written
