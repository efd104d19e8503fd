"""The columnar statistics, each formula checked on a small table computed by hand."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from mutrec.errors import MutrecError  # noqa: E402
from mutrec.files import load_example_region  # noqa: E402
from mutrec.model import FeeSchedule  # noqa: E402
from mutrec.policy import Policy  # noqa: E402
from mutrec.stats import (  # noqa: E402
    WhatIf,
    fee_table,
    overrides_table,
    reasons_table,
    weekly_html,
    weekly_report,
    what_if,
)

R, C, N = "recognised", "recognised_with_caution", "not_recognised"

# Seven rows. Fees (example schedule): K 5, CT-HEAD 180, Glu 5, MR-HEAD 450, Na 5, DR-CHEST 60.
ROWS: list[dict[str, Any]] = [
    # outcome, code, item, receiver, week, report, looked_up, reminded, adopted, override
    dict(zip(
        ("outcome", "code", "item_code", "receiver", "week", "report", "looked_up",
         "reminded", "adopted", "override_ground"), row, strict=True))
    for row in (
        (R, None, "K", "A", "W1", "r1", True, True, True, None),
        (R, None, "CT-HEAD", "A", "W1", "r1", True, True, False, "condition_changed"),
        (C, "ground.emergency", "Glu", "A", "W1", "r2", False, True, True, None),
        (N, "qc.failed", "K", "B", "W1", "r3", True, False, False, None),
        (N, "window.expired", "MR-HEAD", "B", "W2", "r4", True, False, False, None),
        (None, None, "Na", "B", "W2", "r4", False, False, False, None),
        (R, None, "DR-CHEST", "B", "W2", "r5", False, True, True, None),
    )
]  # fmt: skip
TABLE = pa.Table.from_pylist(ROWS)


def _fees() -> FeeSchedule:
    fees = load_example_region().fees
    assert fees is not None
    return fees


FEES = _fees()


def by_key(table: Any, key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in table.to_pylist()}


def test_weekly_report_by_week_by_hand() -> None:
    weeks = by_key(weekly_report(TABLE, by=["week"], fees=FEES), "week")
    w1, w2 = weeks["W1"], weeks["W2"]
    # W1: 4 decided; 2 recognised, 1 with caution, 1 not.
    assert (w1["results"], w1["recognised"], w1["with_caution"], w1["not_recognised"]) == (
        4, 2, 1, 1,
    )  # fmt: skip
    assert w1["rate"] == 0.5
    assert w1["rate_with_caution"] == 0.75
    # reports r1 (both recognised), r2 (caution), r3 (not): 1 of 3.
    assert (w1["reports"], w1["reports_recognised"]) == (3, 1)
    assert w1["report_rate"] == pytest.approx(1 / 3)
    # looked up: rows 1, 2, 4; recognised among them: 1, 2.
    assert (w1["lookups"], w1["lookup_rate"]) == (3, pytest.approx(2 / 3))
    # reminded: 1, 2, 3; adopted: 1, 3.
    assert (w1["reminders"], w1["adoptions"], w1["sync_rate"]) == (3, 2, pytest.approx(2 / 3))
    assert w1["overrides"] == 1
    # saved: K (row 1); CT-HEAD was overridden (repeated), Glu is with caution (possible).
    assert (w1["saved_lab"], w1["saved_ct"], w1["saved"]) == (
        Decimal("5.00"), Decimal("0.00"), Decimal("5.00"),
    )  # fmt: skip
    assert w1["possible"] == Decimal("5.00")
    # W2: row 6 undecided; 1 recognised of 2; reports r4 (not; undecided left out) and r5.
    assert (w2["results"], w2["undecided"], w2["rate"], w2["rate_with_caution"]) == (
        2, 1, 0.5, 0.5,
    )  # fmt: skip
    assert (w2["reports"], w2["reports_recognised"], w2["report_rate"]) == (2, 1, 0.5)
    assert (w2["lookups"], w2["lookup_rate"]) == (1, 0.0)
    assert (w2["reminders"], w2["adoptions"], w2["sync_rate"]) == (1, 1, 1.0)
    assert (w2["saved_dr"], w2["saved"], w2["possible"]) == (
        Decimal("60.00"), Decimal("60.00"), Decimal("0.00"),
    )  # fmt: skip


def test_weekly_report_overall_and_by_receiver() -> None:
    [overall] = weekly_report(TABLE, by=(), fees=FEES).to_pylist()
    assert (overall["results"], overall["undecided"], overall["rate"]) == (6, 1, 0.5)
    assert overall["rate_with_caution"] == pytest.approx(4 / 6)
    assert (overall["reports"], overall["reports_recognised"], overall["report_rate"]) == (
        5, 2, 0.4,
    )  # fmt: skip
    assert (overall["lookup_rate"], overall["sync_rate"]) == (0.5, 0.75)
    assert (overall["saved"], overall["possible"]) == (Decimal("65.00"), Decimal("5.00"))
    receivers = by_key(weekly_report(TABLE, by=["receiver"]), "receiver")
    assert receivers["A"]["rate"] == pytest.approx(2 / 3)
    assert receivers["B"]["rate"] == pytest.approx(1 / 3)
    assert "saved" not in receivers["A"]  # no fee schedule, no savings


def test_unknown_behaviour_is_null_not_zero() -> None:
    bare = TABLE.select(["outcome", "week"])
    [row] = weekly_report(bare, by=()).to_pylist()
    assert row["lookup_rate"] is None
    assert row["sync_rate"] is None
    assert "report_rate" not in row


def test_reasons_and_overrides_by_hand() -> None:
    assert reasons_table(TABLE).to_pylist() == [
        {"code": "qc.failed", "count": 1},
        {"code": "window.expired", "count": 1},
    ]
    assert reasons_table(TABLE, by=["week"]).to_pylist() == [
        {"week": "W1", "code": "qc.failed", "count": 1},
        {"week": "W2", "code": "window.expired", "count": 1},
    ]
    assert overrides_table(TABLE).to_pylist() == [{"ground": "condition_changed", "count": 1}]


def test_fee_table_matches_the_schedule() -> None:
    fees = {row["item_code"]: row for row in fee_table(FEES).to_pylist()}
    assert fees["CT-HEAD"]["amount"] == Decimal("180.00")
    assert fees["CT-HEAD"]["bucket"] == "ct"
    assert fees["US-ABDOMEN"]["bucket"] == "other"


def test_empty_table() -> None:
    empty = TABLE.slice(0, 0)
    assert weekly_report(empty, by=["week"]).num_rows == 0
    assert reasons_table(empty).num_rows == 0


@pytest.mark.parametrize(
    ("decisions", "kwargs"),
    [
        ("not a table", {}),
        (None, {}),
        (pa.table({"x": [1]}), {}),
        (TABLE, {"by": "week"}),
        (TABLE, {"by": ["nope"]}),
        (TABLE, {"by": ["region"]}),
        (TABLE, {"by": ["week", "week"]}),
        (TABLE, {"by": [1]}),
        (TABLE, {"by": None}),
        (TABLE, {"fees": "fees.toml"}),
    ],
)
def test_hostile_arguments(decisions: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(MutrecError):
        weekly_report(decisions, **kwargs)


def test_hostile_arguments_elsewhere() -> None:
    with pytest.raises(MutrecError):
        reasons_table(TABLE.drop_columns(["code"]))
    with pytest.raises(MutrecError):
        overrides_table(TABLE.drop_columns(["override_ground"]))
    with pytest.raises(MutrecError):
        fee_table("fees")  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        weekly_html("report")
    policy = Policy([])
    with pytest.raises(MutrecError):
        what_if(TABLE, policy, "policy")  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        what_if("rows", policy, policy)
    with pytest.raises(MutrecError):
        what_if(TABLE, policy, policy, decide="fast")  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        what_if(TABLE, policy, policy, decide=lambda _p, t: t.slice(0, 1))


def _decided(outcomes: list[str | None], codes: list[list[str]]) -> Any:
    n = len(outcomes)
    return pa.table(
        {
            "result_id": [f"R{i}" for i in range(n)],
            "outcome": outcomes,
            "code": [c[0] if c else None for c in codes],
            "codes": pa.array(codes, pa.list_(pa.string())),
            "item_code": ["K", "CT-HEAD", "Glu", "K"][:n],
            "receiver": ["A"] * n,
        }
    )


def test_what_if_by_hand_with_a_given_decider() -> None:
    before = _decided([R, R, N, N], [[], [], ["qc.failed"], ["window.expired"]])
    # Row 1 (CT-HEAD) now refused; row 3 refused for another reason; rows 0 and 2 the same.
    after = _decided([R, N, N, N], [[], ["window.expired"], ["qc.failed"], ["qc.no_record"]])
    a, b = Policy([]), Policy([])
    history = pa.table({"result_id": ["R0", "R1", "R2", "R3"]})
    result = what_if(history, a, b, fees=FEES, decide=lambda p, _t: before if p is a else after)
    assert isinstance(result, WhatIf)
    assert result.rows == 4
    assert result.count == 2
    assert result.changed.column("result_id").to_pylist() == ["R1", "R3"]
    assert (result.rate_before, result.rate_after, result.rate_change) == (0.5, 0.25, -0.25)
    # K (5.00) + CT-HEAD (180.00) saved before; K alone after.
    assert (result.saved_before, result.saved_after) == (Decimal("185.00"), Decimal("5.00"))
    assert result.saved_change == Decimal("-180.00")


def test_report_page_shows_the_figures() -> None:
    page = weekly_html(weekly_report(TABLE, by=["week"], fees=FEES), note="<示例>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<td>W1</td>" in page
    assert "<td>50.0%</td>" in page
    assert "&lt;示例&gt;" in page


def test_charts_are_png_and_refuse_a_wrong_table() -> None:
    pytest.importorskip("matplotlib")
    from mutrec.stats import chart_language, weekly_charts

    weekly = weekly_report(TABLE, by=["week"], fees=FEES)
    charts = weekly_charts(weekly, reasons_table(TABLE))
    assert sorted(charts) == ["rate.png", "reasons.png", "savings.png"]
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in charts.values())
    assert sorted(weekly_charts(weekly_report(TABLE, by=["week"]))) == ["rate.png"]
    assert chart_language() in {"zh", "en"}
    page = weekly_html(weekly, charts=charts)
    assert page.count("data:image/png;base64,") == 3
    with pytest.raises(MutrecError):
        weekly_charts(weekly, key="level")
    with pytest.raises(MutrecError):
        weekly_charts("weekly")


nasty = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.binary(max_size=10), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(by=nasty, fees=nasty)
def test_hostile_groupings_raise_only_mutrec_errors(by: Any, fees: Any) -> None:
    with contextlib.suppress(MutrecError):
        weekly_report(TABLE, by=by, fees=fees)


def test_columns_of_the_wrong_type_are_argument_errors() -> None:
    for table in (
        pa.table({"outcome": ["recognised"], "week": ["W1"], "looked_up": ["yes"]}),
        pa.table({"outcome": [1], "week": ["W1"]}),
        pa.table({"outcome": ["recognised"], "week": ["W1"], "item_code": [3]}),
    ):
        with pytest.raises(MutrecError):
            weekly_report(table, fees=FEES)
    with pytest.raises(MutrecError):
        reasons_table(pa.table({"outcome": [1], "code": ["x"]}))
