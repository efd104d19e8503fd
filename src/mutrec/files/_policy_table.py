"""A program file's optional ``[policy]`` table: its shape checked, its values kept raw.

The files layer does not know the policy layer (reason codes, severities' rules): it checks
that the table has known keys and values of the right types, and keeps it as plain, immutable
data for :meth:`mutrec.policy.Policy.from_region` to judge with ``ProgramSettings.from_raw``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from mutrec.files._reader import Fields, Source, clip, finite

_GROUND_KEYS: Final = ("code", "zh", "en")
_CODE_LISTS: Final = ("critical_items", "rapid_items")
_LIMITS: Final = ("plausible", "critical")
_PREFIX: Final = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")
_PAIR: Final = "write code = [low, high], or { low = 0.5 } / { high = 15.0 } for an open side"
_STR_TABLES: Final = ("severities", "mark_forms")


Limits = tuple[float | None, float | None]


def _str_table(f: Fields, key: str) -> Mapping[str, str] | None:
    value = f.get(key, dict, required=False)
    if value is None:
        return None
    bad = sorted(k for k, v in value.items() if not isinstance(v, str))
    if bad:
        f.bad(key, f"expected string values, got others for {bad}", f'write {bad[0]} = "…"')
        return None
    return MappingProxyType(dict(value))


def _pair(f: Fields, key: str, code: str, value: object) -> Limits | None:
    """``[low, high]`` (both sides) or ``{ low = …, high = … }`` (either side may be absent)."""
    where, line = f"policy.{key}.{clip(code)}", f.line(key)
    if isinstance(value, list) and len(value) == 2:
        sides = value
    elif isinstance(value, dict) and value and set(value) <= {"low", "high"}:
        sides = [value.get("low"), value.get("high")]
    else:
        f.src.problem(where, f"expected [low, high] numbers, got {value!r:.60}", line, _PAIR)
        return None
    low, high = (None if side is None else finite(side) for side in sides)
    for side, number in zip(sides, (low, high), strict=True):
        if side is not None and number is None:
            f.src.problem(where, f"expected a finite number, got {side!r:.60}", line, _PAIR)
    if (low is None and sides[0] is not None) or (high is None and sides[1] is not None):
        return None
    if low is not None and high is not None and low > high:
        f.src.problem(where, f"low {low} is above high {high}", line, "write [low, high]")
        return None
    return low, high


def _limits(f: Fields, key: str) -> Mapping[str, Limits] | None:
    """A table of ``code = [low, high]``: ``plausible`` and ``critical`` alike."""
    value = f.get(key, dict, required=False)
    if value is None:
        return None
    result = {
        code: pair
        for code, limits in value.items()
        if (pair := _pair(f, key, code, limits)) is not None
    }
    return MappingProxyType(result)


def _scope(f: Fields) -> tuple[str, ...] | None:
    """GB/T 2260 prefixes: 2, 4 or 6 ASCII digits (a blank prefix would match every region)."""
    prefixes = f.subset("scope_regions")
    bad = [p for p in prefixes or () if not _PREFIX.fullmatch(p)]
    if bad:
        f.bad(
            "scope_regions",
            f"not GB/T 2260 prefixes: {[clip(p) for p in bad[:5]]}"
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""),
            'use 2, 4 or 6 ASCII digits: "11" (Beijing), "1301" (Shijiazhuang)',
        )
        return None
    return prefixes


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
    r"""The program's ``[policy]`` table, shape-checked and deep-frozen; ``None`` if absent.

    Problems (unknown keys, wrong types) go to *src* with the key path and, where known, line.
    A list that narrows a scope may not be empty or blank, and a ``[low, high]`` pair must be
    finite with ``low <= high``: each of those would silently widen what the program accepts.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder, "p.toml")
    ...     _ = p.write_text("[policy]\ncritical = { K = [2.5, 6.5], Na = { high = 160 } }\n"
    ...                      "scope_regions = [\"\"]\n", encoding="utf-8")
    ...     src = Source(p)
    ...     policy = read_policy(src, Fields(src, src.load_toml(), ""))
    >>> dict(policy["critical"])
    {'K': (2.5, 6.5), 'Na': (None, 160.0)}
    >>> print(src.problems[0])
    p.toml:3: policy.scope_regions: blank entry in list [''] (remove it)
    """
    raw = top.get("policy", dict, required=False)
    if raw is None:
        return None
    f = Fields(src, raw, "policy", table="policy")
    table: dict[str, Any] = {}
    for key in _STR_TABLES:
        if (found := _str_table(f, key)) is not None:
            table[key] = found
    if (prefixes := _scope(f)) is not None:
        table["scope_regions"] = prefixes
    for key in _CODE_LISTS:
        if (codes := f.subset(key)) is not None:
            table[key] = codes
    for key in _LIMITS:
        if (limits := _limits(f, key)) is not None:
            table[key] = limits
    if (grounds := _grounds(src, f)) is not None:
        table["local_grounds"] = grounds
    f.finish()
    return MappingProxyType(table)
