"""The registry of reason codes: severity by default and the words that explain each code.

The codes and their texts live in ``policy/data/reasons.toml`` (read once, cached). A vendor
rule brings its own :class:`Reason` entries and a :class:`Reasons` registry is extended with
:meth:`Reasons.with_reasons`, never mutated.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from typing import Final, Literal, TypeAlias

import attrs

from mutrec._checks import instance_of, items_of, require
from mutrec.errors import ArgumentError
from mutrec.model.windows import Counting, Span
from mutrec.policy._findings import Finding, Scalar, Severity

__all__ = [
    "CODE_PATTERN",
    "Lang",
    "Reason",
    "Reasons",
    "default_reasons",
    "format_instant",
    "span_words",
]

Lang: TypeAlias = Literal["zh", "en"]
"""A language of explanations: ``"zh"`` (Simplified Chinese) or ``"en"`` (English)."""

CODE_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
"""What a reason code looks like: ``<prefix>.<reason>`` in lower-case snake words."""

_LANGS: Final = ("zh", "en")


def _valid_code(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):  # type: ignore[redundant-expr]
        msg = "a reason code like 'window.expired' (<prefix>.<reason>, lower-case snake words)"
        raise ArgumentError(attribute.name, value, msg)


@attrs.frozen
class Reason:
    """A reason code with its default severity and its explanation templates.

    Attributes:
        code: The stable code, ``<prefix>.<reason>``.
        severity: The severity a rule reports by default.
        zh: The Chinese template, filled from the finding's data.
        en: The English template, filled from the finding's data.
        missing_datum: Whether the code reports a missing or doubtful datum: only such a
            code may be softened (to caution) by a program's data.

    >>> reason = Reason("acme.fasting", Severity.CAUTION, "未空腹（{hours} 小时）",
    ...                 "Not fasting ({hours} h)")
    >>> reason.render({"hours": 3}, "en")
    'Not fasting (3 h)'
    """

    code: str = attrs.field(validator=_valid_code)
    severity: Severity = attrs.field(validator=instance_of(Severity))
    zh: str = attrs.field(validator=instance_of(str))
    en: str = attrs.field(validator=instance_of(str))
    missing_datum: bool = attrs.field(default=False, kw_only=True, validator=instance_of(bool))

    def render(self, data: Mapping[str, Scalar], lang: Lang) -> str:
        """Fill the template of *lang* from *data*; absent placeholders show as ``?``.

        >>> Reason("a.b", Severity.INFO, "{x}", "{x} and {y}").render({"x": 1}, "en")
        '1 and ?'
        """
        template = self.zh if lang == "zh" else self.en
        return template.format_map(_Words(data, lang)).strip()


class _Words(dict[str, str]):
    """The data of a finding as display words; a missing key renders as ``?``."""

    def __init__(self, data: Mapping[str, Scalar], lang: Lang) -> None:
        super().__init__(
            (key, _span_word(value, lang) if key in _SPAN_KEYS else _word(value, lang))
            for key, value in data.items()
        )

    def __missing__(self, key: str) -> str:
        return "?"


def format_instant(text: str) -> str:
    """Show an ISO-8601 instant as ``YYYY-MM-DD HH:MM (+08:00)``; leave other text alone.

    >>> format_instant("2024-03-08T08:30:00+08:00")
    '2024-03-08 08:30 (+08:00)'
    >>> format_instant("K")
    'K'
    """
    if len(text) < 19 or text[4] != "-" or text[10] != "T":
        return text
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = instant.strftime("%z")
    zone = f" ({offset[:3]}:{offset[3:5]})" if offset else ""
    return instant.strftime("%Y-%m-%d %H:%M") + zone


_SPAN_KEYS: Final = frozenset({"window", "limit"})
"""Finding data keys that carry a span as ``str(Span)`` (``"7d"``): kept so in the data (JSON
stability, machine-readable), shown in words only here."""

_SPAN_ZH: Final = {
    Counting.CALENDAR_DAYS: "天",
    Counting.CALENDAR_MONTHS: "个月",
    Counting.HOURS: "小时",
    Counting.CALENDAR_DATES: "个自然日",
}
_SPAN_EN: Final = {
    Counting.CALENDAR_DAYS: ("day", "days"),
    Counting.CALENDAR_MONTHS: ("month", "months"),
    Counting.HOURS: ("hour", "hours"),
    Counting.CALENDAR_DATES: ("calendar date", "calendar dates"),
}


def span_words(span: Span, lang: Lang) -> str:
    """Say *span* in words: ``7天``/``7 days``, ``1个月``/``1 month``, ``7个自然日``/...

    >>> span_words(Span.parse("7dates"), "zh"), span_words(Span.parse("7dates"), "en")
    ('7个自然日', '7 calendar dates')
    >>> span_words(Span.parse("1mo"), "en"), span_words(Span.parse("24h"), "zh")
    ('1 month', '24小时')
    """
    if lang == "zh":
        return f"{span.amount}{_SPAN_ZH[span.counting]}"
    one, many = _SPAN_EN[span.counting]
    return f"{span.amount} {one if span.amount == 1 else many}"


def _span_word(value: Scalar, lang: Lang) -> str:
    # A vendor finding may use the same key for other text: show that as any other word.
    if isinstance(value, str):
        try:
            return span_words(Span.parse(value), lang)
        except ValueError:
            pass
    return _word(value, lang)


def _word(value: Scalar, lang: Lang) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str):
        term = _terms().get(value)
        return term[lang] if term is not None else format_instant(value)
    return str(value)


@functools.cache
def _terms() -> dict[str, dict[str, str]]:
    text = resources.files("mutrec.policy").joinpath("data", "terms.toml").read_text("utf-8")
    return {
        key: {lang: entry[lang] for lang in _LANGS} for key, entry in tomllib.loads(text).items()
    }


@attrs.frozen
class Reasons:
    """An immutable registry of reason codes.

    Attributes:
        by_code: Every reason, keyed by its code.

    >>> book = default_reasons()
    >>> book["window.expired"].severity
    <Severity.BLOCK: 'block'>
    >>> "acme.fasting" in book.with_reasons([Reason("acme.fasting", Severity.CAUTION, "z", "e")])
    True
    """

    by_code: Mapping[str, Reason] = attrs.field(repr=False)

    @classmethod
    def from_toml(cls, text: str) -> Reasons:
        r"""Read a registry from TOML text laid out like ``policy/data/reasons.toml``.

        >>> Reasons.from_toml('[a.b]\nseverity = "info"\nzh = "甲"\nen = "A"')["a.b"].en
        'A'
        """
        require("text", text, str)
        try:
            reasons = [
                Reason(
                    f"{prefix}.{name}",
                    Severity(entry["severity"]),
                    entry["zh"],
                    entry["en"],
                    missing_datum=entry.get("missing_datum", False),
                )
                for prefix, table in tomllib.loads(text).items()
                for name, entry in table.items()
            ]
        except ArgumentError:
            raise  # a Reason's own field check already names the field
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
            expected = f"reason texts laid out like policy/data/reasons.toml ({error!r:.120})"
            arg = "text"
            raise ArgumentError(arg, text, expected) from None
        return cls({reason.code: reason for reason in reasons})

    def with_reasons(self, reasons: Iterable[Reason]) -> Reasons:
        """Return a registry with *reasons* added; a code already present is an error.

        >>> default_reasons().with_reasons([default_reasons()["window.expired"]])
        Traceback (most recent call last):
        mutrec.errors.ArgumentError: argument 'reasons[0]' = ...: expected a new reason code: ...
        """
        merged = dict(self.by_code)
        for index, reason in enumerate(items_of("reasons", reasons, Reason)):
            if reason.code in merged:
                msg = f"a new reason code: reason code {reason.code!r} is already registered"
                arg = f"reasons[{index}]"
                raise ArgumentError(arg, reason, msg)
            merged[reason.code] = reason
        return Reasons(merged)

    def __getitem__(self, code: str) -> Reason:
        """Return the reason of *code*; ``KeyError`` if unknown."""
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        """Tell whether *code* is registered."""
        return code in self.by_code

    def __iter__(self) -> Iterator[str]:
        """Iterate over the codes, sorted."""
        return iter(sorted(self.by_code))

    def __len__(self) -> int:
        """Return the number of codes."""
        return len(self.by_code)

    def explain(self, finding: Finding, lang: Lang) -> str:
        """Explain one finding in *lang*; an unknown code is shown with its data.

        >>> from mutrec.policy._findings import Finding
        >>> default_reasons().explain(Finding("x.y", Severity.BLOCK, {"n": 1}), "en")
        'x.y (n=1)'
        """
        require("finding", finding, Finding)
        reason = self.by_code.get(finding.code)
        if reason is not None:
            return reason.render(finding.data, lang)
        facts = ", ".join(f"{key}={_word(value, lang)}" for key, value in finding.data.items())
        return f"{finding.code} ({facts})" if facts else finding.code


@functools.cache
def default_reasons() -> Reasons:
    """Return the registry of every code the default rules report (read once, cached).

    >>> len(default_reasons()) > 20
    True
    """
    text = resources.files("mutrec.policy").joinpath("data", "reasons.toml").read_text("utf-8")
    return Reasons.from_toml(text)
