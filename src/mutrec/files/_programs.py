"""Load programs, institutions, quality records, fee schedules and crosswalks."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from mutrec.errors import CatalogueError
from mutrec.files._reader import Fields, Source, check_header
from mutrec.model.catalogue import Catalogue, Category, Crosswalk
from mutrec.model.institutions import Grade, Institution, InstitutionType, Level
from mutrec.model.programs import (
    Fee,
    FeeBucket,
    FeeSchedule,
    Membership,
    Program,
    QualityRecord,
    Scheme,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping, Sequence
    from datetime import tzinfo


def _entries(src: Source, top: Fields, key: str, csv_key: str | None) -> Iterator[Fields]:
    """Yield fields for each ``[[key]]`` table, then each row of the CSV named by *csv_key*."""
    for i, raw in enumerate(top.get(key, list, required=False) or []):
        yield Fields(src, raw, f"{key}[{i}]", table=key, index=i)
    name = None if csv_key is None else top.get(csv_key, str, required=False)
    if name is not None:
        csv_src = Source(src.path.parent / name, src.default_zone)
        for line, row in csv_src.rows(key):
            first = next(iter(row.values()), "")
            yield Fields(csv_src, dict(row), f"{key}[{first or line}]", line=line, csv=True)
        src.problems.extend(csv_src.problems)


def load_program(  # noqa: C901, PLR0912 - one flat list of checks reads best
    src: Source,
    catalogues: Mapping[str, Sequence[Catalogue]],
    *,
    zone: tzinfo,
    institutions: Collection[str] | None = None,
) -> Program | None:
    """Load a program file, checking its catalogue and institution references."""
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, "program")
    name, scope, mark = top.get("name", str), top.get("scope", str), top.get("mark", str)
    cats: list[Catalogue] = []
    for cat_name in top.str_list("catalogues"):
        if cat_name in catalogues:
            cats.extend(catalogues[cat_name])
        else:
            known = ", ".join(sorted(catalogues)) or "none loaded"
            top.bad("catalogues", f"unknown catalogue {cat_name!r}", f"known catalogues: {known}")
    codes = {item.code for cat in cats for item in cat.items}
    members: list[Membership] = []
    periods: defaultdict[str, list[tuple[Membership, Fields]]] = defaultdict(list)
    for f in _entries(src, top, "members", "members_csv"):
        inst = f.get("institution", str)
        since, until = f.date("since"), f.date("until", required=False)
        items = f.str_list("items") or None
        f.finish()
        if inst is not None and institutions is not None and inst not in institutions:
            f.bad("institution", f"unknown institution {inst!r}", "add it to the institutions file")
        if items is not None and cats and (unknown := sorted(set(items) - codes)):
            f.bad(
                "items", f"unknown item codes {unknown}", "use codes from the program's catalogues"
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
                    f"membership of {inst!r} from {b.since} overlaps the period from "
                    f"{a.since} to {a.until or 'open end'}",
                    "end the earlier period first",
                )
    top.finish()
    if src.problems or name is None or scope is None or mark is None:
        return None
    try:
        return Program(name, scope, mark, cats, members, zone=zone, source=raw.get("source"))
    except CatalogueError as error:  # pragma: no cover - the checks above come first
        src.problems.extend(error.problems)
        return None


def load_institutions(src: Source) -> dict[str, Institution]:
    """Load an institutions file into a dict by id."""
    raw = src.load_toml()
    if raw is None:
        return {}
    top = check_header(src, raw, "institutions")
    result: dict[str, Institution] = {}
    for f in _entries(src, top, "institutions", "institutions_csv"):
        iid, name, region = f.get("id", str), f.get("name", str), f.get("region", str)
        level_value = f.get("level", int)
        level = None
        if level_value is not None:
            try:
                level = Level(level_value)
            except ValueError:
                f.bad("level", f"unknown level {level_value!r}", "use 0 (unrated), 1, 2 or 3")
        grade = f.enum("grade", Grade, required=False) or Grade.NONE
        kind = f.enum("type", InstitutionType, required=False) or InstitutionType.GENERAL
        f.finish()
        if iid is not None and iid in result:
            f.bad("id", f"duplicate institution id {iid!r}", "ids must be unique")
        elif None not in (iid, name, region, level):
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
            f.bad("institution", f"unknown institution {inst!r}", "add it to the institutions file")
        if item is not None and items is not None and item not in items:
            f.bad("item", f"unknown item {item!r}", "use a code from the region's catalogues")
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
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, "fees")
    name, currency, start = (
        top.get("name", str),
        top.get("currency", str),
        top.date("effective_from"),
    )
    fees: dict[str, Fee] = {}
    for f in _entries(src, top, "fees", "fees_csv"):
        item = f.get("item", str)
        amount_raw = f.get("amount", object)
        bucket = f.enum("bucket", FeeBucket)
        f.finish()
        amount = None
        if amount_raw is not None:
            try:
                amount = Decimal(str(amount_raw))
            except InvalidOperation:
                f.bad("amount", f"not an amount: {amount_raw!r}", 'write amount = "12.50"')
            if amount is not None and (not amount.is_finite() or amount < 0):
                f.bad("amount", f"amount must be >= 0, got {amount_raw!r}")
                amount = None
        if item is not None and items is not None and item not in items:
            f.bad("item", f"unknown item {item!r}", "use a code from the region's catalogues")
        elif item is not None and item in fees:
            f.bad("item", f"duplicate fee for {item!r}")
        elif item is not None and amount is not None and bucket is not None:
            fees[item] = Fee(item, amount, bucket)
    top.finish()
    if src.problems or name is None or currency is None or start is None:
        return None
    return FeeSchedule(name, currency, start, fees.values(), source=raw.get("source"))


def load_crosswalk(src: Source, *, items: Collection[str] | None = None) -> Crosswalk | None:
    """Load a crosswalk of hospitals' local codes."""
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, "crosswalk")
    entries: list[tuple[str, str, str]] = []
    for f in _entries(src, top, "entries", "entries_csv"):
        inst, local, item = f.get("institution", str), f.get("local", str), f.get("item", str)
        f.finish()
        if item is not None and items is not None and item not in items:
            f.bad("item", f"unknown item {item!r}", "use a code from the region's catalogues")
        elif inst is not None and local is not None and item is not None:
            entries.append((inst, local, item))
    top.finish()
    return None if src.problems else Crosswalk(entries)
