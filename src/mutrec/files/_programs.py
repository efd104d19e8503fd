"""Load programs, institutions, quality records, fee schedules and crosswalks."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from mutrec.errors import CatalogueError
from mutrec.files._field import read_acceptance
from mutrec.files._policy_table import read_policy
from mutrec.files._reader import Fields, Source, check_header, clip
from mutrec.model.catalogue import Catalogue, Category, Crosswalk, fold
from mutrec.model.institutions import Grade, Institution, InstitutionType, Level
from mutrec.model.programs import (
    Fee,
    FeeBucket,
    FeeSchedule,
    Membership,
    Program,
    ProgramKind,
    QualityRecord,
    Scheme,
)

_AMOUNT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_MAX_AMOUNT = Decimal(10) ** 12


def _entries(src: Source, top: Fields, key: str, csv_key: str | None) -> Iterator[Fields]:
    """Yield fields for each ``[[key]]`` table, then each row of the CSV named by *csv_key*."""
    for i, raw in enumerate(top.get(key, list, required=False) or []):
        yield Fields(src, raw, f"{key}[{i}]", table=key, index=i)
    name = None if csv_key is None else top.get(csv_key, str, required=False)
    if name is not None:
        csv_src = Source(src.path.parent / name, src.default_zone)
        for line, row in csv_src.rows(key):
            first = next(iter(row.values()), "")
            where = f"{key}[{clip(first) or line}]"
            yield Fields(csv_src, dict(row), where, line=line, csv=True)
        src.problems.extend(csv_src.problems)


def _policy_codes(src: Source, policy: Mapping[str, Any], codes: Collection[str]) -> None:
    """Codes the ``[policy]`` table names must be the catalogues' (a typo would never match)."""
    for key in ("critical_items", "rapid_items", "plausible", "critical"):
        if unknown := sorted(set(policy.get(key, ())) - set(codes)):
            src.problem(
                f"policy.{key}",
                f"unknown item codes {_listed(unknown)}",
                src.line("policy", 0, key),
                "use codes from the program's catalogues",
            )


def _listed(codes: list[str]) -> str:
    """Codes for a message: each clipped, at most ten (a CSV cell may hold megabytes)."""
    shown = [clip(code) for code in codes[:10]]
    return f"{shown}" if len(codes) <= 10 else f"{shown} and {len(codes) - 10} more"


def _place(f: Fields) -> str:
    """Where the entry *f* is, for a hint: ``fees.csv:3`` or ``fees.toml:12``."""
    line = f.line()
    return f"{f.where} ({f.src.name}:{line})" if line is not None else f"{f.where} ({f.src.name})"


def _amount(f: Fields) -> Decimal | None:
    """The ``amount`` of a fee as an exact, finite, non-negative Decimal; ``None`` if bad."""
    raw = f.get("amount", object)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        f.bad("amount", f"not an amount: {raw!r:.80}", 'write amount = "12.50"')
        return None
    # Decimal() alone would also take "NaN", "1e3" and other scripts' digits ("٣"): only
    # plain ASCII decimals are amounts.
    if isinstance(raw, str) and not _AMOUNT.fullmatch(raw.strip()):
        f.bad("amount", f"not an amount: {raw!r:.80}", 'write amount = "12.50"')
        return None
    try:
        amount = Decimal(raw.strip()) if isinstance(raw, str) else Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern and TOML's syntax come first
        f.bad("amount", f"not an amount: {raw!r:.80}", 'write amount = "12.50"')
        return None
    # 1E+999999 is finite, but a sum of such amounts overflows decimal's context later.
    if not amount.is_finite() or amount < 0 or amount >= _MAX_AMOUNT:
        f.bad(
            "amount",
            f"amount must be a finite number >= 0, got {raw!r:.60}",
            "write an amount such as 12.50, below 10**12",
        )
        return None
    return amount


def load_program(  # noqa: C901, PLR0912, PLR0913 - one flat list of checks reads best
    src: Source,
    catalogues: Mapping[str, Sequence[Catalogue]],
    *,
    zone: tzinfo,
    institutions: Collection[str] | None = None,
    policies: dict[str, Mapping[str, Any]] | None = None,
    kind: ProgramKind = ProgramKind.PROGRAM,
    all_items: Sequence[str] | None = None,
) -> Program | None:
    """Load a program (or alliance) file, checking its catalogue and institution references.

    A ``[policy]`` table, if any, is shape-checked and stored in *policies* by program name;
    an ``[acceptance]`` table becomes the program's matrix by level and grade. An alliance
    (``kind = "alliance"``) has no mark, and may write ``items = "all"`` for every catalogue
    its region's programs use (*all_items*, by name; every loaded catalogue if ``None``)
    instead of ``catalogues = […]``.
    """
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, kind.value)
    name, scope = top.get("name", str), top.get("scope", str)
    alliance = kind is ProgramKind.ALLIANCE
    mark = top.get("mark", str, required=not alliance) or ("" if alliance else None)
    cats: list[Catalogue] = []
    every = tuple(catalogues) if all_items is None else tuple(all_items)
    names = _catalogue_names(top, every, alliance=alliance)
    for cat_name in names:
        if cat_name in catalogues:
            cats.extend(catalogues[cat_name])
        else:
            known = ", ".join(sorted(catalogues)) or "none loaded"
            top.bad(
                "catalogues", f"unknown catalogue {cat_name!r:.80}", f"known catalogues: {known}"
            )
    codes = {item.code for cat in cats for item in cat.items}
    members: list[Membership] = []
    periods: defaultdict[str, list[tuple[Membership, Fields]]] = defaultdict(list)
    for f in _entries(src, top, "members", "members_csv"):
        inst = f.get("institution", str)
        since, until = f.date("since"), f.date("until", required=False)
        # Absent (or an empty CSV cell) is every item; [] or a cell of only ";" is a problem.
        items = f.subset("items")
        f.finish()
        if inst is not None and institutions is not None and inst not in institutions:
            f.bad(
                "institution",
                f"unknown institution {inst!r:.80}",
                "add it to the institutions file",
            )
        if items is not None and cats and (unknown := sorted(set(items) - codes)):
            f.bad(
                "items",
                f"unknown item codes {_listed(unknown)}",
                "use codes from the program's catalogues",
            )
        if inst is None or since is None:
            continue
        if until is not None and until < since:
            f.bad("until", f"{until} is before since {since}")
            continue
        m = Membership(inst, since, until, items=items)
        periods[inst].append((m, f))
        members.append(m)
    for inst, ms in periods.items():
        ms.sort(key=lambda p: p[0].since)
        for (a, _), (b, fb) in itertools.pairwise(ms):
            if a.until is None or b.since <= a.until:
                fb.bad(
                    "since",
                    f"membership of {inst!r:.80} from {b.since} overlaps the period from "
                    f"{a.since} to {a.until or 'open end'}",
                    "end the earlier period first",
                )
    policy = read_policy(src, top)
    acceptance = read_acceptance(src, top)
    if policy is not None and cats:
        _policy_codes(src, policy, codes)
    top.finish()
    if src.problems or name is None or scope is None or mark is None:
        return None
    if policy is not None and policies is not None:
        policies[name] = policy
    try:
        return Program(
            name,
            scope,
            mark,
            cats,
            members,
            zone=zone,
            source=raw.get("source"),
            kind=kind,
            acceptance=acceptance,
        )
    except CatalogueError as error:  # pragma: no cover - the checks above come first
        src.problems.extend(error.problems)
        return None


def _catalogue_names(top: Fields, every: tuple[str, ...], *, alliance: bool) -> tuple[str, ...]:
    """The catalogues named by ``catalogues``, or every one for an alliance's ``items = "all"``."""
    items = top.get("items", str, required=False) if alliance else None
    if items is not None:
        top.used.add("catalogues")
        if items.strip() != "all":
            top.bad("items", f"unknown value {items!r:.60}", 'write items = "all" or catalogues')
            return ()
        if "catalogues" in top.raw:
            top.bad("catalogues", 'given with items = "all"', "give one of the two")
            return ()
        return every
    if "catalogues" not in top.raw:
        hint = 'add catalogues = ["…"] (catalogue names)'
        top.bad("catalogues", "is missing", hint + (' or items = "all"' if alliance else ""))
        return ()
    return top.subset("catalogues") or ()


def load_institutions(src: Source) -> dict[str, Institution]:
    """Load an institutions file into a dict by id."""
    raw = src.load_toml()
    if raw is None:
        return {}
    top = check_header(src, raw, "institutions")
    result: dict[str, Institution] = {}
    seen: dict[str, str] = {}  # id -> where it was first defined
    for f in _entries(src, top, "institutions", "institutions_csv"):
        iid, name, region = f.get("id", str), f.get("name", str), f.get("region", str)
        level_value = f.get("level", int)
        level = None
        if level_value is not None:
            try:
                level = Level(level_value)
            except ValueError:
                f.bad("level", f"unknown level {level_value!r:.80}", "use 0 (unrated), 1, 2 or 3")
        grade = f.enum("grade", Grade, required=False) or Grade.NONE
        kind = f.enum("type", InstitutionType, required=False) or InstitutionType.GENERAL
        f.finish()
        if iid is not None and iid in seen:
            f.bad(
                "id",
                f"duplicate institution id {iid!r:.80}",
                f"ids must be unique; first {seen[iid]}",
            )
            continue
        if iid is not None:
            seen[iid] = _place(f)
        if None not in (iid, name, region, level):
            result[iid] = Institution(iid, name, region, level, grade, kind)  # type: ignore[arg-type]
    top.finish()
    return result


def load_quality(
    src: Source,
    *,
    institutions: Collection[str] | None = None,
    items: Collection[str] | None = None,
) -> list[QualityRecord]:
    """Load a quality-records file."""
    raw = src.load_toml()
    if raw is None:
        return []
    top = check_header(src, raw, "quality")
    records: list[QualityRecord] = []
    for f in _entries(src, top, "records", None):
        inst = f.get("institution", str)
        passed = f.get("passed", bool)
        start, end = f.date("valid_from"), f.date("valid_until")
        scheme = f.enum("scheme", Scheme)
        item = f.get("item", str, required=False)
        category = f.enum("category", Category, required=False)
        centre = f.get("centre", str, required=False)
        f.finish()
        if inst is not None and institutions is not None and inst not in institutions:
            f.bad(
                "institution",
                f"unknown institution {inst!r:.80}",
                "add it to the institutions file",
            )
        if item is not None and items is not None and item not in items:
            f.bad("item", f"unknown item {item!r:.80}", "use a code from the region's catalogues")
        if item is not None and category is not None:
            f.bad("category", "a record is for an item or a category, not both")
            continue
        if start is not None and end is not None and end < start:
            f.bad("valid_until", f"{end} is before valid_from {start}")
            continue
        if (
            inst is not None
            and passed is not None
            and start is not None
            and end is not None
            and scheme is not None
        ):
            records.append(
                QualityRecord(
                    inst,
                    passed,
                    start,
                    end,
                    scheme=scheme,
                    item=item,
                    category=category,
                    centre=centre,
                )
            )
    top.finish()
    return records


def load_fees(src: Source, *, items: Collection[str] | None = None) -> FeeSchedule | None:
    """Load a fee schedule."""
    raw = src.load_toml(exact=True)  # amounts: Decimal from their text, never via float
    if raw is None:
        return None
    top = check_header(src, raw, "fees")
    name, currency, start = (
        top.get("name", str),
        top.get("currency", str),
        top.date("effective_from"),
    )
    fees: dict[str, Fee] = {}
    seen: dict[str, str] = {}  # item -> where its fee was first given
    for f in _entries(src, top, "fees", "fees_csv"):
        item = f.get("item", str)
        amount = _amount(f)
        bucket = f.enum("bucket", FeeBucket)
        f.finish()
        if item is None:
            continue
        if item in seen:
            f.bad(
                "item",
                f"duplicate fee for {item!r:.80}",
                f"give each item one fee; the first is {seen[item]}",
            )
            continue
        seen[item] = _place(f)
        if items is not None and item not in items:
            f.bad("item", f"unknown item {item!r:.80}", "use a code from the region's catalogues")
        elif amount is not None and bucket is not None:
            fees[item] = Fee(item, amount, bucket)
    top.finish()
    if src.problems or name is None or currency is None or start is None:
        return None
    return FeeSchedule(name, currency, start, fees.values(), source=raw.get("source"))


def load_crosswalk(
    src: Source,
    *,
    items: Collection[str] | None = None,
    institutions: Collection[str] | None = None,
) -> Crosswalk | None:
    """Load a crosswalk of hospitals' local codes.

    Every entry must name a known institution and item (when those are given), and one
    institution's local code may appear once only, compared as look-ups compare it (folded
    case and width): a second entry would silently replace the first.
    """
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, "crosswalk")
    entries: list[tuple[str, str, str]] = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # (inst, folded local) -> (item, where)
    for f in _entries(src, top, "entries", "entries_csv"):
        inst, local, item = f.get("institution", str), f.get("local", str), f.get("item", str)
        f.finish()
        if inst is not None and institutions is not None and inst not in institutions:
            f.bad(
                "institution",
                f"unknown institution {inst!r:.80}",
                "add it to the institutions file",
            )
        if item is not None and items is not None and item not in items:
            f.bad("item", f"unknown item {item!r:.80}", "use a code from the region's catalogues")
        if inst is not None and local is not None:
            key = (inst, fold(local))
            if key in seen:
                first_item, first_at = seen[key]
                f.bad(
                    "local",
                    f"duplicate local code {local!r:.80} of {inst!r:.80} (maps to "
                    f"{item!r:.80}; already mapped to {first_item!r:.80})",
                    f"give each local code one entry; the first is {first_at}",
                )
                continue
            seen[key] = (item or "?", _place(f))
        if inst is not None and local is not None and item is not None:
            entries.append((inst, local, item))
    top.finish()
    return None if src.problems else Crosswalk(entries)
