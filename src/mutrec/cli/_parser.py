"""The arguments of ``mutrec`` and its commands, and the exit statuses its help documents."""

from __future__ import annotations

import argparse
from typing import Final

__all__ = ["EXIT_STATUSES", "parser"]

EXIT_STATUSES: Final = """\
exit status:
  0  every row was decided (or --allow-row-errors was given)
  1  the input could not be read, or an internal error (one line on standard error says why)
  2  usage error: an unknown option or a missing argument
  3  some rows could not be decided (each is reported in the output, with why)
"""


def _debug(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="on an internal error, show the traceback (to report it)",
    )


def parser() -> argparse.ArgumentParser:
    """The ``mutrec`` argument parser.

    >>> parser().parse_args(["check", "x.csv", "--encoding", "gb18030"]).encoding
    'gb18030'
    """
    from mutrec._checkio import __doc__ as columns

    main = argparse.ArgumentParser(
        prog="mutrec",
        description="Mutual recognition of clinical test and examination results (HR).",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="store_true", help="print the version and exit")
    _debug(main, default=False)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the demo on the bundled example data")
    demo.add_argument("--units", action="store_true", help="show only the units part")
    _debug(demo, default=argparse.SUPPRESS)

    check = commands.add_parser(
        "check",
        help="decide every result in a CSV or JSON file",
        description="Decide whether each prior result in FILE may be recognised.",
        epilog=(columns or "").split(">>>")[0] + "\n" + EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", metavar="FILE", help="CSV or JSON rows ('-' for standard input)")
    check.add_argument("--region", metavar="DIR", help="region directory (default: the example)")
    check.add_argument(
        "--columns",
        metavar="MAP",
        help="read any CSV (a LIS export) through a column map (kind = 'columns', TOML)",
    )
    check.add_argument("--format", choices=("table", "json", "csv"), default="table")
    check.add_argument(
        "--input-format",
        choices=("auto", "csv", "json"),
        default="auto",
        help="how to read FILE (default: from its extension; JSON if it starts with [ or {)",
    )
    check.add_argument(
        "--encoding",
        metavar="CODEC",
        help="FILE's encoding (default: UTF-8 with or without BOM, or UTF-16 with BOM); "
        "Excel on Chinese Windows saves CSV as gb18030",
    )
    check.add_argument(
        "--delimiter",
        default=",",
        metavar="CHAR",
        help="CSV cell separator: ',' (default), ';', '|' or tab",
    )
    check.add_argument("--receiver", help="receiver for rows without one")
    check.add_argument("--at", help="decision instant (ISO-8601) for rows without one")
    check.add_argument("--default-zone", metavar="ZONE", help="zone of naive instants (IANA)")
    check.add_argument("--lang", choices=("zh", "en"), default="en", help="explanation language")
    check.add_argument("--explain", action="store_true", help="table: explain each decision")
    check.add_argument("--summary", action="store_true", help="table/json: add the statistics")
    check.add_argument(
        "--allow-row-errors",
        action="store_true",
        help="exit 0 even when some rows could not be decided (they are still reported)",
    )
    _debug(check, default=argparse.SUPPRESS)

    synth = commands.add_parser(
        "synth",
        help="generate a synthetic province's prior results into Parquet (seeded)",
        description="Write ROWS generated rows of mutrec check's columns to a Parquet file "
        "(needs mutrec[arrow,numpy]); the same seed writes the same bytes.",
    )
    synth.add_argument("out", metavar="OUT", help="the Parquet file to write")
    synth.add_argument("--rows", type=int, default=100_000, help="how many rows (100000)")
    synth.add_argument("--seed", type=int, default=0, help="the seed (0)")
    synth.add_argument("--days", type=int, default=182, help="the period in days (182)")
    synth.add_argument(
        "--qc-fail-share",
        type=float,
        default=0.05,
        help="share of (laboratory, item) pairs failing EQA (0.05)",
    )
    synth.add_argument(
        "--region-out", metavar="DIR", help="also write the generated region (for --region)"
    )
    _debug(synth, default=argparse.SUPPRESS)

    catalogue = commands.add_parser("catalogue", help="validate or compare data files")
    _debug(catalogue, default=argparse.SUPPRESS)
    actions = catalogue.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate", help="report every problem of catalogue, program or region files"
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="file, or region directory")
    validate.add_argument(
        "--zone", default="Asia/Shanghai", help="zone of program files (default: Asia/Shanghai)"
    )
    _debug(validate, default=argparse.SUPPRESS)
    diff = actions.add_parser("diff", help="items added, removed and changed")
    diff.add_argument("old", metavar="OLD", help="the old catalogue file")
    diff.add_argument("new", metavar="NEW", help="the new catalogue file")
    diff.add_argument("--format", choices=("table", "json"), default="table")
    _debug(diff, default=argparse.SUPPRESS)
    from mutrec.cli._serve import add_commands

    add_commands(commands, _debug)
    return main
