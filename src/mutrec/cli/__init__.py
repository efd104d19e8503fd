"""The ``mutrec`` command line: the demo, checking results, and validating catalogues.

The command line only presents what the library computes; it is the one layer that prints.

- ``mutrec demo [--units]``: a patient's prior results at another hospital (default), or how
  report units are read.
- ``mutrec check FILE [--region DIR] [--format table|json|csv]``: decide every row of a CSV or
  JSON file (the columns are in ``mutrec check --help``); bad rows are reported, not fatal.
- ``mutrec synth OUT --rows N --seed S``: a synthetic province's prior results into Parquet.
- ``mutrec catalogue validate PATH...``: every problem of catalogue, program and region files.
- ``mutrec catalogue diff OLD NEW``: items added, removed and changed between two catalogues.
- ``mutrec serve [--region DIR] [--audit FILE]``: the CDS Hooks and REST service (``server``
  extra); ``mutrec stats --audit FILE``: what regulators count, from its audit store.

Exit status: 0 on success; 1 when the input could not be read (a one-line message says why,
no traceback) or on an internal error; 2 on a usage error; 3 when ``check`` could not decide
some rows (0 with ``--allow-row-errors``).

>>> main(["--version"])  # doctest: +ELLIPSIS
mutrec ...
0
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from importlib.metadata import version
from typing import TYPE_CHECKING

from mutrec.errors import CatalogueError, MutrecError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import TextIO

__all__ = ["main"]

_INTERRUPTED = 130  # what shells report for a command ended by Ctrl-C (128 + SIGINT)


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: The arguments, without the program name.
        out: Where to write normal output (default: standard output).
        err: Where to write messages and the progress count (default: standard error).

    Returns:
        0 on success; 1 when the input could not be read or on an internal error; 2 on a usage
        error; 3 when ``check`` could not decide some rows.

    >>> main(["demo", "--units"], out=sys.stdout)  # doctest: +ELLIPSIS
    Reading lab units as printed on real reports ...
    0
    >>> main(["check", "no-such-file.csv"], err=sys.stdout)
    mutrec: error: cannot read no-such-file.csv: No such file or directory
    1
    """
    stream = sys.stdout if out is None else out
    errors = sys.stderr if err is None else err
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(arguments, stream, errors, replace_stdout=out is None)
    except KeyboardInterrupt:
        print("\nmutrec: interrupted", file=errors)
        return _INTERRUPTED
    except Exception as error:  # noqa: BLE001 (the promise: never a traceback unless asked)
        if "--debug" in arguments:
            traceback.print_exc(file=errors)
        text = " ".join(str(error).split()) or "(no message)"
        print(
            f"mutrec: internal error: {type(error).__name__}: {text} "
            "(please report; rerun with --debug for the traceback)",
            file=errors,
        )
        return 1


def _main(  # noqa: PLR0911 (one exit status per kind of failure)
    argv: list[str], out: TextIO, err: TextIO, *, replace_stdout: bool
) -> int:
    from mutrec.cli._parser import parser as make_parser

    parser = make_parser()
    try:
        # Help and usage errors go where the caller asked output and messages to go.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.version:
        print(f"mutrec {version('mutrec')}", file=out)
        return 0
    try:
        return _run(parser, args, out, err)
    except CatalogueError as error:
        lines = str(error).splitlines()
        print(f"mutrec: error: {lines[0]}", file=err)
        for line in lines[1:]:
            print(line, file=err)
        return 1
    except BrokenPipeError:
        # The reader went away (`mutrec demo | head`): not an error of the input. Point stdout
        # at devnull so the interpreter's final flush does not fail again.
        if replace_stdout:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 (kept open until exit)
        return 0
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"mutrec: error: cannot read {where}{error.strerror or error}", file=err)
        return 1
    except MutrecError as error:
        print(f"mutrec: error: {' '.join(str(error).split())}", file=err)
        return 1


def _run(
    parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    if args.command == "demo":
        from mutrec import _demo

        if args.units:
            _demo.run_units_demo(out)
        else:
            _demo.run_recognition_demo(out)
        return 0
    if args.command == "check":
        from mutrec.cli._check import check

        return check(args, out, err)
    if args.command == "synth":
        return _synth(args, out, err)
    if args.command == "catalogue":
        from mutrec.cli import _catalogue

        action = _catalogue.validate if args.action == "validate" else _catalogue.diff
        return action(args, out)
    if args.command in {"serve", "stats"}:
        from mutrec.cli import _serve

        return _serve.serve(args, err) if args.command == "serve" else _serve.stats(args, out)
    parser.print_help(out)
    return 2


def _synth(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import time

    from mutrec import synth

    region = synth.province(seed=args.seed, qc_fail_share=args.qc_fail_share)
    start = time.perf_counter()
    rows = synth.write_parquet(args.out, args.rows, seed=args.seed, region=region, days=args.days)
    seconds = time.perf_counter() - start
    if args.region_out:
        synth.write_region(region, args.region_out)
        print(f"region written to {args.region_out}", file=err)
    rate = f" ({rows / seconds:,.0f} rows/s)" if seconds > 0 and rows else ""
    print(f"{rows:,} rows written to {args.out}{rate}", file=out)
    return 0
