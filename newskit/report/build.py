"""Building a report: check every input, execute the notebooks, render the pages, write the index.

Everything that can be checked without a kernel is checked first, in well under a second or two:
the output folder, the notebook names, the ``-p`` parameters against the notebooks' ``parameters``
cells, the dates, the actor file and the corpus (a corpus from which no article could be loaded
gives one clear message and an ``index.html`` listing the rejects; no notebook runs).
"""
from __future__ import annotations

import datetime as _dt
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from newskit.report.execute import (
    DEFAULT_TIMEOUT,
    NotebookResult,
    check_parameters,
    default_notebooks_dir,
    execute_notebook,
    kernel_env,
    notebook_parameters,
    output_widgets_without_echo,
    select_notebooks,
)

__all__ = ["build_report", "ReportResult", "ReportInputError", "check_dates", "check_actor_file",
           "check_inputs", "check_annotations", "RESERVED_PARAMETERS"]

#: Notebook parameters set by their own options, not by ``-p``.
RESERVED_PARAMETERS = {"corpus": "the CORPUS argument", "date_from": "--from", "date_to": "--to",
                       "actor_file": "--actor-file", "cache_dir": "$NEWSKIT_CACHE", "columns": "--columns",
                       "outlet_names": "--outlet-names", "annotations": "--annotations"}


class ReportInputError(ValueError):
    """An input of the report (dates, actor file, corpus) is unusable; checked before any kernel."""


@dataclass
class ReportResult:
    """What :func:`build_report` wrote."""

    out: Path
    index: Path
    notebooks: list[NotebookResult] = field(default_factory=list)
    widgets_js: bool = False
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  #: why no notebook ran (e.g. no article could be loaded)
    removed: list[str] = field(default_factory=list)  #: stale pages of the previous report removed

    @property
    def ok(self) -> bool:
        return self.problem is None and all(nb.ok for nb in self.notebooks)

    @property
    def failures(self) -> list[NotebookResult]:
        return [nb for nb in self.notebooks if not nb.ok]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def check_dates(date_from: str | _dt.date | None, date_to: str | _dt.date | None) -> tuple[str | None, str | None]:
    """ISO strings of the date window (whole days, inclusive), checked.

    Raises
    ------
    ReportInputError
        A date that is not ``YYYY-MM-DD`` or ``date_from`` after ``date_to``.

    >>> check_dates("2023-01-01", _dt.date(2023, 2, 1))
    ('2023-01-01', '2023-02-01')
    >>> check_dates("2023-02-01", "2023-01-01")
    Traceback (most recent call last):
    ...
    newskit.report.build.ReportInputError: --from 2023-02-01 is after --to 2023-01-01
    """
    out = []
    for flag, value in (("--from", date_from), ("--to", date_to)):
        if value is None or value == "":
            out.append(None)
        elif isinstance(value, _dt.date):
            out.append((value.date() if isinstance(value, _dt.datetime) else value).isoformat())
        else:
            try:
                out.append(_dt.date.fromisoformat(str(value).strip()).isoformat())
            except ValueError:
                raise ReportInputError(f"{flag} {value!r}: not an ISO date (YYYY-MM-DD)") from None
    if out[0] and out[1] and out[0] > out[1]:
        raise ReportInputError(f"--from {out[0]} is after --to {out[1]}")
    return out[0], out[1]


def check_actor_file(actor_file: str | os.PathLike | None) -> str | None:
    """The absolute path of a valid actor file (None when none is given).

    Uses ``newskit.actors.check_actor_file`` when that exists, else loads the file with
    :func:`newskit.actors.load_actor_file`; either names the file and line of a problem.

    Raises
    ------
    ReportInputError
        The file is missing or invalid.

    >>> check_actor_file("/no/such/actors.yml")
    Traceback (most recent call last):
    ...
    newskit.report.build.ReportInputError: actor file not found: /no/such/actors.yml
    """
    if actor_file is None or str(actor_file) == "":
        return None
    path = Path(actor_file).expanduser()
    if not path.is_file():
        raise ReportInputError(f"actor file not found: {actor_file}")
    from newskit import actors

    check = getattr(actors, "check_actor_file", None)
    try:
        if check is not None:
            check(path)
        else:
            actors.load_actor_file(path)
    except ReportInputError:
        raise
    except (ValueError, OSError, UnicodeError) as exc:
        msg = str(exc)
        raise ReportInputError(msg if str(path) in msg or path.name in msg else f"{path}: {msg}") from None
    return str(path.resolve())


def check_inputs(columns: Any = None, outlet_names: str | os.PathLike | None = None
                 ) -> tuple[dict[str, str] | None, str | None]:
    """The column mapping and the absolute path of the outlet-names file, both checked (None when
    not given): the notebooks receive them as the ``columns`` and ``outlet_names`` parameters.

    ``columns`` is a mapping (table column → newskit column) or the command-line form
    ``"title=headline,text=body"``.

    Raises
    ------
    ReportInputError
        A bad mapping, or an outlet-names file that is missing or malformed (naming file and line).

    >>> check_inputs("title=headline,text=body")
    ({'headline': 'title', 'body': 'text'}, None)
    >>> check_inputs(outlet_names="/no/such/outlets.yml")
    Traceback (most recent call last):
    ...
    newskit.report.build.ReportInputError: /no/such/outlets.yml: outlet-names file not found
    """
    if columns is None and (outlet_names is None or str(outlet_names) == ""):
        return None, None
    from newskit.corpus import check_columns, load_outlet_names, parse_columns

    try:
        mapping = parse_columns(columns) if isinstance(columns, str) else check_columns(columns)
        if outlet_names is not None and str(outlet_names) != "":
            load_outlet_names(Path(outlet_names))
            names = str(Path(outlet_names).expanduser().resolve())
        else:
            names = None
    except ValueError as exc:
        raise ReportInputError(str(exc)) from None
    return (mapping or None), names


def _copy_assets(assets: bool | str | os.PathLike, out: Path, *, progress: bool) -> list[str]:
    """Copy the widget scripts next to the report; returns the relative paths (empty: unavailable)."""
    from newskit.report.assets import fetch_widget_assets, widget_assets

    if assets is False:
        return []
    cache = None if assets is True else Path(assets)
    found = widget_assets(cache)
    if found is None:
        try:
            found = fetch_widget_assets(cache, quiet=not progress)
        except Exception as exc:  # noqa: BLE001 - offline: fall back to notes
            print(f"newskit report: widget scripts unavailable ({exc}); widgets become notes", file=sys.stderr)
            return []
    static = out / "_static"
    static.mkdir(exist_ok=True)
    written = []
    for f in found["files"]:
        dest = static / f.name
        if not dest.exists() or dest.stat().st_size != f.stat().st_size:
            shutil.copy2(f, dest)
        written.append(f"_static/{f.name}")
    return written


def _prewarm(corpus_path: Path, actor_path: str | None, cache_dir: str, *, progress: bool,
             columns: dict[str, str] | None = None, outlet_names: str | None = None) -> None:
    """Annotate the corpus into the cache the notebooks will read (before they run side by side)."""
    import warnings

    import newskit
    from newskit.corpus import CorpusWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        articles = newskit.load_corpus(corpus_path, columns=columns, outlet_names=outlet_names)
    if len(articles):
        newskit.annotate(articles, actor_file=actor_path, cache_dir=cache_dir, progress=progress)


def _no_articles(summary: dict[str, Any], index: Path, date_from: str | None, date_to: str | None) -> str | None:
    if summary.get("articles_total", 0) == 0:
        n = summary.get("n_rejects", 0)
        return (f"no article could be loaded from {summary.get('corpus')}: {n:,} rejected, "
                f"see {index} (rejected files)")
    if summary.get("articles", 0) == 0:
        window = f"{date_from or 'the start'} – {date_to or 'the end'}"
        return (f"no article of {summary.get('corpus')} is dated {window} "
                f"({summary['articles_total']:,} articles, {summary.get('date_min')} – {summary.get('date_max')})")
    return None


def check_annotations(annotations: str | os.PathLike | None, actor_file: str | None) -> Path | None:
    """The absolute path of a readable annotations folder (``newskit annotate CORPUS DIR``), or None.

    Raises
    ------
    ReportInputError
        Not an annotations folder, an unreadable ``meta.json``, or an actor file given with it (the
        actors of a folder were resolved when it was written).

    >>> check_annotations("/no/such/folder", None)
    Traceback (most recent call last):
    ...
    newskit.report.build.ReportInputError: /no/such/folder: not an annotations folder (no such directory)
    """
    if annotations is None or str(annotations) == "":
        return None
    from newskit.analysis.parquet import PartsFolder

    try:
        pf = PartsFolder(annotations)
    except (OSError, ValueError) as exc:
        raise ReportInputError(str(exc)) from None
    if actor_file:
        raise ReportInputError(f"--actor-file with --annotations {annotations}: the folder's actors were "
                               f"resolved when it was written; re-run `newskit annotate` with that actor file")
    return pf.path


def build_report(corpus: str | os.PathLike | None, out: str | os.PathLike, *,
                 actor_file: str | os.PathLike | None = None,
                 date_from: str | _dt.date | None = None, date_to: str | _dt.date | None = None,
                 notebooks: Sequence[str | os.PathLike] | None = None,
                 show_code: bool = False, progress: bool = True, timeout: float | None = DEFAULT_TIMEOUT,
                 notebooks_dir: str | os.PathLike | None = None,
                 assets: bool | str | os.PathLike = True,
                 parameters: dict[str, Any] | None = None, jobs: int | None = None,
                 overwrite: bool = False, columns: Any = None,
                 outlet_names: str | os.PathLike | None = None,
                 annotations: str | os.PathLike | None = None) -> ReportResult:
    """Execute the notebooks on a corpus and write a standalone, offline HTML report.

    Parameters
    ----------
    corpus : path or ``"demo"``
        Corpus folder/file (anything :func:`newskit.load_corpus` reads), or ``"demo"`` for the
        fictional demo corpus.
    out : path
        Output folder: ``index.html``, one ``<notebook>.html`` and ``<notebook>.ipynb`` per notebook,
        ``_static/`` (widget scripts), ``.cache/`` (annotation cache unless ``$NEWSKIT_CACHE``) and
        ``.newskit-report.json`` (what the report wrote). It must be new, empty or an earlier
        newskit report (whose stale pages are removed), unless ``overwrite``.
    actor_file : path, optional
        YAML actor file passed to the notebooks (checked before any kernel starts).
    date_from, date_to : str or date, optional
        ISO dates passed to the notebooks (whole days, inclusive).
    notebooks : list of str, optional
        Notebook names (stem, unique prefix such as ``"01"``, or a path); default all, sorted.
    show_code : bool
        Keep code cells in the pages.
    progress : bool
        Show a progress bar.
    timeout : float, optional
        Per-cell timeout in seconds (default :data:`DEFAULT_TIMEOUT`; None: wait forever): a stalled
        kernel fails its notebook loudly instead of hanging the report.
    notebooks_dir : path, optional
        Where the notebooks are (default the package data ``newskit.notebooks``).
    assets : bool or path
        Use the cached widget assets (True: the default cache; a path: that cache; False: none,
        every widget becomes a note). Assets are fetched when missing; if that fails the pages
        fall back to notes.
    parameters : dict, optional
        Notebook parameters (``-p NAME VALUE``), checked against the ``parameters`` cells of the
        selected notebooks: a name none of them declares raises :class:`ParameterError`.
    jobs : int, optional
        Notebooks executed at once, each in its own kernel (default: one per usable core, at most
        the number of notebooks; 1 with ``annotations``). With more than one, the corpus is annotated
        first in this process (a no-op when the cache is warm), so that the notebooks read the cache
        instead of annotating the same articles side by side.
    overwrite : bool
        Write into a non-empty folder that is not a newskit report.
    columns : mapping or str, optional
        Table columns → newskit's (``{"headline": "title"}`` or ``"title=headline"``, as
        ``--columns``), for the index and the notebooks' ``columns`` parameter; checked first.
    outlet_names : path, optional
        YAML file ``host: Display name`` (``--outlet-names``), for the index and the notebooks'
        ``outlet_names`` parameter; checked (file and line of a problem) before any kernel starts.
    annotations : path, optional
        An annotations folder (``newskit annotate CORPUS DIR``): the notebooks read it out of core
        (parameter ``annotations``) instead of annotating ``corpus``, which is then not read (it may
        be None); the index summarises the folder's articles.

    Returns
    -------
    ReportResult
        ``result.ok`` is False when a notebook failed (the other pages are written anyway) or when
        no article could be loaded (``result.problem``; the index lists the rejects).

    Raises
    ------
    ReportInputError, ParameterError, ReportOutputError, FileNotFoundError
        Before any kernel starts.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> tmp = Path(tempfile.mkdtemp())
    >>> nb = new_notebook(cells=[new_code_cell("corpus = None", metadata={"tags": ["parameters"]}),
    ...                          new_code_cell("print(corpus)")])
    >>> _ = (tmp / "nbs").mkdir(), nbformat.write(nb, tmp / "nbs" / "a.ipynb")
    >>> res = build_report("demo", tmp / "out", notebooks_dir=tmp / "nbs", progress=False, assets=False)
    >>> res.ok, sorted(p.name for p in (tmp / "out").iterdir())
    (True, ['.newskit-report.json', 'a.html', 'a.ipynb', 'index.html'])
    """
    from tqdm.auto import tqdm

    from newskit.report.index import corpus_summary, index_html, resolve_corpus
    from newskit.report.output import finish_output, prepare_output
    from newskit.report.render import render_notebook

    t0 = time.perf_counter()
    # ---- every check that needs no kernel, cheapest first
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    sources = select_notebooks(notebooks, nb_dir)
    parameters = dict(parameters or {})
    check_parameters(parameters, sources, reserved=RESERVED_PARAMETERS)
    declared = {src: set(notebook_parameters(src)) for src in sources}
    date_from, date_to = check_dates(date_from, date_to)
    actor_path = check_actor_file(actor_file)
    columns, outlet_path = check_inputs(columns, outlet_names)
    ann_path = check_annotations(annotations, actor_path)
    if ann_path is None and corpus is None:
        raise ReportInputError("no corpus: give CORPUS or --annotations DIR")
    corpus_path = resolve_corpus(corpus) if ann_path is None else None
    folder = prepare_output(out, overwrite=overwrite)
    out = folder.path
    index = out / "index.html"
    summary = corpus_summary(corpus_path, date_from=date_from, date_to=date_to, columns=columns,
                             outlet_names=outlet_path, annotations=ann_path)
    result = ReportResult(out=out, index=index, summary=summary)
    shown = {"date_from": date_from, "date_to": date_to, "actor_file": actor_path,
             "columns": ",".join(f"{v}={k}" for k, v in (columns or {}).items()) or None,
             "outlet_names": outlet_path, **parameters}
    # which model produced the portrayal figures is always stated (the notebooks print it too)
    from newskit.pipeline.steps import DEFAULT_SENTIMENT_MODEL

    shown["sentiment_model"] = shown.get("sentiment_model") or DEFAULT_SENTIMENT_MODEL

    result.problem = _no_articles(summary, index, date_from, date_to)
    if result.problem is not None:  # one clear message, the rejects in the index, no notebook errors
        result.seconds = time.perf_counter() - t0
        index.write_text(index_html(summary=summary, notebooks=[], seconds=result.seconds, params=shown,
                                    problem=result.problem), encoding="utf-8")
        result.removed = finish_output(out, ["index.html"], previous=folder.files)
        return result

    written = _copy_assets(assets, out, progress=progress)
    result.widgets_js = bool(written)
    cache_dir = os.environ.get("NEWSKIT_CACHE") or str(out / ".cache")
    params = {"corpus": str(corpus_path) if corpus_path is not None else None, "date_from": date_from,
              "date_to": date_to, "actor_file": actor_path, "cache_dir": cache_dir, "columns": columns,
              "outlet_names": outlet_path,
              "annotations": str(ann_path) if ann_path is not None else None, **parameters}
    if ann_path is not None:
        shown["annotations"] = str(ann_path)
    from newskit.pipeline.runner import usable_cores

    # an annotations folder is for corpora too large for memory: one kernel at a time by default, so the
    # report's peak is one notebook's (each holds its own result tables and DuckDB buffers)
    default_jobs = usable_cores() if ann_path is None else 1
    jobs = max(1, min(jobs if jobs is not None else default_jobs, len(sources)))
    if jobs > 1 and corpus_path is not None:
        _prewarm(corpus_path, actor_path, cache_dir, progress=progress, columns=columns,
                 outlet_names=outlet_path)

    bar = tqdm(total=len(sources), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)

    def run(src: Path) -> NotebookResult:
        # each notebook gets the parameters its parameters cell declares (papermill warns on others)
        mine = {k: v for k, v in params.items() if k in declared[src]}
        res = execute_notebook(src, out / src.name, mine, timeout=timeout, cwd=src.parent,
                               progress=progress and jobs == 1)
        if res.ipynb.is_file():
            try:
                res.html = render_notebook(res.ipynb, out / f"{src.stem}.html", show_code=show_code,
                                           widgets_js=result.widgets_js)
            except Exception as exc:  # noqa: BLE001
                res.ok = False
                res.error = (res.error + "; " if res.error else "") + f"rendering failed: {exc}"
        bar.set_postfix_str(src.stem)
        bar.update(1)
        return res

    with kernel_env({"TQDM_DISABLE": "1", "NEWSKIT_REPORT": "1"}), output_widgets_without_echo():
        if jobs == 1:
            result.notebooks.extend(run(src) for src in sources)
        else:
            import concurrent.futures as cf

            # threads: the work runs in the kernels (one process each); results keep the notebooks' order
            with cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="newskit-report") as pool:
                result.notebooks.extend(pool.map(run, sources))
    bar.close()
    result.seconds = time.perf_counter() - t0
    index.write_text(index_html(summary=summary, notebooks=result.notebooks, seconds=result.seconds,
                                params=shown, widgets_js=result.widgets_js), encoding="utf-8")
    for nb in result.notebooks:
        written += [nb.ipynb.name] + ([nb.html.name] if nb.html else [])
    result.removed = finish_output(out, ["index.html", *written], previous=folder.files)
    return result
