"""The documentation's pages copy and run: what a reader sees is all the code there is.

- No page hides setup (``testsetup``/``testcleanup``, ``:hide:``): every name a page's examples
  use is defined on the page.
- Each page's examples, run in order in a fresh namespace (as a reader pasting them into a new
  interpreter would), give the output the page shows. The Chinese pages show the very same code
  (the catalogues translate prose only: ``gettext_additional_targets`` is empty, and no message
  holds an example), so this walk covers both languages; ``nox -s docs`` also runs the doctest
  builder on the Chinese build.
- A page that first needs an optional extra (imports one of its packages, or uses
  ``mutrec.interop.<extra>``) says how to install it, before it uses it.
- Translations keep the code: a translated message keeps every inline literal of its English.
"""

from __future__ import annotations

import ast
import doctest
import functools
import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CATALOGUES = DOCS / "locale" / "zh_CN" / "LC_MESSAGES"
SKIP_DIRS = {"_build", "_ext", "_templates", "_tools", "locale", "jupyter_execute"}
PAGES = sorted(
    page
    for page in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]
    if not SKIP_DIRS & set(page.relative_to(DOCS).parts)
)
FENCE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
HIDDEN = re.compile(
    r"testsetup|testcleanup|:hide(-code|-output)?:|remove-(input|cell)", re.IGNORECASE
)
# Import names of the optional extras' packages (pyproject's optional-dependencies), where the
# import name differs from the distribution's.
IMPORT_NAMES = {
    "pydicom": "pydicom",
    "fhir.resources": "fhir",
    "python-hl7": "hl7",
    "hl7apy": "hl7apy",
}


def _name(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


def _text_and_code(page: Path) -> list[tuple[str, str]]:
    """The page as (kind, text) pieces in reading order: "prose", "doctest", "code", "other"."""
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return [
            ("code" if cell["cell_type"] == "code" else "prose", "".join(cell["source"]))
            for cell in cells
        ]
    pieces: list[tuple[str, str]] = []
    end = 0
    for fence in FENCE.finditer(text):
        pieces.append(("prose", text[end : fence.start()]))
        info = fence["info"].strip()
        body = "\n".join(
            line for line in fence["body"].splitlines() if not re.match(r"^:\w[\w-]*:", line)
        )
        if info == "{doctest}" or (info in {"python", "pycon", ""} and ">>>" in body):
            pieces.append(("doctest", body))
        else:
            pieces.append(("other" if info.startswith("{") else "code", body))
        end = fence.end()
    pieces.append(("prose", text[end:]))
    return pieces


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_no_hidden_setup(page: Path) -> None:
    hidden = HIDDEN.findall(page.read_text(encoding="utf-8"))
    assert not hidden, (
        f"docs/{_name(page)} hides code from its reader ({hidden}): define every name the"
        " examples use in a visible example on the page"
    )


MD_PAGES = [
    page
    for page in PAGES
    if page.suffix == ".md" and any(kind == "doctest" for kind, _ in _text_and_code(page))
]


@pytest.mark.parametrize("page", MD_PAGES, ids=_name)
def test_examples_run_in_order_in_a_fresh_namespace(page: Path) -> None:
    examples = "\n".join(body for kind, body in _text_and_code(page) if kind == "doctest")
    test = doctest.DocTestParser().get_doctest(
        examples, {"__name__": "__main__"}, _name(page), str(page), 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    test.globs.clear()
    assert runner.failures == 0, f"docs/{_name(page)}:\n" + "".join(failures)


@functools.cache
def _extras() -> dict[str, set[str]]:
    """Each optional extra and the import names of its packages."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras: dict[str, set[str]] = {}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        names = {re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0].lower() for req in requirements}
        extras[extra] = {IMPORT_NAMES.get(name, name.replace("-", "_")) for name in names}
    return extras


def test_the_extras_are_known() -> None:
    assert {"numpy", "pandas"} <= set(_extras())


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_an_extra_is_installed_before_it_is_used(page: Path) -> None:
    seen = ""
    for kind, text in _text_and_code(page):
        if kind == "prose":
            seen += text
            continue
        for extra, modules in _extras().items():
            # The extra's own packages, or mutrec's module of the same name (mutrec.interop.fhir
            # for a `fhir` extra), which needs them.
            uses = [rf"^(>>> |\s*)(import|from) {re.escape(module)}\b" for module in modules]
            uses.append(rf"\bmutrec\.interop\.{extra}\b|\binterop import {extra}\b")
            if any(re.search(use, text, re.MULTILINE) for use in uses):
                assert f"mutrec[{extra}]" in seen, (
                    f"docs/{_name(page)} needs the {extra} extra before it says how to install"
                    f' it: add `python -m pip install "mutrec[{extra}]"` (from a checkout:'
                    f' `python -m pip install ".[{extra}]"`) where the page first needs it'
                )


def _read_po(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry: a small reader, so the tests need no babel."""
    entries: list[tuple[str, str, bool]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgstr ")):
                key, _, quoted = line.partition(" ")
                parts[key] = ast.literal_eval(quoted)
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if "msgid" in parts and not block.lstrip().startswith("#~"):
            entries.append((parts["msgid"], parts.get("msgstr", ""), fuzzy))
    return entries


@functools.cache
def _messages() -> list[tuple[str, str, str]]:
    """(catalogue, msgid, msgstr) of every translated message."""
    return [
        (po.relative_to(DOCS).as_posix(), msgid, msgstr)
        for po in sorted(CATALOGUES.rglob("*.po"))
        for msgid, msgstr, fuzzy in _read_po(po)
        if msgid and msgstr and not fuzzy
    ]


# Inline code, not a role's content (`{doc}`Title <page>``: its title is translated, and Sphinx
# checks that the translation keeps the references).
LITERAL = re.compile(
    r"(?P<role>\{[\w:-]+\}`[^`]*`)|(?P<span>(?P<ticks>`+)[^`].*?(?<!`)(?P=ticks)(?!`))"
)


def test_no_message_holds_an_example() -> None:
    holding = [(po, msgid[:60]) for po, msgid, _ in _messages() if ">>>" in msgid]
    assert not holding, f"code is not translated (gettext_additional_targets): {holding}"


def test_translations_keep_the_code() -> None:
    broken = []
    for po, msgid, msgstr in _messages():
        spans = [found["span"] for found in LITERAL.finditer(msgid) if found["span"]]
        lost = [span for span in spans if span not in msgstr]
        if lost:
            broken.append(f"{po}: msgid {msgid[:70]!r} lost {lost}")
    assert not broken, "\n".join(broken)
