"""Benchmark mutrec.policy on a synthetic region: decisions per second and peak memory.

Synthetic region: 1,000 institutions, 500 lab items, 100,000 patients and (by default)
1,000,000 prior results. It compares, in one run:

- baseline: the same checks made directly with the model's own look-ups (membership,
  quality, window), with no findings and no decision objects;
- evaluate: ``Policy.evaluate`` one result at a time, on one core;
- batch: ``Policy.evaluate_many`` over every result.

Times are CPU seconds of this process (``time.process_time``), the best of ``--repeat`` runs:
the machine may be shared, and CPU time is what one core spends.

Usage: ``python benchmarks/policy.py [--results N] [--repeat R] [--zone fixed|zoneinfo|mixed]``
(``mixed``: the program's calendar is ZoneInfo('Asia/Shanghai') and the instants carry a fixed
+08:00 offset, as a vendor's ISO-8601 feed does).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mutrec.model.catalogue import Catalogue, Category, Item, ItemKind
from mutrec.model.institutions import Grade, Institution, Level
from mutrec.model.programs import Membership, Program, QualityBook, QualityRecord, Scheme
from mutrec.model.results import LabResult, Measured
from mutrec.model.windows import Anchor, Counting, Span, Window
from mutrec.policy import ClinicalContext, Outcome, Policy, ProgramSettings, Request
from mutrec.units import parse_unit

if TYPE_CHECKING:
    from collections.abc import Callable

    from mutrec.policy import Decision

INSTITUTIONS = 1_000
ITEMS = 500
PATIENTS = 100_000


def build(zone: tzinfo) -> tuple[Policy, Program, QualityBook]:
    rnd = random.Random(1)
    mmol = parse_unit("mmol/L")
    items = [
        Item(
            f"I{n:03d}",
            f"项目{n}",
            f"Item {n}",
            ItemKind.LAB,
            Category.CHEMISTRY,
            unit=mmol,
            specimen="serum",
            window=Window(Span(rnd.choice([7, 15, 30, 60]), Counting.CALENDAR_DAYS), Anchor.REPORT),
        )
        for n in range(ITEMS)
    ]
    catalogue = Catalogue("synthetic", "1", date(2023, 1, 1), items)
    institutions = {
        f"H{n:04d}": Institution(
            f"H{n:04d}", f"医院{n}", f"{11 + n % 20}0101", Level.TERTIARY, Grade.A
        )
        for n in range(INSTITUTIONS)
    }
    members = [Membership(i, date(2023, 1, 1)) for n, i in enumerate(institutions) if n % 10]
    quality = QualityBook(
        QualityRecord(i, n % 37 != 0, date(2023, 1, 1), date(2024, 12, 31), scheme=Scheme.NATIONAL)
        for n, i in enumerate(institutions)
    )
    program = Program("synthetic", "全国", "全国HR", [catalogue], members, zone=zone)
    settings = {
        "synthetic": ProgramSettings(
            scope_regions=[str(p) for p in range(11, 31)],
            plausible={f"I{n:03d}": (0.0, 100.0) for n in range(ITEMS)},
        )
    }
    policy = Policy([program], institutions=institutions, quality=quality, settings=settings)
    return policy, program, quality


def results(count: int, zone: tzinfo) -> list[Request]:
    rnd = random.Random(2)
    mmol = parse_unit("mmol/L")
    values = [Measured(round(rnd.uniform(0.5, 20.0), 1), mmol) for _ in range(1000)]
    start = datetime(2024, 1, 1, 8, tzinfo=zone)
    instants = [start + timedelta(hours=h) for h in range(24 * 90)]
    contexts = [ClinicalContext(patient=f"P{p:06d}") for p in range(PATIENTS)]
    rows = []
    for _n in range(count):
        p = rnd.randrange(PATIENTS)
        t = rnd.randrange(len(instants) - 4)
        result = LabResult(
            f"I{rnd.randrange(ITEMS):03d}",
            values[rnd.randrange(1000)],
            instants[t],
            f"H{rnd.randrange(INSTITUTIONS):04d}",
            contexts[p].patient or "",
            reported=instants[t + 4],
            specimen="serum",
        )
        # evaluated 0 to 20 days after the report: most results are still inside their window
        at = instants[min(t + 4 + rnd.randrange(20 * 24), len(instants) - 1)]
        rows.append(Request(result, f"H{rnd.randrange(INSTITUTIONS):04d}", at, contexts[p], None))
    return rows


def baseline(program: Program, quality: QualityBook, rows: list[Request]) -> int:
    """The checks through the model's own API: no findings, no decisions."""
    catalogue = program.catalogues[0]
    ok = 0
    for row in rows:
        r = row.result
        assert isinstance(r, LabResult)  # noqa: S101 (narrows the type for mypy)
        on = program.local_date(r.collected)
        item = catalogue.get(r.item)
        if item is None or item.window is None:
            continue
        if (
            program.is_member(r.issuer, on, item.code)
            and quality.passed(r.issuer, item, on)
            and item.window.is_current(r, row.at)
        ):
            ok += 1
    return ok


def _best(repeat: int, run: Callable[[], object]) -> float:
    """The least CPU time of *repeat* runs of *run* (its result dropped before the next run)."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        kept = run()
        elapsed = time.process_time() - t0
        del kept
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1_000_000, help="how many results")
    parser.add_argument(
        "--zone",
        choices=["fixed", "zoneinfo", "mixed"],
        default="fixed",
        help="instants with a fixed +08:00 offset (as parsed from ISO-8601) "
        "or with ZoneInfo('Asia/Shanghai')",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per path (best kept)")
    args = parser.parse_args()
    fixed = timezone(timedelta(hours=8))
    shanghai = ZoneInfo("Asia/Shanghai")
    program_zone: tzinfo = fixed if args.zone == "fixed" else shanghai
    instant_zone: tzinfo = shanghai if args.zone == "zoneinfo" else fixed
    t0 = time.perf_counter()
    policy, program, quality = build(program_zone)
    rows = results(args.results, instant_zone)
    setup = time.perf_counter() - t0
    gc.collect()
    gc.freeze()  # the data set is long-lived: keep the collector off it while timing

    table: list[tuple[str, float, float]] = []

    elapsed = _best(args.repeat, lambda: baseline(program, quality, rows))
    table.append(("baseline (model look-ups only)", elapsed, len(rows) / elapsed))

    evaluate = policy.evaluate

    def streamed() -> int:
        # How a vendor calls it: decide as each result arrives, act, let the decision go.
        recognised = 0
        for r in rows:
            decision = evaluate(r.result, receiver=r.receiver, at=r.at, context=r.context)
            recognised += decision.outcome is Outcome.RECOGNISED
        return recognised

    def kept() -> list[Decision]:
        # Every decision kept alive: adds the cost of allocating (and the collector tracking)
        # a million live objects, as an audit trail held in memory would.
        return [evaluate(r.result, receiver=r.receiver, at=r.at, context=r.context) for r in rows]

    elapsed = _best(args.repeat, streamed)
    table.append(("Policy.evaluate, streamed", elapsed, len(rows) / elapsed))
    elapsed = _best(args.repeat, kept)
    table.append(("Policy.evaluate, every decision kept", elapsed, len(rows) / elapsed))
    outcomes = dict.fromkeys(Outcome, 0)
    for d in kept():
        outcomes[d.outcome] += 1

    elapsed = _best(args.repeat, lambda: policy.evaluate_many(rows))
    table.append(("Policy.evaluate_many (batch)", elapsed, len(rows) / elapsed))
    errors = len(policy.evaluate_many(rows).errors)

    sample = rows[: min(len(rows), 100_000)]
    tracemalloc.start()
    sampled = [evaluate(r.result, receiver=r.receiver, at=r.at, context=r.context) for r in sample]
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del sampled
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB

    print(
        f"synthetic region: {INSTITUTIONS:,} institutions, {ITEMS} items, {PATIENTS:,} patients, "
        f"{len(rows):,} results; instants: {args.zone}; set-up {setup:.1f} s"
    )
    print(f"{'path':38s} {'CPU s':>9s} {'decisions/s':>13s}")
    for name, seconds, rate in table:
        print(f"{name:38s} {seconds:9.2f} {rate:13,.0f}")
    print(
        "outcomes: "
        + ", ".join(f"{o.value} {n:,}" for o, n in outcomes.items())
        + f"; batch row errors {errors}"
    )
    print(
        f"peak RSS (whole run): {peak_rss * scale / 2**20:,.0f} MiB; "
        f"tracemalloc peak for {len(sample):,} kept decisions: {traced / 2**20:,.1f} MiB"
    )


if __name__ == "__main__":
    main()
