"""What a platform or CDA reading carries besides results: the issuer's own statements.

The issuer's abnormal flag and recognition mark are evidence, not truth: they are kept beside
each result, and :func:`mark_disagreements` compares the mark with mutrec's own decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError, Problem
from mutrec.interop._reading import Reading
from mutrec.policy import Decision, MarkLine

__all__ = ["Disagreement", "Evidence", "PlatformReading", "mark_disagreements"]

_opt_str = optional(instance_of(str))


def _unknown(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("unknown", values, str)


@attrs.frozen
class Evidence:
    """What the issuer said about one result, beside the result itself.

    Attributes:
        where: Where the result was in the input (``line 3``, ``rows[2]``, ``entry[1]``).
        report: The report number it belongs to, when sent.
        item_name: The item's name as sent (evidence only: names are never matched).
        abnormal: The issuer's abnormal flag as a word (``normal``, ``high`` …), when its code
            is one the profile knows.
        abnormal_code: The abnormal flag's code as sent.
        marked: Whether the issuer marked the result as recognised (``None``: not said).
        mark_code: The mark flag as sent.
        mark_scope: The mark's scope text as sent (``广西``).
        unknown: What the source cannot say (``reference_range``, ``body_part`` …): the rules
            then decide without it, fail-safe.

    >>> Evidence("line 2", marked=True, mark_code="1").marked
    True
    """

    where: str = attrs.field(validator=instance_of(str))
    report: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    item_name: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    abnormal: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    abnormal_code: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    marked: bool | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(bool))
    )
    mark_code: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    mark_scope: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    unknown: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_unknown)


def _reasons(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("reasons", values, str)


def _evidence(values: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return items_of("evidence", values, Evidence)


def _flags(values: Iterable[Problem]) -> tuple[Problem, ...]:
    return items_of("flags", values, Problem)


@attrs.frozen
class PlatformReading(Reading):
    """A :class:`~mutrec.interop.Reading` of platform rows or CDA documents, with evidence.

    Attributes:
        evidence: For each result, what the issuer said about it
            (:class:`~mutrec.interop.Evidence`).
        flags: What was read but is doubtful (an offset other than +08:00, a report date
            without a time, a range or flag code not understood): one problem each; unlike
            ``problems`` they did not stop a result.

    >>> PlatformReading().evidence, PlatformReading().flags
    ((), ())
    """

    evidence: tuple[Evidence, ...] = attrs.field(converter=_evidence, default=())
    flags: tuple[Problem, ...] = attrs.field(converter=_flags, default=())

    def __add__(self, other: Reading) -> PlatformReading:
        """Both readings, in order (another kind of reading brings no evidence).

        >>> len((PlatformReading() + Reading()).evidence)
        0
        """
        if not isinstance(other, Reading):
            return NotImplemented
        evidence = (
            other.evidence
            if isinstance(other, PlatformReading)
            else tuple(Evidence("") for _ in other.results)
        )
        flags = other.flags if isinstance(other, PlatformReading) else ()
        return PlatformReading(
            self.results + other.results,
            self.problems + other.problems,
            self.evidence + evidence,
            self.flags + flags,
        )


@attrs.frozen
class Disagreement:
    """The issuer's mark and mutrec's decision disagree about one result.

    Attributes:
        index: The result's position in the reading.
        item: The item as sent.
        where: Where the result was in the input.
        report: Its report number, when sent.
        issuer_marked: What the issuer said (marked as recognised, or not).
        mutrec_recognised: What mutrec decided (recognised, or may carry the mark).
        reasons: The codes of mutrec's findings (why it would not recognise).

    >>> Disagreement(0, "K", "line 2", "R1", True, False, ("qc.failed",)).kind
    'marked_but_not_recognised'
    """

    index: int = attrs.field(validator=instance_of(int, allow_bool=False))
    item: str = attrs.field(validator=instance_of(str))
    where: str = attrs.field(validator=instance_of(str))
    report: str | None = attrs.field(validator=_opt_str)
    issuer_marked: bool = attrs.field(validator=instance_of(bool))
    mutrec_recognised: bool = attrs.field(validator=instance_of(bool))
    reasons: tuple[str, ...] = attrs.field(default=(), converter=_reasons)

    @property
    def kind(self) -> str:
        """``marked_but_not_recognised`` or ``recognised_but_not_marked``.

        >>> Disagreement(0, "K", "", None, False, True).kind
        'recognised_but_not_marked'
        """
        if self.issuer_marked:
            return "marked_but_not_recognised"
        return "recognised_but_not_marked"


def mark_disagreements(
    reading: PlatformReading, decisions: Sequence[Decision | MarkLine | None]
) -> tuple[Disagreement, ...]:
    """Where the issuer's mark flag and mutrec's own decision disagree.

    Args:
        reading: A reading with evidence (:func:`~mutrec.interop.read_platform`).
        decisions: One per result, in order: a :class:`~mutrec.policy.Decision` (receiver
            side: recognised, with or without caution) or a :class:`~mutrec.policy.MarkLine`
            (issuer side: may carry the mark); ``None`` for a result not decided.

    A result the issuer marked that mutrec would not recognise is a finding, and so is the
    reverse; a result whose mark the issuer did not state is not compared.

    Raises:
        ArgumentError: The arguments are of the wrong type or lengths.

    >>> from mutrec.policy import MarkLine
    >>> reading = PlatformReading((), (), ())
    >>> mark_disagreements(reading, [])
    ()
    """
    if not isinstance(reading, PlatformReading):
        msg = "reading"
        raise ArgumentError(msg, reading, "a PlatformReading (read_platform, read_cda)")
    decided = items_of("decisions", decisions, (Decision, MarkLine, type(None)))
    if len(decided) != len(reading.results):
        msg = f"one per result ({len(reading.results)}), in order; got {len(decided)}"
        msg_0 = "decisions"
        raise ArgumentError(msg_0, f"{len(decided)} decisions", msg)
    found = []
    for index, (result, evidence, decision) in enumerate(
        zip(reading.results, reading.evidence, decided, strict=True)
    ):
        if decision is None or evidence.marked is None:
            continue
        ours = decision.outcome.recognised if isinstance(decision, Decision) else decision.marked
        if ours == evidence.marked:
            continue
        codes = tuple(f.code for f in decision.findings)
        found.append(
            Disagreement(
                index, result.item, evidence.where, evidence.report, evidence.marked, ours, codes
            )
        )
    return tuple(found)
