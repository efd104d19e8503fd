"""Loading the bundled example region: mutrec against bare tomllib/csv parsing of the same files.

Run ``python benchmarks/loading.py [--repeat N]``. It prints two tables:

- **cold**: the first region load in a fresh interpreter (imports included, interpreter start-up
  excluded), best of N subprocesses, for a bare tomllib/csv parse of the files (the baseline),
  ``import mutrec``, mutrec's first load (of the bundled region, and of the same folder by path),
  with pint made unimportable, and after building pint's registry (what every first load paid
  before the factor table). Each runs twice: with bytecode
  cached, as in an installed package, and without, as in a checkout with
  ``PYTHONDONTWRITEBYTECODE`` set (a ``__pycache__`` already beside the sources is still read,
  so that column is only "no bytecode" in a clean checkout). Targets: under 100 ms, goal 50 ms
  (installed).
- **warm**: a repeated load in one process (target: under 50 ms).
- **policy**: building a :class:`~mutrec.policy.Policy` for a region grown to ``--institutions``
  synthetic institutions (100,000 by default), all listed as members of the example's lab
  program, each with the quality records of the example institution it copies (about 108,000
  records): ``Policy(...)`` and ``Policy.from_region`` (target: a few seconds), then where the
  time goes (``--profile``: cProfile's top functions by own time, and by cumulative time).
  ``--only cold|warm|policy`` runs one table.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).parent))
import attrs
from _table import print_table

from mutrec.examples import path
from mutrec.files import Region, load_example_region, load_region
from mutrec.model import Membership, QualityBook, QualityRecord
from mutrec.policy import Policy, ProgramSettings

if TYPE_CHECKING:
    from collections.abc import Callable

REGION = path("region")

# Each script prints the milliseconds from its first line to its last, then whether pint was
# imported. The region's folder comes as argv[1], so the baseline imports nothing of mutrec.
_CLOCK = "import time; start = time.perf_counter()\n"
_REPORT = "print((time.perf_counter() - start) * 1e3, sys.modules.get('pint') is not None)\n"
_BARE = """\
import csv, io, tomllib, pathlib
for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".toml":
        tomllib.loads(text)
    elif p.suffix == ".csv":
        list(csv.DictReader(io.StringIO(text)))
"""
_EXAMPLE = "import mutrec\nmutrec.load_example_region()\n"
_PATH = "import mutrec\nmutrec.load_region(sys.argv[1])\n"
_NO_PINT = "sys.modules['pint'] = None  # import pint now raises ImportError\n" + _EXAMPLE
_WITH_REGISTRY = (
    "import mutrec\nfrom mutrec.units import _registry\n_registry._registry()\n"
    "mutrec.load_example_region()\n"
)
_IMPORT = "import mutrec\n"
COLD = {
    "bare tomllib + csv (baseline)": _BARE,
    "import mutrec (alone)": _IMPORT,
    "first load_example_region()": _EXAMPLE,
    "first load_region(path)": _PATH,
    "first load_example_region(), no pint": _NO_PINT,
    "first load + pint's registry (before)": _WITH_REGISTRY,
}


def _run(body: str, env: dict[str, str]) -> tuple[float, bool]:
    """One fresh interpreter: the script's milliseconds, and whether it imported pint."""
    script = _CLOCK + "import sys\n" + body + _REPORT
    argv = [sys.executable, "-c", script, str(REGION)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)  # noqa: S603 - our argv
    ms, imported = result.stdout.split()
    return float(ms), imported == "True"


def cold_rows(repeat: int) -> list[list[object]]:
    """One row per script: best of ``repeat`` with bytecode cached (installed) and without.

    Rounds interleave the scripts, so a burst of load on a shared machine hits all of them; the
    first round only writes the bytecode cache and warms the disk.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    base["PYTHONPATH"] = os.pathsep.join(sys.path[1:])  # mutrec as this process found it
    best: dict[tuple[str, str], float] = {}
    pint: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as cache:
        modes = {
            "installed": {**base, "PYTHONPYCACHEPREFIX": cache},
            # The standard library and site-packages keep their bytecode; mutrec's is not written.
            "checkout": {**base, "PYTHONDONTWRITEBYTECODE": "1"},
        }
        for attempt in range(repeat + 1):
            for name, body in COLD.items():
                for mode, env in modes.items():
                    ms, pint[name] = _run(body, env)
                    if attempt:
                        best[name, mode] = min(best.get((name, mode), float("inf")), ms)
    baseline = next(iter(COLD))
    return [
        [
            name,
            best[name, "installed"],
            f"{best[name, 'installed'] / best[baseline, 'installed']:.1f}x",
            best[name, "checkout"],
            f"{best[name, 'checkout'] / best[baseline, 'checkout']:.1f}x",
            "yes" if pint[name] else "no",
        ]
        for name in COLD
    ]


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
    fn()  # warm up (the unit tables and caches are built on first use)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


def grown_region(institutions: int) -> Region:
    """The example region with ``institutions`` synthetic institutions, all members of its lab
    program (the first). Each copies one of the example's institutions in turn: its region
    code, level, grade and type, its membership's dates and items, and its quality records.
    """
    region = load_example_region()
    real = list(region.institutions.values())
    name, lab = next(iter(region.programs.items()))
    member_like = {m.institution: m for m in lab.members}
    records_like: dict[str, list[QualityRecord]] = {}
    for record in region.quality.records:
        records_like.setdefault(record.institution, []).append(record)
    grown = dict(region.institutions)
    members = list(lab.members)
    records = list(region.quality.records)
    for n in range(institutions):
        like = real[n % len(real)]
        ident = f"SYN{n:07d}"
        grown[ident] = attrs.evolve(like, id=ident, name=f"synthetic {n}")
        template = member_like.get(like.id, Membership(like.id, date(2023, 7, 1)))
        members.append(attrs.evolve(template, institution=ident))
        records.extend(attrs.evolve(r, institution=ident) for r in records_like.get(like.id, ()))
    return attrs.evolve(
        region,
        programs={**region.programs, name: attrs.evolve(lab, members=members)},
        institutions=grown,
        quality=QualityBook(records),
    )


def policy_rows(region: Region, repeat: int) -> list[list[object]]:
    """Best of ``repeat``: ``Policy(...)`` with the region's parts, and ``Policy.from_region``."""
    settings = {  # what from_region reads from the programs' [policy] tables
        name: ProgramSettings.from_raw(raw) for name, raw in region.policy_settings.items()
    }

    def direct() -> Policy:
        return Policy(
            region.programs.values(),
            institutions=region.institutions,
            quality=region.quality,
            settings=settings,
            crosswalk=region.crosswalk,
            fees=region.fees,
        )

    rows: list[list[object]] = []
    for name, build in [
        ("Policy(...)", direct),
        ("Policy.from_region", lambda: Policy.from_region(region)),
    ]:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            build()
            times.append(time.perf_counter() - start)
        rows.append([name, min(times), statistics.median(times)])
    return rows


def policy_profile(region: Region, top: int = 10) -> None:
    """cProfile of one ``Policy.from_region``: the top functions by own and cumulative time."""
    profile = cProfile.Profile()
    profile.runcall(Policy.from_region, region)
    for key in ("tottime", "cumulative"):
        print(f"\nPolicy.from_region, top {top} by {key}:")
        pstats.Stats(profile, stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per row")
    parser.add_argument("--institutions", type=int, default=100_000, help="for the policy build")
    parser.add_argument("--profile", action="store_true", help="profile the policy build")
    parser.add_argument("--only", choices=["cold", "warm", "policy"], help="one table only")
    args = parser.parse_args()
    repeat = args.repeat
    if args.only in {None, "cold"}:
        files = sum(1 for p in Path(REGION).iterdir() if p.suffix in {".toml", ".csv"})
        print(f"bundled example region: {files} files; cold = first load in a fresh interpreter,")
        print(f"imports included, best of {repeat} (the machine's noise is one-sided)")
        print_table(
            ["cold", "installed ms", "x base", "no bytecode ms", "x base", "pint imported"],
            cold_rows(repeat),
        )
        print("target: first load under 100 ms, goal 50 ms (installed)\n")
    if args.only in {None, "warm"}:
        warm = {
            "bare tomllib + csv (baseline)": measure(bare_parse),
            "mutrec load_region (validated)": measure(mutrec_load),
        }
        base = warm["bare tomllib + csv (baseline)"][0]
        print_table(
            ["warm (same process)", "median ms", "min ms", "x baseline"],
            [[name, med, low, f"{med / base:.1f}x"] for name, (med, low) in warm.items()],
        )
        print("target: mutrec under 50 ms (warm)\n")
    if args.only in {None, "policy"}:
        region = grown_region(args.institutions)
        print(f"policy build: the example region + {args.institutions:,} synthetic institutions")
        print_table(["policy build", "best s", "median s"], policy_rows(region, min(repeat, 3)))
        print("target: a few seconds")
        if args.profile:
            policy_profile(region)


if __name__ == "__main__":
    main()
