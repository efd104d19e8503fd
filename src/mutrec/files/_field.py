"""Field rules as data: acceptance matrices, context windows, national reference intervals.

Each reader checks one form and reports every problem it finds to the file's
:class:`~mutrec.files._reader.Source` (file, key path, line, hint), as the other loaders do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from mutrec.errors import ArgumentError, UnitError
from mutrec.files._reader import Fields, Source, clip
from mutrec.model.acceptance import Acceptance, AcceptanceRule, Compare, Tier
from mutrec.model.windows import ContextSpan, Event, IfUnknown
from mutrec.units import Unit

__all__ = ["read_acceptance", "read_contexts", "read_reference"]

_BOUNDS: Final = ("issuer_min", "issuer_max", "receiver_min", "receiver_max")
_TIER_HINT: Final = 'write a tier such as "二级甲等" or "3甲" (or "二级" when compare = "level")'
_CONTEXT_HINT: Final = (
    'write { event = "transfusion", within = "3mo", span = "3d", unknown = "shorter" }; '
    'in a CSV cell: "transfusion/3mo/3d/shorter; pregnancy/3mo/3d"'
)


def read_acceptance(src: Source, top: Fields) -> Acceptance | None:  # noqa: C901 - flat checks
    """The program's ``[acceptance]`` table (a matrix by level and grade), or ``None``."""
    raw = top.get("acceptance", dict, required=False)
    if raw is None:
        return None
    f = Fields(src, raw, "acceptance", table="acceptance")
    compare = f.enum("compare", Compare, required=False) or Compare.GRADE
    source = f.get("source", str, required=False)
    lines = f.get("rules", list)
    f.finish()
    if lines is not None and not lines:
        f.bad("rules", "is empty", "list at least one line, or remove [acceptance]")
    rules: list[AcceptanceRule] = []
    before = len(src.problems)
    for i, entry in enumerate(lines or ()):
        at_line = len(src.problems)
        g = Fields(src, entry, f"acceptance.rules[{i}]", line=f.line("rules"))
        if not g.ok:
            continue
        bounds: dict[str, Tier] = {}
        for key in _BOUNDS:
            text = g.get(key, str, required=False)
            if text is None:
                continue
            try:
                tier = Tier.parse(text)
            except ArgumentError:
                g.bad(key, f"not a tier: {text!r:.60}", _TIER_HINT)
                continue
            if (tier.grade is None) is (compare is Compare.GRADE):
                g.bad(
                    key,
                    f"{text!r:.60} does not fit compare = {compare.value!r}",
                    "a grade matrix names grades (二级甲等); a level matrix names levels (二级)",
                )
                continue
            bounds[key] = tier
        not_lower = g.get("issuer_not_lower", bool, required=False) or False
        g.finish()
        try:
            rules.append(AcceptanceRule(**bounds, issuer_not_lower=not_lower))
        except ArgumentError as error:
            if len(src.problems) == at_line:
                g.bad(error.name, error.expected, "each line needs a bound or a relation")
    if len(src.problems) > before or not rules:
        return None
    return Acceptance(rules, compare, source=source)


def _context_entries(f: Fields, value: object) -> list[Mapping[str, Any]] | None:
    """TOML tables as they are; a CSV cell ``event/within/span[/unknown]; …`` split."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        found: list[Mapping[str, Any]] = []
        for part in value.split(";"):
            if not part.strip():
                continue
            pieces = [p.strip() for p in part.split("/")]
            if len(pieces) not in {3, 4}:
                f.bad("contexts", f"not a context window: {part.strip()!r:.60}", _CONTEXT_HINT)
                return None
            found.append(dict(zip(("event", "within", "span", "unknown"), pieces, strict=False)))
        return found
    f.bad("contexts", f"expected a list of tables, got {type(value).__name__}", _CONTEXT_HINT)
    return None


def read_contexts(f: Fields) -> tuple[ContextSpan, ...]:
    """A window's ``contexts`` (spans by clinical context), each checked; problems to *f*."""
    f.used.add("contexts")
    value = f.raw.get("contexts")
    if value is None or value == "":
        return ()
    entries = _context_entries(f, value)
    found: list[ContextSpan] = []
    seen: set[Event] = set()
    for i, entry in enumerate(entries or ()):
        g = Fields(f.src, entry, f"{f.where}.contexts[{i}]", line=f.line("contexts"), csv=f.csv)
        if not g.ok:
            continue
        event = g.enum("event", Event)
        within = g.span("within", g.raw.get("within")) if "within" in g.raw else None
        span = g.span("span", g.raw.get("span")) if "span" in g.raw else None
        for key in ("within", "span"):
            g.used.add(key)
            if key not in g.raw:
                g.bad(key, "is missing", _CONTEXT_HINT)
        unknown = g.enum("unknown", IfUnknown, required=False) or IfUnknown.SHORTER
        g.finish()
        if event is not None and event in seen:
            g.bad("event", f"a second context window for {event.value!r}", "one per event")
            continue
        if event is None or within is None or span is None:
            continue
        seen.add(event)
        found.append(ContextSpan(event, within, span, unknown))
    return tuple(found)


def read_reference(  # noqa: C901, PLR0911 - one return per refusal
    f: Fields,
    *,
    code: str | None,
    wst886: str | None,
    specimen: str | None,
    unit: Unit | None,
) -> str | None:
    """The national table's key for ``reference = "national"``, checked; else ``None``.

    The entry must exist, be for the item's specimen and convert to the item's unit. The
    national table and the unit converter load here, only for a catalogue that asks for them.
    """
    kind = f.get("reference", str, required=False)
    analyte = f.get("reference_analyte", str, required=False)
    if kind is None:
        if analyte is not None:
            f.bad("reference_analyte", "without reference", 'add reference = "national"')
        return None
    if kind.strip() != "national":
        f.bad("reference", f"unknown reference {kind!r:.60}", 'write reference = "national"')
        return None
    key = wst886 or analyte or code
    if key is None:
        return None
    # Loaded only here: a region without national references loads neither table nor pint.
    from mutrec.model.national import UnknownAnalyteError, national_interval
    from mutrec.model.specimens import match_specimen

    hint = 'name the analyte: reference_analyte = "肌酐" (a name or WS/T 886 code)'
    try:
        entry = national_interval(key)
    except UnknownAnalyteError as error:
        f.bad("reference", f"no national interval for {clip(key)!r}: {error.expected}", hint)
        return None
    if not entry.exists or entry.range is None:
        f.bad("reference", f"no national interval for {clip(key)!r}: {entry.note}", hint)
        return None
    if specimen is None or entry.specimen is None:
        f.bad("reference", "the item's specimen is not given", "add the item's specimen")
        return None
    if match_specimen(specimen, entry.specimen) != "match":
        f.bad(
            "reference",
            f"the national interval is for {entry.specimen!r}, the item's specimen is "
            f"{clip(specimen)!r}",
            "point only an item of the same specimen to the national interval",
        )
        return None
    if unit is None:
        f.bad("reference", "the item has no unit", "give the item its unit")
        return None
    try:
        for p in entry.range.partitions:
            p.reference.to_unit(unit, analyte=entry.units_analyte)
    except UnitError as error:
        f.bad("reference", f"cannot convert the national interval to {unit.code}: {error}")
        return None
    return key
