"""The ``national-intervals`` directive: the national reference-interval table, from the data.

It renders every entry of :func:`mutrec.model.national_intervals` (the file shipped in
``src/mutrec/model/data/national-intervals.toml``) as one table row per partition, with the
standard each value cites and its confidence tag, and one row per "no national interval"
entry with its note. The page is re-read on every build, so it cannot drift from the file.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from docutils import nodes
from generated import remember
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_HEAD = ("Analyte", "WS/T 886 code", "Sex", "Age (y)", "Interval", "Unit", "Standard", "Tag")


def _row(*cells: str) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", nodes.Text(cell))
        row += entry
    return row


class NationalIntervals(SphinxDirective):
    """Render the national table, and a line counting its confidence tags."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the table from the shipped file."""
        from mutrec.model import national_intervals

        remember(self.env)  # the `generated` extension re-reads the page on every build
        table = nodes.table(classes=["national-intervals"])
        group = nodes.tgroup(cols=len(_HEAD))
        table += group
        for width in (22, 10, 7, 7, 12, 8, 16, 5):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += _row(*_HEAD)
        group += head
        body = nodes.tbody()
        tags: Counter[str] = Counter()
        for entry in national_intervals():
            name = " / ".join(entry.names)
            if entry.method:
                name += f" ({entry.method})"
            code = entry.code or "—"
            if not entry.exists:
                body += _row(
                    name, code, "—", "—", "none", "—", str(entry.note), entry.confidence.value
                )
                continue
            unit = entry.unit.code if entry.unit else ""
            for row in entry.rows:
                part = row.partition
                sex = part.sex.value if part.sex else "any"
                first = part.age_from.value if part.age_from else 0
                last = part.age_to.value - 1 if part.age_to else 0
                interval = row.reference.text or ""
                tag = row.confidence.value
                tags[tag] += 1
                body += _row(
                    name, code, sex, f"{first}-{last}", interval, unit, str(row.citation), tag
                )
        group += body
        counts = ", ".join(f"{tags[t]} {t}" for t in ("C", "S", "I"))
        absent = sum(not e.exists for e in national_intervals())
        text = f"{sum(tags.values())} interval rows ({counts}); {absent} analytes with no "
        summary = nodes.paragraph("", text + "national interval.")
        return [summary, table]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive; the `generated` extension re-reads its page on every build."""
    app.add_directive("national-intervals", NationalIntervals)
    app.setup_extension("generated")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
