"""``mutrec catalogue validate`` and ``mutrec catalogue diff``: data files, checked and compared."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from mutrec.errors import CatalogueError, Problem

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from mutrec.model import Catalogue

__all__ = ["diff", "validate"]


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


def validate(args: argparse.Namespace, out: TextIO) -> int:
    """Report every problem of each path; 1 when any has one."""
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


def diff(args: argparse.Namespace, out: TextIO) -> int:
    """Print the items added, removed and changed between two catalogues."""
    from mutrec.files import load_catalogue
    from mutrec.model import diff as compare

    old, new = load_catalogue(args.old), load_catalogue(args.new)
    changes = compare(old, new)
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
