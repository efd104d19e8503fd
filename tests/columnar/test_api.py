"""The columnar calls: shape, order, errors, metadata, streaming, the optional dependency."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from mutrec.columnar import OUTPUT_COLUMNS, evaluate_batches, evaluate_parquet, evaluate_table  # noqa: E402
from mutrec.columnar._rows import request_of  # noqa: E402
from mutrec.errors import ArgumentError, MissingDependencyError, MutrecError  # noqa: E402
from mutrec.files import load_example_region  # noqa: E402
from mutrec.policy import Policy  # noqa: E402

POLICY: Final = Policy.from_region(load_example_region())
CST: Final = timezone(timedelta(hours=8))
TS: Final = pa.timestamp("us", tz="UTC")
AT: Final = datetime(2024, 3, 4, 9, tzinfo=CST)


def _table(**overrides: Any) -> Any:
    columns: dict[str, Any] = {
        "item": ["K", "K", "Glu", "K", "CT-HEAD"],
        "value": ["4.1", "4.1", "5.6", "阴性", None],
        "unit": ["mmol/L", "mmol/L", "mmol/L", "mmol/L", None],
        "specimen": ["serum"] * 5,
        "issuer": ["BJ001", "BJ004", "BJ002", "BJ001", "BJ001"],
        "patient": ["P1", "P2", "P3", "P4", "P5"],
        "collected": pa.array([datetime(2024, 3, 1, 8, tzinfo=CST)] * 5, TS),
        "reported": pa.array([datetime(2024, 3, 1, 10, tzinfo=CST)] * 5, TS),
    }
    columns.update(overrides)
    return pa.table(columns)


def test_one_row_out_per_row_in_in_order_with_the_columns() -> None:
    out = evaluate_table(POLICY, _table(), receiver="BJ003", at=AT)
    assert out.column_names == list(OUTPUT_COLUMNS)
    assert out.num_rows == 5
    rows = out.to_pylist()
    assert [r["outcome"] for r in rows[:4]] == [
        "recognised", "not_recognised", "recognised", "not_recognised",
    ]  # fmt: skip
    assert rows[1]["codes"] == ["membership.not_member", "qc.no_record"]
    assert rows[3]["reason"] == "value.not_numeric"
    assert rows[4]["error"] is not None  # an imaging code as a lab row without a value
    assert rows[4]["outcome"] is None
    assert rows[0]["expires_at"] == datetime(2024, 3, 8, 10, tzinfo=CST)
    assert rows[0]["value"] == 4.1
    assert rows[0]["unit"] == "mmol/L"
    assert out.schema.metadata[b"mutrec.rows"] == b"5"
    assert out.schema.metadata[b"mutrec.fallback_rows"] == b"2"


def test_each_word_is_in_a_column_dictionary_once() -> None:
    """Rows of both paths share words ("recognised", the program): each is listed once, as a
    pandas Categorical (which refuses repeated categories) needs it."""
    table = pa.concat_tables([_table()] * 3)
    out = evaluate_table(POLICY, table, receiver="BJ003", at=AT)
    for name in out.column_names:
        column = out.column(name).combine_chunks()
        if pa.types.is_dictionary(column.type):
            words = column.dictionary.to_pylist()
            assert len(words) == len(set(words)), name
    words = out.column("outcome").combine_chunks().dictionary.to_pylist()
    assert sorted(words) == ["not_recognised", "recognised"]


def test_a_row_that_cannot_be_read_has_an_error_and_the_others_are_decided() -> None:
    table = _table(collected=pa.array(["2024-03-01T08:00", *["2024-03-01T08:00+08:00"] * 4]))
    rows = evaluate_table(POLICY, table, receiver="BJ003", at=AT).to_pylist()
    assert rows[0]["error"].startswith("TimeZoneError")
    assert rows[1]["codes"] == ["membership.not_member", "qc.no_record"]


def test_batches_and_parquet_and_csv_agree_with_the_table(tmp_path: Path) -> None:
    table = _table()
    whole = evaluate_table(POLICY, table, receiver="BJ003", at=AT)
    parts = list(
        evaluate_batches(POLICY, table.to_batches(max_chunksize=2), receiver="BJ003", at=AT)
    )
    assert [b.num_rows for b in parts] == [2, 2, 1]
    assert pa.Table.from_batches(parts).to_pylist() == whole.to_pylist()
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=2)
    counts = evaluate_parquet(
        POLICY, tmp_path / "in.parquet", tmp_path / "out.parquet", receiver="BJ003", at=AT,
        batch_rows=2,
    )  # fmt: skip
    assert counts == {"rows": 5, "fallback_rows": 2}
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == whole.to_pylist()
    text = table.set_column(6, "collected", pa.array(["2024-03-01T08:00:00+08:00"] * 5))
    text = text.set_column(7, "reported", pa.array(["2024-03-01T10:00:00+08:00"] * 5))
    import pyarrow.csv as pcsv

    pcsv.write_csv(text, tmp_path / "in.csv")
    evaluate_parquet(POLICY, tmp_path / "in.csv", tmp_path / "csv.parquet", receiver="BJ003", at=AT)
    assert pq.read_table(tmp_path / "csv.parquet").to_pylist() == whole.to_pylist()


def test_wide_text_zoned_instants_and_numbered_ids_read_as_plain_ones() -> None:
    """Spark's large_string or string_view text, instants in a zone, a result id of digits: the
    same decisions, on the vectorised path."""
    table = _table(result_id=pa.array(range(5), pa.int64()))
    plain = evaluate_table(POLICY, _table(), receiver="BJ003", at=AT)
    for kind in (pa.large_string(), pa.string_view()):
        wide = table.cast(
            pa.schema(
                [pa.field(f.name, kind if f.type == pa.string() else f.type) for f in table.schema]
            )
        )
        shanghai = pa.timestamp("us", "Asia/Shanghai")
        wide = wide.set_column(6, "collected", wide.column("collected").cast(shanghai))
        out = evaluate_table(POLICY, wide, receiver="BJ003", at=AT)
        assert out.to_pylist() == plain.to_pylist()
        assert out.schema.metadata[b"mutrec.fallback_rows"] == b"2"  # as many as plain


def test_an_instant_at_the_end_of_the_calendar_in_a_zone_east_of_utc() -> None:
    """9999-12-31T20:00Z is 10000-01-01 in Shanghai: Python's calendar cannot hold it there,
    so the instant is read in UTC and the row gets its error, not the table an OverflowError."""
    late = datetime(9999, 12, 31, 20, tzinfo=UTC)
    shanghai = pa.timestamp("us", "Asia/Shanghai")
    table = _table(
        collected=pa.array([late] * 5, TS).cast(shanghai),
        reported=pa.array([late] * 5, TS).cast(shanghai),
    )
    rows = evaluate_table(POLICY, table, receiver="BJ003", at=AT).to_pylist()
    assert all(row["error"] is not None for row in rows)


def test_wrong_arguments_are_argument_errors() -> None:
    with pytest.raises(ArgumentError):
        evaluate_table(POLICY, [1, 2])
    with pytest.raises(ArgumentError):
        evaluate_table("policy", _table())  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        evaluate_table(POLICY, _table(), at=datetime(2024, 3, 4))  # noqa: DTZ001 (naive on purpose)


def test_import_mutrec_does_not_load_pyarrow() -> None:
    code = "import sys, mutrec, mutrec.columnar; print('pyarrow' in sys.modules)"
    out = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_without_pyarrow_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingDependencyError, match=r"mutrec\[arrow\]"):
        evaluate_table(POLICY, object())


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["K", "Glu", "BJ001", "BJ004", "serum", "mmol/L", "mg/dL", "4.1", "P1"]),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "item": _TEXT,
                "value": _TEXT,
                "unit": _TEXT,
                "specimen": _TEXT,
                "issuer": _TEXT,
                "patient": _TEXT,
                "current_patient": _TEXT,
                "setting": _TEXT,
                "seconds": st.integers(-10 * 86400, 40 * 86400),
            }
        ),
        min_size=1,
        max_size=20,
    )
)
def test_hostile_cells_give_the_scalar_decision_or_an_error(rows: list[dict[str, Any]]) -> None:
    base = datetime(2024, 3, 1, 8, tzinfo=CST)
    names = ("item", "value", "unit", "specimen", "issuer", "patient", "current_patient", "setting")
    columns = {name: pa.array([r[name] for r in rows], pa.string()) for name in names}
    columns["collected"] = pa.array([base.astimezone(UTC)] * len(rows), TS)
    columns["reported"] = pa.array([base + timedelta(hours=1)] * len(rows), TS)
    columns["at"] = pa.array([base + timedelta(seconds=r["seconds"]) for r in rows], TS)
    table = pa.table(columns)
    out = evaluate_table(POLICY, table, receiver="BJ003").to_pylist()
    for row, got in zip(table.to_pylist(), out, strict=True):
        try:
            request = request_of(row, "BJ003", None)
            want = POLICY.evaluate(
                request.result, receiver=request.receiver, at=request.at, context=request.context
            )
        except MutrecError:
            assert got["error"] is not None
            continue
        assert got["outcome"] == want.outcome.value
        assert got["codes"] == list(want.codes)
        assert got["expires_at"] == want.expires_at


_EDGE_INSTANTS: Final = (
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 2, 12, tzinfo=UTC),
    datetime(1899, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1900, 1, 2, tzinfo=UTC),
    datetime(2024, 3, 1, tzinfo=UTC),
    datetime(2999, 12, 30, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    None,
)
_VALUE_ARRAYS: Final = (
    lambda v: pa.array(v, pa.float64()),
    lambda v: pa.array(v, pa.float64()).cast(pa.float32()),
    lambda v: pa.array([None if x is None else str(x) for x in v], pa.large_string()),
    lambda v: pa.array([None if x is None else str(x) for x in v]).dictionary_encode(),
    lambda v: pa.array([None if x is None else x > 0 for x in v], pa.bool_()),
    lambda v: pa.array([None if x is None else [x] for x in v], pa.list_(pa.float64())),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_EDGE_INSTANTS),
            st.sampled_from(_EDGE_INSTANTS),
            st.sampled_from(_EDGE_INSTANTS),
            st.one_of(
                st.none(),
                st.floats(allow_nan=True, allow_infinity=True),
                st.just(-0.0),
                st.just(4.1),
                st.just(1e308),
            ),
            st.sampled_from(["K", "Glu", " K", "", "钾", "K\x00"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["s", "ms", "us", "ns"]),
    st.sampled_from(["UTC", "Asia/Shanghai", "America/Los_Angeles", "+14:00", "-12:00"]),
    st.integers(0, len(_VALUE_ARRAYS) - 1),
)
def test_hostile_column_types_give_the_scalar_decision_or_an_error(
    rows: list[tuple[Any, ...]], unit: str, zone: str, value_kind: int
) -> None:
    """Instants at the calendar's ends in any unit and zone, values of every Arrow kind: each
    row gets the scalar path's decision or its own error, and nothing escapes the call."""
    stamp = pa.timestamp(unit, zone)

    def instants(k: int) -> Any:
        column = pa.array([r[k] for r in rows], pa.timestamp("us", "UTC"))
        try:
            return column.cast(stamp)
        except pa.ArrowInvalid:  # not in this unit's range (ns holds 1677-2262): text instead
            return pa.array([None if r[k] is None else r[k].isoformat() for r in rows])

    table = pa.table({
        "item": [r[4] for r in rows], "unit": ["mmol/L"] * len(rows),
        "value": _VALUE_ARRAYS[value_kind]([r[3] for r in rows]),
        "specimen": ["serum"] * len(rows), "issuer": ["BJ001"] * len(rows),
        "patient": ["P1"] * len(rows),
        "collected": instants(0), "reported": instants(1), "at": instants(2),
    })  # fmt: skip
    out = evaluate_table(POLICY, table, receiver="BJ003").to_pylist()
    # The rows as Python reads them: instants in UTC (a zone east of it would push 9999-12-31
    # past Python's calendar in the test's own reading).
    utc = pa.schema([
        pa.field(f.name, pa.timestamp(f.type.unit, "UTC")) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ])  # fmt: skip
    for row, got in zip(table.cast(utc).to_pylist(), out, strict=True):
        try:
            request = request_of(row, "BJ003", None)
            want = POLICY.evaluate(
                request.result, receiver=request.receiver, at=request.at, context=request.context
            )
        except MutrecError:
            assert got["error"] is not None, (row, got)
            continue
        except (OverflowError, ValueError) as problem:  # the test's own reading of the row
            pytest.fail(f"the scalar path let {problem!r} out for {row}")
        assert got["error"] is None, (row, got)
        assert (got["outcome"], got["codes"], got["expires_at"]) == (
            want.outcome.value, list(want.codes), want.expires_at,
        ), row  # fmt: skip
