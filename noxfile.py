"""Development sessions: tests on every supported Python, typing, lint, docs and benchmarks.

``nox`` runs the default sessions; ``nox -s bench`` runs the benchmarks and ``nox -s fuzz``
the fuzzer (see fuzz/).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

# uv creates the venvs and installs into them when it is installed beside nox (.ci/run installs
# it from PyPI): several times faster than pip on a fresh machine. Without it: venv and pip.
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "typing", "lint", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON_VERSIONS = nox.project.python_versions(PYPROJECT)
NEWEST = PYTHON_VERSIONS[-1]
# The Python of the full test run (coverage, every example, the slow tests): see `tests`.
FULL_RUN = NEWEST


@nox.session(python=PYTHON_VERSIONS)
def tests(session: nox.Session) -> None:
    """Run the tests and every docstring example on every supported Python.

    The full run is on the newest Python: every hypothesis example, branch coverage with its
    ``fail_under``, and the tests marked ``slow`` (the eight-thread determinism test: 100,000
    evaluations nine times over, run after the others without coverage, which would slow it
    threefold and measure nothing the others do not). The other Pythons run the same tests
    without coverage, with the hypothesis profile ``light`` (a fifth of the examples) and
    without the ``slow`` ones: they check that the code behaves alike on that Python.
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    session.install("-e.")
    if session.python == FULL_RUN:
        env = {"COVERAGE_FILE": f".coverage.{session.python}"}
        coverage_run = ["python", "-m", "coverage", "run", "-m", "pytest", "-m", "not slow"]
        session.run(*coverage_run, *session.posargs, env=env)
        session.run("python", "-m", "coverage", "report", env=env)
        # Exit code 5: the caller's arguments selected no slow test.
        session.run("python", "-m", "pytest", "-m", "slow", *session.posargs, success_codes=[0, 5])
    else:
        # An explicit -m or HYPOTHESIS_PROFILE of the caller's still wins.
        env = {"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "light")}
        session.run("python", "-m", "pytest", "-m", "not slow", *session.posargs, env=env)


@nox.session(python=NEWEST)
def typing(session: nox.Session) -> None:
    """Type-check src, tests, benchmarks and this file with mypy --strict."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "typing"))
    session.install("-e.")
    session.run("python", "-m", "mypy", *session.posargs)


@nox.session(python=NEWEST)
def lint(session: nox.Session) -> None:
    """Check the code with ruff and its formatting with ruff format."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=NEWEST)
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors, then run every example in them."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    session.install("-e.")
    common = ["-W", "-n", "--keep-going", "-q", "docs"]
    session.run("sphinx-build", "-b", "html", *common, "docs/_build/html")
    session.run("sphinx-build", "-b", "doctest", *common, "docs/_build/doctest")


@nox.session(python=NEWEST, default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with their baselines and print the tables."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "bench"))
    session.install(".")
    for script in sorted(Path("benchmarks").glob("[!_]*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session(python=NEWEST, default=False)
def fuzz(session: nox.Session) -> None:
    """Feed mutrec random and nasty text, files and JSON: nothing but MutrecError may escape.

    Time-boxed: ``nox -s fuzz -- --budget-seconds 300`` (default: ``$MUTREC_FUZZ_SECONDS`` or
    60 s, shared by the targets). Prints the inputs tried per target and every distinct crash
    with its shortest input; writes them to ``fuzz-failures.jsonl`` in the session's tmp dir.
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "fuzz"))
    session.install("-e.")
    tmp = session.create_tmp()
    session.run("python", "-m", "fuzz", *session.posargs, env={"MUTREC_FUZZ_DIR": tmp})
