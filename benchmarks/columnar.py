"""Benchmark mutrec.columnar against ``Policy.evaluate_many`` on the same rows.

Rows: lab results of the bundled example region (items, issuers, specimens, units, settings,
times and patient ids drawn with a fixed seed, as in ``tests/columnar``; a result id per row),
built once as an Arrow table and as requests. Both engines are warmed up on the first 10,000
rows, then decide every row; times are CPU seconds (``time.process_time``). Then
the rows are written to Parquet (repeated up to ``--stream-rows``) and streamed through
``evaluate_parquet`` in a fresh process, whose peak resident set size (``VmHWM``) is reported.

Usage: ``python benchmarks/columnar.py [--rows N] [--stream-rows M]`` (default 1,000,000 each;
``--stream-rows 10000000`` for the issue's memory figure).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mutrec.columnar import evaluate_table
from mutrec.columnar._rows import request_of
from mutrec.files import load_example_region
from mutrec.policy import Policy

ITEMS = ("K", "Glu", "TC", "Urea")
UNITS = {"K": "mmol/L", "Glu": "mmol/L", "TC": "mmol/L", "Urea": "mmol/L"}
ISSUERS = ("BJ001", "BJ002", "BJ003", "TJ001", "TJ003", "HB001", "SD001", "BJ004")


def _table(count: int, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    base = datetime(2023, 8, 1, tzinfo=UTC)
    items, collected, reported, at, issuers = [], [], [], [], []
    for _ in range(count):
        c = base + timedelta(seconds=rng.randrange(0, 300 * 86400))
        items.append(rng.choice(ITEMS))
        collected.append(c)
        reported.append(c + timedelta(hours=rng.choice((1, 3, 20))))
        at.append(c + timedelta(days=rng.choice((1, 3, 9, 20))))
        issuers.append(rng.choice(ISSUERS))
    ts = pa.timestamp("us", tz="UTC")
    return pa.table({
        "item": pa.array(items).dictionary_encode(),
        "value": pa.array([round(rng.uniform(3.6, 5.2), 2) for _ in range(count)]),
        "unit": pa.array([UNITS[i] for i in items]).dictionary_encode(),
        "specimen": pa.array(["serum"] * count).dictionary_encode(),
        "issuer": pa.array(issuers).dictionary_encode(),
        # As a province's rows are: a patient id in five rows or so, a result id in one.
        "patient": pa.array([f"P{rng.randrange(count // 5 + 1):08d}" for _ in range(count)]),
        "result_id": pa.array([f"R{i:09d}" for i in range(count)]),
        "receiver": pa.array(["BJ003"] * count).dictionary_encode(),
        "collected": pa.array(collected, ts),
        "reported": pa.array(reported, ts),
        "at": pa.array(at, ts),
    })  # fmt: skip


_CHILD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from mutrec.columnar import evaluate_parquet\n"
    "from mutrec.files import load_example_region\n"
    "from mutrec.policy import Policy\n"
    "policy = Policy.from_region(load_example_region())\n"
    "def peak():\n"
    "    # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)\n"
    "    status = Path('/proc/self/status').read_text()\n"
    "    return next(int(l.split()[1]) for l in status.splitlines() if l.startswith('VmHWM'))\n"
    "idle = peak()\n"
    "start = time.process_time()\n"
    "evaluate_parquet(policy, Path(sys.argv[1]), Path(sys.argv[2]))\n"
    "spent = time.process_time() - start\n"
    "print(spent, peak(), idle)\n"
)


def _stream_in_a_fresh_process(src: Path, dst: Path) -> tuple[float, int, int]:
    """CPU seconds, peak and starting RSS (KiB) of a fresh process streaming *src*."""
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", _CHILD, str(src), str(dst)],
        capture_output=True,
        text=True,
        check=True,
    )
    spent, peak, idle = done.stdout.split()
    return float(spent), int(peak), int(idle)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows decided by both")
    parser.add_argument(
        "--stream-rows", type=int, default=0, help="rows streamed (default: --rows)"
    )
    args = parser.parse_args()
    n = args.rows
    policy = Policy.from_region(load_example_region())
    table = _table(n)
    # Each engine is warmed up on the first rows (imports, caches, the policy's plans), then
    # timed after a full garbage collection with only what it needs alive: the columnar run
    # before the million request objects exist (the collector's passes over them would cost
    # it more than its own work), evaluate_many counting decisions rather than keeping them.
    # The columnar run takes a fifth of a second, where a stray millisecond of the machine's
    # shows: it is the median of five runs (evaluate_many's run is long enough to average).
    evaluate_table(policy, table.slice(0, 10_000))
    runs = []
    for _ in range(5):
        gc.collect()
        start = time.process_time()
        out = evaluate_table(policy, table)
        runs.append(time.process_time() - start)
    columnar = statistics.median(runs)
    requests = [request_of(row, None, None) for row in table.to_pylist()]
    list(policy.evaluate_many(requests[:10_000]))
    gc.collect()
    start = time.process_time()
    decided = sum(1 for _ in policy.evaluate_many(requests))
    scalar = time.process_time() - start
    assert decided == out.num_rows  # noqa: S101
    fallback = int(out.schema.metadata[b"mutrec.fallback_rows"])

    m = args.stream_rows or n
    with tempfile.TemporaryDirectory() as folder:
        src, dst = Path(folder) / "in.parquet", Path(folder) / "out.parquet"
        with pq.ParquetWriter(src, table.schema) as writer:
            for first in range(0, m, n):
                writer.write_table(table.slice(0, min(n, m - first)), row_group_size=65_536)
        del table, requests, out
        streamed, peak, idle = _stream_in_a_fresh_process(src, dst)

    print(f"{'engine':<28}{'rows':>12}{'CPU s':>10}{'rows/s':>14}")
    print(f"{'evaluate_many':<28}{n:>12,}{scalar:>10.2f}{n / scalar:>14,.0f}")
    print(f"{'columnar evaluate_table':<28}{n:>12,}{columnar:>10.2f}{n / columnar:>14,.0f}")
    print(f"{'columnar evaluate_parquet':<28}{m:>12,}{streamed:>10.2f}{m / streamed:>14,.0f}")
    print(
        f"fallback rows: {fallback:,} ({fallback / n:.2%}); streaming {m:,} rows from Parquet "
        f"in a fresh process: peak RSS {peak / 1024:.0f} MiB ({idle / 1024:.0f} MiB before)"
    )
    print(f"columnar evaluate_table: {scalar / columnar:.1f}× evaluate_many")


if __name__ == "__main__":
    main()
