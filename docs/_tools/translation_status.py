"""List what the Chinese documentation still lacks, page by page (no Sphinx build needed).

``nox -s docs_translate`` runs it after updating the catalogues; run it alone with
``python docs/_tools/translation_status.py``. It reads ``docs/locale/zh_CN/LC_MESSAGES``:
a message of a narrative page (its location is a file under ``docs/``) that is empty or fuzzy
is listed with its page. Messages that come only from docstrings (autodoc, in the API
reference) are counted but not listed: docstrings stay English (docs/translation.md).
Exit status 1 when a narrative message is missing, 0 otherwise; ``--summary`` prints only the
counts per page.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po

DOCS = Path(__file__).resolve().parents[1]
CATALOGUES = DOCS / "locale" / "zh_CN" / "LC_MESSAGES"
# Pages the zh build shows in English, each with its reason (conf.py).
UNTRANSLATED_PAGES: dict[str, str] = runpy.run_path(str(DOCS / "conf.py"))[
    "translation_untranslated_pages"
]


def _narrative(locations: list[tuple[str, int | None]]) -> bool:
    return any(path.startswith("../../") for path, _line in locations)


def status(*, summary: bool = False) -> int:
    """Print the status of every catalogue; return the number of narrative messages missing."""
    missing_total = done_total = docstrings_total = 0
    for po in sorted(CATALOGUES.rglob("*.po")):
        page = po.relative_to(CATALOGUES).with_suffix("").as_posix()
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        missing: list[str] = []
        done = docstrings = 0
        for message in catalogue:
            if not message.id:
                continue
            if not _narrative(message.locations):
                docstrings += 1
                continue
            if message.string and not message.fuzzy:
                done += 1
            else:
                missing.append(str(message.id))
        if page in UNTRANSLATED_PAGES:
            reason = UNTRANSLATED_PAGES[page]
            print(f"{page}: in English, {reason} ({done}/{len(missing) + done} translated)")
            continue
        missing_total += len(missing)
        done_total += done
        docstrings_total += docstrings
        print(
            f"{page}: {done}/{done + len(missing)} translated"
            + (f", {docstrings} docstring messages (English)" if docstrings else "")
        )
        if not summary:
            for msgid in missing:
                short = " ".join(msgid.split())
                print(f"    {po.relative_to(DOCS.parent)}: msgid {short[:110]!r}")
    print(
        f"total: {done_total} narrative messages translated, {missing_total} missing;"
        f" {docstrings_total} docstring messages kept in English"
    )
    return missing_total


if __name__ == "__main__":
    sys.exit(1 if status(summary="--summary" in sys.argv[1:]) else 0)
