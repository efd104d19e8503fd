"""Sphinx configuration for the mutrec documentation.

Built by the ``docs`` nox session in English and in Simplified Chinese (``-D language=zh_CN``,
from the catalogues in ``locale/``), each with ``-W -n`` (warnings are errors, every
cross-reference must resolve): as HTML, then with the doctest builder, which runs every ``>>>``
example in the pages and in the docstrings that autodoc pulls in. See ``translation.md``.
"""

from __future__ import annotations

import doctest
import sys
from importlib.metadata import version as _version
from pathlib import Path

DOCS = Path(__file__).parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "mutrec"
author = "mutrec developers"
copyright = "mutrec developers, MIT licence"
release = _version("mutrec")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    # myst_nb registers myst_parser itself; listing both fails (executablebooks/MyST-NB#421).
    "myst_nb",
    # local: include a repository file (CHANGELOG.md, SCHEMAS.md) only once it exists.
    "optional_include",
    # local: run each docstring's examples in its own module's namespace, as pytest does.
    "docstring_doctests",
    # local: let a class reference in a signature find a documented type alias (py:data).
    "alias_refs",
    # local: tables and command output generated from mutrec at build time (reason codes, demo).
    "generated",
    # local: the national reference-interval table, generated from its data file.
    "national_intervals",
    # local: a translated build fails on an untranslated or fuzzy message of a narrative page;
    # the language switch's target.
    "translation_check",
]
# No intersphinx: the build has no network (only package registries are reachable), and a
# mapping that cannot fetch its inventory warns, which -W turns into a failure. When a
# networked build is possible, add python, attrs and pint here and drop nitpick_ignore below.

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "_ext",
    "_templates",
    "locale",
    "Thumbs.db",
    ".DS_Store",
]
language = "en"
nitpicky = True

# Without intersphinx, standard-library and third-party classes named in signatures cannot
# resolve. List such targets here one by one (never a pattern) as they appear, so that any broken
# *mutrec* reference still fails the build.
nitpick_ignore = [
    ("py:mod", "tomllib"),
    ("py:func", "importlib.resources.as_file"),
] + [
    ("py:class", target)
    for target in (
        # Standard-library classes, qualified and as modules import them by name.
        "collections.abc.Callable",
        "collections.abc.Collection",
        "collections.abc.Iterable",
        "collections.abc.Iterator",
        "collections.abc.Mapping",
        "collections.abc.Sequence",
        "datetime.date",
        "datetime.datetime",
        "datetime.timedelta",
        "datetime.tzinfo",
        "date",
        "datetime",
        "tzinfo",
        "decimal.Decimal",
        "Decimal",
        "pathlib.Path",
        "Path",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "typing.NamedTuple",
        "typing.Protocol",
        # numpy names as mutrec.units writes them under TYPE_CHECKING (numpy is optional).
        "NDArray",
        "np.floating",
        "np.float64",
    )
]

# -- MyST and notebooks ---------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Execute every notebook on every build, and fail the build on any cell error, so a notebook
# can never show output the current code no longer produces.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
# Markdown that cells display (tables of results) is parsed as MyST, which has tables;
# the default, CommonMark, has none.
nb_render_markdown_format = "myst"

# -- autodoc and napoleon -------------------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# -- doctest --------------------------------------------------------------------------------
# Exactly the option flags pytest uses for the docstrings (pyproject.toml), so an example passes
# or fails the same way in both places (Sphinx's default would also ignore exception details).
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# -- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"mutrec {release}"
html_theme_options = {"navigation_with_keys": True}

templates_path = ["_templates"]
# Furo's sidebar with the language switch (sidebar/language.html) under the search box.
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/language.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}

# -- Translation (Simplified Chinese) -------------------------------------------------------
# gettext + sphinx-intl: one catalogue per page (locale/zh_CN/LC_MESSAGES/<page>.po). A changed
# English paragraph becomes a fuzzy or missing entry, and translation_check fails the zh build
# on it, naming the page and the message. `nox -s docs_translate` updates the catalogues and
# lists what is left. Why this and not parallel pages: translation.md.
locale_dirs = ["locale/"]
gettext_compact = False
gettext_uuid = False
# The locations tell a page's prose from the docstrings autodoc pulls in (not translated).
gettext_location = True
# Code is not translated: both languages run the very same examples, and the doctest builder
# runs them again in the zh build.
gettext_additional_targets: list[str] = []
# Pages the zh build shows in English, each with its reason (translation_check skips them).
# Not a place for a page waiting for its translation: the build is meant to fail until it has one.
translation_untranslated_pages = {
    # The changelog is a dated record written once per change, in English (CONTRIBUTING.md).
    "changelog": "a record of changes, kept in English",
}
