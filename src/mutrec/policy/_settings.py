"""Per-program policy settings, read from data: severities, scope, grounds, plausibility.

Windows and device requirements are catalogue data (``Item.window``, ``Item.device``); what
the catalogue does not say, a program's policy settings do, with :meth:`ProgramSettings.from_raw`
(the shape of a ``[policy]`` table in a program's TOML file).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeAlias

import attrs

from mutrec._checks import items_of
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.policy._findings import Severity
from mutrec.policy._grounds import LocalGround
from mutrec.policy._reasons import default_reasons

__all__ = ["MISSING_DATA_CODES", "ProgramSettings"]

MISSING_DATA_CODES: Final = frozenset(
    reason.code for reason in default_reasons().by_code.values() if reason.missing_datum
)
"""Codes reporting a missing or doubtful datum (``missing_datum = true`` in the registry):
the only blocking codes a program may soften, to caution (never info)."""


_Pair: TypeAlias = tuple[float | None, float | None]


def _mapping(name: str, value: object, values: str) -> dict[str, Any]:
    """A copy of *value*, a mapping with str keys (converters are not told their field)."""
    if not isinstance(value, Mapping):
        raise ArgumentError(name, value, f"a mapping of codes to {values}")
    for key in value:
        if not isinstance(key, str):
            msg = f"{name} key"
            raise ArgumentError(msg, key, "text (a str)")
    return dict(value)


def _severities(value: Mapping[str, Severity | str]) -> Mapping[str, Severity]:
    severities = {}
    for code, sev in _mapping("severities", value, "severities").items():
        if not isinstance(sev, str) or sev not in Severity.__members__.values():
            expected = "a Severity or its value: 'info', 'caution' or 'block'"
            arg = f"severities[{code!r}]"
            raise ArgumentError(arg, sev, expected)
        severities[code] = Severity(sev)
    return severities


def _limits(name: str, value: Mapping[str, _Pair]) -> dict[str, _Pair]:
    found = {}
    for code, pair in _mapping(name, value, "[low, high] pairs").items():
        if isinstance(pair, str) or not isinstance(pair, list | tuple) or len(pair) != 2:
            arg = f"{name}[{code!r}]"
            raise ArgumentError(arg, pair, "a (low, high) pair")
        found[code] = (_limit(pair[0], name, code), _limit(pair[1], name, code))
    return found


# attrs does not tell a converter its field: one named converter per field, for the message.
# Spelt out, not _Pair: attrs copies a converter's annotation into the documented signature.
def _plausible(
    value: Mapping[str, tuple[float | None, float | None]],
) -> Mapping[str, tuple[float | None, float | None]]:
    return _limits("plausible", value)


def _critical(
    value: Mapping[str, tuple[float | None, float | None]],
) -> Mapping[str, tuple[float | None, float | None]]:
    return _limits("critical", value)


def _scope_regions(value: object) -> frozenset[str] | None:
    return _codes("scope_regions", value)


def _critical_items(value: object) -> frozenset[str] | None:
    return _codes("critical_items", value)


def _rapid_items(value: object) -> frozenset[str] | None:
    return _codes("rapid_items", value)


def _limit(value: object, name: str, code: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"a number or None: the limit of {code!r} must be a number or None"
        arg = f"{name}[{code!r}]"
        raise ArgumentError(arg, value, msg)
    return float(value)


def _grounds(value: Iterable[LocalGround]) -> tuple[LocalGround, ...]:
    return items_of("local_grounds", value, LocalGround)


def _forms(value: Mapping[str, str]) -> Mapping[str, str]:
    forms = _mapping("mark_forms", value, "mark forms")
    for code, form in forms.items():
        if not isinstance(form, str):
            arg = f"mark_forms[{code!r}]"
            raise ArgumentError(arg, form, "text (a str)")
    return forms


def _codes(name: str, value: object) -> frozenset[str] | None:
    if value is None:
        return None
    # frozenset("11") is {"1"}: a lone code must come in a collection, never split.
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ArgumentError(name, value, "a list of codes")
    for code in value:
        if not isinstance(code, str) or not code.strip():
            raise ArgumentError(name, value, "a list of codes: every code non-blank text")
    return frozenset(value)


@attrs.frozen
class ProgramSettings:
    """How a program configures the default rules, beyond its catalogue.

    Attributes:
        severities: Severity per reason code, replacing the registry's default. Only a
            missing-datum code (:data:`MISSING_DATA_CODES`) may be softened, to ``caution``;
            every other blocking code (quality control failed, not a member, outside the
            scope, device insufficient, unit unconvertible, expired …) always blocks, and no
            code that warns may be silenced to ``info``.
        scope_regions: Region-code prefixes (GB/T 2260) of the mark's scope, such as
            ``("11", "12", "13")`` for 京津冀; ``None`` makes the scope the program's members.
        local_grounds: Re-examination grounds the program adds to the six.
        critical_items: Items critical to a major intervention (ground 3); ``None`` for all.
        rapid_items: Items whose value changes fast (ground 2); ``None`` for all.
        plausible: Plausible ``(low, high)`` limits per item code, in the catalogue unit
            (``None`` for an open side): a value outside them is refused as a likely error.
        critical: Critical limits (危急值) per item code, in the catalogue unit: a prior value
            past them is at least a caution, "re-check the patient".
        mark_forms: The mark's display form per item kind (``"lab"``, ``"imaging"``) where it
            differs from the program's mark: Jilin prints "HR" on lab items but "吉林省HR" on
            imaging [domain.md §2].

    >>> s = ProgramSettings.from_raw({"severities": {"qc.no_record": "caution"},
    ...                               "scope_regions": ["11", "12", "13"],
    ...                               "plausible": {"K": [0.5, 15]}})
    >>> s.severity("qc.no_record"), s.severity("qc.failed"), s.plausible["K"]
    (<Severity.CAUTION: 'caution'>, <Severity.BLOCK: 'block'>, (0.5, 15.0))
    """

    severities: Mapping[str, Severity] = attrs.field(factory=dict, converter=_severities)
    scope_regions: frozenset[str] | None = attrs.field(default=None, converter=_scope_regions)
    local_grounds: tuple[LocalGround, ...] = attrs.field(default=(), converter=_grounds)
    critical_items: frozenset[str] | None = attrs.field(default=None, converter=_critical_items)
    rapid_items: frozenset[str] | None = attrs.field(default=None, converter=_rapid_items)
    plausible: Mapping[str, tuple[float | None, float | None]] = attrs.field(
        factory=dict, converter=_plausible
    )
    mark_forms: Mapping[str, str] = attrs.field(factory=dict, converter=_forms)
    critical: Mapping[str, tuple[float | None, float | None]] = attrs.field(
        factory=dict, converter=_critical, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        """Refuse severities that would let missing or disqualifying data pass."""
        problems = [*self._severity_problems(), *self._other_problems()]
        if problems:
            raise CatalogueError(problems)

    def _severity_problems(self) -> list[Problem]:
        problems = []
        known = default_reasons()
        for code, severity in self.severities.items():
            if code not in known:
                problems.append(Problem("policy", f"severities.{code}", "unknown reason code"))
            elif (
                known[code].severity is Severity.BLOCK
                and not known[code].missing_datum
                and severity is not Severity.BLOCK
            ):
                problems.append(
                    Problem(
                        "policy",
                        f"severities.{code}",
                        "must stay block",
                        hint="it reports a disqualifying fact or a national precondition; only "
                        "a missing datum may be softened to caution",
                    )
                )
            elif (
                known[code].severity is not Severity.INFO
                and severity is Severity.INFO
                and (not code.startswith("ground."))
            ):
                problems.append(
                    Problem(
                        "policy",
                        f"severities.{code}",
                        f"{severity.value!r} would let the result pass",
                        hint="use 'caution' or 'block'",
                    )
                )
        return problems

    def _other_problems(self) -> list[Problem]:
        problems = []
        seen: set[str] = set()
        for ground in self.local_grounds:
            if ground.code in seen:
                problems.append(Problem("policy", f"local_grounds.{ground.code}", "duplicate"))
            seen.add(ground.code)
        for kind in self.mark_forms:
            if kind not in {"lab", "imaging"}:
                problems.append(Problem("policy", f"mark_forms.{kind}", "use 'lab' or 'imaging'"))  # noqa: PERF401 (collects problems)
        for key, table in (("plausible", self.plausible), ("critical", self.critical)):
            for code, (lo, hi) in table.items():
                bad = any(x is not None and not math.isfinite(x) for x in (lo, hi))
                if bad or (lo is not None and hi is not None and hi < lo):
                    problems.append(Problem("policy", f"{key}.{code}", f"bad limits {lo}..{hi}"))
        if self.scope_regions is not None:
            if not self.scope_regions:
                problems.append(
                    Problem("policy", "scope_regions", "is empty", hint="omit it for the members")
                )
            problems.extend(
                Problem(
                    "policy",
                    "scope_regions",
                    f"{prefix!r} is not a GB/T 2260 region prefix",
                    hint="write digits such as '11' (Beijing); a blank prefix matches every region",
                )
                for prefix in sorted(self.scope_regions)
                if not (prefix.isascii() and prefix.isdigit())
            )
        return problems

    def severity(self, code: str) -> Severity:
        """The severity this program gives *code*.

        >>> ProgramSettings().severity("window.expired")
        <Severity.BLOCK: 'block'>
        """
        found = self.severities.get(code)
        return default_reasons()[code].severity if found is None else found

    def local_ground(self, code: str) -> LocalGround | None:
        """The local ground with *code*, or ``None``.

        >>> ProgramSettings(local_grounds=[LocalGround("patient_request", "患者要求", "asked")]
        ...                 ).local_ground("patient_request").zh
        '患者要求'
        """
        for ground in self.local_grounds:
            if ground.code == code:
                return ground
        return None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any], *, source: str | None = None) -> ProgramSettings:
        """Read settings from a TOML-shaped mapping, reporting every problem at once.

        Args:
            raw: The ``[policy]`` table of a program file (or the same shape in code).
            source: The file the table was read from: problems then name that file and the
                key path in it (``policy.severities.…``) instead of ``policy``.

        Raises:
            CatalogueError: Unknown keys, bad severities or limits, bad local grounds.

        >>> ProgramSettings.from_raw({"colour": "red", "severities": {"qc.failed": "maybe"}})
        Traceback (most recent call last):
        mutrec.errors.CatalogueError: 2 problems in data files: ...
        >>> ProgramSettings.from_raw({"severities": {"no.such": "caution"}}, source="p.toml")
        Traceback (most recent call last):
        mutrec.errors.CatalogueError: 1 problem in data files:
          p.toml: policy.severities.no.such: unknown reason code
        """
        try:
            return cls._from_raw(raw)
        except (TypeError, ValueError, KeyError, IndexError) as error:  # CatalogueError too
            if isinstance(error, CatalogueError):
                failure = error
            else:  # a shape the loaders would have refused: settings built in code
                failure = CatalogueError([Problem("policy", "(table)", f"bad shape: {error}")])
            if source is None:
                raise failure from None
            raise CatalogueError(
                attrs.evolve(p, source=source, where=f"policy.{p.where}") for p in failure.problems
            ) from None

    @classmethod
    def _from_raw(cls, raw: Mapping[str, Any]) -> ProgramSettings:
        problems: list[Problem] = [
            Problem("policy", key, "unknown key", hint=f"use one of {sorted(_KEYS)}")
            for key in raw
            if key not in _KEYS
        ]
        severities: dict[str, Severity] = {}
        for code, text in dict(raw.get("severities", {})).items():
            try:
                severities[code] = Severity(text)
            except ValueError:
                problems.append(
                    Problem(
                        "policy",
                        f"severities.{code}",
                        f"bad severity {text!r}",
                        hint="use 'info', 'caution' or 'block'",
                    )
                )
        grounds = []
        for entry in raw.get("local_grounds", ()):
            try:
                grounds.append(LocalGround(entry["code"], entry["zh"], entry["en"]))
            except (KeyError, TypeError, ValueError) as error:
                problems.append(Problem("policy", "local_grounds", str(error)))
        limits = {
            key: {code: _pair(key, code, pair) for code, pair in dict(raw.get(key, {})).items()}
            for key in ("plausible", "critical")
        }
        if problems:
            raise CatalogueError(problems)
        return cls(
            severities,
            raw.get("scope_regions"),
            grounds,
            raw.get("critical_items"),
            raw.get("rapid_items"),
            limits["plausible"],
            raw.get("mark_forms", {}),
            critical=limits["critical"],
        )


_KEYS: Final = frozenset(
    {
        "severities",
        "scope_regions",
        "local_grounds",
        "critical_items",
        "rapid_items",
        "plausible",
        "critical",
        "mark_forms",
    }
)


def _pair(key: str, code: str, pair: object) -> tuple[Any, Any]:
    # The two spellings a program file allows: [low, high], or { low = … } / { high = … }.
    if isinstance(pair, Mapping) and pair and set(pair) <= {"low", "high"}:
        return pair.get("low"), pair.get("high")
    if isinstance(pair, str) or not isinstance(pair, (list, tuple)) or len(pair) != 2:
        msg = f"{key}.{code} must be [low, high] (got {pair!r})"
        raise ValueError(msg)
    return pair[0], pair[1]
