"""The synthetic province: determinism, distributions, the rows mutrec check reads, hostility."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from statistics import median
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pytest.importorskip("numpy")

from mutrec.cli import main  # noqa: E402
from mutrec.errors import MutrecError  # noqa: E402
from mutrec.files import load_example_region, load_region  # noqa: E402
from mutrec.files.columns import CHECK_COLUMNS  # noqa: E402
from mutrec.policy import Policy  # noqa: E402
from mutrec.synth import (  # noqa: E402
    COLUMNS,
    annotate,
    behave,
    decide_rows,
    generate,
    province,
    with_window,
    write_parquet,
    write_region,
)

REGION = province(seed=11)
ROWS = generate(12_000, seed=11, region=REGION)


def test_columns_are_check_columns() -> None:
    assert set(COLUMNS) <= CHECK_COLUMNS
    assert ROWS.column_names == list(COLUMNS)
    assert ROWS.num_rows == 12_000


def test_same_seed_same_table_other_seed_other_table() -> None:
    assert generate(12_000, seed=11, region=REGION).equals(ROWS)
    assert not generate(12_000, seed=12, region=REGION).equals(ROWS)


def test_same_seed_same_parquet_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert write_parquet(one, 5000, seed=4, batch_rows=2048) == 5000
    write_parquet(two, 5000, seed=4, batch_rows=2048)
    assert one.read_bytes() == two.read_bytes()
    import pyarrow.parquet as pq

    written = pq.read_table(one)
    assert written.num_rows == 5000
    assert pq.ParquetFile(one).metadata.num_row_groups == 3  # one per batch: streamed


def _hours(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() / 3600


def test_revisit_intervals_follow_the_documented_mix() -> None:
    by_setting: dict[str, list[float]] = {}
    for row in ROWS.select(["setting", "reported", "at"]).to_pylist():
        by_setting.setdefault(row["setting"], []).append(_hours(row["at"], row["reported"]))
    total = sum(len(v) for v in by_setting.values())
    assert len(by_setting["inpatient"]) / total == pytest.approx(0.25, abs=0.03)
    assert len(by_setting["emergency"]) / total == pytest.approx(0.10, abs=0.02)
    # gamma(2, 1 day): median ≈ 1.68 days; lognormal median 14 days; gamma(1, 12 h): 8.3 h.
    assert median(by_setting["inpatient"]) / 24 == pytest.approx(1.68, rel=0.15)
    assert median(by_setting["outpatient"]) / 24 == pytest.approx(14, rel=0.1)
    assert median(by_setting["emergency"]) == pytest.approx(12 * math.log(2), rel=0.2)
    assert all(h > 0 for values in by_setting.values() for h in values)


def test_shares_of_kinds_zones_and_noise() -> None:
    rows = ROWS.to_pylist()
    lab = [r for r in rows if r["kind"] == "lab"]
    assert len(lab) / len(rows) == pytest.approx(0.8, abs=0.04)
    assert sum(r["at"].endswith("Z") for r in rows) / len(rows) == pytest.approx(0.02, abs=0.015)
    assert sum(r["specimen"] == "urine" for r in lab) / len(lab) == pytest.approx(0.01, abs=0.005)
    ct = [r for r in rows if r["modality"] == "CT"]
    assert ct
    assert all(r["detector_rows"] in {"4", "16", "64", "128", "256"} for r in ct)
    assert all(r["field_strength_t"] for r in rows if r["modality"] == "MR")
    assert all(r["issuer"] != r["receiver"] for r in rows)
    # a report (份) is one issuer's, one patient's, one visit
    reports: dict[str, set[tuple[str, str, str]]] = {}
    for r in rows:
        reports.setdefault(r["result_id"].split("-")[0], set()).add(
            (r["issuer"], r["patient"], r["at"])
        )
    assert all(len(v) == 1 for v in reports.values())


def test_qc_failure_share() -> None:
    base = load_example_region()
    labs = sorted({i.code for c in base.catalogues for i in c.items if i.kind.value == "lab"})
    pairs = len(base.institutions) * len(labs)
    for share in (0.0, 0.2, 1.0):
        region = province(seed=2, qc_fail_share=share)
        failed = [r for r in region.quality.records if "生成" in (r.centre or "")]
        assert len(failed) / pairs == pytest.approx(share, abs=0.05)


def test_decisions_agree_with_mutrec_check(tmp_path: Path) -> None:
    """The scalar decider reads the rows as ``mutrec check`` does, against the written region."""
    region_dir = write_region(REGION, tmp_path / "region")
    assert len(load_region(region_dir).quality.records) == len(REGION.quality.records)
    sample = ROWS.slice(0, 400)
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in sample.to_pylist():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    text = io.StringIO()
    status = main(["check", str(path), "--region", str(region_dir), "--format", "csv"], out=text)
    assert status == 0
    checked = list(csv.DictReader(io.StringIO(text.getvalue())))
    decided = decide_rows(Policy.from_region(REGION), sample)
    assert [row["outcome"] for row in checked] == decided.column("outcome").to_pylist()
    assert len({row["outcome"] for row in checked}) == 3  # all three outcomes occur


def test_annotate_and_behave() -> None:
    decided = decide_rows(Policy.from_region(REGION), ROWS.slice(0, 3000))
    table = behave(annotate(decided, REGION), seed=1)
    assert table.num_rows == 3000
    row = table.to_pylist()[0]
    assert row["level"] in {"三级", "二级", "一级", "未定级"}
    assert row["week"].startswith("2024-W")
    assert row["region"].endswith("00")
    assert row["report"] == row["result_id"].split("-")[0]
    assert behave(annotate(decided, REGION), seed=1).equals(table)
    rows = table.to_pylist()
    assert sum(r["looked_up"] for r in rows) / len(rows) == pytest.approx(0.7, abs=0.04)
    assert all(
        r["reminded"] == (r["outcome"] in {"recognised", "recognised_with_caution"}) for r in rows
    )
    assert all(
        (r["override_ground"] is not None) == (r["reminded"] and not r["adopted"]) for r in rows
    )


def test_with_window_changes_only_that_item() -> None:
    from mutrec.stats import what_if

    sample = ROWS.slice(0, 3000)
    result = what_if(
        sample, Policy.from_region(REGION), Policy.from_region(with_window(REGION, "K", 1)),
        fees=REGION.fees,
    )  # fmt: skip
    assert result.count > 0
    assert set(result.changed.column("item_code").to_pylist()) == {"K"}
    assert set(result.changed.column("outcome_after").to_pylist()) == {"not_recognised"}
    assert "window.expired" in result.changed.column("code_after").to_pylist()
    assert result.rate_change is not None
    assert result.rate_change < 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rows": -1},
        {"rows": "10"},
        {"rows": True},
        {"rows": 10**12},
        {"rows": 10, "seed": -1},
        {"rows": 10, "seed": 1.5},
        {"rows": 10, "days": 0},
        {"rows": 10, "start": "2024-01-01"},
        {"rows": 10, "start": datetime(2024, 1, 1)},  # noqa: DTZ001
        {"rows": 10, "lab_share": 2.0},
        {"rows": 10, "lab_share": float("nan")},
        {"rows": 10, "region": "region.toml"},
    ],
)
def test_hostile_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(MutrecError):
        generate(**kwargs)


def test_hostile_arguments_elsewhere(tmp_path: Path) -> None:
    for share in (-0.1, 1.5, float("nan"), "0.1", True):
        with pytest.raises(MutrecError):
            province(qc_fail_share=share)  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        write_parquet(None, 10)  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        write_parquet(tmp_path / "x.parquet", 10, batch_rows=0)
    for item, days in (("nope", 3), ("K", 0), ("K", True), (None, 3)):
        with pytest.raises(MutrecError):
            with_window(REGION, item, days)  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        decide_rows("policy", ROWS)  # type: ignore[arg-type]
    with pytest.raises(MutrecError):
        annotate(ROWS.select(["kind"]), REGION)
    with pytest.raises(MutrecError):
        behave(ROWS, seed=-1)


def test_generate_zero_rows_and_other_periods() -> None:
    assert generate(0).num_rows == 0
    table = generate(500, seed=1, region=REGION, start=date(2024, 3, 1), days=7)
    ats = [datetime.fromisoformat(a) for a in table.column("at").to_pylist()]
    assert min(ats).date() >= date(2024, 2, 29)
    assert max(ats).date() <= date(2024, 3, 8)


def test_cli_synth(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "p.parquet"
    status = main(
        ["synth", str(path), "--rows", "2000", "--seed", "3", "--region-out", str(tmp_path / "r")],
        out=out, err=err,
    )  # fmt: skip
    assert status == 0, err.getvalue()
    assert "2,000 rows written" in out.getvalue()
    assert (tmp_path / "r" / "region.toml").exists()
    err = io.StringIO()
    assert main(["synth", str(path), "--rows", "-5"], out=out, err=err) == 1
    assert "rows" in err.getvalue()


def test_import_mutrec_loads_no_arrow() -> None:
    code = (
        "import sys, mutrec, mutrec.stats, mutrec.synth; "
        "print(sorted(m for m in ('pyarrow', 'numpy', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


nasty = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.binary(max_size=10), st.lists(st.integers(), max_size=3), st.datetimes(),
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(rows=nasty, seed=nasty, days=nasty, lab_share=nasty)
def test_hostile_generator_arguments_raise_only_mutrec_errors(
    rows: Any, seed: Any, days: Any, lab_share: Any
) -> None:
    if isinstance(rows, int) and not isinstance(rows, bool):
        rows = min(abs(rows), 50) * (1 if rows >= 0 else -1)  # keep valid sizes small
    with contextlib.suppress(MutrecError):
        generate(rows, seed=seed, region=REGION, days=days, lab_share=lab_share)


def test_annotate_refuses_text_that_is_no_instant() -> None:
    table = pa.table({"receiver": ["BJ001"], "at": ["garbage"], "result_id": ["R1-1"]})
    with pytest.raises(MutrecError):
        annotate(table, REGION)
