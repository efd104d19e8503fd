"""Benchmark mutrec.units against plain pint on the same 100k values, and time `import mutrec`.

Run: python benchmarks/units.py
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pint

sys.path.insert(0, str(Path(__file__).parent))
from _table import print_table

from mutrec.units import Converter, analyte, convert

if TYPE_CHECKING:
    from collections.abc import Callable

N = 100_000
PINT_SAMPLE = 10_000  # plain pint costs ~100 µs a value: time a slice, report per value
GLUCOSE = analyte("glucose")


def _best_ns_per_value(run: Callable[[], object], count: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter_ns()
        run()
        best = min(best, (time.perf_counter_ns() - start) / count)
    return best


def _import_ms(statement: str, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)  # noqa: S603 - our argv
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    rng = random.Random(20240601)
    values = [rng.uniform(50.0, 400.0) for _ in range(N)]
    array = np.array(values)

    registry = pint.UnitRegistry()
    mass_concentration, substance_concentration = registry.Unit("mg/dL"), registry.Unit("mmol/L")
    molar_mass = registry.Quantity(GLUCOSE.molar_mass or 0.0, "g/mol")
    sample = values[:PINT_SAMPLE]

    def plain_pint() -> list[float]:
        with registry.context("chemistry", mw=molar_mass):
            return [
                registry.Quantity(v, mass_concentration).to(substance_concentration).magnitude
                for v in sample
            ]

    converter = Converter("mg/dL", "mmol/L", analyte="glucose")
    expected = convert(values[0], "mg/dL", "mmol/L", analyte="glucose")
    if abs(plain_pint()[0] - expected) > 1e-9 * expected:
        msg = "pint and mutrec disagree"
        raise SystemExit(msg)

    timings = {
        "plain pint (chemistry context)": _best_ns_per_value(plain_pint, PINT_SAMPLE, repeats=1),
        "convert()": _best_ns_per_value(
            lambda: [convert(v, "mg/dL", "mmol/L", analyte="glucose") for v in values], N
        ),
        "Converter on floats": _best_ns_per_value(lambda: [converter(v) for v in values], N),
        "Converter.many(list)": _best_ns_per_value(lambda: converter.many(values), N),
        "Converter.many(ndarray)": _best_ns_per_value(lambda: converter.many(array), N, 20),
    }
    baseline = timings["plain pint (chemistry context)"]
    rows = [[name, ns, 1e9 / ns, f"{baseline / ns:,.0f}x"] for name, ns in timings.items()]
    print(f"glucose mg/dL -> mmol/L, {N:,} values (plain pint timed on {PINT_SAMPLE:,})")
    print_table(["method", "ns/value", "values/s", "speed-up vs pint"], rows)

    baseline_ms = _import_ms("pass")
    mutrec_ms = _import_ms("import mutrec") - baseline_ms
    units_ms = _import_ms("import mutrec.units") - baseline_ms
    pint_ms = _import_ms("import pint") - baseline_ms
    print()
    print_table(
        ["import (fresh interpreter, minus `python -c pass`)", "ms"],
        [["import mutrec", mutrec_ms], ["import mutrec.units", units_ms], ["import pint", pint_ms]],
    )


if __name__ == "__main__":
    main()
