"""A region's data bundle, loaded from a directory described by ``region.toml``.

>>> region = load_example_region()
>>> region.illustrative, sorted(region.programs)
(True, ['京津冀鲁检验互认(示例)', '北京市影像互认(示例)', '示例县医共体'])
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from mutrec._checks import each, instance_of, optional, path_like, require
from mutrec.errors import CatalogueError, Problem
from mutrec.files._catalogues import load_catalogue_into
from mutrec.files._programs import (
    load_crosswalk,
    load_fees,
    load_institutions,
    load_program,
    load_quality,
)
from mutrec.files._reader import Fields, Source, check_header
from mutrec.model.catalogue import Catalogue, CodeIndex, Crosswalk, Item
from mutrec.model.institutions import Institution
from mutrec.model.programs import FeeSchedule, Program, ProgramKind, QualityBook

__all__ = ["Region", "load_example_region", "load_region"]


def _read_only(name: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
    require(name, value, Mapping, "a mapping by program name")
    return MappingProxyType(dict(value))


# attrs does not tell a converter its field: one per field, so that an error names it.
def _settings(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return _read_only("policy_settings", value)


def _files(value: Mapping[str, str]) -> Mapping[str, str]:
    return _read_only("policy_files", value)


@attrs.frozen(eq=False)
class Region:
    """Everything a region configures: programs, catalogues, institutions, quality, fees.

    Attributes:
        name: The region's name.
        zone: The zone its calendar dates are in.
        programs: Programs by name, medical alliances among them
            (``kind = ProgramKind.ALLIANCE``, from the region file's ``alliances`` list).
        catalogues: Every catalogue loaded.
        institutions: Institutions by id.
        quality: Quality records, indexed.
        fees: The fee schedule, if any.
        crosswalk: Local codes, if any.
        source: Where the data come from.
        illustrative: Whether the data are illustrative rather than official.
        policy_settings: Each program's ``[policy]`` table by program name, for programs that
            have one: shape-checked, deep-frozen raw data (read-only mappings, tuples).
            Only the policy layer judges its values: :meth:`mutrec.policy.Policy.from_region`
            reads each with ``ProgramSettings.from_raw``.
        policy_files: The file each program of ``policy_settings`` was read from (for errors).
        codes: Every catalogue's items by LOINC and WS/T 886—2026 code, region-wide (built).

    >>> region = load_example_region()
    >>> region.name, str(region.zone), len(region.institutions)
    ('京津冀鲁示例区域', 'Asia/Shanghai', 15)
    >>> sorted(region.policy_settings["京津冀鲁检验互认(示例)"]["rapid_items"])
    ['K', 'PLT']
    """

    name: str = attrs.field(validator=instance_of(str))
    zone: tzinfo = attrs.field(validator=instance_of(tzinfo))
    programs: dict[str, Program] = attrs.field(validator=instance_of(Mapping))
    catalogues: tuple[Catalogue, ...] = attrs.field(validator=each(Catalogue))
    institutions: dict[str, Institution] = attrs.field(validator=instance_of(Mapping))
    quality: QualityBook = attrs.field(validator=instance_of(QualityBook))
    fees: FeeSchedule | None = attrs.field(
        default=None, validator=optional(instance_of(FeeSchedule))
    )
    crosswalk: Crosswalk = attrs.field(
        factory=lambda: Crosswalk(()), validator=instance_of(Crosswalk)
    )
    source: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    illustrative: bool = attrs.field(default=False, validator=instance_of(bool))
    policy_settings: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=_settings
    )
    policy_files: Mapping[str, str] = attrs.field(factory=dict, converter=_files)
    _items: dict[str, Item] = attrs.field(init=False, repr=False, factory=dict)
    _newest_first: tuple[Catalogue, ...] = attrs.field(init=False, repr=False, factory=tuple)
    codes: CodeIndex = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Index every item code across catalogues (the newest catalogue wins), and codes."""
        items: dict[str, Item] = {}
        for cat in sorted(self.catalogues, key=lambda c: c.effective_from):
            items.update((i.code, i) for i in cat.items)
        object.__setattr__(self, "_items", items)
        # Names resolve as codes do: the newest catalogue's item wins.
        newest = sorted(self.catalogues, key=lambda c: c.effective_from, reverse=True)
        object.__setattr__(self, "_newest_first", tuple(newest))
        object.__setattr__(self, "codes", CodeIndex(i for c in self.catalogues for i in c.items))

    def item(self, code: str) -> Item | None:
        """The item with this code in any catalogue of the region (the newest wins).

        >>> region = load_example_region()
        >>> region.item("K").name_en, region.item("钾") is None
        ('Potassium', True)
        """
        try:
            return self._items.get(code)
        except TypeError:  # an unhashable code
            require("code", code, str)
            raise

    def resolve(
        self, text: str, *, issuer: str | None = None, loinc: str | None = None
    ) -> Item | None:
        """Resolve an item as a result names it: issuer's local code, then code, LOINC, alias.

        A LOINC or WS/T 886—2026 code (given as *loinc* or as *text*) is looked up across
        the whole region (:attr:`codes`): it resolves when exactly one item carries it, and
        to ``None`` when two different items do (``region.codes.why_not`` says which).

        >>> region = load_example_region()
        >>> region.resolve("LIS-0101", issuer="BJ001").code, region.resolve("ＡＬＴ").code
        ('K', 'ALT')
        >>> region.resolve("1700104A").code, region.resolve("x", loinc="2823-3").code
        ('Glu', 'K')
        """
        if issuer is not None and (code := self.crosswalk.item_code(issuer, text)):
            return self._items.get(code)
        if (item := self._items.get(text)) is not None:
            return item
        for national in (loinc, text):
            if national and self.codes.matches(national):
                code = self.codes.item_code(national)
                return None if code is None else self._items.get(code)
        for cat in self._newest_first:
            if (item := cat.resolve(text, loinc=loinc)) is not None:
                return item
        return None


def _zone(top: Fields) -> tzinfo | None:
    name = top.get("zone", str)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    # ZoneInfo("Asia") is a directory (IsADirectoryError); a 5,000-character name is an OSError
    except (ZoneInfoNotFoundError, ValueError, OSError):
        top.bad(
            "zone", f"unknown time zone {name!r:.80}", 'use an IANA name such as "Asia/Shanghai"'
        )
        return None


def _load_programs(
    files: list[tuple[Source, ProgramKind]],
    by_name: Mapping[str, list[Catalogue]],
    zone: tzinfo,
    institutions: Collection[str],
    into: tuple[dict[str, Program], dict[str, Mapping[str, Any]], dict[str, str]],
) -> None:
    """Load programs, then alliances (whose ``items = "all"`` is the programs' catalogues)."""
    programs, policies, policy_files = into
    used: dict[str, None] = {}  # the programs' catalogue names, in order
    for p_src, kind in files:
        program = load_program(
            p_src,
            by_name,
            zone=zone,
            institutions=institutions,
            policies=policies,
            kind=kind,
            all_items=tuple(used),
        )
        if program is None:
            continue
        if kind is ProgramKind.PROGRAM:
            used.update((cat.name, None) for cat in program.catalogues)
        if program.name in programs:
            # A second program of one name would silently replace the first (and its policy)
            p_src.problem(
                "name",
                f"duplicate program name {program.name!r}",
                p_src.line(None, 0, "name"),
                "give each program its own name",
            )
        else:
            programs[program.name] = program
            if program.name in policies:
                policy_files[program.name] = p_src.name


def load_region(directory: str | Path) -> Region:
    """Load the region described by ``directory/region.toml``.

    Every file is read and checked before anything is raised, so one
    :class:`~mutrec.errors.CatalogueError` lists every problem in every file.

    Raises:
        CatalogueError: With every problem found.
        ArgumentError: *directory* is not a ``str`` or ``os.PathLike``.

    >>> from mutrec.examples import path
    >>> region = load_region(path("region"))
    >>> region.fees.currency, region.crosswalk.item_code("BJ001", "lis-0102")
    ('CNY', 'Na')
    """
    path_like("directory", directory)
    root = Path(directory)
    src = Source(root / "region.toml")
    raw = src.load_toml()
    if raw is None:
        raise CatalogueError(src.problems)
    top = check_header(src, raw, "region")
    name = top.get("name", str)
    zone = _zone(top)
    sources: list[Source] = [src]

    def open_(file: str) -> Source:
        s = Source(root / file, zone)
        sources.append(s)
        return s

    loaded = [load_catalogue_into(open_(file)) for file in top.str_list("catalogues")]
    catalogues = [cat for cat in loaded if cat is not None]
    by_name: dict[str, list[Catalogue]] = {}
    for cat in catalogues:
        by_name.setdefault(cat.name, []).append(cat)
    codes = {i.code for cat in catalogues for i in cat.items}
    inst_file = top.get("institutions", str)
    institutions = load_institutions(open_(inst_file)) if inst_file else {}
    programs: dict[str, Program] = {}
    policies: dict[str, Mapping[str, Any]] = {}
    policy_files: dict[str, str] = {}
    files = [(file, ProgramKind.PROGRAM) for file in top.str_list("programs")]
    files += [(file, ProgramKind.ALLIANCE) for file in top.str_list("alliances")]
    if zone is not None:
        _load_programs(
            [(open_(file), kind) for file, kind in files],
            by_name,
            zone,
            institutions.keys(),
            (programs, policies, policy_files),
        )
    quality_file = top.get("quality", str, required=False)
    quality = (
        load_quality(open_(quality_file), institutions=institutions.keys(), items=codes)
        if quality_file
        else []
    )
    fees_file = top.get("fees", str, required=False)
    fees = load_fees(open_(fees_file), items=codes) if fees_file else None
    cw_file = top.get("crosswalk", str, required=False)
    crosswalk = (
        load_crosswalk(open_(cw_file), items=codes, institutions=institutions.keys())
        if cw_file
        else Crosswalk(())
    )
    top.finish()
    problems: list[Problem] = [p for s in sources for p in s.problems]
    if problems or name is None or zone is None:
        raise CatalogueError(problems or [Problem(src.name, "", "the region could not be built")])
    return Region(
        name,
        zone,
        programs,
        tuple(catalogues),
        institutions,
        QualityBook(quality),
        fees,
        crosswalk or Crosswalk(()),
        source=raw.get("source"),
        illustrative=raw.get("illustrative", False),
        policy_settings=policies,
        policy_files=policy_files,
    )


def load_example_region() -> Region:
    """Load the bundled illustrative region (see ``mutrec/examples/region/region.toml``).

    >>> region = load_example_region()
    >>> region.illustrative, region.resolve("血糖").code
    (True, 'Glu')
    """
    from mutrec.examples import path

    return load_region(path("region"))
