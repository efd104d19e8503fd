"""The context-window rule: an item's windows by clinical context (``Window.contexts``).

UK minimum retesting intervals style: a blood group and antibody screen hold 3 months, but
3 days after a transfusion or a pregnancy in the last 3 months; lipids are re-tested after a
therapy change. The patient facts come from ``ClinicalContext.events`` (and a current
pregnancy from its patient facts). Codes ``context.expired``, ``context.expired_unknown``,
``context.unknown``, ``context.assumed_shorter``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from mutrec.errors import ResultError
from mutrec.model.items import Item
from mutrec.model.windows import ContextSpan, Event, IfUnknown
from mutrec.policy._findings import Finding
from mutrec.policy._rule import NO_FINDINGS, ProgramView, Subject

__all__ = ["ContextWindowRule"]


class ContextWindowRule:
    """The result is inside every window its item sets for the patient's clinical context.

    For each context window (:class:`~mutrec.model.windows.ContextSpan`) whose event the
    doctor reports within the look-back, the context's span applies from the window's anchor,
    and a result anchored before the event is not current at all. An event the doctor does not
    state is, per the item's data, either the shorter window (``unknown = "shorter"``: the
    fail-safe default) or a caution. The item's own window still applies (the window rule).

    >>> ContextWindowRule().code_prefix
    'context'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "context"

    @staticmethod
    def applies(view: ProgramView, item: Item, /) -> bool:
        """Whether the rule may report on *item* under *view*: only an item with context windows.

        The fast pass asks it once per item when the policy is built.
        """
        del view  # the item's own window decides
        return item.window is not None and bool(item.window.contexts)

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report what :meth:`check_until` reports, without the instant."""
        return self.check_until(subject)[0]

    def check_until(self, subject: Subject, /) -> tuple[tuple[Finding, ...], datetime | None]:
        """Report an expired or undecidable context window; the earliest context expiry."""
        window = subject.item.window
        if window is None or not window.contexts:
            return NO_FINDINGS, None
        try:
            start = subject.result.anchor_instant(window.anchor)
        except ResultError:  # the window rule reports the missing instant
            return NO_FINDINGS, None
        found: list[Finding] = []
        expires: datetime | None = None
        for ctx in window.contexts:
            finding, end = _judge(subject, ctx, start)
            if finding is not None:
                found.append(finding)
            if end is not None and (expires is None or end < expires):
                expires = end
        return tuple(found), expires


def _applies(subject: Subject, ctx: ContextSpan) -> bool | None:
    """Whether the context's event happened in its look-back; ``None`` if not stated."""
    context = subject.context
    times = context.event_times
    if ctx.event is Event.PREGNANCY and ctx.event not in times:
        facts = context.patient_facts
        if facts is not None and facts.pregnant:
            return True  # pregnant now: within any look-back
    return ctx.applies(times, subject.at, subject.view.program.zone)


def _judge(
    subject: Subject, ctx: ContextSpan, start: datetime
) -> tuple[Finding | None, datetime | None]:
    view, at, item = subject.view, subject.at, subject.item.code
    words = {
        "item": item,
        "event": ctx.event.value,
        "within": str(ctx.within),
        "span": str(ctx.span),
    }
    applies = _applies(subject, ctx)
    if applies is False:
        return None, None
    if applies is None and ctx.unknown is IfUnknown.CAUTION:
        return view.finding("context.unknown", **words), None
    try:
        end = ctx.span.add_to(start, view.program.zone)
    except OverflowError:  # the context window ends past year 9999
        return None, None
    when = subject.context.event_times.get(ctx.event)
    if applies and when is not None and start < when:
        end = min(end, when)  # drawn before the event: it no longer reflects the patient
    if at < end:
        if applies is None:
            return view.finding("context.assumed_shorter", **words), end
        return None, end
    code = "context.expired" if applies else "context.expired_unknown"
    return view.finding(code, expired=end.isoformat(), **words), None
