"""Review of the LIS column map: an instant a compact pattern can split two ways is refused."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import ResultError
from mutrec.files import load_example_region
from mutrec.files.columns import ColumnMap, RowMapper

SH = ZoneInfo("Asia/Shanghai")


def mapper(pattern: str) -> RowMapper:
    cmap = ColumnMap(
        "compact",
        {"item": "code", "collected": "time"},
        {"issuer": "BJ001"},
        instant_formats=(pattern,),
        zone=SH,
    )
    return cmap.bind(load_example_region())


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("%Y%m%d", "2024111"),  # 2024-11-01 or 2024-01-11: strptime took the first
        ("%Y%m%d%H%M%S", "2024031108300"),  # a digit short: strptime read 08:30:00
        ("%Y%m%d%H%M", "２０２４0311 0830"),
    ],
)
def test_a_compact_instant_that_is_not_written_in_full_is_refused(pattern: str, text: str) -> None:
    with pytest.raises(ResultError, match="time"):
        mapper(pattern).map({"code": "K", "time": text})


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("%Y%m%d%H%M%S", "20240311083000", "2024-03-11T08:30:00+08:00"),
        ("%Y%m%d", "20241101", "2024-11-01T00:00:00+08:00"),
        ("%Y-%m-%d %H:%M", "2024-3-1 8:05", "2024-03-01T08:05:00+08:00"),  # separators: clear
    ],
)
def test_instants_written_in_full_or_with_separators_are_read(
    pattern: str, text: str, expected: str
) -> None:
    assert mapper(pattern).map({"code": "K", "time": text})["collected"] == expected
