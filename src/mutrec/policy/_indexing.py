"""What a policy indexes when it is built: rule checks, program views, look-ups by item code.

Kept apart from ``_policy`` so that module stays about evaluation: everything here runs once,
when a :class:`~mutrec.policy.Policy` is built (or, for :func:`item_code_in`, off the hot path),
but for :func:`run_checks`, the loop over the checks :func:`rule_checks` made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeAlias

from mutrec._checks import mapping_of, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.files.region import Region
from mutrec.model.catalogue import Crosswalk
from mutrec.model.instants import require_aware
from mutrec.model.institutions import Institution
from mutrec.model.programs import FeeSchedule, Program, QualityBook
from mutrec.policy._defaults import severities
from mutrec.policy._fast import FastView
from mutrec.policy._findings import Finding
from mutrec.policy._indexes import sharing
from mutrec.policy._reasons import Reasons
from mutrec.policy._rule import ExpiringRule, ProgramView, Rule, Subject
from mutrec.policy._settings import ProgramSettings

__all__ = [
    "Check",
    "check_parts",
    "index_by_code",
    "item_code_in",
    "program_views",
    "region_settings",
    "rule_checks",
    "run_checks",
]

# A rule's bound check and whether it is an ExpiringRule's check_until (typed loosely: the
# loop knows which of the two shapes a check returns from its flag).
Check: TypeAlias = tuple[Callable[[Subject], Any], bool]


def check_parts(version: object, quality: object, crosswalk: object, fees: object) -> None:
    """Refuse a version that is not text, or a part that is not of its type (``None`` passes).

    >>> check_parts("1", None, None, None)
    >>> check_parts(1, None, None, None)
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'version' = 1: expected text (a str)
    """
    require("version", version, str)
    for name, value, kind in (
        ("quality", quality, QualityBook),
        ("crosswalk", crosswalk, Crosswalk),
        ("fees", fees, FeeSchedule),
    ):
        if value is not None:
            require(name, value, kind, f"a {kind.__name__} or None")


def rule_checks(rules: Sequence[object]) -> tuple[Check, ...]:
    """Each rule's bound check, flagged when it is an :class:`ExpiringRule`'s ``check_until``.

    Raises:
        ArgumentError: A rule is not a :class:`Rule`.

    >>> rule_checks([object()])
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'rules[0]' = <object object at ...>: expected a Rule: ...
    """
    checks: list[Check] = []
    for index, rule in enumerate(rules):
        if isinstance(rule, ExpiringRule):
            checks.append((rule.check_until, True))
        elif isinstance(rule, Rule):
            checks.append((rule.check, False))
        else:
            msg = "a Rule: it has no code_prefix and check(subject), it is not a Rule"
            arg = f"rules[{index}]"
            raise ArgumentError(arg, rule, msg)
    return tuple(checks)


def run_checks(checks: Sequence[Check], subject: Subject) -> tuple[list[Finding], datetime | None]:
    """Ask every rule, in order: the findings and the earliest expiry reported.

    The one loop a policy runs per decision (kept beside :func:`rule_checks`, which makes
    the checks it runs).

    >>> run_checks((), None)
    ([], None)
    """
    findings: list[Finding] = []
    expires: datetime | None = None
    for check, expiring in checks:
        if expiring:
            found, until = check(subject)
            if until is not None and (expires is None or until < expires):
                expires = until
        else:
            found = check(subject)
        if found:
            findings.extend(found)
    return findings, expires


def program_views(
    programs: Iterable[Program],
    settings: Mapping[str, ProgramSettings] | None,
    quality: QualityBook | None,
    institutions: Mapping[str, Institution] | None,
    reasons: Reasons,
) -> tuple[ProgramView, ...]:
    """One indexed view per program, in order, each with its settings (defaults where absent).

    Raises:
        ArgumentError: Two programs share a name, or *settings* names an unknown program.

    >>> from mutrec.policy._reasons import default_reasons
    >>> program_views([], {"x": ProgramSettings()}, None, None, default_reasons())
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'settings' = ['x']: expected settings of the ...
    """
    the_settings = mapping_of("settings", settings, ProgramSettings)
    book = quality if quality is not None else QualityBook(())
    directory = mapping_of("institutions", institutions, Institution)
    views: list[ProgramView] = []
    with sharing():  # the programs read one quality book: index it once
        for index, program in enumerate(programs):
            if any(v.program.name == program.name for v in views):
                msg = f"a program of its own name: two programs are named {program.name!r}"
                arg = f"programs[{index}]"
                raise ArgumentError(arg, program.name, msg)
            prog_settings = the_settings.pop(program.name, ProgramSettings())
            severity = severities(reasons, prog_settings)
            views.append(ProgramView(program, prog_settings, book, directory, severity))
    if the_settings:
        msg = "settings of the policy's programs only: these are settings for unknown programs"
        arg = "settings"
        raise ArgumentError(arg, sorted(the_settings), msg)
    return tuple(views)


def index_by_code(
    views: Sequence[ProgramView], fast: Mapping[str, FastView] | None
) -> tuple[dict[str, tuple[ProgramView, ...]], dict[str, FastView]]:
    """The programs listing each exact item code, and the fast view of codes only one lists.

    An exact item code listed by one program only needs evaluating under that program;
    anything else (aliases, LOINC, local codes) goes through every program.

    >>> index_by_code((), None)
    ({}, {})
    """
    by_code: dict[str, list[ProgramView]] = {}
    for view in views:
        codes = {item.code for cat in view.program.catalogues for item in cat.items}
        for code in codes:
            by_code.setdefault(code, []).append(view)
    fasts = fast or {}
    fast_by_code = {
        code: fasts[vs[0].program.name]
        for code, vs in by_code.items()
        if len(vs) == 1 and vs[0].program.name in fasts
    }
    return {code: tuple(vs) for code, vs in by_code.items()}, fast_by_code


def region_settings(
    region: Region, settings: Mapping[str, ProgramSettings] | None
) -> dict[str, ProgramSettings]:
    """The programs' settings: *settings* first, else each program's ``[policy]`` table.

    An entry of *settings* replaces a program's settings from data as a whole (its table is
    not read); see :meth:`Policy.from_region <mutrec.policy.Policy.from_region>`.

    Raises:
        CatalogueError: A ``[policy]`` table has values the policy refuses.

    >>> from mutrec.files import load_example_region
    >>> sorted(region_settings(load_example_region(), {}))
    ['京津冀鲁检验互认(示例)']
    """
    require("region", region, Region)
    explicit = dict(settings or {})
    from_data: dict[str, ProgramSettings] = {}
    problems: list[Problem] = []
    for name, raw in region.policy_settings.items():
        if name in explicit:
            continue  # replaced as a whole: its table is not read
        try:
            from_data[name] = ProgramSettings.from_raw(
                raw, source=region.policy_files.get(name, name)
            )
        except CatalogueError as error:
            problems.extend(error.problems)
    if problems:
        raise CatalogueError(problems)
    return {**from_data, **explicit}


def item_code_in(views: Iterable[ProgramView], name: str, at: datetime) -> str | None:
    """The code of the catalogue item *name* designates at *at*; ``None`` if views disagree.

    >>> from datetime import datetime, UTC
    >>> item_code_in((), "K", datetime(2024, 3, 1, tzinfo=UTC)) is None
    True
    """
    require("name", name, str)
    require_aware(at, "at")
    found: set[str] = set()
    for view in views:
        on = view.program.local_date(at)
        for catalogue in view.program.catalogues:
            if catalogue.in_force(on):
                item = catalogue.resolve(name, loinc=name)
                if item is not None:
                    found.add(item.code)
                    break
    # Two programs whose items differ under one name (a LOINC both carry): which is meant
    # would be a guess.
    return found.pop() if len(found) == 1 else None
