"""HTML for notebooks: a rate, savings and a summary of :mod:`mutrec.stats`.

Rendered beside the statistics (the uses layer), from the generic pieces of
:mod:`mutrec._html`; :mod:`mutrec.stats` imports this module when asked to render.
"""

from __future__ import annotations

from html import escape

from mutrec._html import table
from mutrec.stats import Rate, Savings, Summary

__all__ = ["rate_html", "savings_html", "summary_html"]


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
    return table(("bucket", "saved"), rows, caption)


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
            parts.append(table(("group", "recognised"), rows, escape(title)))
    if summary.reasons:
        rows = [(escape(r.code), str(r.count)) for r in summary.reasons]
        parts.append(table(("reason", "count"), rows, "reasons for non-recognition"))
    if summary.savings is not None:
        parts.append(savings_html(summary.savings))
    return "<div>" + "".join(parts) + "</div>"
