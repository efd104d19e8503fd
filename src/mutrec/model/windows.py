"""Validity windows (互认时限): how long a result may be recognised, counted from an anchor.

No national day counts exist: windows are local catalogue data [domain.md §4]. A span counts
calendar days or calendar months on the anchor's own wall clock (so it keeps the time of day
across a daylight-saving change), continuous hours (elapsed time, which does not), or calendar
dates (valid through the end of the Nth local day after the anchor's date: the notices' "valid
until the end of the Nth day").

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> t = datetime(2024, 1, 31, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> Span(1, Counting.CALENDAR_MONTHS).add_to(t).isoformat()
'2024-02-29T09:00:00+08:00'
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timezone, tzinfo
from typing import Protocol

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model._spans import Counting, Span
from mutrec.model.instants import require_aware
from mutrec.model.patient import CareSetting

__all__ = [
    "Anchor",
    "Anchored",
    "ContextSpan",
    "Counting",
    "Event",
    "IfUnknown",
    "Span",
    "Window",
]


class Anchor(enum.Enum):
    """The instant a window counts from.

    >>> Anchor("report").name
    'REPORT'
    """

    COLLECTION = "collection"
    EXAMINATION = "examination"
    REPORT = "report"


class Anchored(Protocol):
    """Anything a window can count from: lab and imaging results both are."""

    def anchor_instant(self, anchor: Anchor, /) -> datetime:
        """Return the aware instant for *anchor*."""
        ...


class Event(enum.Enum):
    """A patient event that shortens some windows (UK minimum retesting intervals style).

    >>> Event("transfusion").name
    'TRANSFUSION'
    """

    TRANSFUSION = "transfusion"
    PREGNANCY = "pregnancy"
    THERAPY_CHANGE = "therapy_change"


class IfUnknown(enum.Enum):
    """What a context window does when the patient's event is not known.

    ``SHORTER`` applies the context's (shorter) span, as if the event had happened;
    ``CAUTION`` keeps the item's span and warns that the fact is missing.

    >>> IfUnknown("caution").name
    'CAUTION'
    """

    SHORTER = "shorter"
    CAUTION = "caution"


@attrs.frozen
class ContextSpan:
    """A window for one clinical context: *span* instead, after *event* within *within*.

    The UK's minimum retesting intervals keep a blood group and antibody screen 3 months, but
    3 days when the patient was transfused or pregnant in the last 3 months (antibodies may
    form): ``ContextSpan(Event.TRANSFUSION, Span.parse("3mo"), Span.parse("3d"))``.

    Attributes:
        event: The patient event.
        within: How far back from the evaluation instant the event counts.
        span: The window that applies, counted from the window's anchor.
        unknown: What to do when the event is not known (:class:`IfUnknown`).

    >>> from datetime import datetime, UTC
    >>> c = ContextSpan(Event.TRANSFUSION, Span.parse("3mo"), Span.parse("3d"))
    >>> at = datetime(2026, 5, 10, tzinfo=UTC)
    >>> c.applies({Event.TRANSFUSION: datetime(2026, 4, 1, tzinfo=UTC)}, at)
    True
    >>> c.applies({Event.TRANSFUSION: None}, at), c.applies({}, at)
    (False, None)
    """

    event: Event = attrs.field(validator=instance_of(Event))
    within: Span = attrs.field(validator=instance_of(Span))
    span: Span = attrs.field(validator=instance_of(Span))
    unknown: IfUnknown = attrs.field(default=IfUnknown.SHORTER, validator=instance_of(IfUnknown))

    def applies(
        self, events: Mapping[Event, datetime | None], at: datetime, zone: tzinfo | None = None
    ) -> bool | None:
        """Whether the event happened within the look-back before *at*; ``None`` if unknown.

        *events* maps an event to its last instant, or to ``None`` when the doctor knows it
        did not happen; an absent key is unknown. An event recorded after *at* is doubtful
        (a planned one, or a clock error): unknown too, never "did not happen".

        Raises:
            TimeZoneError: *at* or the event's instant is naive.
        """
        if self.event not in events:
            return None
        last = events[self.event]
        if last is None:
            return False
        when, now = require_aware(last, "event"), require_aware(at, "at")
        if when > now:
            return None
        try:
            return now < self.within.add_to(when, zone)
        except OverflowError:  # the look-back ends past year 9999: still inside it
            return True


def _contexts(value: Iterable[ContextSpan]) -> tuple[ContextSpan, ...]:
    found = items_of("contexts", value, ContextSpan)
    events = [c.event for c in found]
    if len(set(events)) != len(events):
        arg = "contexts"
        raise ArgumentError(arg, [e.value for e in events], "one context span per event")
    return found


def _anchor(result: Anchored, anchor: Anchor) -> datetime:
    try:
        return result.anchor_instant(anchor)
    except AttributeError:
        # Looked into only on failure: windows are checked on every evaluation.
        if not callable(getattr(result, "anchor_instant", None)):
            arg = "result"
            raise ArgumentError(arg, result, "a LabResult or ImagingResult") from None
        raise


def _pairs(
    value: Mapping[CareSetting, Span] | Iterable[tuple[CareSetting, Span]],
) -> tuple[tuple[CareSetting, Span], ...]:
    expected = "a mapping of CareSetting to Span, such as {CareSetting.EMERGENCY: Span(...)}"
    items = value.items() if isinstance(value, Mapping) else value
    try:
        listed = list(items)
    except TypeError:
        arg = "settings"
        raise ArgumentError(arg, value, expected) from None
    pairs = []
    for index, pair in enumerate(listed):
        try:
            setting, span = pair
            setting = CareSetting(setting)
        except (TypeError, ValueError):
            arg = f"settings[{index}]"
            raise ArgumentError(arg, pair, expected) from None
        if not isinstance(span, Span):
            arg = f"settings[{setting.value}]"
            raise ArgumentError(arg, span, "a Span")
        pairs.append((setting, span))
    return tuple(sorted(pairs, key=lambda p: p[0].value))


@attrs.frozen
class Window:
    """A validity window: a default span, spans per care setting, and the anchor.

    Attributes:
        span: The span for settings without their own.
        anchor: What the span counts from.
        settings: Spans for particular care settings.
        specimen_age: The longest a lab specimen may wait between collection and report:
            a fresh report on a 60-day-old draw is not current (``None``: no cap).
        contexts: Spans by clinical context (:class:`ContextSpan`), one per event; the
            shortest that applies wins over :attr:`span`.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.results import LabResult, parse_value
    >>> t = datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> k = LabResult("K", parse_value("4.1", "mmol/L"), t, "H1", "p", reported=t)
    >>> w = Window(Span(7, Counting.CALENDAR_DAYS),
    ...            settings={CareSetting.EMERGENCY: Span(24, Counting.HOURS)})
    >>> w.expires_at(k).isoformat(), w.expires_at(k, CareSetting.EMERGENCY).isoformat()
    ('2024-03-08T08:00:00+08:00', '2024-03-02T08:00:00+08:00')
    """

    span: Span = attrs.field(validator=instance_of(Span))
    anchor: Anchor = attrs.field(default=Anchor.REPORT, validator=instance_of(Anchor))
    settings: tuple[tuple[CareSetting, Span], ...] = attrs.field(default=(), converter=_pairs)
    specimen_age: Span | None = attrs.field(
        default=None,
        kw_only=True,
        validator=optional(instance_of(Span)),
    )
    contexts: tuple[ContextSpan, ...] = attrs.field(default=(), kw_only=True, converter=_contexts)
    _by_setting: dict[CareSetting, Span] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index the per-setting spans once."""
        object.__setattr__(self, "_by_setting", dict(self.settings))

    def span_for(self, setting: CareSetting | None = None) -> Span:
        """The span that applies in *setting* (the default span for ``None``)."""
        if setting is None or not self.settings:
            return self.span  # most windows have no per-setting span: skip hashing the enum
        if not isinstance(setting, CareSetting):
            arg = "setting"
            raise ArgumentError(arg, setting, "a CareSetting or None")
        return self._by_setting.get(setting, self.span)

    def expires_at(
        self, result: Anchored, setting: CareSetting | None = None, *, zone: tzinfo | None = None
    ) -> datetime:
        """The exact instant *result* stops being recognisable in *setting*.

        Calendar spans count on *zone*'s calendar (the program's region zone), else on the
        anchor's own (see :meth:`Span.add_to`).

        Raises:
            ResultError: The result lacks the anchor's instant (no report instant).
            OverflowError: The window ends past year 9999.
        """
        return self.span_for(setting).add_to(_anchor(result, self.anchor), zone)

    def is_current(
        self,
        result: Anchored,
        at: datetime,
        setting: CareSetting | None = None,
        *,
        zone: tzinfo | None = None,
    ) -> bool:
        """Whether *result* is within its window at the aware instant *at*.

        The window runs from the anchor (inclusive) to :meth:`expires_at` (exclusive): a result
        whose anchor is after *at* (a result from the future) is not current.

        Raises:
            TimeZoneError: *at* is naive.
            ResultError: The result lacks the anchor's instant (no report instant).

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.results import LabResult, parse_value
        >>> t = datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
        >>> k = LabResult("K", parse_value("4.1", "mmol/L"), t, "H1", "p", reported=t)
        >>> w = Window(Span(7, Counting.CALENDAR_DAYS))
        >>> w.is_current(k, t), w.is_current(k, datetime(2020, 1, 1, tzinfo=t.tzinfo))
        (True, False)
        """
        # Compare in UTC: Python compares same-tzinfo datetimes by wall clock, which is wrong
        # for the repeated hour when clocks fall back.
        now = require_aware(at, "at")
        start = _anchor(result, self.anchor)
        expires = self.span_for(setting).add_to(start, zone)
        if (
            type(now.tzinfo) is timezone
            and type(expires.tzinfo) is timezone
            and type(start.tzinfo) is timezone
        ):
            # Fixed offsets have no repeated hour: a direct comparison is exact (and cheaper).
            return start <= now < expires
        utc = now.astimezone(UTC)
        return start.astimezone(UTC) <= utc < expires.astimezone(UTC)
