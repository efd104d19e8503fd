"""Run every target for a share of a time budget; collect each distinct crash, minimal first.

A crash is any exception but :class:`mutrec.MutrecError`. Crashes are told apart by target,
exception type and the line that raised it; for each, the shortest input seen is kept (the
shrinker makes it shorter while the budget lasts).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import HypothesisWarning

import mutrec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fuzz.targets import Target

SRC = str(Path(mutrec.__file__).parent)
SHOWN = 300  # characters of an input shown in the summary
_RUN = re.compile(r"(.)\1{15,}", re.DOTALL)


class Hang(BaseException):
    """An input took longer than the per-input limit (a BaseException: nothing swallows it)."""

    def __str__(self) -> str:
        """Say what happened: the exception carries no message of its own."""
        return "took longer than the per-input limit (--input-seconds)"


class OutOfTime(BaseException):
    """The target's share of the budget is spent: ends hypothesis' run, shrinking included."""


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


@cache
def work_dir() -> Path:
    """Where the fuzzer writes: ``$MUTREC_FUZZ_DIR`` (nox's session tmp dir) or a new tmp dir."""
    given_dir = os.environ.get("MUTREC_FUZZ_DIR")
    folder = Path(given_dir) if given_dir else Path(tempfile.mkdtemp(prefix="mutrec-fuzz-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _where(frame: traceback.FrameSummary) -> str:
    name = frame.filename
    if name.startswith(SRC):
        name = "src/mutrec" + name[len(SRC) :]
    return f"{name}:{frame.lineno}"


@attrs.define
class Crash:
    """One distinct crash: how often it was hit and the shortest input that hit it."""

    target: str
    error: str
    last_frame: str
    mutrec_frame: str
    message: str
    text: str
    hits: int = 0


@attrs.define
class Tally:
    """Inputs tried and crashes found, per target."""

    tried: dict[str, int] = attrs.Factory(dict)
    refused: dict[str, int] = attrs.Factory(dict)
    crashes: dict[tuple[str, str, str], Crash] = attrs.Factory(dict)

    def record(self, target: str, given_input: object, error: BaseException) -> tuple[str, ...]:
        """Count a crash under its signature; keep the shortest input. Return the signature."""
        frames = list(traceback.extract_tb(error.__traceback__))
        if isinstance(error, Hang):
            frames = frames[:-1]  # the alarm's handler: where the input was is the frame above
        ours = [f for f in frames if f.filename.startswith(SRC)]
        last = _where(frames[-1]) if frames else "?"
        mine = _where(ours[-1]) if ours else "-"
        key = (target, type(error).__qualname__, mine if ours else last)
        text = repr(given_input)
        crash = self.crashes.get(key)
        if crash is None:
            crash = Crash(
                target,
                f"{type(error).__module__}.{type(error).__qualname__}",
                last,
                mine,
                str(error)[:200],
                text,
            )
            self.crashes[key] = crash
        elif len(text) < len(crash.text):
            crash.text, crash.message = text, str(error)[:200]
        crash.hits += 1
        return key


def run_target(
    target: Target, seconds: float, first_seed: int, tally: Tally, per_input: float
) -> None:
    """Feed *target* inputs until *seconds* pass, in rounds of hypothesis runs."""
    stop = time.monotonic() + seconds
    tally.tried.setdefault(target.name, 0)
    tally.refused.setdefault(target.name, 0)
    round_ = 0
    while time.monotonic() < stop:
        # Crashes are recorded as they happen: what the round raises at the end is not needed.
        with contextlib.suppress(Exception, OutOfTime):
            _round(target, stop, first_seed + round_, tally, per_input)
        round_ += 1


def _round(target: Target, stop: float, round_seed: int, tally: Tally, per_input: float) -> None:
    known = set(tally.crashes)
    new_here: set[tuple[str, ...]] = set()

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.target, Phase.shrink],
        report_multiple_bugs=True,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @seed(round_seed)
    @given(target.inputs)
    def fuzz(value: Any) -> None:
        if time.monotonic() >= stop:
            raise OutOfTime
        tally.tried[target.name] += 1
        signal.setitimer(signal.ITIMER_REAL, per_input)
        try:
            target.call(value)
        except mutrec.MutrecError:
            tally.refused[target.name] += 1
            return
        except Hang as hang:
            # Recorded, not shrunk: each try of the shrinker would take the whole limit.
            tally.record(target.name, value, hang)
            return
        except Exception as error:
            key = tally.record(target.name, value, error)
            # A crash new in this round is raised so hypothesis shrinks it; a known one is
            # only counted, so the round goes on looking for others.
            if key not in known or key in new_here:
                new_here.add(key)
                raise
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    fuzz()


def _compact(text: str) -> str:
    """Shorten a long repr for reading: runs of one character as ``⟨c×n⟩``, then a cut."""
    text = _RUN.sub(lambda m: f"⟨{m.group(1)}×{len(m.group(0))}⟩", text)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(text)} chars)"


def report(tally: Tally, out: Path, seconds: float) -> str:
    """Write every crash to *out* as JSON lines and return the summary to print."""
    crashes = sorted(tally.crashes.values(), key=lambda c: (c.target, c.error, c.last_frame))
    with out.open("w", encoding="utf-8") as f:
        for c in crashes:
            f.write(json.dumps(attrs.asdict(c), ensure_ascii=False) + "\n")
    failing = sum(c.hits for c in crashes)
    lines = [f"fuzz: {sum(tally.tried.values())} inputs in {seconds:.0f} s"]
    for name, n in tally.tried.items():
        hits = sum(c.hits for c in crashes if c.target == name)
        distinct = sum(1 for c in crashes if c.target == name)
        lines.append(
            f"  {name:<20} {n:>8} inputs: {tally.refused[name]:>7} refused with MutrecError, "
            f"{hits:>6} crashed ({distinct} distinct)"
        )
    lines.append(
        f"fuzz: {failing} failing inputs, {len(crashes)} distinct crashes (not MutrecError); "
        f"each with its shortest input in {out}"
    )
    for c in crashes:
        shown = _compact(c.text)
        lines += [
            f"- {c.target}: {c.error} at {c.last_frame} (mutrec: {c.mutrec_frame}), {c.hits} hits",
            f"    input: {shown}",
            f"    message: {c.message}",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz every target for a share of the budget; exit 1 if anything but MutrecError escaped."""
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=float(os.environ.get("MUTREC_FUZZ_SECONDS", "60")),
        help="total time, shared by the targets (default: $MUTREC_FUZZ_SECONDS or 60)",
    )
    parser.add_argument(
        "--input-seconds",
        type=float,
        default=2.0,
        help="longest time one input may take before it is reported as a hang (default: 2)",
    )
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    parser.add_argument("--only", action="append", default=[], help="run only this target")
    args = parser.parse_args(argv)
    from fuzz.targets import targets

    chosen = [t for t in targets() if not args.only or t.name in args.only]
    first_seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    sys.stdout.write(f"fuzz: seed {first_seed}, {args.budget_seconds:.0f} s budget\n")
    # Huge inputs are the point here: hypothesis need not warn that their repr is large.
    warnings.simplefilter("ignore", HypothesisWarning)
    signal.signal(signal.SIGALRM, _alarm)
    tally = Tally()
    start = time.monotonic()
    for target in chosen:
        run_target(target, args.budget_seconds / len(chosen), first_seed, tally, args.input_seconds)
    took = time.monotonic() - start
    sys.stdout.write(report(tally, work_dir() / "fuzz-failures.jsonl", took))
    return 1 if tally.crashes else 0
