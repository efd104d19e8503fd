"""Shared test configuration: hypothesis profiles and paths to the real data in tests/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"

# CI must be reproducible and immune to a slow machine: derandomised examples, no deadline.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
_BASE = "ci" if os.environ.get("CI") else "dev"
# The same with a fifth of the examples: nox uses it on the Pythons other than the one with the
# full run (see noxfile.py), where the examples are a check that the code behaves alike there.
settings.register_profile("light", parent=settings.get_profile(_BASE), max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _BASE))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real test data (copies with their licences, see tests/data/README.md)."""
    return DATA
