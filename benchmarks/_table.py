"""Print an aligned plain-text table (shared by the benchmarks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Align columns: text left, numbers right."""
    cells = [[str(cell) for cell in header]] + [[_show(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(row, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *map(line, cells[1:])])


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print :func:`format_table`."""
    print(format_table(header, rows))


def _show(cell: object) -> str:
    if isinstance(cell, float):
        return f"{cell:,.1f}" if abs(cell) >= 10 else f"{cell:.3g}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)
