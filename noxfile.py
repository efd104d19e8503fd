"""Development sessions: tests on every supported Python, typing, lint, docs and benchmarks.

``nox`` runs the default sessions; ``nox -s bench`` runs the benchmarks, ``nox -s fuzz``
the fuzzer (see fuzz/), ``nox -s spark`` the Spark tests (Java 17), ``nox -s docs_translate``
updates the Chinese documentation's catalogues and lists what is left to translate, and
``nox -s release`` builds and checks a release.

A Python that is not installed is skipped (the README's test command must work on a machine
with one supported Python, also where ``CI=true``, under which nox would otherwise fail);
``.ci/run`` passes ``--error-on-missing-interpreters`` so that CI runs every one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import nox

# uv creates the venvs and installs into them when it is installed beside nox (.ci/run installs
# it from PyPI): several times faster than pip on a fresh machine. Without it: venv and pip.
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "typing", "lint", "docs"]
# nox turns this on when CI is set; the README's command must still work with one Python.
nox.options.error_on_missing_interpreters = False

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
        if os.environ.get("MUTREC_SLOW_APART") != "1":  # .ci/run runs them beside (see slow)
            _slow_tests(session)
    else:
        # An explicit -m or HYPOTHESIS_PROFILE of the caller's still wins.
        env = {"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "light")}
        session.run("python", "-m", "pytest", "-m", "not slow", *session.posargs, env=env)


def _slow_tests(session: nox.Session) -> None:
    # Exit code 5: the caller's arguments selected no slow test.
    session.run("python", "-m", "pytest", "-m", "slow", *session.posargs, success_codes=[0, 5])


@nox.session(python=FULL_RUN)
def slow(session: nox.Session) -> None:
    """Run only the tests marked ``slow``, on the Python of the full run.

    ``tests`` runs them too; ``.ci/run`` sets ``MUTREC_SLOW_APART=1`` so that ``tests`` leaves
    them to this session, which it runs beside the tests on the second core (the million-row
    columnar differential alone takes minutes).
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    session.install("-e.")
    _slow_tests(session)


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


# The documentation's languages: Sphinx language, HTML directory (docs/_build/<name>). The
# language switch in the sidebar links the two sibling directories (docs/_ext/translation_check).
DOCS_LANGUAGES = {"en": "html", "zh_CN": "html-zh"}


@nox.session(python=NEWEST)
def docs(session: nox.Session) -> None:
    """Build the docs in English and Chinese with warnings as errors; run every example in both.

    Each language is read once: the doctest builder reuses the HTML build's doctrees (its own
    ``-d``), so it only runs the examples. The Chinese build fails on a narrative page's
    untranslated or fuzzy message (``nox -s docs_translate`` lists them).
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    session.install("-e.")
    for language, html in DOCS_LANGUAGES.items():
        suffix = html.removeprefix("html")
        common = ["-W", "-n", "--keep-going", "-q", "-D", f"language={language}"]
        common += ["-d", f"docs/_build/doctrees{suffix or '-en'}", "docs"]
        session.run("sphinx-build", "-b", "html", *common, f"docs/_build/{html}")
        session.run("sphinx-build", "-b", "doctest", *common, f"docs/_build/doctest{suffix}")


@nox.session(python=NEWEST, default=False)
def docs_translate(session: nox.Session) -> None:
    """Update the Chinese catalogues from the English pages and list what is left to translate.

    Extracts the messages (``sphinx-build -b gettext``), merges them into
    ``docs/locale/zh_CN/LC_MESSAGES/<page>.po`` (``sphinx-intl update``: a new paragraph is an
    empty entry, a changed one is fuzzy), then prints every untranslated or fuzzy message of a
    narrative page with its file. Translate those (drop the ``#, fuzzy`` line once checked),
    then ``nox -s docs``. Exit status 1 while something is left.
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    session.install("-e.")
    session.run("sphinx-build", "-b", "gettext", "-q", "docs", "docs/_build/gettext")
    session.run(
        "sphinx-intl", "update", "-p", "docs/_build/gettext", "-l", "zh_CN", "-d", "docs/locale"
    )
    session.run("python", "docs/_tools/translation_status.py", *session.posargs)


@nox.session(python=NEWEST, default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with their baselines and print the tables."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "bench"))
    session.install(".")
    for script in sorted(Path("benchmarks").glob("[!_]*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session(python=NEWEST, default=False)
def spark(session: nox.Session) -> None:
    """Decide on Spark in ``local[2]``: the tests marked ``spark`` (tests/columnar/test_spark.py).

    Only this session installs pyspark (the ``spark`` extra, with its JVM jars): the ``tests``
    session stays without it, and there test_spark.py skips itself. Spark 4 needs Java 17 or
    newer on the machine; without Java the session is skipped (``.ci/run`` says so).
    """
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        session.skip("Java not found: the Spark session is skipped (install Java 17 to run it)")
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    session.install("-e.[spark]")
    tests = "tests/columnar/test_spark.py"
    session.run("python", "-m", "pytest", "-m", "spark", "--durations=5", tests, *session.posargs)


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


# Run in each fresh environment, from a directory outside the checkout: the installed wheel
# must carry its data files and decide the README's first example.
SMOKE_TEST = """
import pathlib, sys
from datetime import datetime
from zoneinfo import ZoneInfo
import mutrec
where = pathlib.Path(mutrec.__file__).resolve()
assert "site-packages" in where.parts, where
assert (where.parent / "py.typed").is_file()
policy = mutrec.Policy.from_region(mutrec.load_example_region())
sh = ZoneInfo("Asia/Shanghai")
k = mutrec.LabResult(
    "K", mutrec.parse_value("4.1", "mmol/L"), collected=datetime(2024, 3, 1, 8, tzinfo=sh),
    issuer="BJ001", patient="p1", reported=datetime(2024, 3, 1, 12, tzinfo=sh), specimen="serum",
)
d = policy.evaluate(
    k, receiver="TJ001", at=datetime(2024, 3, 3, 9, tzinfo=sh),
    context=mutrec.ClinicalContext(patient="p1"),
)
assert d.explain("en").startswith("Outcome: recognised until 2024-03-08 12:00"), d.explain("en")
assert "互认" in d.explain("zh")
assert round(mutrec.convert(100, "mg/dL", "mmol/L", analyte="glucose"), 3) == 5.551
print("smoke test passed:", sys.version.split()[0], where.parent)
"""


def _check_readme_links(session: nox.Session) -> None:
    """The package index shows README.md without the repository: every link must be absolute."""
    import re

    readme = Path("README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)  # [text](target)
    targets += re.findall(r"^\[[^\]]+\]:\s*(\S+)", readme, flags=re.MULTILINE)  # [name]: target
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    if relative:
        session.error(f"README.md has relative links, broken on the package index: {relative}")
    urls = PYPROJECT["project"].get("urls", {})
    for label in ("Documentation", "Source", "Changelog", "Issues"):
        if not str(urls.get(label, "")).startswith("https://"):
            session.error(f"pyproject.toml [project.urls] lacks an https {label!r} address")


def _check_contents(session: nox.Session, wheel: Path, sdist: Path) -> None:
    import tarfile

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    needed = {
        "mutrec/py.typed",
        "mutrec/policy/data/reasons.toml",
        "mutrec/examples/region/region.toml",
        "mutrec/cli/__init__.py",
    }
    if missing := needed - names:
        session.error(f"{wheel.name} lacks {sorted(missing)}")
    if stray := sorted(n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))):
        session.error(f"{wheel.name} carries development files: {stray[:5]}")
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        session.error(f"{wheel.name} lacks the LICENSE")
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for path in ("README.md", "LICENSE", "CHANGELOG.md", "pyproject.toml", "noxfile.py"):
        if path not in members:
            session.error(f"{sdist.name} lacks {path}")
    session.log(f"{wheel.name}: {len(names)} files; {sdist.name}: {len(members)} entries")


def _fresh_install(session: nox.Session, version: str, wheel: Path, demo_out: Path) -> None:
    """Install the wheel into a new venv in a temporary directory on ``version``; use it there."""
    interpreter = shutil.which(f"python{version}")
    if interpreter is None:
        session.error(f"python{version} not found: a release is tried on every supported Python")
    with tempfile.TemporaryDirectory(prefix=f"mutrec-release-{version}-") as tmp:
        venv = Path(tmp) / "venv"
        session.run(interpreter, "-m", "venv", str(venv), external=True)
        python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
        if shutil.which("uv"):
            session.run("uv", "pip", "install", "-q", "--python", python, str(wheel), external=True)
        else:
            session.run(python, "-m", "pip", "install", "-q", str(wheel), external=True)
        with session.chdir(tmp):
            demo = session.run(python, "-m", "mutrec", "demo", external=True, silent=True)
            session.run(python, "-c", SMOKE_TEST, external=True)
        demo_out.write_text(str(demo), encoding="utf-8")
        session.log(f"python{version}: installed {wheel.name}; demo printed {len(str(demo))} chars")


@nox.session(python=NEWEST, default=False)
def release(session: nox.Session) -> None:
    """Build the sdist and wheel, check them, and try the wheel on every supported Python.

    Checks: ``twine check --strict`` (the README renders on the package index), README links
    absolute and the Project-URLs present, the wheel's data files and licence, the sdist's
    files. Then, for each supported Python, a fresh venv in a temporary directory outside the
    checkout gets the wheel only (and its dependencies from the index), and runs ``mutrec demo``
    and a smoke test from there. The artefacts are left in ``dist/``.
    """
    session.install("build>=1.2", "twine>=6.1")
    _check_readme_links(session)
    dist = Path("dist")
    shutil.rmtree(dist, ignore_errors=True)
    installer = ["--installer", "uv"] if shutil.which("uv") else []
    session.run("python", "-m", "build", *installer, "--outdir", str(dist))
    (wheel,) = dist.glob("mutrec-*.whl")
    (sdist,) = dist.glob("mutrec-*.tar.gz")
    session.run("twine", "check", "--strict", str(wheel), str(sdist))
    _check_contents(session, wheel, sdist)
    outputs = []
    for version in PYTHON_VERSIONS:
        demo_out = Path(session.create_tmp()) / f"demo-{version}.txt"
        _fresh_install(session, version, wheel.resolve(), demo_out)
        outputs.append(demo_out.read_text(encoding="utf-8"))
    if len(set(outputs)) != 1:
        session.error("mutrec demo printed different output on different Pythons")
    session.log(f"release ok: {wheel.name}, {sdist.name}; demo identical on {PYTHON_VERSIONS}")
