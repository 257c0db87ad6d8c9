"""The report's ``index.html``: corpus summary, pages, rejects. Built with an autoescaping Jinja
template (``newskit/templates/report_index/index.html.j2``): every value from the corpus, the actor
file or the command line is escaped.

>>> page = index_html(summary={"corpus": "c", "articles": 1, "articles_total": 1, "outlets": {"<b>x</b>": 1},
...                            "rejects": [], "n_rejects": 0, "latest": []}, notebooks=[], seconds=1.0)
>>> "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x" not in page
True
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import warnings
from pathlib import Path
from typing import Any, Sequence

__all__ = ["corpus_summary", "index_html", "resolve_corpus"]

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "report_index"


def resolve_corpus(corpus: str | os.PathLike) -> Path:
    """The corpus path (``"demo"``: the generated fictional demo corpus).

    Raises
    ------
    FileNotFoundError
        The path does not exist.

    >>> resolve_corpus("/no/such/corpus")
    Traceback (most recent call last):
    ...
    FileNotFoundError: corpus not found: /no/such/corpus
    """
    if str(corpus) == "demo":
        from newskit.datasets import demo_corpus

        return Path(demo_corpus()).resolve()
    path = Path(corpus).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"corpus not found: {corpus}")
    return path


def corpus_summary(corpus: Path | None, *, date_from: str | None = None, date_to: str | None = None,
                   columns: dict[str, str] | None = None, outlet_names: Any = None,
                   annotations: Path | None = None) -> dict[str, Any]:
    """Articles, outlets with counts, date range and rejects of a corpus (for ``index.html``).

    With ``annotations`` (a folder of ``newskit annotate``) the articles are read from it, without their
    text, and the rejects from its ``meta.json``; ``corpus`` is then not read.

    ``articles`` counts the articles in the date window, ``articles_total`` the loaded ones;
    ``columns`` and ``outlet_names`` are passed to :func:`newskit.load_corpus`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Title\\n20230105\\nhttps://x.example/a\\nBody text.\\n")
    >>> _ = (folder / "b.txt").write_text("No date\\nsoon\\nhttps://x.example/b\\nBody.\\n")
    >>> s = corpus_summary(folder)
    >>> s["articles"], s["n_rejects"], s["rejects"][0]["path"].endswith("b.txt")
    (1, 1, True)
    """
    import pandas as pd

    from newskit.corpus import CorpusWarning, filter_dates, load_corpus, rejects, summary

    if annotations is not None:
        from newskit.analysis.parquet import PartsFolder

        with PartsFolder(annotations) as pf:
            df = pf.articles.copy()
            df.attrs["rejects"] = list(pf.meta.get("rejected") or [])
        corpus = annotations
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            df = load_corpus(corpus, columns=columns, outlet_names=outlet_names)
    rej = rejects(df).astype(object).where(lambda t: t.notna(), None)
    selected = filter_dates(df, date_from, date_to)
    facts = summary(selected)
    latest = [{"date": row.date.date().isoformat() if pd.notna(row.date) else None,
               "title": row.title, "outlet": row.outlet or row.source, "url": row.url}
              for row in selected.sort_values("date", ascending=False).head(10).itertuples(index=False)]
    return {
        "corpus": str(corpus),
        "latest": latest,
        "articles_total": int(len(df)),
        "articles": facts["articles"],
        "outlets": facts["outlets"],
        "date_min": facts["date_min"],
        "date_max": facts["date_max"],
        "rejects": rej.to_dict("records"),
        "n_rejects": int(len(rej)),
    }


def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=False, lstrip_blocks=False)


_HTTP = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def index_html(*, summary: dict[str, Any], notebooks: Sequence[Any], seconds: float,
               params: dict[str, Any] | None = None, widgets_js: bool = False,
               problem: str | None = None) -> str:
    """The HTML of ``index.html``.

    Parameters
    ----------
    summary : dict
        :func:`corpus_summary`.
    notebooks : list of NotebookResult
    seconds : float
        Build time.
    params : dict, optional
        Parameters shown at the top (None/empty values are left out).
    widgets_js : bool
        Whether the widget scripts were available.
    problem : str, optional
        Why no notebook ran (e.g. no article could be loaded), shown prominently.

    Returns
    -------
    str
    """
    latest = []
    for a in summary.get("latest", []):
        url = str(a.get("url") or "")
        latest.append({**a, "title": a.get("title") or "(untitled)",
                       "link": url if _HTTP.fullmatch(url) else None})
    chosen = [(k, v) for k, v in (params or {}).items() if v not in (None, "", [], {})]
    selection = (summary.get("articles_total") is not None
                 and summary.get("articles") != summary.get("articles_total"))
    widgets_note = ("Widgets are rendered from their saved state (no kernel: controls do not redraw)."
                    if widgets_js else
                    "Widget scripts were not available when this report was built: each widget is "
                    "replaced by a note; the static figure next to it shows its default view.")
    template = _environment().get_template("index.html.j2")
    return template.render(
        s={"outlets": {}, "rejects": [], "date_min": None, "date_max": None, "n_rejects": 0, "articles": 0,
           "articles_total": None, "corpus": "", **summary}, notebooks=list(notebooks),
        failures=[nb for nb in notebooks if not nb.ok], seconds=seconds, chosen=chosen,
        selection=selection, latest=latest, widgets_note=widgets_note, problem=problem,
        built=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
