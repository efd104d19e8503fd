r"""Writing ``mutrec check`` output as each row is decided: a table, CSV, or one JSON document.

Nothing here keeps a row once it is written; the counts and the summary are added up as rows
pass (:class:`Tally`), so the output of a million rows needs no more memory than of ten.

>>> import io
>>> out = io.StringIO()
>>> writer = JsonWriter(out)
>>> writer.start()
>>> writer.finish(Tally(None), None)
>>> writer.close()
>>> out.getvalue() == json.dumps({"schema": "mutrec.batch/1", "decisions": [], "errors": []},
...                              indent=2) + "\n"
True
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from mutrec.model import FeeBucket
from mutrec.policy import BATCH_SCHEMA
from mutrec.stats import Group, Rate, ReasonCount, Savings, Summary, summarise

if TYPE_CHECKING:
    from typing import TextIO

    from mutrec.files import Region
    from mutrec.policy import Decision, RowError

__all__ = ["CsvWriter", "JsonWriter", "TableWriter", "Tally", "Writer"]

# The order regulators report savings in [domain.md §6]; mutrec.stats uses the same one.
_BUCKETS: Final = (FeeBucket.LAB, FeeBucket.CT, FeeBucket.MR, FeeBucket.DR)
_GROUPS: Final = ("by_item", "by_receiver", "by_program", "by_category")


class Tally:
    """Counts of a check, and its :class:`~mutrec.stats.Summary`, added up chunk by chunk.

    Each chunk is summarised by :func:`mutrec.stats.summarise` and the parts are added, so the
    statistics are those of the whole file without keeping its decisions.

    >>> from mutrec._demo import demo_decisions, demo_region
    >>> tally = Tally(demo_region(), summary=True)
    >>> decisions = list(demo_decisions())
    >>> tally.add(decisions[:4]); tally.add(decisions[4:])
    >>> tally.summary() == summarise(decisions, region=demo_region())
    True
    """

    def __init__(self, region: Region | None, *, summary: bool = False) -> None:
        """Start from nothing; *summary* asks for the statistics too (they cost a little)."""
        self.region = region
        self.wanted = summary
        self.rows = 0
        self.outcomes: Counter[str] = Counter()
        self.undecided = 0
        self.groups: dict[str, dict[str | None, list[int]]] = {g: {} for g in _GROUPS}
        self.reasons: Counter[str] = Counter()
        self.saved = _SavingsSum()
        self.possible = _SavingsSum()  # the fees of results recognised with caution

    def add(self, decisions: list[Decision | None]) -> None:
        """Count one chunk of decisions (``None`` for a row that could not be decided)."""
        self.rows += len(decisions)
        for decision in decisions:
            if decision is None:
                self.undecided += 1
            else:
                self.outcomes[decision.outcome.value] += 1
        if self.wanted:
            self._add_summary(summarise(decisions, region=self.region))

    def _add_summary(self, part: Summary) -> None:
        for name in _GROUPS:
            groups = self.groups[name]
            for group in getattr(part, name):
                counts = groups.setdefault(group.key, [0, 0, 0])
                counts[0] += group.rate.recognised
                counts[1] += group.rate.brought
                counts[2] += group.rate.with_caution
        self.reasons.update({r.code: r.count for r in part.reasons})
        if part.savings is not None:
            self.saved.add(part.savings)
            if part.savings.possible is not None:
                self.possible.add(part.savings.possible)

    @property
    def decided(self) -> int:
        """Rows decided."""
        return self.rows - self.undecided

    def summary(self) -> Summary:
        """The statistics of every row counted, as :func:`mutrec.stats.summarise` gives them."""

        def groups(name: str) -> tuple[Group, ...]:
            counts = self.groups[name]
            order = sorted(counts, key=lambda k: (k is None, k or ""))
            return tuple(Group(k, Rate(*counts[k])) for k in order)

        reasons = sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        savings = self.saved.total(self.possible.total(None))
        return Summary(
            overall=Rate(
                self.outcomes["recognised"], self.decided, self.outcomes["recognised_with_caution"]
            ),
            undecided=self.undecided,
            by_item=groups("by_item"),
            by_receiver=groups("by_receiver"),
            by_program=groups("by_program"),
            by_category=groups("by_category"),
            reasons=tuple(ReasonCount(code, n) for code, n in reasons),
            savings=savings,
        )


class _SavingsSum:
    """The sum of the :class:`~mutrec.stats.Savings` of several chunks."""

    def __init__(self) -> None:
        self.seen = False
        self.currency: str | None = None
        self.by_bucket: dict[FeeBucket, Decimal] = {}
        self.count = self.unpriced = 0

    def add(self, part: Savings) -> None:
        self.seen = True
        self.currency = part.currency
        for bucket, amount in part.by_bucket:
            self.by_bucket[bucket] = self.by_bucket.get(bucket, Decimal(0)) + amount
        self.count += part.count
        self.unpriced += part.unpriced

    def total(self, possible: Savings | None) -> Savings | None:
        if not self.seen:
            return None
        order = [*_BUCKETS, *(b for b in FeeBucket if b not in _BUCKETS)]
        by_bucket = tuple((b, self.by_bucket[b]) for b in order if b in self.by_bucket)
        amount = sum(self.by_bucket.values(), Decimal(0))
        return Savings(self.currency, amount, by_bucket, self.count, self.unpriced, possible)


class Writer(Protocol):
    """Writes a check's output: :meth:`start`, one :meth:`row` per row, :meth:`finish`."""

    def start(self) -> None:
        """Write what comes before the first row."""

    def row(self, index: int, decision: Decision | None, error: RowError | None) -> None:
        """Write one row: its decision, or the error that kept it from being decided."""

    def finish(self, tally: Tally, summary: Summary | None) -> None:
        """Write what comes after the last row."""

    def close(self) -> None:
        """Release what the writer holds, finished or not (an error may end the rows)."""


def _language(lang: str) -> Literal["zh", "en"]:
    return "zh" if lang == "zh" else "en"


class CsvWriter:
    """One CSV line per row, decisions and errors alike."""

    def __init__(self, out: TextIO, lang: str = "en") -> None:
        """Write to *out*, explanations in *lang*."""
        self.writer = csv.writer(out, lineterminator="\n")
        self.lang = _language(lang)

    def start(self) -> None:
        """Write the header."""
        self.writer.writerow(
            [
                "row",
                "result_id",
                "item_code",
                "outcome",
                "codes",
                "expires_at",
                "program_id",
                "catalogue_version",
                "explanation",
                "error",
                "message",
            ]
        )

    def row(self, index: int, decision: Decision | None, error: RowError | None) -> None:
        """Write the row's line."""
        from mutrec._html import instant_text

        d = decision
        if d is None:
            assert error is not None  # noqa: S101 (a row is decided or has an error)
            cells = ["", "", "", "", "", "", "", error.error, error.message]
            self.writer.writerow([index, error.result_id or "", *cells])
            return
        self.writer.writerow(
            [
                index,
                d.result_id or "",
                d.item_code or "",
                d.outcome.value,
                ";".join(d.codes),
                "" if d.expires_at is None else instant_text(d.expires_at),
                d.program_id or "",
                d.catalogue_version or "",
                " ".join(d.explain(self.lang).splitlines()),
                "",
                "",
            ]
        )

    def finish(self, tally: Tally, summary: Summary | None) -> None:
        """Nothing follows the rows in CSV."""

    def close(self) -> None:
        """Nothing is held."""


class TableWriter:
    """An aligned table for people, a line of counts, and the statistics when asked."""

    def __init__(self, out: TextIO, lang: str = "en", *, explain: bool = False) -> None:
        """Write to *out*; *explain* adds each decision's explanation in *lang*."""
        self.out = out
        self.lang = _language(lang)
        self.explain = explain

    def start(self) -> None:
        """Write the column titles."""
        from mutrec._html import pad

        titles = f"{'row':<5}{pad('result', 12)}{pad('item', 14)}{'outcome':<25}{'expires':<25}"
        print(f"{titles}reasons", file=self.out)

    def row(self, index: int, decision: Decision | None, error: RowError | None) -> None:
        """Write the row's line (and explanation)."""
        from mutrec._html import instant_text, pad

        d = decision
        if d is None:
            assert error is not None  # noqa: S101 (a row is decided or has an error)
            rid = pad(error.result_id or "", 12)
            print(f"{index:<5}{rid}{'—':<14}error: {error.message}", file=self.out)
            return
        expires = instant_text(d.expires_at) if d.outcome.recognised else "—"
        print(
            f"{index:<5}{pad(d.result_id or '', 12)}{pad(d.item_code or '—', 14)}"
            f"{d.outcome.value:<25}{expires:<25}{', '.join(d.codes) or '—'}",
            file=self.out,
        )
        if self.explain:
            for line in d.explain(self.lang).splitlines():
                print(f"     {line}", file=self.out)

    def finish(self, tally: Tally, summary: Summary | None) -> None:
        """Write the counts and the statistics."""
        counts = tally.outcomes
        print(
            f"{tally.rows} rows: {counts['recognised']} recognised, "
            f"{counts['recognised_with_caution']} with caution, {counts['not_recognised']} not "
            f"recognised, {tally.undecided} could not be decided",
            file=self.out,
        )
        if summary is None:
            return
        print(f"互认率 recognition rate: {summary.overall}", file=self.out)
        for group in summary.by_category:
            print(f"  {group.key or '—':<14}{group.rate}", file=self.out)
        if summary.reasons:
            reasons = ", ".join(f"{r.code} {r.count}" for r in summary.reasons)
            print(f"reasons for non-recognition: {reasons}", file=self.out)
        if summary.savings is not None:
            s = summary.savings
            split = ", ".join(f"{b.name} {a}" for b, a in s.by_bucket) or "nothing"
            print(f"fees not spent on repeats: {s.total} {s.currency} ({split})", file=self.out)
            maybe = s.possible
            if maybe is not None and maybe.count:
                split = ", ".join(f"{b.name} {a}" for b, a in maybe.by_bucket)
                print(
                    f"  possibly not spent (recognised with caution): {maybe.total} "
                    f"{maybe.currency} ({split})",
                    file=self.out,
                )

    def close(self) -> None:
        """Nothing is held."""


def _indented(value: Any, depth: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + " " * depth)


class JsonWriter:
    """The batch's JSON document (``mutrec.batch/1``), written a decision at a time.

    Errors come after all decisions in the document, so they wait in a temporary file that
    spills to disk beyond 1 MiB; the text is the same as ``json.dumps(..., indent=2)``.
    """

    def __init__(self, out: TextIO) -> None:
        """Write to *out*."""
        self.out = out
        self.decisions = 0
        self.errors = 0
        self.held = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by close)

    def start(self) -> None:
        """Open the document."""
        self.out.write(f'{{\n  "schema": {json.dumps(BATCH_SCHEMA)},\n  "decisions": [')

    def row(self, index: int, decision: Decision | None, error: RowError | None) -> None:
        """Write the decision (``null`` for an error, which is held for later)."""
        del index  # the position in the list is the row
        value = None if decision is None else decision.to_dict()
        self.out.write(f"{',' if self.decisions else ''}\n    {_indented(value, 4)}")
        self.decisions += 1
        if error is not None:
            self.held.write(f"{',' if self.errors else ''}\n    {_indented(error.to_dict(), 4)}")
            self.errors += 1

    def finish(self, tally: Tally, summary: Summary | None) -> None:
        """Write the errors and the summary, and close the document."""
        del tally
        self.out.write("\n  ]," if self.decisions else "],")
        self.out.write('\n  "errors": [')
        self.held.seek(0)
        while piece := self.held.read(1 << 16):
            self.out.write(piece)
        self.out.write("\n  ]" if self.errors else "]")
        if summary is not None:
            self.out.write(f',\n  "summary": {_indented(summary.to_dict(), 2)}')
        self.out.write("\n}\n")

    def close(self) -> None:
        """Drop the held errors (and their file, if they spilled to disk)."""
        self.held.close()
