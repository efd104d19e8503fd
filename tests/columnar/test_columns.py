"""The column helpers: the byte-level clean-text check and the cells of a key."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

from mutrec.columnar._columns import CLEAN, Cells, _clean, clean_mask  # noqa: E402

# Texts as they arrive: ids, Chinese names, blanks and padding, control characters, marks and
# separators at either end, surrogates' neighbours and astral characters, empty text.
EDGES = st.sampled_from([
    " ", "\t", "\n", "\x00", "\x1c", "\x7f", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u0301",
    "\u2028", "\U0001f600", "钾", "é", "~", "!", "a", "0", "",
])  # fmt: skip
TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.text(max_size=6),
        st.builds(lambda a, b, c: a + b + c, EDGES, st.text(max_size=4), EDGES),
    ),
    max_size=40,
)


@given(TEXTS, st.booleans(), st.integers(0, 5))
def test_the_byte_check_is_the_pattern(texts: list[str | None], large: bool, skip: int) -> None:
    """Whatever the texts, their array type or slice: clean_mask says what CLEAN says."""
    array = pa.array(["pad"] * skip + texts, pa.large_string() if large else pa.string())
    array = array.slice(skip)
    want = [t is not None and _clean(t) for t in texts]
    assert clean_mask(array).tolist() == want
    by_pattern = pc.fill_null(pc.match_substring_regex(array, CLEAN), False)
    assert by_pattern.to_pylist() == want


def test_many_wide_texts_go_through_the_pattern() -> None:
    texts = [f"张{i}" for i in range(5000)] + [f" 张{i}" for i in range(5000)]
    assert clean_mask(pa.array(texts)).tolist() == [True] * 5000 + [False] * 5000


def test_cells_spread_one_value_per_key_in_each_mode() -> None:
    rng = np.random.default_rng(3)
    for size in (10, 5_000, 10**9):  # every key, the keys that occur, hash-encoded
        key = rng.choice(np.array([0, 7, size - 1]), 1_000)
        cells = Cells(key, size)
        assert set(cells.keys) >= {0, 7, size - 1}
        spread = cells.spread([k * 2 + 1 for k in cells.keys])
        assert (spread == key * 2 + 1).all()
    # one value for every cell: the value itself, which numpy broadcasts
    assert Cells(np.array([3, 3, 4]), 10).spread([5] * 10) == 5
