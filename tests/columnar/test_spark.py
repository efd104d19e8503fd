"""On Spark (``local[2]``), every row gets the decision the local columnar engine gives it.

Run by ``nox -s spark`` (which installs the ``spark`` extra; Java 17 must be on the machine):
skipped where pyspark or Java is missing. One Spark session serves the module.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import pytest

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "Java not found: the Spark tests are skipped (install Java 17 to run them)",
        allow_module_level=True,
    )

from pyspark.sql import DataFrame, SparkSession  # noqa: E402

from mutrec.columnar import OUTPUT_COLUMNS, evaluate_spark, evaluate_table  # noqa: E402
from mutrec.errors import ArgumentError  # noqa: E402
from mutrec.policy import Finding, Policy, default_rules  # noqa: E402
from mutrec.synth import generate, province  # noqa: E402

pytestmark = [
    pytest.mark.spark,
    # pyspark warns of pandas 3 when a Spark UDF is made; mapInArrow uses no pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

POLICY: Final = Policy.from_region(province())
ROWS: Final = 100_000
EDGE_ROWS: Final = 5_000
CST: Final = timezone(timedelta(hours=8))
# The JVM's first compiler tier only, and the serial collector: a job of seconds on two busy
# cores spends more on compiling and collecting in parallel than it gains (about a third of
# the session's time measured on CI's two cores).
JVM_OPTIONS: Final = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
# log4j 2: errors only, so a passing run prints nothing of Spark's.
LOG4J: Final = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """Spark in ``local[2]``: two cores, no UI, two shuffle partitions, quiet logs.

    The session's zone is Asia/Shanghai, not UTC, so that the instants reach the executors in
    another zone than the local engine's input has them in.
    """
    log4j = tmp_path_factory.mktemp("spark") / "log4j2.properties"
    log4j.write_text(LOG4J, encoding="utf-8")
    log4j_option = f"-Dlog4j2.configurationFile={log4j.as_uri()}"
    with pytest.MonkeyPatch.context() as patch:
        # The executors' Python is this one (not whatever python3 is on PATH); the host's
        # name need not resolve.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        session = (
            SparkSession.builder.master("local[2]")
            .appName("mutrec-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "Asia/Shanghai")
            # A Parquet file of a few MB in two partitions, so that both cores decide.
            .config("spark.sql.files.maxPartitionBytes", str(2 << 20))
            .config("spark.driver.extraJavaOptions", " ".join([*JVM_OPTIONS, log4j_option]))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


# Edge cases the synthetic province does not make: each replaces a field of a generated row.
NASTY: Final[dict[str, tuple[str | None, ...]]] = {
    "value": (
        "", " 4.1", "4,1", ">300", "<0.1", "阴性", "NaN", "inf", "1e309", "-0", "４.１", "9" * 20,
    ),
    "unit": ("", "mmol/l", "bogus", "mg/dL", " %", None, "10*9/L"),
    "item": ("", "k", "钾", "XX", "CT-HEAD", "K ", None),
    "kind": ("", "imaging", "lab", "other", None),
    "collected": (
        "", "2024-06-07", "2024-06-07T16:41:00", "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00", "2024-02-30T00:00:00+08:00", "2024-06-07T16:41:00+14:00",
        "2024-06-07T08:41:00Z", None,
    ),
    "reported": ("", "not a date", "2023-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", None),
    "at": ("", "2024-06-07T16:41:00", "2030-01-01T00:00:00+08:00", None),
    "issuer": ("", " ", "HB002 ", "未知", "\x00", None),
    "patient": ("", " ", "P1\n", None),
    "receiver": ("", "HB101 ", "nowhere", None),
    "specimen": ("", "urine", "血清", "serum ", None),
    "setting": ("", "emergency", "inpatient", "icu", None),
    "detector_rows": ("abc", "-1", "64.5", "", "1e3"),
    "field_strength_t": ("3T", "1.5", "-3", ""),
    "purpose": ("before_surgery", "bogus", ""),
    "condition_changed": ("true", "false", "yes", ""),
    "resuscitation": ("true", "1", ""),
    "local_grounds": ("patient_request", "nope", ""),
}  # fmt: skip


def _province_rows() -> Any:
    """100,000 rows: the synthetic province's, then edge cases made from them (all text)."""
    plain = generate(ROWS - EDGE_ROWS, seed=20241130)
    rng = random.Random(20241130)
    base = generate(EDGE_ROWS, seed=20241201).to_pylist()
    edge = []
    for n, row in enumerate(base):
        for field in rng.sample(sorted(NASTY), rng.randint(1, 3)):
            row[field] = rng.choice(NASTY[field])
        row["result_id"] = f"E{n:05d}"
        edge.append(row)
    names = [*plain.column_names, *(f for f in sorted(NASTY) if f not in plain.column_names)]
    schema = pa.schema([(name, pa.string()) for name in names])
    for name in names[plain.num_columns :]:
        plain = plain.append_column(name, pa.nulls(plain.num_rows, pa.string()))
    both = pa.concat_tables([plain.select(names), pa.Table.from_pylist(edge, schema=schema)])
    assert both.num_rows == ROWS
    return both


def _same(one: object, other: object) -> bool:
    nan = isinstance(one, float) and isinstance(other, float) and math.isnan(one)
    return one == other or (nan and math.isnan(other))  # type: ignore[arg-type]


def _compare(local: Any, ids: Any, decided: Any, key: str) -> None:
    """Every row of *decided* (from Spark, any order) is *local*'s row of the same *key*.

    Both sorted by the key (unique), then compared column by column; a column that differs
    is compared row by row, for the message.
    """
    columns = {name: local.column(name) for name in OUTPUT_COLUMNS}
    for name, column in columns.items():
        if pa.types.is_dictionary(column.type):
            columns[name] = column.cast(column.type.value_type)
    expected = pa.table({key: ids, **columns}).sort_by(key)
    got = decided.select([key, *OUTPUT_COLUMNS]).sort_by(key)
    assert pc.count_distinct(expected.column(key)).as_py() == expected.num_rows
    assert got.column(key).equals(expected.column(key))  # each key once, none missing
    for name in OUTPUT_COLUMNS:
        want, have = expected.column(name), got.column(name)
        if have.type != want.type:
            have = have.cast(want.type)  # a list's field name: Spark's "element"
        if have.equals(want):
            continue
        pairs = zip(
            expected.column(key).to_pylist(), want.to_pylist(), have.to_pylist(), strict=True
        )
        wrong = [(k, a, b) for k, a, b in pairs if not _same(a, b)]
        assert not wrong, f"{name}: {len(wrong)} rows differ, such as {wrong[:3]}"


def test_spark_decides_as_the_local_engine_on_100000_rows(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The rows go through Parquet, as ``mutrec synth`` writes them and Spark reads them."""
    rows = _province_rows()
    local = evaluate_table(POLICY, rows)
    pq.write_table(rows, tmp_path / "rows.parquet", row_group_size=25_000)
    frame = spark.read.parquet(str(tmp_path / "rows.parquet"))
    assert frame.rdd.getNumPartitions() == 2
    decided = evaluate_spark(POLICY, frame, keep=["result_id"]).toArrow()
    assert decided.column_names == ["result_id", *OUTPUT_COLUMNS]
    _compare(local, rows.column("result_id"), decided, "result_id")
    # The rows are a real mix: every outcome, rows the engine could not read, both paths.
    outcomes = set(local.column("outcome").to_pylist())
    assert outcomes == {"recognised", "recognised_with_caution", "not_recognised", None}
    assert local.column("error").null_count < ROWS - 1000
    fallback = int(local.schema.metadata[b"mutrec.fallback_rows"])
    assert 0 < fallback < ROWS // 2


def _typed_rows(count: int) -> Any:
    """Typed columns: numbers, instants as timestamps in three zones, flags as booleans."""
    rng = random.Random(7)
    rows = generate(count, seed=11).to_pylist()

    def number(text: str | None) -> float | None:
        try:
            return float(text) if text is not None else None
        except ValueError:
            return rng.choice([None, math.nan, math.inf, -1.0])

    def instant(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text).astimezone(UTC)

    columns: dict[str, Any] = {
        "result_id": pa.array(range(count), pa.int64()),
        "ward.name": [rng.choice(["心内科", "ICU", None]) for _ in range(count)],
        "value": [number(r["value"]) for r in rows],
        "condition_changed": [rng.random() < 0.05 for _ in range(count)],
    }
    for name in ("item", "unit", "specimen", "issuer", "patient", "setting", "kind"):
        columns[name] = [r[name] for r in rows]
    for name, zone in zip(
        ("collected", "reported", "at"), ("UTC", "+08:00", "-05:00"), strict=True
    ):
        kind = pa.timestamp("us", tz=zone)
        values = [instant(r[name]) for r in rows]
        columns[name] = pa.array(values, pa.timestamp("us", tz="UTC")).cast(kind)
    return pa.table(columns)


def test_typed_columns_and_kept_ones_come_through(spark: SparkSession) -> None:
    rows = _typed_rows(4000)
    local = evaluate_table(POLICY, rows, receiver="HB101")
    frame = spark.createDataFrame(rows).repartition(3)
    out = evaluate_spark(POLICY, frame, keep=["result_id", "ward.name"], receiver="HB101")
    assert [f.dataType.simpleString() for f in out.schema.fields[:5]] == [
        "bigint", "string", "string", "string", "array<string>",
    ]  # fmt: skip
    decided = out.toArrow()
    _compare(local, rows.column("result_id"), decided, "result_id")
    ids, names = rows.column("result_id").to_pylist(), rows.column("ward.name").to_pylist()
    wards = dict(zip(ids, names, strict=True))
    assert all(wards[r["result_id"]] == r["ward.name"] for r in decided.to_pylist())
    assert {"recognised", "not_recognised"} <= set(local.column("outcome").to_pylist())


def test_instants_without_a_zone_are_refused_row_by_row(spark: SparkSession) -> None:
    """A ``TIMESTAMP_NTZ`` instant has no zone: each row says so, none is given a zone."""
    frame = spark.sql(
        "SELECT 'R1' AS result_id, 'K' AS item, 4.1D AS value, 'mmol/L' AS unit, "
        "'HB002' AS issuer, 'P1' AS patient, 'serum' AS specimen, "
        "TIMESTAMP_NTZ '2024-06-07 08:00:00' AS collected"
    )
    at = datetime(2024, 6, 8, tzinfo=UTC)
    [row] = evaluate_spark(POLICY, frame, keep=["result_id"], receiver="HB101", at=at).collect()
    assert row.outcome is None
    assert row.error.startswith("TimeZoneError: 'collected' is a naive datetime")


class _Locked:
    """A vendor rule holding a lock: it does not pickle, so it cannot be shipped."""

    code_prefix = "acme"

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def check(self, subject: object, /) -> tuple[Finding, ...]:
        return ()


def test_arguments_are_refused_before_spark_runs(spark: SparkSession) -> None:
    frame = spark.createDataFrame(generate(10, seed=1))
    with pytest.raises(ArgumentError, match=r"(?s)'frame' = .*expected a pyspark\.sql\.DataFrame"):
        evaluate_spark(POLICY, generate(10, seed=1))
    with pytest.raises(ArgumentError, match="'keep' = 'id': expected a column of the frame"):
        evaluate_spark(POLICY, frame, keep=["id"])
    with pytest.raises(ArgumentError, match=r"'keep\[0\]' = 'value'"):
        evaluate_spark(POLICY, frame, keep=["value"])
    locked = Policy.from_region(province(), [*default_rules(), _Locked()])
    with pytest.raises(ArgumentError, match=r"'rules\[11\]'.*a rule that pickles"):
        evaluate_spark(locked, frame)
    assert isinstance(evaluate_spark(POLICY, frame), DataFrame)  # lazy: nothing ran yet


def test_the_executors_run_this_mutrec(spark: SparkSession) -> None:
    """The executors' Python is the driver's: the decisions came from the mutrec under test."""
    import mutrec

    where = spark.sparkContext.parallelize([0], 1).map(lambda _: __import__("mutrec").__file__)
    assert Path(str(where.collect()[0])).resolve() == Path(str(mutrec.__file__)).resolve()
