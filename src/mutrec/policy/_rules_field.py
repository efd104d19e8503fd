"""Field rules: acceptance by hospital grade, windows by clinical context, ground 2 as named.

- :class:`GradeRule` reads a program's acceptance matrix (``Program.acceptance``): Jiangsu
  (苏卫医政〔2022〕18号) and Inner Mongolia (2022) decide by the issuer's and the receiver's
  level and grade. Codes ``grade.not_accepted``, ``grade.unknown_tier``.
- :class:`ContextWindowRule` applies an item's windows by clinical context
  (``Window.contexts``): a blood group holds 3 months, but 3 days after a transfusion or a
  pregnancy in the last 3 months (UK minimum retesting intervals). Codes ``context.*``.
- :class:`NamedRapidRule` honours the doctor's "this value changes fast" (ground 2) for any item
  the doctor names (``ClinicalContext.rapid_items``), beyond the program's ``rapid_items``.

Medical alliances need no rule: an alliance is a program (``ProgramKind.ALLIANCE``) that the
policy evaluates like any other, with its members as its scope.

Their reason texts are in ``policy/data/field-reasons.toml`` (:func:`field_reasons`).
"""

from __future__ import annotations

import functools
from datetime import datetime
from importlib import resources
from typing import ClassVar, Final

from mutrec.errors import ResultError
from mutrec.model.acceptance import Tier
from mutrec.model.windows import ContextSpan, Event, IfUnknown
from mutrec.policy._findings import Finding
from mutrec.policy._reasons import Reason, Reasons
from mutrec.policy._rule import NO_FINDINGS, Rule, Subject

__all__ = ["ContextWindowRule", "GradeRule", "NamedRapidRule", "field_reasons", "field_rules"]

_EVENT_ZH: Final = {
    Event.TRANSFUSION: "输血",
    Event.PREGNANCY: "妊娠",
    Event.THERAPY_CHANGE: "调整治疗方案",
}
_EVENT_EN: Final = {
    Event.TRANSFUSION: "a transfusion",
    Event.PREGNANCY: "a pregnancy",
    Event.THERAPY_CHANGE: "a change of therapy",
}


@functools.cache
def field_reasons() -> tuple[Reason, ...]:
    """The reasons of the field rules' codes, with their texts (read once).

    >>> sorted(reason.code for reason in field_reasons())[:2]
    ['context.assumed_shorter', 'context.expired']
    """
    data = resources.files("mutrec.policy").joinpath("data", "field-reasons.toml")
    return tuple(Reasons.from_toml(data.read_text("utf-8")).by_code.values())


def field_rules() -> tuple[Rule, ...]:
    """The field rules, to add after the default ones (with :func:`field_reasons`).

    ``Policy.from_region(region, [*default_rules(), *field_rules()], reasons=field_reasons())``

    >>> [rule.code_prefix for rule in field_rules()]
    ['grade', 'context', 'ground']
    """
    return (GradeRule(), ContextWindowRule(), NamedRapidRule())


class GradeRule:
    """The program's acceptance matrix accepts the issuer's grade at the receiver's.

    A program without a matrix says nothing. An issuer or receiver the matrix cannot place (not
    in the institutions file, unrated, or without a grade where grades count) is a missing
    datum: ``grade.unknown_tier``, never a guess.

    >>> GradeRule().code_prefix
    'grade'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "grade"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a pair the matrix does not accept, or an institution it cannot place."""
        view = subject.view
        acceptance = view.program.acceptance
        if acceptance is None:
            return NO_FINDINGS
        institutions = view.institutions
        issuer_id, receiver_id = subject.result.issuer, subject.receiver
        tiers: list[Tier] = []
        for who, ident in (("issuer", issuer_id), ("receiver", receiver_id)):
            inst = institutions.get(ident)
            tier = None if inst is None else Tier.of(inst, acceptance.compare)
            if tier is None:
                return (view.finding("grade.unknown_tier", who=who, institution=ident),)
            tiers.append(tier)
        mine, theirs = tiers
        if acceptance.accepts_tiers(mine, theirs):
            return NO_FINDINGS
        return (
            view.finding(
                "grade.not_accepted",
                program=view.program.name,
                source=acceptance.source or view.program.name,
                issuer=issuer_id,
                receiver=receiver_id,
                issuer_tier=str(mine),
                receiver_tier=str(theirs),
            ),
        )


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
        "event_zh": _EVENT_ZH[ctx.event],
        "event_en": _EVENT_EN[ctx.event],
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


class NamedRapidRule:
    """Ground 2 for an item the doctor names, where the grounds rule did not already say so.

    The grounds rule cites ground 2 for the program's fast-changing items when the doctor
    notes ``rapid_change``; the doctor may name any item (``ClinicalContext.rapid_items``):
    the receiving doctor's judgement is the standard (国卫医发〔2022〕6号).

    >>> NamedRapidRule().code_prefix
    'ground'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "ground"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report ground 2 for a named item the program's list leaves out."""
        context = subject.context
        code = subject.item.code
        if code not in context.rapid_items:
            return NO_FINDINGS
        listed = subject.view.settings.rapid_items
        if context.rapid_change and (listed is None or code in listed):
            return NO_FINDINGS  # the grounds rule reports it
        return (subject.view.finding("ground.rapid_change", item=code),)
