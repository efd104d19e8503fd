"""A program file's optional ``[policy]`` table: its shape checked, its values kept raw.

The files layer does not know the policy layer (reason codes, severities' rules): it checks
that the table has known keys and values of the right types, and keeps it as plain, immutable
data for :meth:`mutrec.policy.Policy.from_region` to judge with ``ProgramSettings.from_raw``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from mutrec.files._reader import Fields, Source

if TYPE_CHECKING:
    from collections.abc import Mapping

_GROUND_KEYS: Final = ("code", "zh", "en")
_STR_LISTS: Final = ("scope_regions", "critical_items", "rapid_items")
_STR_TABLES: Final = ("severities", "mark_forms")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _str_table(f: Fields, key: str) -> Mapping[str, str] | None:
    value = f.get(key, dict, required=False)
    if value is None:
        return None
    bad = sorted(k for k, v in value.items() if not isinstance(v, str))
    if bad:
        f.bad(key, f"expected string values, got others for {bad}", f'write {bad[0]} = "…"')
        return None
    return MappingProxyType(dict(value))


def _limits(f: Fields) -> Mapping[str, tuple[float, float]] | None:
    value = f.get("plausible", dict, required=False)
    if value is None:
        return None
    result: dict[str, tuple[float, float]] = {}
    for code, limits in value.items():
        if not (isinstance(limits, list) and len(limits) == 2 and all(map(_number, limits))):
            f.src.problem(
                f"policy.plausible.{code}",
                f"expected [low, high] numbers, got {limits!r}",
                f.line("plausible"),
                f"write {code} = [0.5, 15.0]",
            )
            continue
        result[code] = (float(limits[0]), float(limits[1]))
    return MappingProxyType(result)


def _grounds(src: Source, f: Fields) -> tuple[Mapping[str, str], ...] | None:
    value = f.get("local_grounds", list, required=False)
    if value is None:
        return None
    grounds: list[Mapping[str, str]] = []
    for i, entry in enumerate(value):
        g = Fields(src, entry, f"policy.local_grounds[{i}]", line=f.line("local_grounds"))
        if not g.ok:
            continue
        found = {key: g.get(key, str) for key in _GROUND_KEYS}
        g.finish()
        if all(v is not None for v in found.values()):
            grounds.append(MappingProxyType(found))
    return tuple(grounds)


def read_policy(src: Source, top: Fields) -> Mapping[str, Any] | None:
    """The program's ``[policy]`` table, shape-checked and deep-frozen; ``None`` if absent.

    Problems (unknown keys, wrong types) go to *src* with the key path and, where known, line.
    """
    raw = top.get("policy", dict, required=False)
    if raw is None:
        return None
    f = Fields(src, raw, "policy", table="policy")
    table: dict[str, Any] = {}
    for key in _STR_TABLES:
        if (found := _str_table(f, key)) is not None:
            table[key] = found
    for key in _STR_LISTS:
        items = f.str_list(key)  # records a problem unless an array of strings
        if isinstance(raw.get(key), list) and len(items) == len(raw[key]):
            table[key] = items
    if (limits := _limits(f)) is not None:
        table["plausible"] = limits
    if (grounds := _grounds(src, f)) is not None:
        table["local_grounds"] = grounds
    f.finish()
    return MappingProxyType(table)
