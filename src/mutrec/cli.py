"""The ``mutrec`` command line: the demo, and (later) checking results and validating catalogues.

The command line only presents what the library computes; it is the one layer that prints.

>>> main(["--version"])  # doctest: +ELLIPSIS
mutrec ...
0
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: The arguments, without the program name.
        out: Where to write normal output (default: standard output).

    Returns:
        0 on success, 1 when the input was bad (the message says why), 2 on a usage error.

    >>> main(["demo", "--units"], out=sys.stdout)  # doctest: +ELLIPSIS
    Reading lab units as printed on real reports ...
    0
    """
    stream = sys.stdout if out is None else out
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.version:
        print(f"mutrec {version('mutrec')}", file=stream)
        return 0
    if args.command == "demo":
        from mutrec._demo import run_units_demo

        run_units_demo(stream)
        return 0
    parser.print_help(stream)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutrec",
        description="Mutual recognition of clinical test and examination results (HR).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the demo on the bundled example data")
    demo.add_argument("--units", action="store_true", help="show only the units part")
    return parser
