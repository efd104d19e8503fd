"""What each Spark partition runs, without Spark: the decisions of evaluate_batches, plainly typed.

Also what ``evaluate_spark`` says where pyspark is missing (the Spark tests are in test_spark.py,
run by ``nox -s spark``).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from mutrec.columnar import (  # noqa: E402
    OUTPUT_COLUMNS,
    PartitionDecider,
    evaluate_batches,
    evaluate_spark,
    evaluate_table,
)
from mutrec.errors import (  # noqa: E402
    ArgumentError,
    MissingDependencyError,
    MutrecError,
    TimeZoneError,
)
from mutrec.files import load_example_region  # noqa: E402
from mutrec.policy import Policy  # noqa: E402

POLICY: Final = Policy.from_region(load_example_region())
CST: Final = timezone(timedelta(hours=8))
AT: Final = datetime(2024, 3, 4, 9, tzinfo=CST)


def _rows(**overrides: Any) -> Any:
    columns: dict[str, Any] = {
        "result_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
        "ward": [3, 1, 4, 1, 5, None],
        "item": ["K", "K", "Glu", "K", "CT-HEAD", "XX"],
        "value": ["4.1", "4.1", "5.6", "阴性", None, "1"],
        "unit": ["mmol/L", "mmol/L", "mmol/L", "mmol/L", None, "g/L"],
        "specimen": ["serum"] * 6,
        "issuer": ["BJ001", "BJ004", "BJ002", "BJ001", "BJ001", ""],
        "patient": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "collected": ["2024-03-01T08:00:00+08:00"] * 5 + ["2024-03-01"],
        "reported": ["2024-03-01T10:00:00+08:00"] * 6,
        "receiver": ["TJ001"] * 6,
    }
    columns.update(overrides)
    return pa.table(columns)


def _plain(table: Any) -> list[dict[str, Any]]:
    """The decisions of evaluate_table as plain rows (its dictionaries decoded)."""
    return [{k: row[k] for k in OUTPUT_COLUMNS} for row in table.to_pylist()]


def test_the_decisions_are_evaluate_batches_ones_with_the_kept_columns_first() -> None:
    rows = _rows()
    decide = PartitionDecider(POLICY, ("result_id", "ward"), at=AT)
    outs = list(decide(rows.to_batches(max_chunksize=4)))
    assert [b.num_rows for b in outs] == [4, 2]  # one batch out per batch in, same rows
    out = pa.Table.from_batches(outs)
    assert out.column_names == ["result_id", "ward", *OUTPUT_COLUMNS]
    assert out.schema.field("ward").type == pa.int64()  # a kept column keeps its type
    assert not any(pa.types.is_dictionary(f.type) for f in out.schema)
    assert out.schema.metadata is None
    assert out.column("result_id").to_pylist() == rows.column("result_id").to_pylist()
    assert out.column("ward").to_pylist() == [3, 1, 4, 1, 5, None]
    expected = _plain(evaluate_table(POLICY, rows, at=AT))
    assert [{k: r[k] for k in OUTPUT_COLUMNS} for r in out.to_pylist()] == expected
    assert expected[0]["outcome"] == "recognised"
    assert expected[5]["error"] is not None  # a date without a time: never a guessed instant


@pytest.mark.parametrize("kind", ["large_string", "string_view"])
def test_wide_text_columns_are_read_as_text(kind: str) -> None:
    """Spark sends large_string when ``spark.sql.execution.arrow.useLargeVarTypes`` is on."""
    rows = _rows()
    wide = pa.table(
        [c.cast(getattr(pa, kind)()) if c.type == pa.string() else c for c in rows.columns],
        names=rows.column_names,
    )
    [out] = PartitionDecider(POLICY, ["result_id"], at=AT)(wide.to_batches())
    assert out.schema.field("result_id").type == getattr(pa, kind)()  # carried as it came
    assert _plain(pa.Table.from_batches([out])) == _plain(evaluate_table(POLICY, rows, at=AT))


def test_an_empty_batch_gives_an_empty_batch_of_the_columns() -> None:
    empty = _rows().to_batches()[0].slice(0, 0)
    [out] = PartitionDecider(POLICY, ["result_id"])([empty])
    assert out.num_rows == 0
    assert out.schema.names == ["result_id", *OUTPUT_COLUMNS]


def test_it_pickles_and_decides_alike() -> None:
    decide = PartitionDecider(POLICY, ["result_id"], receiver="BJ003", at=AT)
    copied = pickle.loads(pickle.dumps(decide))  # noqa: S301 (our own bytes)
    rows = _rows(receiver=[None] * 6)
    [one] = decide(rows.to_batches())
    [two] = copied(rows.to_batches())
    assert one.equals(two)
    assert set(one.column("outcome").to_pylist()) >= {"recognised", "not_recognised"}


@pytest.mark.parametrize(
    ("keep", "match"),
    [
        ("result_id", r"argument 'keep' = 'result_id': expected a collection"),
        (["value"], r"'keep\[0\]' = 'value': expected a column name other than"),
        (["result_id", "result_id"], r"'keep\[1\]' = 'result_id': expected a column named once"),
        ([1], r"'keep\[0\]' = 1"),
    ],
)
def test_bad_keep_names_are_refused_at_once(keep: object, match: str) -> None:
    with pytest.raises(ArgumentError, match=match):
        PartitionDecider(POLICY, keep)
    with pytest.raises(ArgumentError, match=match):
        evaluate_spark(POLICY, object(), keep=keep)  # type: ignore[arg-type]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ArgumentError, match="'policy'"):
        PartitionDecider("policy")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="'receiver'"):
        PartitionDecider(POLICY, receiver=3)  # type: ignore[arg-type]
    with pytest.raises(TimeZoneError):
        PartitionDecider(POLICY, at=datetime(2024, 3, 1))  # noqa: DTZ001 (the naive instant refused)
    decide = PartitionDecider(POLICY, ["ward"])
    with pytest.raises(ArgumentError, match=r"'batches\[0\]'"):
        list(decide([_rows()]))  # a Table, not a RecordBatch
    with pytest.raises(ArgumentError, match="'keep' = 'ward': expected the name of a column"):
        list(decide(_rows().drop_columns(["ward"]).to_batches()))


def test_without_pyspark_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(
        MissingDependencyError, match=r'evaluate_spark needs pyspark: .*"mutrec\[spark\]"'
    ):
        evaluate_spark(POLICY, object(), keep=["result_id"])


def test_import_mutrec_columnar_does_not_load_pyspark() -> None:
    code = "import sys, mutrec.columnar; print('pyspark' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["K", "Glu", "BJ001", "BJ004", "serum", "mmol/L", "4.1", "P1", "TJ001"]),
    st.sampled_from(["2024-03-01T08:00:00+08:00", "0001-01-01T00:00:00Z", "9999-12-31", ""]),
    st.text(max_size=6),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[_TEXT] * 8), min_size=0, max_size=12), st.integers(1, 5))
def test_any_text_rows_decide_as_the_local_engine(rows: list[tuple[Any, ...]], size: int) -> None:
    names = ["item", "value", "unit", "specimen", "issuer", "patient", "collected", "reported"]
    table = pa.table(
        {"n": list(range(len(rows))), **{n: [r[i] for r in rows] for i, n in enumerate(names)}},
        schema=pa.schema([("n", pa.int64()), *((n, pa.string()) for n in names)]),
    )
    at = datetime(2024, 3, 3, tzinfo=UTC)
    try:
        out = list(PartitionDecider(POLICY, ["n"], receiver="TJ001", at=at)(table.to_batches(size)))
    except MutrecError:  # pragma: no cover (the engine decides every row or says why)
        pytest.fail("a row the engine could not decide")
    decided = pa.Table.from_batches(out, schema=out[0].schema) if out else None
    expected = _plain(evaluate_table(POLICY, table, receiver="TJ001", at=at))
    got = [] if decided is None else _plain(decided)
    assert got == expected
    if decided is not None:
        assert decided.column("n").to_pylist() == list(range(len(rows)))
    assert [b.num_rows for b in evaluate_batches(POLICY, table.to_batches(size), at=at)] == [
        b.num_rows for b in out
    ]


@pytest.mark.parametrize(
    ("zone", "instant"),
    [
        ("Asia/Shanghai", datetime(9999, 12, 31, 23, tzinfo=UTC)),  # past 9999 in +08:00
        ("America/New_York", datetime(1, 1, 1, 1, tzinfo=UTC)),  # before year 1 in -05:00
        ("Asia/Shanghai", datetime(2024, 3, 1, 0, 30, tzinfo=UTC)),  # another day in +08:00
    ],
)
def test_an_instant_column_in_any_zone_decides_as_in_utc(zone: str, instant: datetime) -> None:
    """Spark sends instants in its session's zone: the zone is how they print, not what they are."""

    def rows(tz: str) -> Any:
        return _rows(
            collected=pa.array([instant] * 6, pa.timestamp("us", tz)),
            reported=pa.array([instant + timedelta(minutes=5)] * 6, pa.timestamp("us", tz)),
        )

    [out] = PartitionDecider(POLICY, ["result_id"], at=AT)(rows(zone).to_batches())
    expected = _plain(evaluate_table(POLICY, rows("UTC"), at=AT))
    assert _plain(pa.Table.from_batches([out])) == expected
    if instant.year in {1, 9999}:
        errors = [row["error"] or "" for row in expected]
        assert sum("outside 1900-2999" in error for error in errors) == 5  # R5: no value first


def test_a_report_before_its_collection_is_that_rows_error() -> None:
    """A bad row is that row's error: the partition goes on (a Spark task would fail else)."""
    rows = _rows(reported=["2024-02-01T08:00:00+08:00"] * 6)
    [out] = PartitionDecider(POLICY, ["result_id"], at=AT)(rows.to_batches())
    assert "is before 'collected'" in out.column("error")[0].as_py()
