"""Default rules about time and the visit: the validity window, the patient, the grounds.

Each rule is one small class; its codes start with its ``code_prefix`` and are listed with their
texts in ``policy/data/reasons.toml``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import ClassVar, Final, TypeAlias, final

from mutrec.errors import ArgumentError
from mutrec.model.catalogue import Item
from mutrec.model.patient import CareSetting
from mutrec.model.results import LabResult, Result
from mutrec.model.windows import Anchor, Counting, Span, Window
from mutrec.policy._decision import fixed_offset, zone_of
from mutrec.policy._findings import Finding, Scalar
from mutrec.policy._grounds import Ground
from mutrec.policy._rule import NO_FINDINGS, ProgramView, Subject

__all__ = [
    "GroundsRule",
    "PatientRule",
    "Spans",
    "WindowPlan",
    "WindowRule",
    "age_finding",
    "day_delta",
    "patient_findings",
    "window_expiry",
    "window_findings",
]

# Building a timedelta costs more than adding it: windows of up to ten years use shared ones.
_MAX_DAYS: Final = 3660
_DAYS: Final = tuple(timedelta(days=n) for n in range(_MAX_DAYS))


def day_delta(days: int) -> timedelta:
    """A timedelta of *days* days, shared for windows of up to ten years.

    >>> day_delta(7) is day_delta(7)
    True
    """
    return _DAYS[days] if days < _MAX_DAYS else timedelta(days=days)


def window_expiry(span: Span, start: datetime, zone: tzinfo) -> datetime:
    """The instant a window of *span* counting from *start* ends, with a fixed offset.

    Calendar days, months and dates count on *zone*'s calendar (the program's region zone),
    whatever zone the sender used: the same instant sent in UTC or in Asia/Shanghai expires at
    the same instant. Hours are elapsed time.

    Raises:
        OverflowError: The window ends past year 9999.

    >>> from datetime import datetime, UTC
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.windows import Span
    >>> shanghai = ZoneInfo("Asia/Shanghai")
    >>> late = datetime(2024, 2, 29, 20, 0, tzinfo=UTC)   # 1 March, 04:00 in Shanghai
    >>> window_expiry(Span.parse("0dates"), late, shanghai).isoformat()
    '2024-03-02T00:00:00+08:00'
    >>> window_expiry(Span.parse("7d"), late, shanghai).isoformat()
    '2024-03-08T04:00:00+08:00'
    """
    if span.counting is Counting.CALENDAR_DAYS:
        local = start if start.tzinfo is zone else start.astimezone(zone)
        wall = local + day_delta(span.amount)
        # A wall time in a DST gap keeps the instant arithmetic gave it, with its offset.
        offset = wall.utcoffset()
        return wall if offset is None else wall.replace(tzinfo=zone_of(offset), fold=0)
    return fixed_offset(span.add_to(start, zone))


_UNSEEN: Final = object()
# Fixed zones by zone: equal zones (same offset) map to zone_of's one shared object.
_FIXED: dict[tzinfo, timezone] = {}


def _fixed(tz: timezone) -> timezone:
    # A zone equal to zone_of's (same offset, same name) stands for it: the expiry keeps the
    # caller's zone object, as ``at`` does, and saves a replace() per result.
    shared = zone_of(tz.utcoffset(None))
    fixed = _FIXED[tz] = tz if tz == shared and tz.tzname(None) == shared.tzname(None) else shared
    return fixed


_ANCHOR_WORD: Final = {
    Anchor.COLLECTION: "collection",
    Anchor.EXAMINATION: "exam",
    Anchor.REPORT: "report",
}


@final
class WindowRule:
    """The result is inside its validity window at ``at``: neither expired nor in the future.

    The window is the catalogue item's, for the visit's care setting; the decision expires when
    the window ends. Codes: ``window.no_window``, ``window.no_time``, ``window.future``,
    ``window.report_future``, ``window.specimen_too_old``, ``window.out_of_range``,
    ``window.expired``.

    >>> WindowRule().code_prefix
    'window'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "window"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report what :meth:`check_until` reports, without the instant."""
        return self.check_until(subject)[0]

    def check_until(self, subject: Subject, /) -> tuple[tuple[Finding, ...], datetime | None]:
        """Report a missing window or time, an unreleased, too old or expired result; the expiry."""
        item = subject.item
        found: list[Finding] = []
        expires = window_findings(
            found,
            subject.view,
            item,
            None if item.window is None else WindowPlan(item.window),
            subject.result,
            subject.collected,
            subject.at,
            subject.context.setting,
        )
        return tuple(found), expires


Spans: TypeAlias = tuple[Span, timedelta | None, str]
"""(span, its shared timedelta when it counts calendar days, ``str(span)`` for findings)."""


def _spans(span: Span) -> Spans:
    days = day_delta(span.amount) if span.counting is Counting.CALENDAR_DAYS else None
    return span, days, str(span)


@final
class WindowPlan:
    """What the window rule reads of one item's window, worked out once per (program, item).

    Attributes:
        window: The window.
        report: Whether it counts from the report instant.
        spans: The default span, as :data:`Spans`.
        by_setting: The spans of care settings that have their own, by the setting's name
            (a str hashes in C, an enum member runs Python code); ``None`` when none has.

    >>> from mutrec.model.windows import Anchor, Span, Window
    >>> WindowPlan(Window(Span.parse("7d"), Anchor.REPORT)).spans[2]
    '7d'
    """

    __slots__ = ("by_setting", "report", "spans", "window")

    def __init__(self, window: Window) -> None:
        """Prepare *window*'s spans."""
        self.window = window
        self.report = window.anchor is Anchor.REPORT
        self.spans = _spans(window.span)
        self.by_setting: dict[str, Spans] | None = (
            {setting._name_: _spans(span) for setting, span in window.settings}
            if window.settings
            else None
        )


# The last evaluation instant and its ISO text (a batch often shares one ``at``): one tuple,
# swapped whole, so concurrent evaluations read a consistent pair; a pure memo.
_AT_TEXT: tuple[datetime | None, str] = (None, "")


def _at_text(at: datetime) -> str:
    global _AT_TEXT  # noqa: PLW0603 (a one-entry memo of a pure function)
    last, text = _AT_TEXT
    if last is not at:
        text = at.isoformat()
        _AT_TEXT = (at, text)
    return text


def window_findings(  # noqa: C901, PLR0913, PLR0917 (one rule, one pass)
    found: list[Finding],
    view: ProgramView,
    item: Item,
    plan: WindowPlan | None,
    result: Result,
    collected: datetime,
    at: datetime,
    setting: CareSetting,
) -> datetime | None:
    """Add the window rule's findings for *result* as *item* at *at* to *found*; the expiry.

    *plan* is ``WindowPlan(item.window)`` (``None`` without a window). In order: no window for
    the item; a result collected, or reported, after *at* (it did not exist yet); no instant
    for the window's anchor; a report too long after collection (the item's specimen-age cap);
    a window past the calendar; an expired window. (It appends rather than returns: the fast
    pass collects every rule's findings in one list.)
    """
    if plan is None:
        data: dict[str, Scalar] = {"item": item.code, "setting": setting.value}
        found.append(view.finding_from("window.no_window", data))
        return None
    reported = result.reported
    if collected > at:
        data = {"collected": collected.isoformat(), "at": at.isoformat()}
        found.append(view.finding_from("window.future", data))
        return None
    if reported is not None and reported > at:
        data = {"reported": reported.isoformat(), "at": at.isoformat()}
        found.append(view.finding_from("window.report_future", data))
        return None
    # The anchor's instant: examination and collection are the result's clinical instant.
    start = reported if plan.report else collected
    window = plan.window
    if start is None:
        found.append(view.finding_from("window.no_time", {"anchor": _ANCHOR_WORD[window.anchor]}))
        return None
    by_setting = plan.by_setting
    span, days, words = (
        plan.spans if by_setting is None else by_setting.get(setting._name_, plan.spans)
    )
    if window.specimen_age is not None and (age := age_finding(view, result, window)):
        found.append(age)
    expires: datetime | None = None
    if days is not None and type(tz := start.tzinfo) is timezone:
        # The common case, the arithmetic of window_expiry: a fixed offset that is the
        # region's offset all through the year(s), so the sender's wall clock is the region's.
        offset = tz.utcoffset(None)
        memo = view.offsets
        year = start.year
        if memo.offsets.get(year, _UNSEEN) == offset or memo.offset_in(year) == offset:
            try:
                wall = start + days
            except OverflowError:  # past year 9999: window_expiry below says so
                wall = None
            if wall is not None and (wall.year == year or memo.offset_in(wall.year) == offset):
                fixed = _FIXED.get(tz) or _fixed(tz)
                expires = (
                    wall if fixed is tz and not wall.fold else wall.replace(tzinfo=fixed, fold=0)
                )
    if expires is None:
        try:
            expires = window_expiry(span, start, view.program.zone)
        except OverflowError:
            data = {"window": words, "anchor": start.isoformat()}
            found.append(view.finding_from("window.out_of_range", data))
            return None
    if at >= expires:
        data = {"window": words, "expires_at": expires.isoformat(), "at": _at_text(at)}
        found.append(view.finding_from("window.expired", data))
    return expires


def age_finding(view: ProgramView, result: Result, window: Window) -> Finding | None:
    """A lab report released later after collection than the item's specimen-age cap allows."""
    cap = window.specimen_age
    if cap is None or type(result) is not LabResult or result.reported is None:
        return None
    try:
        latest = cap.add_to(result.collected, view.program.zone)
    except OverflowError:  # the cap ends past year 9999: no report can come after it
        return None
    if result.reported <= latest:
        return None
    return view.finding(
        "window.specimen_too_old",
        collected=result.collected.isoformat(),
        reported=result.reported.isoformat(),
        limit=str(cap),
    )


@final
class PatientRule:
    """The result belongs to the patient being treated.

    Codes: ``patient.unknown``, ``patient.mismatch``.

    >>> PatientRule().code_prefix
    'patient'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "patient"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report an unknown patient on either side, or another patient's result."""
        return patient_findings(subject.view, subject.result.patient, subject.context.patient)


def patient_findings(view: ProgramView, theirs: str, ours: str | None) -> tuple[Finding, ...]:
    """An unknown patient on either side (blank or whitespace is unknown), or another's."""
    if not theirs or not ours or theirs.isspace() or ours.isspace():
        return (view.finding("patient.unknown"),)
    if theirs != ours:
        return (view.finding("patient.mismatch"),)
    return NO_FINDINGS


_PURPOSE_GROUND: Final = {Ground.MAJOR_INTERVENTION, Ground.MEDICO_LEGAL}
_ORDER: Final = tuple(Ground)


@final
class GroundsRule:
    """A context matching a statutory (or local) re-examination ground tells the doctor so.

    Ground 3 applies to the program's critical items, ground 2 to its fast-changing items
    (every item when the program lists none) and to any item the doctor names
    (``ClinicalContext.rapid_items``). Codes: ``ground.*``, ``ground.local``.

    >>> GroundsRule().code_prefix
    'ground'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "ground"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:  # noqa: C901 (one branch per ground)
        """Report each ground the context matches for this item."""
        context = subject.context
        grounds = context.grounds
        if not grounds and not context.local_grounds:
            return NO_FINDINGS
        view = subject.view
        settings = view.settings
        code = subject.item.code
        found: list[Finding] = []
        for ground in _ORDER:
            if ground not in grounds:
                continue
            data: dict[str, str | None] = {"item": code}
            if ground is Ground.MAJOR_INTERVENTION:
                if settings.critical_items is not None and code not in settings.critical_items:
                    continue
            elif ground is Ground.RAPID_CHANGE:
                # The doctor's named items, whatever the program lists; else its list.
                listed = settings.rapid_items is None or code in settings.rapid_items
                if code not in context.rapid_items and not (context.rapid_change and listed):
                    continue
            elif ground is Ground.OTHER:
                data["note"] = context.other_need
            if ground in _PURPOSE_GROUND:
                data["purpose"] = min(p.value for p in context.purposes if p.ground is ground)
            found.append(view.finding(ground.code, **data))
        for local in sorted(context.local_grounds):
            entry = settings.local_ground(local)
            if entry is None:
                # The caller's context names a ground the program lacks: an ArgumentError (a
                # ValueError too), so a batch or a table reports the row and goes on.
                known = ", ".join(g.code for g in settings.local_grounds) or "none"
                msg = f"a local ground of program {view.program.name!r} (it has: {known})"
                arg = "context.local_grounds"
                raise ArgumentError(arg, local, msg)
            found.append(
                view.finding(
                    "ground.local", ground=entry.code, label_zh=entry.zh, label_en=entry.en
                )
            )
        return tuple(found)
