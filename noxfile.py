"""Development sessions: tests on every supported Python, typing, lint, docs and benchmarks.

``nox`` runs the default sessions; ``nox -s bench`` runs the benchmarks and ``nox -s fuzz``
the fuzzer (see fuzz/).
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "typing", "lint", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON_VERSIONS = nox.project.python_versions(PYPROJECT)
NEWEST = PYTHON_VERSIONS[-1]


@nox.session(python=PYTHON_VERSIONS)
def tests(session: nox.Session) -> None:
    """Run the tests and every docstring example, with branch coverage."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    session.install("-e.")
    env = {"COVERAGE_FILE": f".coverage.{session.python}"}
    session.run("python", "-m", "coverage", "run", "-m", "pytest", *session.posargs, env=env)
    session.run("python", "-m", "coverage", "report", env=env)


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
