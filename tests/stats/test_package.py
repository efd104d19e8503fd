"""The statistics package keeps one public face: its names, where they were, loading lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mutrec
import mutrec.stats


def test_every_public_name_is_importable_from_the_package() -> None:
    missing = [name for name in mutrec.stats.__all__ if not hasattr(mutrec.stats, name)]
    assert not missing


def test_the_statistics_are_a_namespace_of_the_top_level() -> None:
    # Analysts write mutrec.stats.rate; the names left the top level (deprecated, same objects).
    for name in ("Rate", "Group", "ReasonCount", "Savings", "Summary", "summarise", "to_dataframe"):
        assert name not in mutrec.__all__, name
        with pytest.warns(DeprecationWarning, match=f"use mutrec.stats.{name}"):
            assert getattr(mutrec, name) is getattr(mutrec.stats, name), name


def test_importing_mutrec_stats_does_not_import_pandas() -> None:
    code = "import sys, mutrec.stats; print('pandas' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
