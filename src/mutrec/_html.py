"""Rendering for people: terminal column widths, and the HTML pieces of ``_repr_html_``.

Generic helpers only, importing nothing of mutrec: each type renders itself next to its own
layer (``mutrec.model._html``, ``mutrec.policy._html``, ``mutrec._stats_html``) from these,
so no layer imports a module that imports it back. Every piece of text that reaches HTML is
escaped by the caller: item names, institution names and reason texts come from data files.

>>> pad("钾 K", 6) + "|"
'钾 K  |'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

__all__ = ["instant_text", "lines", "outcome", "pad", "table", "width"]

_STYLE = "border-collapse:collapse;font-family:sans-serif;font-size:90%"
_OUTCOME_COLOUR = {
    "recognised": "#1a7f37",
    "recognised_with_caution": "#9a6700",
    "not_recognised": "#cf222e",
}


def width(text: str) -> int:
    """The terminal columns *text* takes (CJK characters take two).

    >>> width("互认 HR")
    7
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, columns: int) -> str:
    """Left-align *text* in *columns* terminal columns (CJK characters take two).

    >>> pad("血糖", 6) + "|"
    '血糖  |'
    """
    return text + " " * max(columns - width(text), 0)


def instant_text(value: datetime | None) -> str:
    """An instant as ``YYYY-MM-DD HH:MM +HH:MM`` (its own offset), or ``—``.

    >>> from datetime import datetime, timedelta, timezone
    >>> instant_text(datetime(2024, 3, 8, 12, tzinfo=timezone(timedelta(hours=8))))
    '2024-03-08 12:00 +08:00'
    >>> instant_text(None)
    '—'
    """
    if value is None:
        return "—"
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """Build an HTML table; every header, cell and the caption is given already escaped.

    >>> table(("a",), [("1",)]).count("<td")
    1
    """
    head = "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td style="padding:2px 8px;vertical-align:top">{c}</td>' for c in row)
        + "</tr>"
        for row in rows
    )
    cap = (
        f'<caption style="text-align:left;font-weight:bold">{caption}</caption>' if caption else ""
    )
    return (
        f'<table style="{_STYLE}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def outcome(value: str) -> str:
    """An outcome's value, escaped, in its colour.

    >>> outcome("not_recognised")
    '<span style="color:#cf222e;font-weight:bold">not_recognised</span>'
    """
    colour = _OUTCOME_COLOUR.get(value, "inherit")
    return f'<span style="color:{colour};font-weight:bold">{escape(value)}</span>'


def lines(text: str) -> str:
    """Escaped lines joined by ``<br>``.

    >>> lines("a<b") + "|" + lines("c")
    'a&lt;b|c'
    """
    return "<br>".join(escape(line) for line in text.splitlines())
