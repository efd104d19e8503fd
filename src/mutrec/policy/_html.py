"""HTML for notebooks: a decision and a batch (their ``_repr_html_``).

Their own layer renders them, from the generic pieces of :mod:`mutrec._html`; the types import
this module when asked to render, as it imports them.
"""

from __future__ import annotations

from html import escape

from mutrec._html import instant_text, lines, outcome, table
from mutrec.policy._batch import Batch
from mutrec.policy._decision import Decision

__all__ = ["batch_html", "decision_html"]


def decision_html(decision: Decision) -> str:
    """Render a decision: outcome, item, program, expiry, and its explanation in both languages.

    >>> from mutrec._demo import demo_decisions
    >>> html = decision_html(demo_decisions()[1])
    >>> "window.expired" in html and "结论：不予互认" in html and "not recognised" in html
    True
    """
    rows = [
        ("outcome", outcome(decision.outcome.value)),
        ("item", escape(decision.item_code or "—")),
        ("result", escape(decision.result_id or "—")),
        ("receiver", escape(decision.receiver_id or "—")),
        ("program", escape(f"{decision.program_id or '—'} ({decision.catalogue_version or '—'})")),
        ("expires", escape(instant_text(decision.expires_at))),
        ("evaluated", escape(instant_text(decision.evaluated_at))),
        ("reasons", escape(", ".join(decision.codes) or "—")),
        ("中文", lines(decision.explain("zh"))),
        ("English", lines(decision.explain("en"))),
    ]
    return table(("", ""), rows, caption="mutrec decision")


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
            rows.append((str(index), escape(rid), "—", outcome("error"), escape(what), "—"))
            continue
        rows.append(
            (
                str(index),
                escape(d.result_id or ""),
                escape(d.item_code or "—"),
                outcome(d.outcome.value),
                escape(", ".join(d.codes)),
                escape(instant_text(d.expires_at if d.outcome.recognised else None)),
            )
        )
    caption = f"mutrec batch: {batch.ok} of {len(batch)} rows decided"
    return table(("row", "result", "item", "outcome", "reasons", "expires"), rows, caption)
