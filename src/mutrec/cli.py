"""The ``mutrec`` command line: the demo, checking results, and validating catalogues.

The command line only presents what the library computes; it is the one layer that prints.

- ``mutrec demo [--units]``: a patient's prior results at another hospital (default), or how
  report units are read.
- ``mutrec check FILE [--region DIR] [--format table|json|csv]``: decide every row of a CSV or
  JSON file (the columns are in ``mutrec check --help``); bad rows are reported, not fatal.
- ``mutrec catalogue validate PATH...``: every problem of catalogue, program and region files.
- ``mutrec catalogue diff OLD NEW``: items added, removed and changed between two catalogues.

Exit status: 0 on success, 1 on bad input (a one-line message says why, no traceback), 2 on a
usage error.

>>> main(["--version"])  # doctest: +ELLIPSIS
mutrec ...
0
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tomllib
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mutrec.errors import CatalogueError, MutrecError, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

    from mutrec.files import Region
    from mutrec.model import Catalogue
    from mutrec.policy import Batch, Decision, Request, RowError

__all__ = ["PROGRESS_MIN_ROWS", "main"]

PROGRESS_MIN_ROWS: Final = 1000
"""Batches longer than this show a progress bar (on a terminal's standard error only)."""

_CHUNK: Final = 500


def main(  # noqa: PLR0911 (one exit status per kind of failure)
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: The arguments, without the program name.
        out: Where to write normal output (default: standard output).
        err: Where to write messages and the progress bar (default: standard error).

    Returns:
        0 on success, 1 when the input was bad (the message says why), 2 on a usage error.

    >>> main(["demo", "--units"], out=sys.stdout)  # doctest: +ELLIPSIS
    Reading lab units as printed on real reports ...
    0
    >>> main(["check", "no-such-file.csv"], err=sys.stdout)
    mutrec: error: cannot read no-such-file.csv: No such file or directory
    1
    """
    stream = sys.stdout if out is None else out
    errors = sys.stderr if err is None else err
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.version:
        print(f"mutrec {version('mutrec')}", file=stream)
        return 0
    try:
        return _run(parser, args, stream, errors)
    except CatalogueError as error:
        lines = str(error).splitlines()
        print(f"mutrec: error: {lines[0]}", file=errors)
        for line in lines[1:]:
            print(line, file=errors)
        return 1
    except BrokenPipeError:
        # The reader went away (`mutrec demo | head`): not an error of the input. Point stdout
        # at devnull so the interpreter's final flush does not fail again.
        if out is None:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 (kept open until exit)
        return 0
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"mutrec: error: cannot read {where}{error.strerror or error}", file=errors)
        return 1
    except (MutrecError, ValueError, csv.Error) as error:
        print(f"mutrec: error: {error}", file=errors)
        return 1


def _run(
    parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    if args.command == "demo":
        return _demo(args, out)
    if args.command == "check":
        return _check(args, out, err)
    if args.command == "catalogue":
        return _validate(args, out) if args.action == "validate" else _diff(args, out)
    parser.print_help(out)
    return 2


def _parser() -> argparse.ArgumentParser:
    from mutrec._checkio import __doc__ as columns

    parser = argparse.ArgumentParser(
        prog="mutrec",
        description="Mutual recognition of clinical test and examination results (HR).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the demo on the bundled example data")
    demo.add_argument("--units", action="store_true", help="show only the units part")

    check = commands.add_parser(
        "check",
        help="decide every result in a CSV or JSON file",
        description="Decide whether each prior result in FILE may be recognised.",
        epilog=(columns or "").split(">>>")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", metavar="FILE", help="CSV or JSON rows ('-' for standard input)")
    check.add_argument("--region", metavar="DIR", help="region directory (default: the example)")
    check.add_argument("--format", choices=("table", "json", "csv"), default="table")
    check.add_argument(
        "--input-format",
        choices=("auto", "csv", "json"),
        default="auto",
        help="how to read FILE (default: from its extension; JSON if it starts with [ or {)",
    )
    check.add_argument("--receiver", help="receiver for rows without one")
    check.add_argument("--at", help="decision instant (ISO-8601) for rows without one")
    check.add_argument("--default-zone", metavar="ZONE", help="zone of naive instants (IANA)")
    check.add_argument("--lang", choices=("zh", "en"), default="en", help="explanation language")
    check.add_argument("--explain", action="store_true", help="table: explain each decision")
    check.add_argument("--summary", action="store_true", help="table/json: add the statistics")

    catalogue = commands.add_parser("catalogue", help="validate or compare data files")
    actions = catalogue.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate", help="report every problem of catalogue, program or region files"
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="file, or region directory")
    validate.add_argument(
        "--zone", default="Asia/Shanghai", help="zone of program files (default: Asia/Shanghai)"
    )
    diff = actions.add_parser("diff", help="items added, removed and changed")
    diff.add_argument("old", metavar="OLD", help="the old catalogue file")
    diff.add_argument("new", metavar="NEW", help="the new catalogue file")
    diff.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from mutrec import _demo

    if args.units:
        _demo.run_units_demo(out)
    else:
        _demo.run_recognition_demo(out)
    return 0


# --- check ---


class _Progress:
    """A one-line progress bar on a terminal's standard error; silent anywhere else."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = total > PROGRESS_MIN_ROWS and stream.isatty()

    def update(self, done: int) -> None:
        if self.enabled:
            filled = 30 * done // self.total
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\rchecking [{bar}] {done}/{self.total} rows")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _read_input(path: str, fmt: str) -> list[dict[str, Any]]:
    from mutrec._checkio import read_rows

    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    if fmt == "auto":
        suffix = Path(path).suffix.lower()
        if suffix in {".json", ".csv"}:
            fmt = suffix[1:]
        else:
            fmt = "json" if text.lstrip()[:1] in {"[", "{"} else "csv"
    try:
        return read_rows(text, fmt)
    except ValueError as error:
        msg = f"cannot read {path} as {fmt.upper()}: {error}"
        raise ValueError(msg) from None


def _region(directory: str | None) -> Region:
    from mutrec.files import load_example_region, load_region

    if directory is None:
        return load_example_region()
    if not Path(directory, "region.toml").is_file():
        msg = f"{directory} is not a region directory: it has no region.toml"
        raise ValueError(msg)
    return load_region(directory)


def _evaluate(
    requests: list[tuple[int, Request]],
    bad: list[RowError],
    total: int,
    err: TextIO,
    region: Region,
) -> Batch:
    import attrs

    from mutrec.policy import Batch, Policy

    policy = Policy.from_region(region)
    decisions: list[Decision | None] = [None] * total
    errors = list(bad)
    progress = _Progress(total, err)
    done = len(bad)
    for start in range(0, len(requests), _CHUNK):
        chunk = requests[start : start + _CHUNK]
        batch = policy.evaluate_many([request for _, request in chunk])
        for (index, _), decision in zip(chunk, batch.decisions, strict=True):
            decisions[index] = decision
        errors.extend(attrs.evolve(e, index=chunk[e.index][0]) for e in batch.errors)
        done += len(chunk)
        progress.update(done)
    progress.close()
    return Batch(tuple(decisions), tuple(sorted(errors, key=lambda e: e.index)))


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from mutrec._checkio import Defaults, parse_rows

    zone = None
    if args.default_zone:
        try:
            zone = ZoneInfo(args.default_zone)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {args.default_zone!r}: use an IANA name like Asia/Shanghai"
            raise ValueError(msg) from None
    if args.at:
        try:  # a bad --at is a problem of the command, not of each row
            datetime.fromisoformat(args.at)
        except ValueError:
            msg = f"--at {args.at!r} is not an ISO-8601 instant such as 2024-03-15T10:00+08:00"
            raise ValueError(msg) from None
    region = _region(args.region)
    rows = _read_input(args.file, args.input_format)
    good, bad = parse_rows(rows, Defaults(receiver=args.receiver, at=args.at, zone=zone))
    batch = _evaluate(good, bad, len(rows), err, region)
    if args.format == "json":
        document = batch.to_dict()
        if args.summary:
            from mutrec.stats import summarise

            document["summary"] = summarise(batch, region=region).to_dict()
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
    elif args.format == "csv":
        _write_csv(batch, out, args.lang)
    else:
        _write_table(batch, out, args.lang, explain=args.explain)
        if args.summary:
            _write_summary(batch, region, out)
    if batch.errors:
        print(f"mutrec: {len(batch.errors)} of {len(batch)} rows could not be decided", file=err)
    return 0


def _write_csv(batch: Batch, out: TextIO, lang: str) -> None:
    from mutrec._display import instant_text

    errors = {e.index: e for e in batch.errors}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "row",
            "result_id",
            "item_code",
            "outcome",
            "codes",
            "expires_at",
            "program_id",
            "catalogue_version",
            "explanation",
            "error",
            "message",
        ]
    )
    for index, d in enumerate(batch.decisions):
        if d is None:
            e = errors[index]
            writer.writerow(
                [index, e.result_id or "", "", "", "", "", "", "", "", e.error, e.message]
            )
        else:
            writer.writerow(
                [
                    index,
                    d.result_id or "",
                    d.item_code or "",
                    d.outcome.value,
                    ";".join(d.codes),
                    "" if d.expires_at is None else instant_text(d.expires_at),
                    d.program_id or "",
                    d.catalogue_version or "",
                    " ".join(d.explain("zh" if lang == "zh" else "en").splitlines()),
                    "",
                    "",
                ]
            )


def _write_table(batch: Batch, out: TextIO, lang: str, *, explain: bool) -> None:
    from mutrec._display import instant_text, pad

    errors = {e.index: e for e in batch.errors}
    print(
        f"{'row':<5}{pad('result', 12)}{pad('item', 14)}{'outcome':<25}{'expires':<25}reasons",
        file=out,
    )
    counts = {"recognised": 0, "recognised_with_caution": 0, "not_recognised": 0}
    for index, d in enumerate(batch.decisions):
        if d is None:
            e = errors[index]
            print(f"{index:<5}{pad(e.result_id or '', 12)}{'—':<14}error: {e.message}", file=out)
            continue
        counts[d.outcome.value] += 1
        expires = instant_text(d.expires_at) if d.outcome.recognised else "—"
        print(
            f"{index:<5}{pad(d.result_id or '', 12)}{pad(d.item_code or '—', 14)}"
            f"{d.outcome.value:<25}{expires:<25}{', '.join(d.codes) or '—'}",
            file=out,
        )
        if explain:
            for line in d.explain("zh" if lang == "zh" else "en").splitlines():
                print(f"     {line}", file=out)
    print(
        f"{len(batch)} rows: {counts['recognised']} recognised, "
        f"{counts['recognised_with_caution']} with caution, {counts['not_recognised']} not "
        f"recognised, {len(batch.errors)} could not be decided",
        file=out,
    )


def _write_summary(batch: Batch, region: Region, out: TextIO) -> None:
    from mutrec.stats import summarise

    summary = summarise(batch, region=region)
    print(f"互认率 recognition rate: {summary.overall}", file=out)
    for group in summary.by_category:
        print(f"  {group.key or '—':<14}{group.rate}", file=out)
    if summary.reasons:
        reasons = ", ".join(f"{r.code} {r.count}" for r in summary.reasons)
        print(f"reasons for non-recognition: {reasons}", file=out)
    if summary.savings is not None:
        s = summary.savings
        split = ", ".join(f"{b.name} {a}" for b, a in s.by_bucket) or "nothing"
        print(f"fees not spent on repeats: {s.total} {s.currency} ({split})", file=out)


# --- catalogue validate / diff ---


def _kind(path: Path) -> str | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the loader reports the problem with its line
    kind = raw.get("kind")
    return kind if isinstance(kind, str) else None


def _describe(  # noqa: PLR0911 (one return per kind of file)
    path: Path, kind: str | None, catalogues: list[Catalogue], zone: str
) -> str:
    """Load *path* as its kind; return a one-line description, or raise CatalogueError."""
    from zoneinfo import ZoneInfo

    from mutrec import files

    if path.is_dir() or path.name == "region.toml":
        region = files.load_region(path if path.is_dir() else path.parent)
        items = sum(len(c.items) for c in region.catalogues)
        return (
            f"region {region.name}: {len(region.programs)} programs, "
            f"{len(region.catalogues)} catalogues ({items} items), "
            f"{len(region.institutions)} institutions"
        )
    if kind == "institutions":
        return f"{len(files.load_institutions(path))} institutions"
    if kind == "quality":
        return f"{len(files.load_quality(path))} quality records"
    if kind == "fees":
        fees = files.load_fees(path)
        return f"fee schedule {fees.name} ({fees.currency})"
    if kind == "crosswalk":
        files.load_crosswalk(path)
        return "crosswalk"
    if kind == "program":
        if not catalogues:
            problem = Problem(
                path.name,
                "catalogues",
                "a program is checked against its catalogues",
                hint="pass its catalogue files too, or validate the region directory",
            )
            raise CatalogueError([problem])
        program = files.load_program(path, catalogues, zone=ZoneInfo(zone))
        return f"program {program.name} ({program.mark}): {len(program.members)} members"
    catalogue = files.load_catalogue(path)
    catalogues.append(catalogue)
    return f"catalogue {catalogue.name} {catalogue.version}: {len(catalogue.items)} items"


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    paths = [Path(p) for p in args.paths]
    kinds = {p: None if p.is_dir() else _kind(p) for p in paths}
    catalogues: list[Catalogue] = []
    failed = 0
    # Catalogues first, so a program given on the same line is checked against them.
    for path in sorted(paths, key=lambda p: kinds[p] == "program"):
        if not path.exists():
            print(f"{path}: not found", file=out)
            failed += 1
            continue
        try:
            print(f"{path}: ok, {_describe(path, kinds[path], catalogues, args.zone)}", file=out)
        except CatalogueError as error:
            failed += 1
            count = len(error.problems)
            print(f"{path}: {count} problem{'s' if count > 1 else ''}", file=out)
            for problem in error.problems:
                print(f"  {problem}", file=out)
    return 1 if failed else 0


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    from mutrec.files import load_catalogue
    from mutrec.model import diff

    old, new = load_catalogue(args.old), load_catalogue(args.new)
    changes = diff(old, new)
    if args.format == "json":
        document = {
            "old": {"name": old.name, "version": old.version},
            "new": {"name": new.name, "version": new.version},
            "added": list(changes.added),
            "removed": list(changes.removed),
            "changed": [{"code": c.code, "fields": list(c.fields)} for c in changes.changed],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2), file=out)
        return 0
    print(f"{old.name} {old.version} → {new.name} {new.version}", file=out)
    if not changes:
        print("no differences in items", file=out)
        return 0
    print(f"added ({len(changes.added)}): {', '.join(changes.added) or '—'}", file=out)
    print(f"removed ({len(changes.removed)}): {', '.join(changes.removed) or '—'}", file=out)
    print(f"changed ({len(changes.changed)}):", file=out)
    for change in changes.changed:
        print(f"  {change.code}: {', '.join(change.fields)}", file=out)
    return 0
