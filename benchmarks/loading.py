"""Loading the bundled example region: mutrec against bare tomllib/csv parsing of the same files.

Run ``python benchmarks/loading.py``; it prints a table (target: a region in under 50 ms).
"""

from __future__ import annotations

import csv
import io
import statistics
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from mutrec.examples import path
from mutrec.files import load_region

if TYPE_CHECKING:
    from collections.abc import Callable

REGION = path("region")


def bare_parse() -> None:
    """Baseline: parse every TOML and CSV file of the region, no validation."""
    for p in sorted(REGION.iterdir()):
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".toml":
            tomllib.loads(text)
        elif p.suffix == ".csv":
            list(csv.DictReader(io.StringIO(text)))


def mutrec_load() -> None:
    """Load, validate and index the whole region."""
    load_region(REGION)


def measure(fn: Callable[[], None], repeat: int = 50) -> tuple[float, float]:
    fn()  # warm up (pint's registry and the unit cache are built on first use)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


def main() -> None:
    cold_start = time.perf_counter()
    load_region(REGION)
    cold = (time.perf_counter() - cold_start) * 1e3
    rows = [
        ("bare tomllib + csv (baseline)", *measure(bare_parse)),
        ("mutrec load_region (validated)", *measure(mutrec_load)),
    ]
    files = sum(1 for p in Path(REGION).iterdir() if p.suffix in {".toml", ".csv"})
    print(f"bundled example region: {files} files; first load in process {cold:.1f} ms")
    print(f"{'what':<34} {'median ms':>10} {'min ms':>10} {'x baseline':>11}")
    base = rows[0][1]
    for name, med, low in rows:
        print(f"{name:<34} {med:>10.2f} {low:>10.2f} {med / base:>11.1f}")
    print("target: mutrec under 50 ms (warm)")


if __name__ == "__main__":
    main()
