"""The weekly report (一周一报) as PNG charts and an HTML page (the ``plot`` extra).

Charts are drawn with matplotlib's headless Agg backend and returned as PNG bytes (nothing is
written: the caller saves them). Chinese labels need a CJK font; when matplotlib finds none
(Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang …), the labels
are in English and :func:`chart_language` says so.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from typing import Any, Final

from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.stats._tables import _arrow

__all__ = ["chart_language", "weekly_charts", "weekly_html"]

_CJK: Final = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback",
)  # fmt: skip
_LABELS: Final = {
    "en": {
        "rate": "Recognition rate (per result)", "caution": "incl. with caution",
        "report": "per report", "week": "ISO week", "share": "share",
        "saved": "Savings by kind (CNY)", "reasons": "Refusal reasons (results not recognised)",
        "count": "results", "by": "Recognition rate by {key}",
    },
    "zh": {
        "rate": "互认率(按结果)", "caution": "含谨慎互认", "report": "按份", "week": "周",
        "share": "比例", "saved": "节省费用(元),按类别", "reasons": "不予互认的原因",
        "count": "结果数", "by": "互认率(按{key})",
    },
}  # fmt: skip
_BUCKETS: Final = (
    ("saved_lab", "lab"), ("saved_ct", "CT"), ("saved_mr", "MR"), ("saved_dr", "DR"),
    ("saved_other", "US/other"),
)  # fmt: skip


def _pyplot() -> Any:
    try:
        import matplotlib as mpl
    except ImportError:
        msg = "plot"
        raise MissingDependencyError(msg, "the weekly report's charts") from None
    mpl.use("Agg")  # headless: no display, no GUI toolkit
    import matplotlib.pyplot as plt

    return plt


def chart_language() -> str:
    """``"zh"`` when matplotlib has a CJK font for Chinese labels, else ``"en"``.

    >>> chart_language() in {"zh", "en"}
    True
    """
    _pyplot()
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return "zh" if any(name in names for name in _CJK) else "en"


def _font(lang: str) -> dict[str, Any]:
    if lang != "zh":
        return {}
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return {"font.sans-serif": [n for n in _CJK if n in names] + ["DejaVu Sans"]}


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(figure)
    return buffer.getvalue()


def weekly_charts(report: Any, reasons: Any | None = None, *, key: str = "week") -> dict[str, Any]:
    """The weekly report's charts as PNG bytes, by name.

    ``rate.png``: 互认率 per result (with caution, and per report when known) along *key*;
    ``savings.png``: savings stacked by DR / CT / MR / lab (when the report has them);
    ``reasons.png``: the refusal reasons of :func:`~mutrec.stats.reasons_table` (when given).

    Args:
        report: A :func:`~mutrec.stats.weekly_report` table grouped by *key* alone.
        reasons: A :func:`~mutrec.stats.reasons_table` table (overall), or ``None``.
        key: The group column along the x axis.

    Raises:
        ArgumentError: *report* is not a table with *key* and ``rate`` columns.
        mutrec.errors.MissingDependencyError: matplotlib is not installed (``mutrec[plot]``).
    """
    pa, _ = _arrow()
    if not isinstance(report, pa.Table) or not {key, "rate"} <= set(report.column_names):
        msg = f"a weekly_report table grouped by {key!r}"
        msg_0 = "report"
        raise ArgumentError(msg_0, type(report).__name__, msg)
    plt = _pyplot()
    lang = chart_language()
    words = _LABELS[lang]
    rows = report.to_pylist()
    labels = [str(r[key]) for r in rows]
    out: dict[str, Any] = {}
    with plt.rc_context(_font(lang)):
        figure, axes = plt.subplots(figsize=(9, 3.6))
        places = range(len(rows))
        axes.plot(places, [r["rate"] for r in rows], marker="o", label=words["rate"])
        axes.plot(
            places, [r["rate_with_caution"] for r in rows], linestyle="--", label=words["caution"]
        )
        if "report_rate" in report.column_names:
            axes.plot(
                places, [r["report_rate"] for r in rows], linestyle=":", label=words["report"]
            )
        axes.set_ylim(0, 1)
        axes.set_ylabel(words["share"])
        axes.set_xlabel(words["week"] if key == "week" else key)
        axes.set_xticks(list(places), labels, rotation=60, fontsize=7)
        axes.grid(alpha=0.3)
        axes.legend(loc="lower right", fontsize=8)
        axes.set_title(words["rate"] if key == "week" else words["by"].format(key=key))
        out["rate.png"] = _png(figure)
        if "saved" in report.column_names:
            figure, axes = plt.subplots(figsize=(9, 3.6))
            bottom = [0.0] * len(rows)
            for column, name in _BUCKETS:
                heights = [float(r[column]) for r in rows]
                axes.bar(list(places), heights, bottom=bottom, label=name)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            axes.set_xticks(list(places), labels, rotation=60, fontsize=7)
            axes.set_title(words["saved"])
            axes.legend(fontsize=8, ncols=5)
            out["savings.png"] = _png(figure)
        if reasons is not None and reasons.num_rows:
            top = reasons.slice(0, 10).to_pylist()[::-1]
            figure, axes = plt.subplots(figsize=(9, 3.6))
            axes.barh([r["code"] for r in top], [r["count"] for r in top], color="#c0504d")
            axes.set_xlabel(words["count"])
            axes.set_title(words["reasons"])
            out["reasons.png"] = _png(figure)
    return out


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1%}"
    return html.escape("" if value is None else str(value))


def weekly_html(
    report: Any,
    *,
    title: str | None = None,
    charts: Mapping[str, Any] | None = None,
    note: str = "",
) -> str:
    """The weekly report as one self-contained HTML page (charts embedded as PNG data).

    Args:
        report: A :func:`~mutrec.stats.weekly_report` table.
        title: The page's title (default: 一周一报).
        charts: PNG bytes by name (:func:`weekly_charts`), shown above the table.
        note: A line under the title (the data's source, a caveat).

    Raises:
        ArgumentError: *report* is not an Arrow table.

    >>> import pyarrow as pa
    >>> from mutrec.stats import weekly_report
    >>> page = weekly_html(weekly_report(pa.table({"outcome": ["recognised"], "week": ["W1"]})))
    >>> "<td>100.0%</td>" in page
    True
    """
    pa, _ = _arrow()
    if not isinstance(report, pa.Table):
        msg = "report"
        raise ArgumentError(msg, type(report).__name__, "a weekly_report table")
    title = "一周一报" if title is None else title
    texts: tuple[object, ...] = (title, note)
    if not all(isinstance(text, str) for text in texts):
        msg = "title"
        raise ArgumentError(msg, title, "text")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in report.column_names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row.values()) + "</tr>"
        for row in report.to_pylist()
    )
    images = "".join(
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(data).decode("ascii")}"></figure>'
        for name, data in (charts or {}).items()
    )
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "th{background:#f3f3f3}img{max-width:100%}"
    )
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(note)}</p>{images}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
