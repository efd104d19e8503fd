"""The columnar engine gives exactly the scalar decisions, row by row (outcome, codes, expiry)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import pytest

pa = pytest.importorskip("pyarrow")

from mutrec import examples  # noqa: E402
from mutrec.columnar import evaluate_table  # noqa: E402
from mutrec.columnar._engine import primary_code  # noqa: E402
from mutrec.columnar._rows import request_of  # noqa: E402
from mutrec.errors import MutrecError  # noqa: E402
from mutrec.files import load_example_region, load_region  # noqa: E402
from mutrec.policy import Policy  # noqa: E402

POLICY: Final = Policy.from_region(load_example_region())
ITEMS: Final = (
    "K",
    "Na",
    "Cre",
    "Glu",
    "HbA1c",
    "TSH",
    "HBsAg",
    "anti-HCV",
    "Hb",
    "CT-HEAD",
    "CRP",
    "钾",
    "XX",
)
UNITS: Final = (
    "mmol/L",
    "mg/dL",
    "umol/L",
    "g/L",
    "%",
    "m[IU]/L",
    "[IU]/mL",
    None,
    "bogus",
    " mmol/L",
)
ISSUERS: Final = (
    "BJ001",
    "BJ002",
    "BJ003",
    "BJ004",
    "TJ002",
    "TJ003",
    "SD002",
    "XX9",
    " BJ001",
    "",
)
SPECIMENS: Final = ("serum", "血清", "whole blood", "plasma", "urine", None, "", " serum")
VALUES: Final = ("4.1", "5", "0", "300", "99999", ">300", "阴性", "4,1", "NaN", "-1", "007", " 4.1")
ZONES: Final = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)))
BASE: Final = datetime(2023, 6, 1, tzinfo=UTC)
# Most rows in the lab catalogue's year; some where the county alliance's catalogue (CRP) is in
# force beside a later lab one; a few across Shanghai's daylight-saving years 1986-1991, where
# a local day is not UTC plus one offset.
BASES: Final = (
    (BASE,) * 16 + (datetime(2025, 5, 1, tzinfo=UTC),) * 3 + (datetime(1986, 3, 1, tzinfo=UTC),)
)
CLEAN_UNITS: Final = {
    "K": "mmol/L",
    "Na": "mmol/L",
    "Cre": "umol/L",
    "Glu": "mmol/L",
    "HbA1c": "%",
    "CRP": "mg/L",
}


def _rows(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        collected = rng.choice(BASES) + timedelta(seconds=rng.randrange(0, 400 * 86400))
        zone = rng.choice(ZONES)
        row: dict[str, Any] = {
            "item": rng.choice(ITEMS),
            "unit": rng.choice(UNITS),
            "issuer": rng.choice(ISSUERS),
            "patient": rng.choice(("P1", "P2", " P1")),
            "specimen": rng.choice(SPECIMENS),
            "collected": collected.astimezone(zone),
            "reported": None
            if rng.random() < 0.1
            else collected
            + timedelta(
                seconds=rng.choice((0, 3600, 47 * 3600, 48 * 3600, 48 * 3600 + 1, 9 * 86400))
            ),
            "receiver": rng.choice(("BJ003", "TJ002", "SD001", "ZZ1")),
            "at": collected
            + timedelta(
                seconds=rng.choice(
                    (-1, 0, 3600, 7 * 86400, 7 * 86400 + 3600, 30 * 86400, 15 * 86400 + 1)
                )
                + rng.randrange(0, 2)
            ),
            "setting": rng.choice((None, "outpatient", "inpatient", "emergency", "ICU")),
            "current_patient": rng.choice((None, None, "P1", "P2")),
            "condition_changed": rng.random() < 0.02,
            "result_id": rng.choice((None, "R1", " R2 ", "", "\x00R", "结果3")),
        }
        if rng.random() < 0.7:
            row["value"] = rng.choice(VALUES)
            row["value_f"] = None
        else:
            row["value"] = None
            row["value_f"] = rng.choice((4.1, 5.0, 0.1, 1e6, 130.0, -2.0))
        if rng.random() < 0.6:  # a row as most are: clean cells, the windows' edges kept
            item = rng.choice(tuple(CLEAN_UNITS))
            row.update(
                item=item,
                unit=CLEAN_UNITS[item],
                issuer=rng.choice(ISSUERS[:7]),
                patient="P1",
                current_patient=rng.choice((None, "P1")),
                specimen=rng.choice(("serum", "serum", "whole blood", None)),
                setting=rng.choice((None, "outpatient", "inpatient")),
                condition_changed=False,
                value=rng.choice(("4.1", "5", "4.25", "130", "0", "12")),
                value_f=rng.choice((4.1, 5.0, 4.25, 130.0, 7.5, 12.0)),
            )
            # a report an hour before its collection (an error) now and then
            reported = row["collected"] + timedelta(
                hours=rng.choice((0, 1, 47, 48, 49) * 8 + (-1,))
            )
            edges = (0, 1, 3600, 7 * 86400 - 1, 7 * 86400, 15 * 86400 + 1, 30 * 86400, 60 * 86400)
            row["reported"] = reported
            row["at"] = reported + timedelta(seconds=rng.choice(edges))
        rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]], *, numeric: bool) -> Any:
    ts = pa.timestamp("us", tz="UTC")
    columns: dict[str, Any] = {
        name: pa.array([r[name] for r in rows], pa.string())
        for name in (
            "item",
            "unit",
            "issuer",
            "patient",
            "specimen",
            "receiver",
            "setting",
            "current_patient",
            "result_id",
        )
    }
    for name in ("collected", "reported", "at"):
        columns[name] = pa.array([r[name] for r in rows], ts)
    columns["condition_changed"] = pa.array([r["condition_changed"] for r in rows], pa.bool_())
    if numeric:
        columns["value"] = pa.array(
            [r["value_f"] if r["value_f"] is not None else 4.4 for r in rows], pa.float64()
        )
    else:
        columns["value"] = pa.array(
            [r["value"] if r["value"] is not None else str(r["value_f"]) for r in rows], pa.string()
        )
    return pa.table(columns)


def _scalar(row: dict[str, Any], policy: Policy) -> tuple[Any, ...] | None:
    try:
        request = request_of(row, None, None)
        d = policy.evaluate(
            request.result, receiver=request.receiver, at=request.at, context=request.context
        )
    except MutrecError:
        return None
    expires = None if d.expires_at is None else d.expires_at.astimezone(UTC)
    return d.outcome.value, list(d.codes), primary_code(d.findings), expires, d.value


def _compare(
    count: int, seed: int, *, numeric: bool, policy: Policy = POLICY, years: int = 0
) -> int:
    """Compare the engines on generated rows (moved *years* back); the rows decided one by one."""
    rows = _rows(count, seed)
    back = timedelta(days=round(years * 365.25))
    for row in rows:
        for name in ("collected", "reported", "at"):
            if row[name] is not None:
                row[name] -= back
    table = _table(rows, numeric=numeric)
    if not numeric:  # as Parquet readers give repeated texts: dictionary-encoded
        for name in ("item", "issuer", "unit", "value", "setting"):
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, table.column(name).dictionary_encode())
    out = evaluate_table(policy, table)
    assert out.num_rows == table.num_rows
    fallback = int(out.schema.metadata[b"mutrec.fallback_rows"])
    got = out.to_pylist()
    for i, row in enumerate(table.to_pylist()):
        want = _scalar(row, policy)
        have = got[i]
        if want is None:
            assert have["error"] is not None, (i, row, have)
            continue
        assert (
            have["outcome"],
            have["codes"],
            have["reason"],
            have["expires_at"],
            have["value"],
        ) == want, (i, row, have)
    return fallback


@pytest.mark.parametrize("numeric", [True, False])
def test_same_decisions_as_the_scalar_path(numeric: bool) -> None:
    fallback = _compare(25_000, 12 + numeric, numeric=numeric)
    assert fallback < 20_000  # the vectorised path decided a good share of the rows


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_a_million_rows(seed: int) -> None:
    _compare(50_000, 1000 + seed, numeric=bool(seed % 2))


def _moved_region(folder: Path, zone: str, years: int) -> Policy:
    """The example region in *zone*, its dates moved *years* back."""
    source = Path(str(examples.path("region")))
    for file in source.iterdir():
        text = file.read_text(encoding="utf-8")
        if file.suffix in {".toml", ".csv"}:
            text = re.sub(r"\b(20[0-9]{2})-", lambda m: f"{int(m[1]) - years}-", text)
            text = text.replace('zone = "Asia/Shanghai"', f'zone = "{zone}"')
        (folder / file.name).write_text(text, encoding="utf-8")
    return Policy.from_region(load_region(folder))


def test_a_zone_that_changed_its_offset(tmp_path: Path) -> None:
    """Moscow kept +4 from 2011 to October 2014, then +3: a row, its report or its window's
    end past the change (or in 2014, a year of two offsets) is decided by the scalar path,
    and every decision is the scalar one."""
    policy = _moved_region(tmp_path, "Europe/Moscow", 9)
    fallback = _compare(25_000, 5, numeric=True, policy=policy, years=9)
    assert 5_000 < fallback < 25_000  # both paths decided rows


JIANGSU: Final = """
[acceptance]
source = "苏卫医政〔2022〕18号"
rules = [
  { issuer_min = "二级甲等", receiver_min = "二级甲等" },
  { issuer_max = "二级乙等", receiver_max = "二级乙等" },
  { issuer_not_lower = true },
]
"""


def test_a_program_with_an_acceptance_matrix(tmp_path: Path) -> None:
    """Jiangsu's matrix (by grade, lower accepting higher) on the lab program: the grade rule's
    findings come from its own function per issuer and receiver, after the others."""
    source = Path(str(examples.path("region")))
    for file in source.iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    program = tmp_path / "program-jjjl.toml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text.replace("[policy]", JIANGSU + "\n[policy]"), encoding="utf-8")
    policy = Policy.from_region(load_region(tmp_path))
    fallback = _compare(25_000, 21, numeric=True, policy=policy)
    assert fallback < 20_000  # graded items stay on the vectorised path
