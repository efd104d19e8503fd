"""Include a repository file in a page only once that file exists.

Some pages show files other people write (``CHANGELOG.md`` at release time,
``src/mutrec/files/SCHEMAS.md`` with the loaders). Until a file exists, MyST's ``{include}``
would fail the ``-W`` build; this extension lets a page carry a fallback instead::

    <!-- optional-include: ../CHANGELOG.md -->
    # Changelog
    Fallback shown while the file is missing.
    <!-- end optional-include -->

Add ``heading-offset=1`` after the path to demote the file's headings under the page's own
title. Before the page is parsed, the whole region becomes ``{include}`` of the path (relative
to the page) when the file exists, or the fallback text when it does not. The path is recorded
as a dependency, so an incremental build notices when the file appears or changes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_REGION = re.compile(
    r"<!-- optional-include: (?P<path>\S+)(?: heading-offset=(?P<offset>\d))? -->\n"
    r"(?P<fallback>.*?)<!-- end optional-include -->\n?",
    re.DOTALL,
)


def _resolve(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    page_dir = Path(app.env.doc2path(docname)).parent

    def replace(match: re.Match[str]) -> str:
        relative = match["path"]
        app.env.note_dependency(str((page_dir / relative).resolve()))
        if (page_dir / relative).is_file():
            offset = f":heading-offset: {match['offset']}\n" if match["offset"] else ""
            return f"```{{include}} {relative}\n{offset}```\n"
        return match["fallback"]

    source[0] = _REGION.sub(replace, text)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the source-read hook."""
    app.connect("source-read", _resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
