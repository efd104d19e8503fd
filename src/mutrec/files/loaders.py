"""Load one data file of each kind; :func:`mutrec.files.load_region` loads them all together.

Each loader reads the whole file, collects every problem, and raises one
:class:`~mutrec.errors.CatalogueError` listing them all (file, key path or item, line, hint).

>>> from mutrec.examples import path
>>> institutions = load_institutions(path("region/institutions.toml"))
>>> institutions["BJ001"].level.label
'三级'
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import tzinfo
from pathlib import Path

from mutrec._checks import items_of, path_like, require
from mutrec.files import _programs
from mutrec.files._catalogues import load_catalogue
from mutrec.files._reader import Source
from mutrec.model.catalogue import Catalogue, Crosswalk
from mutrec.model.institutions import Institution
from mutrec.model.programs import FeeSchedule, Program, ProgramKind, QualityRecord

__all__ = [
    "load_alliance",
    "load_catalogue",
    "load_crosswalk",
    "load_fees",
    "load_institutions",
    "load_program",
    "load_quality",
]


def load_program(
    path: str | Path,
    catalogues: Iterable[Catalogue],
    *,
    zone: tzinfo,
    institutions: Collection[str] | None = None,
) -> Program:
    """Load a program file; it names its catalogues, which must be among *catalogues*.

    Raises:
        CatalogueError: With every problem in the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike`` (the caller's bug, not the
            file's), or another argument is not of its type.

    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.examples import path
    >>> lab = load_catalogue(path("region/catalogue-jjjl-lab.toml"))
    >>> prog = load_program(path("region/program-jjjl.toml"), [lab], zone=ZoneInfo("Asia/Shanghai"))
    >>> prog.mark, len(prog.members)
    ('京津冀HR', 12)
    """
    path_like("path", path)
    require("zone", zone, tzinfo, "a tzinfo such as ZoneInfo('Asia/Shanghai')")
    institutions = _names("institutions", institutions)
    by_name: dict[str, list[Catalogue]] = {}
    for cat in items_of("catalogues", catalogues, Catalogue):
        by_name.setdefault(cat.name, []).append(cat)
    src = Source(Path(path), zone)
    program = _programs.load_program(src, by_name, zone=zone, institutions=institutions)
    src.raise_if_any()
    assert program is not None  # noqa: S101 - no problems means it was built
    return program


def load_alliance(
    path: str | Path,
    catalogues: Iterable[Catalogue],
    *,
    zone: tzinfo,
    institutions: Collection[str] | None = None,
) -> Program:
    """Load a medical alliance file (医联体 / 医共体) as a program of kind ``alliance``.

    ``items = "all"`` takes every catalogue given; ``catalogues = […]`` names some.

    Raises:
        CatalogueError: With every problem in the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike``, or another argument is not
            of its type.

    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.examples import path
    >>> own = load_catalogue(path("region/catalogue-county-alliance.toml"))
    >>> county = load_alliance(path("region/alliance-county.toml"), [own],
    ...                        zone=ZoneInfo("Asia/Shanghai"))
    >>> county.kind.value, county.mark, len(county.members), "CRP" in own
    ('alliance', '', 3, True)
    """
    path_like("path", path)
    require("zone", zone, tzinfo, "a tzinfo such as ZoneInfo('Asia/Shanghai')")
    institutions = _names("institutions", institutions)
    by_name: dict[str, list[Catalogue]] = {}
    for cat in items_of("catalogues", catalogues, Catalogue):
        by_name.setdefault(cat.name, []).append(cat)
    src = Source(Path(path), zone)
    program = _programs.load_program(
        src, by_name, zone=zone, institutions=institutions, kind=ProgramKind.ALLIANCE
    )
    src.raise_if_any()
    assert program is not None  # noqa: S101 - no problems means it was built
    return program


def load_institutions(path: str | Path) -> dict[str, Institution]:
    """Load an institutions file into a dict by id.

    Institutions may be listed as ``[[institutions]]`` tables or in the CSV named by
    ``institutions_csv`` (numbers such as ``level`` are read from the CSV text).

    Raises:
        CatalogueError: With every problem in the file.

    >>> from mutrec.examples import path
    >>> insts = load_institutions(path("region/institutions.toml"))
    >>> len(insts), insts["BJ003"].level.label, insts["BJ003"].grade.value
    (15, '二级', '甲')
    """
    path_like("path", path)
    src = Source(Path(path))
    result = _programs.load_institutions(src)
    src.raise_if_any()
    return result


def load_quality(path: str | Path) -> list[QualityRecord]:
    """Load a quality-records file (references are checked only by :func:`load_region`).

    Raises:
        CatalogueError: With every problem in the file.

    >>> from datetime import date
    >>> from mutrec.examples import path
    >>> records = load_quality(path("region/quality.toml"))
    >>> failed = [r for r in records if not r.passed]
    >>> failed[0].institution, failed[0].valid_from <= date(2024, 3, 1) <= failed[0].valid_until
    ('TJ003', True)
    """
    path_like("path", path)
    src = Source(Path(path))
    result = _programs.load_quality(src)
    src.raise_if_any()
    return result


def load_fees(path: str | Path) -> FeeSchedule:
    """Load a fee schedule.

    Raises:
        CatalogueError: With every problem in the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike`` (the caller's bug, not the
            file's), or another argument is not of its type.

    >>> from mutrec.examples import path
    >>> str(load_fees(path("region/fees.toml")).fee_for("CT-CHEST").amount)
    '200.00'
    """
    path_like("path", path)
    src = Source(Path(path))
    result = _programs.load_fees(src)
    src.raise_if_any()
    assert result is not None  # noqa: S101 - no problems means it was built
    return result


def load_crosswalk(
    path: str | Path,
    *,
    institutions: Collection[str] | None = None,
    items: Collection[str] | None = None,
) -> Crosswalk:
    """Load a crosswalk of hospitals' local item codes.

    One institution's local code may appear once only, compared as look-ups compare it
    (case and width folded). Entries naming an institution not in *institutions*, or an item
    not in *items*, are problems (each check is skipped when its collection is ``None``;
    :func:`~mutrec.files.load_region` passes both).

    Raises:
        CatalogueError: With every problem in the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike`` (the caller's bug, not the
            file's), or another argument is not of its type.

    >>> from mutrec.examples import path
    >>> cw = load_crosswalk(path("region/crosswalk.toml"))
    >>> cw.item_code("TJ001", "sh-glu"), cw.item_code("BJ001", "SH-GLU")
    ('Glu', None)
    >>> load_crosswalk(path("region/crosswalk.toml"), institutions={"BJ001"})
    Traceback (most recent call last):
    ...
    mutrec.errors.CatalogueError: 2 problems in data files:
      crosswalk.toml:18: entries[2].institution: unknown institution 'TJ001' ...
    """
    path_like("path", path)
    institutions = _names("institutions", institutions)
    items = _names("items", items)
    src = Source(Path(path))
    result = _programs.load_crosswalk(src, items=items, institutions=institutions)
    src.raise_if_any()
    assert result is not None  # noqa: S101 - no problems means it was built
    return result


def _names(name: str, value: Collection[str] | None) -> frozenset[str] | None:
    """*value* as a set of names, refusing a lone string (its letters are not names)."""
    return None if value is None else frozenset(items_of(name, value, str))
