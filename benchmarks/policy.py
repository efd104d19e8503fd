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

Before and after a change: ``python benchmarks/policy.py --against ../base [--rounds K]`` runs
the same measurement in fresh interpreters importing this checkout's ``src`` and the other's,
alternately (K rounds each, the first tree alternating), and prints the best rate of each tree
per path with their ratio. The figures of one run share the machine's load; compare ratios, not
rates, across runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from mutrec.model.catalogue import Catalogue, Category, Item, ItemKind
from mutrec.model.institutions import Grade, Institution, Level
from mutrec.model.programs import Membership, Program, QualityBook, QualityRecord, Scheme
from mutrec.model.results import LabResult, Measured
from mutrec.model.windows import Anchor, Counting, Span, Window
from mutrec.policy import ClinicalContext, Outcome, Policy, ProgramSettings, Request
from mutrec.units import parse_unit

sys.path.insert(0, str(Path(__file__).parent))
from _table import print_table

if TYPE_CHECKING:
    from collections.abc import Callable

    from mutrec.policy import Decision

INSTITUTIONS = 1_000
ITEMS = 500
PATIENTS = 100_000

BASELINE = "baseline (model look-ups only)"
STREAMED = "Policy.evaluate, streamed"
KEPT = "Policy.evaluate, every decision kept"
BATCH = "Policy.evaluate_many (batch)"
PATHS = (BASELINE, STREAMED, KEPT, BATCH)


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


def measure(args: argparse.Namespace) -> tuple[str, list[tuple[str, float, float]], str]:
    """Build the region, time each path; the heading, (path, CPU s, decisions/s) rows, a note."""
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
    table.append((BASELINE, elapsed, len(rows) / elapsed))

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
    table.append((STREAMED, elapsed, len(rows) / elapsed))
    elapsed = _best(args.repeat, kept)
    table.append((KEPT, elapsed, len(rows) / elapsed))
    outcomes = dict.fromkeys(Outcome, 0)
    for d in kept():
        outcomes[d.outcome] += 1

    elapsed = _best(args.repeat, lambda: policy.evaluate_many(rows))
    table.append((BATCH, elapsed, len(rows) / elapsed))
    errors = len(policy.evaluate_many(rows).errors)

    heading = (
        f"synthetic region: {INSTITUTIONS:,} institutions, {ITEMS} items, {PATIENTS:,} patients, "
        f"{len(rows):,} results; instants: {args.zone}; set-up {setup:.1f} s"
    )
    note = (
        "outcomes: "
        + ", ".join(f"{o.value} {n:,}" for o, n in outcomes.items())
        + f"; batch row errors {errors}"
    )
    if args.memory:
        sample = rows[: min(len(rows), 100_000)]
        tracemalloc.start()
        sampled = [
            evaluate(r.result, receiver=r.receiver, at=r.at, context=r.context) for r in sample
        ]
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del sampled
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
        note += (
            f"\npeak RSS (whole run): {peak_rss * scale / 2**20:,.0f} MiB; "
            f"tracemalloc peak for {len(sample):,} kept decisions: {traced / 2**20:,.1f} MiB"
        )
    return heading, table, note


def _child(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    """Run this script in a fresh interpreter importing *tree*'s mutrec; CPU s per path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(tree / "src")
    argv = [
        sys.executable,
        __file__,
        "--json",
        f"--results={args.results}",
        f"--repeat={args.repeat}",
        f"--zone={args.zone}",
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)  # noqa: S603 (our argv)
    times: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return times


def compare(args: argparse.Namespace) -> None:
    """This tree against another (``--against``), in alternating fresh interpreters."""
    trees = {"before": Path(args.against).resolve(), "after": Path(__file__).resolve().parents[1]}
    best: dict[tuple[str, str], float] = {}
    for round_ in range(args.rounds):
        # Alternate which tree goes first: a burst of load on a shared machine hits both.
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            for path, seconds in _child(trees[name], args).items():
                best[name, path] = min(best.get((name, path), float("inf")), seconds)
    print(
        f"{args.results:,} results, instants {args.zone}; best of {args.rounds} interpreters "
        f"x {args.repeat} runs each; before = {trees['before']}, after = {trees['after']}"
    )
    rows: list[list[object]] = []
    control = best["before", BASELINE] / best["after", BASELINE]
    for path in PATHS:
        before, after = best["before", path], best["after", path]
        ratio = before / after
        rate_before, rate_after = args.results / before, args.results / after
        rows.append([path, rate_before, rate_after, f"{ratio:.3f}", f"{ratio / control:.3f}"])
    print_table(["path", "before /s", "after /s", "after:before", "/ control"], rows)
    print(
        "after:before is the speed ratio: above 1 means this tree decides faster. The baseline\n"
        "row calls only the model, so where neither tree changed the model it is a control:\n"
        "its ratio is the machine's noise between the two trees' runs, and '/ control' divides\n"
        "it out."
    )


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
    parser.add_argument(
        "--against", metavar="TREE", help="compare with the mutrec checkout at TREE (its src/)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interpreters per tree (--against)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.memory = not args.json
    if args.against:
        compare(args)
        return
    heading, table, note = measure(args)
    if args.json:
        print(json.dumps({name: seconds for name, seconds, _ in table}))
        return
    print(heading)
    print(f"{'path':38s} {'CPU s':>9s} {'decisions/s':>13s}")
    for name, seconds, rate in table:
        print(f"{name:38s} {seconds:9.2f} {rate:13,.0f}")
    print(note)


if __name__ == "__main__":
    main()
