"""Rendering for people: terminal column widths, and HTML for Jupyter (``_repr_html_``).

Every piece of text that reaches HTML is escaped: item names, institution names and reason
texts come from data files and results. The renderers are plain functions, so classes owned by
other layers can attach them as ``_repr_html_`` methods.

>>> pad("钾 K", 6) + "|"
'钾 K  |'
"""

from __future__ import annotations

import unicodedata
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from mutrec.model import Catalogue, DeviceRequirement, Program, Window
    from mutrec.policy import Batch, Decision
    from mutrec.stats import Rate, Savings, Summary

__all__ = [
    "batch_html",
    "catalogue_html",
    "decision_html",
    "instant_text",
    "pad",
    "program_html",
    "rate_html",
    "savings_html",
    "summary_html",
    "width",
]

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


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """Build an HTML table; every cell is given already escaped."""
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


def _outcome(value: str) -> str:
    colour = _OUTCOME_COLOUR.get(value, "inherit")
    return f'<span style="color:{colour};font-weight:bold">{escape(value)}</span>'


def _lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.splitlines())


def decision_html(decision: Decision) -> str:
    """Render a decision: outcome, item, program, expiry, and its explanation in both languages.

    >>> from mutrec._demo import demo_decisions
    >>> html = decision_html(demo_decisions()[1])
    >>> "window.expired" in html and "结论：不予互认" in html and "not recognised" in html
    True
    """
    rows = [
        ("outcome", _outcome(decision.outcome.value)),
        ("item", escape(decision.item_code or "—")),
        ("result", escape(decision.result_id or "—")),
        ("receiver", escape(decision.receiver_id or "—")),
        ("program", escape(f"{decision.program_id or '—'} ({decision.catalogue_version or '—'})")),
        ("expires", escape(instant_text(decision.expires_at))),
        ("evaluated", escape(instant_text(decision.evaluated_at))),
        ("reasons", escape(", ".join(decision.codes) or "—")),
        ("中文", _lines(decision.explain("zh"))),
        ("English", _lines(decision.explain("en"))),
    ]
    return _table(("", ""), rows, caption="mutrec decision")


def batch_html(batch: Batch) -> str:
    """Render a batch: one row per input row, bad rows with their error.

    >>> from mutrec.policy import Batch, RowError
    >>> html = batch_html(Batch((None,), (RowError(0, "r<1>", "TimeZoneError", "naive"),)))
    >>> "r&lt;1&gt;" in html and "TimeZoneError" in html
    True
    """
    errors = {e.index: e for e in batch.errors}
    rows = []
    for index, d in enumerate(batch.decisions):
        if d is None:
            err = errors.get(index)
            rid = "" if err is None or err.result_id is None else err.result_id
            what = "" if err is None else f"{err.error}: {err.message}"
            rows.append((str(index), escape(rid), "—", _outcome("error"), escape(what), "—"))
            continue
        rows.append(
            (
                str(index),
                escape(d.result_id or ""),
                escape(d.item_code or "—"),
                _outcome(d.outcome.value),
                escape(", ".join(d.codes)),
                escape(instant_text(d.expires_at if d.outcome.recognised else None)),
            )
        )
    caption = f"mutrec batch: {batch.ok} of {len(batch)} rows decided"
    return _table(("row", "result", "item", "outcome", "reasons", "expires"), rows, caption)


def _window(window: Window | None) -> str:
    if window is None:
        return "—"
    extra = "".join(f", {setting.value} {span}" for setting, span in window.settings)
    return f"{window.span} from {window.anchor.value}{extra}"


def _device(device: DeviceRequirement | None) -> str:
    if device is None:
        return ""
    parts = []
    if device.min_detector_rows is not None:
        parts.append(f"≥ {device.min_detector_rows} rows")
    if device.min_field_strength_t is not None:
        parts.append(f"≥ {device.min_field_strength_t} T")
    return ", ".join(parts)


def catalogue_html(catalogue: Catalogue) -> str:
    """Render a catalogue: its version and dates, then one row per item.

    >>> from mutrec.files import load_example_region
    >>> html = catalogue_html(load_example_region().catalogues[1])
    >>> "头颅CT平扫" in html and "≥ 16 rows" in html
    True
    """
    until = catalogue.effective_until.isoformat() if catalogue.effective_until else "open"
    caption = escape(
        f"{catalogue.name} — version {catalogue.version}, "
        f"{catalogue.effective_from.isoformat()} to {until}, {len(catalogue.items)} items"
    )
    rows = [
        (
            escape(item.code),
            escape(item.name_zh),
            escape(item.name_en),
            escape(item.category.value),
            escape("" if item.unit is None else str(item.unit)),
            escape(_window(item.window)),
            escape(_device(item.device)),
        )
        for item in catalogue.items
    ]
    headers = ("code", "名称", "name", "category", "unit", "window", "device")
    return _table(headers, rows, caption)


def program_html(program: Program) -> str:
    """Render a program: mark, scope, catalogues and members.

    >>> from mutrec.files import load_example_region
    >>> html = program_html(load_example_region().programs["北京市影像互认(示例)"])
    >>> "北京HR" in html and "BJ002" in html and "MR-HEAD" in html
    True
    """
    caption = escape(f"{program.name} — mark {program.mark}, scope {program.scope}")
    cats = ", ".join(f"{c.name} {c.version}" for c in program.catalogues)
    rows = [
        (
            escape(m.institution),
            escape(m.since.isoformat()),
            escape("—" if m.until is None else m.until.isoformat()),
            escape("all" if m.items is None else ", ".join(sorted(m.items))),
        )
        for m in program.members
    ]
    table = _table(("member", "since", "until", "items"), rows, caption)
    return f"<div><p>catalogues: {escape(cats)}</p>{table}</div>"


def rate_html(rate: Rate) -> str:
    """Render a rate.

    >>> from mutrec.stats import Rate
    >>> rate_html(Rate(1, 2))
    '<span>互认率 recognition rate: <b>1/2 (50.0%)</b></span>'
    """
    return f"<span>互认率 recognition rate: <b>{escape(str(rate))}</b></span>"


def savings_html(savings: Savings) -> str:
    """Render savings by bucket.

    >>> from decimal import Decimal
    >>> from mutrec.model import FeeBucket
    >>> from mutrec.stats import Savings
    >>> "CT" in savings_html(Savings("CNY", Decimal(180), ((FeeBucket.CT, Decimal(180)),), 1))
    True
    """
    cur = escape(savings.currency or "")
    rows = [(escape(b.name), f"{escape(str(a))} {cur}") for b, a in savings.by_bucket]
    rows.append(("<b>total</b>", f"<b>{escape(str(savings.total))} {cur}</b>"))
    caption = f"savings: {savings.count} tests not repeated"
    if savings.unpriced:
        caption += f" ({savings.unpriced} more without a fee)"
    return _table(("bucket", "saved"), rows, caption)


def summary_html(summary: Summary) -> str:
    """Render a summary: rates overall and by group, reasons, savings.

    >>> from mutrec.stats import summarise
    >>> from mutrec._demo import demo_decisions, demo_region
    >>> html = summary_html(summarise(demo_decisions(), region=demo_region()))
    >>> "6/9 (66.7%)" in html and "qc.failed" in html and "759.00" in html
    True
    """
    parts = [f"<p>{rate_html(summary.overall)}; {summary.undecided} rows not decided</p>"]
    for title, groups in (
        ("by item", summary.by_item),
        ("by category", summary.by_category),
        ("by receiver", summary.by_receiver),
        ("by program", summary.by_program),
    ):
        if groups:
            rows = [(escape(g.key or "—"), escape(str(g.rate))) for g in groups]
            parts.append(_table(("group", "recognised"), rows, escape(title)))
    if summary.reasons:
        rows = [(escape(r.code), str(r.count)) for r in summary.reasons]
        parts.append(_table(("reason", "count"), rows, "reasons for non-recognition"))
    if summary.savings is not None:
        parts.append(savings_html(summary.savings))
    return "<div>" + "".join(parts) + "</div>"
