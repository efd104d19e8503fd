"""Fail a translated build when a narrative page is not fully translated.

Sphinx's gettext machinery shows the English text, silently, for every paragraph whose message
is missing from the page's catalogue, untranslated or fuzzy (a fuzzy entry is one whose English
changed since it was translated: ``sphinx-intl update`` marks it). This extension turns each of
those into a build warning (an error under ``-W``) that names the page and the message, so the
Chinese site can never drift behind the English one unnoticed.

It runs only when ``language`` is not English. Not checked, on purpose:

- text that autodoc takes from docstrings (the API reference's signatures and docstring prose):
  the docstrings are the code's own documentation, in English (see ``docs/translation.md``);
- the pages listed in ``translation_untranslated_pages``, each with its reason in ``conf.py``;
- a notebook's cell outputs: they are computed, so they are kept out of the catalogues.

It also puts the language switch's target in the HTML context (``other_language_root``,
``other_language_name``) and gives the translated build its own title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.nodes import extract_messages

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: The sibling build directories of the two languages (``docs/_build/<name>``).
BUILDS = {"en": "html", "zh_CN": "html-zh"}
NAMES = {"en": "English", "zh_CN": "中文"}
FIX = "run `nox -s docs_translate` and translate it in docs/locale/zh_CN/LC_MESSAGES/{page}.po"


def _from_docstring(node: nodes.Node) -> bool:
    source = getattr(node, "source", None) or ""
    if "docstring of" in source:
        return True
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.desc):
            return True
        parent = parent.parent
    return False


def _untranslated(node: nodes.Element) -> list[str]:
    """The messages of ``node`` the translated build still shows in English."""
    if isinstance(node, addnodes.toctree):
        # Sphinx leaves a toctree's status False even when it translated it: compare instead.
        titles = {title for title, _page in node["entries"] if title}
        left = [title for title in node.get("rawentries", []) if title in titles]
        if "rawcaption" in node and node.get("caption") == node["rawcaption"]:
            left.append(node["rawcaption"])
        return left
    if isinstance(node, addnodes.translatable):
        return []
    return [] if node["translated"] else [node.astext()]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 100 else text[:97] + "..."


def check_page(app: Sphinx, doctree: nodes.document) -> None:
    """Warn once per message of a narrative page that the translated build shows in English."""
    language = app.config.language
    if language == "en" or app.builder.name == "gettext":
        return
    page = app.env.docname
    if page in app.config.translation_untranslated_pages:
        return
    fix = FIX.format(page=page)
    statuses = [
        node
        for node in doctree.findall(nodes.Element)
        if "translated" in node and not _from_docstring(node)
    ]
    if not statuses:
        # No catalogue for this page at all: Locale did nothing, so nothing carries a status.
        messages = [msg for node, msg in extract_messages(doctree) if not _from_docstring(node)]
        if messages:
            logger.warning(
                "page %s has no %s translation (%d messages): %s",
                page,
                language,
                len(messages),
                fix,
                location=page,
                type="i18n",
                subtype="untranslated",
            )
        return
    for node in statuses:
        for message in _untranslated(node):
            logger.warning(
                "page %s: untranslated or fuzzy msgid %r: %s",
                page,
                _short(message),
                fix,
                location=node,
                type="i18n",
                subtype="untranslated",
            )


class NotebookOutputsStay(SphinxTransform):
    """Keep a notebook's cell outputs out of the catalogues: they are computed, not written.

    myst-nb renders an output that is Markdown (a table of results) as ordinary paragraphs and
    tables; without this they would be messages to translate, and fuzzy whenever the code's
    output changed. Runs before Sphinx's Locale transform (priority 20).
    """

    default_priority = 10

    def apply(self, **_kwargs: Any) -> None:
        """Mark every text node inside a cell output untranslatable."""
        for output in self.document.findall(nodes.container):
            if "cell_output" not in output.get("classes", []):
                continue
            for node in output.findall(nodes.TextElement):
                node["translatable"] = False


def _configure(_app: Sphinx, config: Config) -> None:
    language = config.language if config.language in BUILDS else "en"
    other = "zh_CN" if language == "en" else "en"
    config.html_context = {
        **config.html_context,
        "other_language_build": BUILDS[other],
        "other_language_name": NAMES[other],
        "this_language_build": BUILDS[language],
    }
    if language != "en":
        config.html_title = f"{config.project} {config.release} 中文文档"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the check and the language-switch context."""
    app.add_config_value("translation_untranslated_pages", {}, "env", types=[dict])
    app.add_transform(NotebookOutputsStay)
    app.connect("config-inited", _configure)
    app.connect("doctree-read", check_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
