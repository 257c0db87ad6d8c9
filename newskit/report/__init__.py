"""Shareable reports: execute the notebooks on a corpus and render them to offline HTML.

:func:`build_report` runs every notebook of the package data ``newskit.notebooks`` (or the chosen
ones) with papermill, passing the shared notebook parameters (``corpus``, ``date_from``,
``date_to``, ``actor_file``, ``cache_dir``) and any ``-p NAME VALUE``, keeps the executed
``.ipynb`` files and renders each one to a standalone HTML page (code hidden unless ``show_code``),
then writes ``index.html`` with a corpus summary and links.

The pages open from disk with no network: require.js and the ipywidgets HTML manager are copied
from a local cache (filled from the npm registry by :func:`fetch_widget_assets`, never committed)
into ``<out>/_static/``; without them each widget shows a short note instead (every widget in the
notebooks is paired with a static figure). MathJax and other CDN scripts are not loaded.

Modules: :mod:`~newskit.report.sanitize` (nh3), :mod:`~newskit.report.assets` (npm fetcher),
:mod:`~newskit.report.execute` (papermill/nbclient, parameters), :mod:`~newskit.report.render`
(nbconvert), :mod:`~newskit.report.index` (the index page, Jinja), :mod:`~newskit.report.output`
(the output folder), :mod:`~newskit.report.build` (:func:`build_report`), :mod:`~newskit.report.cli`.

>>> add_rel_noopener('<a href="https://x.example/a">a</a> <a href="#top">b</a>')
'<a href="https://x.example/a" rel="noopener noreferrer">a</a> <a href="#top">b</a>'
>>> sanitize_html('<b>ok</b><script>alert(1)</script>')
'<b>ok</b>&lt;script&gt;alert(1)&lt;/script&gt;'
"""
from __future__ import annotations

from newskit.report.assets import NPM_ASSETS, assets_cache_dir, fetch_widget_assets, widget_assets
from newskit.report.build import RESERVED_PARAMETERS, ReportInputError, ReportResult, build_report
from newskit.report.cli import add_report_parser, main_report, report_command
from newskit.report.execute import (
    DEFAULT_TIMEOUT,
    NotebookResult,
    ParameterError,
    default_notebooks_dir,
    notebook_parameters,
    parse_parameter_value,
)
from newskit.report.index import corpus_summary
from newskit.report.output import MARKER, ReportOutputError
from newskit.report.render import WIDGET_NOTE, render_notebook
from newskit.report.sanitize import add_rel_noopener, clean_notebook, sanitize_html

__all__ = [
    "build_report",
    "ReportResult",
    "NotebookResult",
    "ReportInputError",
    "ReportOutputError",
    "ParameterError",
    "RESERVED_PARAMETERS",
    "MARKER",
    "DEFAULT_TIMEOUT",
    "add_report_parser",
    "report_command",
    "main_report",
    "fetch_widget_assets",
    "widget_assets",
    "assets_cache_dir",
    "NPM_ASSETS",
    "render_notebook",
    "sanitize_html",
    "add_rel_noopener",
    "clean_notebook",
    "corpus_summary",
    "default_notebooks_dir",
    "notebook_parameters",
    "parse_parameter_value",
    "WIDGET_NOTE",
]
