"""Shareable reports: execute the notebooks on a corpus and render them to offline HTML.

:func:`build_report` runs every notebook of ``notebooks/`` (or the chosen ones) with papermill,
passing the shared notebook parameters (``corpus``, ``date_from``, ``date_to``, ``actor_file``,
``cache_dir``), keeps the executed ``.ipynb`` files and renders each one to a standalone HTML page
(code hidden unless ``show_code``), then writes ``index.html`` with a corpus summary and links.

The pages open from disk with no network: require.js and the ipywidgets HTML manager are copied
from a local cache (filled from the npm registry by :func:`fetch_widget_assets`, never committed)
into ``<out>/_static/``; without them each widget shows a short note instead (every widget in the
notebooks is paired with a static figure). MathJax and other CDN scripts are not loaded.

HTML outputs of the notebooks are sanitised (no scripts, event handlers or ``javascript:`` links;
disallowed tags are shown as text), and links to ``http(s)`` pages get
``rel="noopener noreferrer"``.

>>> add_rel_noopener('<a href="https://x.example/a">a</a> <a href="#top">b</a>')
'<a href="https://x.example/a" rel="noopener noreferrer">a</a> <a href="#top">b</a>'
>>> sanitize_html('<b>ok</b><script>alert(1)</script>')
'<b>ok</b>&lt;script&gt;alert(1)&lt;/script&gt;'
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import datetime as _dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = [
    "build_report",
    "ReportResult",
    "NotebookResult",
    "add_report_parser",
    "report_command",
    "main_report",
    "fetch_widget_assets",
    "widget_assets",
    "render_notebook",
    "sanitize_html",
    "add_rel_noopener",
    "WIDGET_NOTE",
]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "newskit_report"
WIDGET_NOTE = "interactive widget: open the notebook in JupyterLab"

#: npm packages providing the offline widget renderer; versions match ipywidgets 8.1 (widget state
#: schema 2.0, @jupyter-widgets/controls 5.0); ``integrity`` is npm's sha512 of the tarball.
NPM_ASSETS: dict[str, dict[str, Any]] = {
    "html-manager": {
        "package": "@jupyter-widgets/html-manager",
        "version": "1.0.15",
        "integrity": "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        # embed-amd.js plus the Font Awesome files its CSS points to
        "files": r"package/dist/(embed-amd\.js|[0-9a-f]{20}\.(woff2|woff|ttf))",
    },
    "requirejs": {
        "package": "requirejs",
        "version": "2.3.8",
        "integrity": "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "files": r"package/require\.js",
    },
}
_REGISTRY = "https://registry.npmjs.org"
#: Per-cell timeout (seconds) of report runs: annotating the 2,936-article corpus cold on 2 cores fits.
DEFAULT_TIMEOUT = 1800.0


# =========================================================================== results
@dataclass
class NotebookResult:
    """Outcome of one notebook: the executed ``.ipynb``, its HTML page and any error."""

    name: str
    source: Path
    ipynb: Path
    html: Path | None = None
    ok: bool = True
    seconds: float = 0.0
    cell_index: int | None = None  #: index of the failing cell in the source notebook (0-based)
    cell_source: str | None = None  #: first line of the failing cell
    error: str | None = None  #: ``ename: evalue`` (or the exception when papermill itself failed)

    def describe_error(self) -> str:
        """One line naming the notebook, the failing cell and the error."""
        if self.ok:
            return f"{self.name}: ok"
        where = f"cell {self.cell_index}" if self.cell_index is not None else "before any cell ran"
        first = f" `{self.cell_source}`" if self.cell_source else ""
        return f"{self.name}: {where}{first} failed: {self.error}"


@dataclass
class ReportResult:
    """What :func:`build_report` wrote."""

    out: Path
    index: Path
    notebooks: list[NotebookResult] = field(default_factory=list)
    widgets_js: bool = False
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(nb.ok for nb in self.notebooks)

    @property
    def failures(self) -> list[NotebookResult]:
        return [nb for nb in self.notebooks if not nb.ok]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


# =========================================================================== HTML safety
_ALLOWED_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
})
_ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "style", "lang", "dir", "align"],
    "a": ["href", "rel", "target", "name"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "table": ["border", "cellpadding", "cellspacing"],
    "col": ["span"],
    "colgroup": ["span"],
    "style": ["type"],
    "ol": ["start", "type"],
}
_ALLOWED_PROTOCOLS = ["http", "https", "mailto", "data"]


def sanitize_html(fragment: str) -> str:
    """Sanitise an HTML fragment from a notebook output.

    Tables, text formatting, images and links are kept; scripts, iframes, forms, event handler
    attributes and ``javascript:`` URLs are not: disallowed tags are escaped (shown as text).

    >>> sanitize_html('<p onclick="x()"><a href="javascript:alert(1)">x</a></p>')
    '<p><a>x</a></p>'
    """
    import bleach

    try:
        from bleach.css_sanitizer import CSSSanitizer

        css = {"css_sanitizer": CSSSanitizer()}
    except ImportError:  # pragma: no cover - tinycss2 missing: drop style attributes
        css = {}
    attributes = dict(_ALLOWED_ATTRIBUTES)
    if not css:
        attributes["*"] = [a for a in attributes["*"] if a != "style"]
    return bleach.clean(fragment, tags=_ALLOWED_TAGS, attributes=attributes,
                        protocols=_ALLOWED_PROTOCOLS, strip=False, strip_comments=True, **css)


_A_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(["']?)\s*https?:""", re.IGNORECASE)
_REL = re.compile(r"""\srel\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_SCRIPT_BLOCK = re.compile(r"(<script\b.*?</script\s*>)", re.IGNORECASE | re.DOTALL)


def _fix_anchor(match: re.Match) -> str:
    tag = match.group(0)
    if not _HREF.search(tag):
        return tag
    rel = _REL.search(tag)
    if rel:
        values = rel.group(1).strip("'\"").split()
        for v in ("noopener", "noreferrer"):
            if v not in values:
                values.append(v)
        return tag[: rel.start()] + f' rel="{" ".join(values)}"' + tag[rel.end():]
    end = -2 if tag.endswith("/>") else -1
    return tag[:end] + ' rel="noopener noreferrer"' + tag[end:]


def add_rel_noopener(page: str) -> str:
    """Give every ``<a href="http(s)://…">`` ``rel="noopener noreferrer"`` (script bodies untouched).

    >>> add_rel_noopener("<a rel='nofollow' href='http://x.example'>x</a>")
    '<a rel="nofollow noopener noreferrer" href=\\'http://x.example\\'>x</a>'
    """
    parts = _SCRIPT_BLOCK.split(page)
    return "".join(p if i % 2 else _A_TAG.sub(_fix_anchor, p) for i, p in enumerate(parts))


def _clean_output_data(data: dict) -> None:
    """Sanitise the HTML/Markdown of one output bundle in place; drop JavaScript outputs."""
    for key in ("text/html", "text/markdown"):
        if key in data:
            value = data[key]
            text = "".join(value) if isinstance(value, list) else str(value)
            if key == "text/html":
                data[key] = add_rel_noopener(sanitize_html(text))
            else:  # Markdown may carry raw HTML: escape tags, keep the Markdown
                data[key] = sanitize_html(text)
    if "application/javascript" in data and len(data) > 1:
        del data["application/javascript"]
    elif "application/javascript" in data:
        data["text/plain"] = "(JavaScript output removed from the report)"
        del data["application/javascript"]


def _clean_outputs(outputs: Iterable[dict]) -> None:
    for out in outputs:
        if isinstance(out, dict) and isinstance(out.get("data"), dict):
            _clean_output_data(out["data"])


def clean_notebook(nb) -> None:
    """Sanitise every HTML output of an executed notebook, including outputs captured by ``Output``
    widgets in the saved widget state."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            _clean_outputs(cell.get("outputs", []))
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in (state.get("state") or {}).values():
        st = model.get("state", {})
        if isinstance(st.get("outputs"), list):
            _clean_outputs(st["outputs"])
        if model.get("model_name") in ("HTMLModel", "HTMLMathModel") and isinstance(st.get("value"), str):
            st["value"] = add_rel_noopener(sanitize_html(st["value"]))


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_NOTE_HTML = f'<div class="newskit-widget-note">{WIDGET_NOTE}</div>'
_DEFAULT_WIDGET_REPR = re.compile(r"^[A-Z]\w*\(")  # ipywidgets' repr: VBox(children=(...))


def _widget_notes(nb, *, keep_views: bool) -> int:
    """Replace widget views by a short note when they cannot render (no widget scripts, or the
    view's model is missing from the saved state). Returns the number of notes."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = (state.get("state") or {}) if keep_views else {}
    n = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data") if isinstance(out, dict) else None
            if not data or _WIDGET_VIEW not in data:
                kept.append(out)
                continue
            view = data[_WIDGET_VIEW]
            model_id = view.get("model_id") if isinstance(view, dict) else None
            if model_id in models:
                kept.append(out)
                continue
            plain = data.get("text/plain", "")
            plain = ("".join(plain) if isinstance(plain, list) else str(plain)).strip()
            if plain and not _DEFAULT_WIDGET_REPR.match(plain):
                continue  # a progress bar (tqdm's repr is its text at display time): not content
            out["data"] = {"text/html": _WIDGET_NOTE_HTML}
            kept.append(out)
            n += 1
        cell["outputs"] = kept
    return n


# =========================================================================== widget assets
def assets_cache_dir() -> Path:
    """``$NEWSKIT_ASSETS`` or ``~/.cache/newskit-assets`` (outside the repository, never committed)."""
    env = os.environ.get("NEWSKIT_ASSETS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newskit-assets"


def _asset_dir(cache: Path, key: str) -> Path:
    spec = NPM_ASSETS[key]
    return cache / f"{key}-{spec['version']}"


def widget_assets(cache_dir: str | os.PathLike | None = None) -> dict[str, Path] | None:
    """Paths of the cached offline widget assets, or None when they have not been fetched.

    Returns a dict with ``require`` (require.js), ``embed`` (embed-amd.js) and ``files`` (every
    file to copy next to the report).
    """
    cache = Path(cache_dir) if cache_dir else assets_cache_dir()
    req = _asset_dir(cache, "requirejs") / "require.js"
    emb_dir = _asset_dir(cache, "html-manager")
    emb = emb_dir / "embed-amd.js"
    if not (req.is_file() and emb.is_file() and (emb_dir / ".complete").is_file()
            and (_asset_dir(cache, "requirejs") / ".complete").is_file()):
        return None
    files = [req] + sorted(p for p in emb_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    return {"require": req, "embed": emb, "files": files}


def _download_tarball(package: str, version: str, dest: Path) -> Path:
    """``npm pack`` the package (falls back to the registry tarball URL when npm is missing)."""
    npm = shutil.which("npm")
    if npm:
        proc = subprocess.run([npm, "pack", f"{package}@{version}", "--silent"], cwd=dest,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 0:
            name = proc.stdout.strip().splitlines()[-1]
            if (dest / name).is_file():
                return dest / name
        err = proc.stderr.strip()
    else:
        err = "npm not found"
    base = package.split("/")[-1]
    url = f"{_REGISTRY}/{package}/-/{base}-{version}.tgz"
    target = dest / f"{base}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(target, "wb") as fh:
            shutil.copyfileobj(resp, fh)
    except OSError as exc:
        raise RuntimeError(f"cannot fetch {package}@{version}: {err}; {url}: {exc}") from exc
    return target


def fetch_widget_assets(cache_dir: str | os.PathLike | None = None, *, force: bool = False,
                        quiet: bool = False) -> dict[str, Path]:
    """Fetch require.js and the ipywidgets HTML manager from the npm registry into a local cache.

    Each tarball is checked against the pinned sha512 (:data:`NPM_ASSETS`) before anything is
    extracted. Already cached assets are reused unless ``force``.

    Parameters
    ----------
    cache_dir : path, optional
        Default :func:`assets_cache_dir`.
    force : bool
        Download again even when cached.
    quiet : bool
        Do not print what is fetched.

    Returns
    -------
    dict
        As :func:`widget_assets`.

    Raises
    ------
    RuntimeError
        The registry is unreachable or a tarball does not match its checksum.
    """
    cache = Path(cache_dir) if cache_dir else assets_cache_dir()
    if not force and (found := widget_assets(cache)) is not None:
        return found
    cache.mkdir(parents=True, exist_ok=True)
    for key, spec in NPM_ASSETS.items():
        target = _asset_dir(cache, key)
        if not force and (target / ".complete").is_file():
            continue
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            tmp = Path(tmp)
            if not quiet:
                print(f"fetching {spec['package']}@{spec['version']} from the npm registry", file=sys.stderr)
            tgz = _download_tarball(spec["package"], spec["version"], tmp)
            algo, _, expected = spec["integrity"].partition("-")
            digest = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
            if digest != expected:
                raise RuntimeError(f"{spec['package']}@{spec['version']}: checksum mismatch "
                                   f"(got {algo}-{digest}, expected {spec['integrity']})")
            stage = tmp / "stage"
            stage.mkdir()
            pattern = re.compile(spec["files"])
            with tarfile.open(tgz, "r:gz") as tar:
                for member in tar.getmembers():
                    if member.isfile() and pattern.fullmatch(member.name):
                        src = tar.extractfile(member)
                        (stage / Path(member.name).name).write_bytes(src.read())
            (stage / ".complete").write_text(f"{spec['package']}@{spec['version']} {spec['integrity']}\n")
            if target.exists():
                shutil.rmtree(target)
            stage.rename(target)
    found = widget_assets(cache)
    if found is None:  # pragma: no cover - the tarballs lacked the expected files
        raise RuntimeError(f"widget assets incomplete in {cache}")
    return found


# =========================================================================== corpus summary
def _resolve_corpus(corpus: str | os.PathLike) -> Path:
    if str(corpus) == "demo":
        from newskit.datasets import demo_corpus

        return Path(demo_corpus()).resolve()
    path = Path(corpus).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"corpus not found: {corpus}")
    return path


def corpus_summary(corpus: Path, *, date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
    """Articles, outlets with counts, date range and rejects of a corpus (for ``index.html``)."""
    import warnings

    import pandas as pd

    from newskit.corpus import CorpusWarning, filter_dates, load_corpus, rejects, summary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        df = load_corpus(corpus)
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


# =========================================================================== execution
@contextlib.contextmanager
def _kernel_env(extra: dict[str, str]):
    """Environment for the kernels: this interpreter's bin first on PATH (so the ``python3``
    kernelspec's ``python`` is this environment's), plus ``extra``."""
    saved = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _select_notebooks(notebooks: Sequence[str | os.PathLike] | None, notebooks_dir: Path) -> list[Path]:
    available = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        if not available:
            raise FileNotFoundError(f"no notebooks in {notebooks_dir}")
        return available
    chosen: list[Path] = []
    for name in notebooks:
        p = Path(name)
        if p.suffix == ".ipynb" and p.is_file():
            chosen.append(p.resolve())
            continue
        stem = p.name[:-6] if p.name.endswith(".ipynb") else p.name
        hits = [a for a in available if a.stem == stem] or [a for a in available if a.stem.startswith(stem)]
        if len(hits) != 1:
            names = ", ".join(a.stem for a in available) or "(none)"
            what = "matches several notebooks" if hits else "matches no notebook"
            raise FileNotFoundError(f"{name!r} {what} in {notebooks_dir} (available: {names})")
        chosen.append(hits[0])
    return chosen


def _failing_cell(source_nb, executed_nb, exc) -> tuple[int | None, str | None]:
    """Index (in the source notebook) and first line of the cell that raised."""
    idx = getattr(exc, "cell_index", None)
    src = getattr(exc, "source", None)
    cell = None
    # papermill inserts an error banner cell at the top of the saved notebook, so its cell_index
    # is off by one there: look for the cell carrying the error output first
    for c in executed_nb.cells:
        if c.get("cell_type") == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", [])):
            cell = c
            break
    if cell is None:  # a timeout or a dead kernel: the cell papermill marked as running
        cell = next((c for c in executed_nb.cells
                     if c.get("metadata", {}).get("papermill", {}).get("status") == "running"), None)
    if cell is None and idx is not None and 0 <= idx < len(executed_nb.cells):
        cell = executed_nb.cells[idx]
    if cell is not None:
        src = cell.get("source", src)
        cid = cell.get("id")
        for i, c in enumerate(source_nb.cells):
            if (cid and c.get("id") == cid) or (not cid and c.get("source") == src):
                idx = i
                break
    first = next((ln.strip() for ln in (src or "").splitlines() if ln.strip()), None)
    return idx, first


@contextlib.contextmanager
def _output_widgets_without_echo():
    """Run nbclient with an Output-widget mimic that does not echo its state back to the kernel.

    nbclient's mimic sends a ``comm_msg`` on the shell channel from the task that reads IOPub, while
    another task awaits the cell's ``execute_reply`` on that same socket; now and then that await is
    not woken and the cell waits for the whole per-cell timeout although it finished (measured here:
    2 of 3 runs of a cell with ``timeline_explorer`` waited the full 30 s timeout; nbclient issue
    #312). The echo only updates the kernel's copy of the outputs, which a batch run never reads:
    the outputs still go into the saved widget state (``executor.widget_state``), so the rendered
    widgets are unchanged.
    """
    import nbclient.client as nbc
    from nbclient.output_widget import OutputWidget

    class _Quiet(OutputWidget):
        def sync_state(self) -> None:
            return None

    old = nbc.OutputWidget
    nbc.OutputWidget = _Quiet
    try:
        yield
    finally:
        nbc.OutputWidget = old


def _prewarm(corpus_path: Path, actor_path: str | None, cache_dir: str, *, progress: bool) -> None:
    """Annotate the corpus into the cache the notebooks will read (before they run side by side)."""
    import warnings

    import newskit
    from newskit.corpus import CorpusWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        articles = newskit.load_corpus(corpus_path)
    if len(articles):
        newskit.annotate(articles, actor_file=actor_path, cache_dir=cache_dir, progress=progress)


def _execute(src: Path, dest: Path, parameters: dict[str, Any], *, timeout: float | None,
             cwd: Path, progress: bool = False) -> NotebookResult:
    import nbformat
    import papermill as pm

    res = NotebookResult(name=src.stem, source=src, ipynb=dest)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(src), str(dest), parameters=parameters, kernel_name="python3",
                            language="python",
                            progress_bar={"desc": f"  {src.stem}", "leave": False, "position": 1,
                                          "file": sys.stderr, "disable": False} if progress else False,
                            cwd=str(cwd), execution_timeout=timeout, store_widget_state=True)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, the other pages go on
        res.ok = False
        ename = getattr(exc, "ename", None)
        evalue = getattr(exc, "evalue", None)
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
        res.error = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {first}"
        if dest.is_file():
            try:
                res.cell_index, res.cell_source = _failing_cell(
                    nbformat.read(src, as_version=4), nbformat.read(dest, as_version=4), exc)
            except Exception:  # noqa: BLE001
                pass
    if not dest.is_file():  # failed before papermill wrote anything: keep a copy with the error
        nb = nbformat.read(src, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"**This notebook could not be executed:** `{html.escape(res.error or '')}`"))
        nbformat.write(nb, dest)
    res.seconds = time.perf_counter() - t0
    return res


def render_notebook(nb_path: Path, html_path: Path, *, show_code: bool = False,
                    widgets_js: bool = False, static_prefix: str = "_static/",
                    index_href: str | None = "index.html") -> Path:
    """Render an executed notebook to a standalone, offline HTML page.

    Parameters
    ----------
    nb_path, html_path : Path
    show_code : bool
        Keep code cells and prompts (hidden by default).
    widgets_js : bool
        ``require.js`` and ``embed-amd.js`` are available under ``static_prefix``: render widgets
        from their saved state; otherwise each widget view becomes a short note.
    static_prefix : str
        Relative URL of the folder holding the assets.
    index_href : str, optional
        Link back to the report index at the top of the page.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.read(nb_path, as_version=4)
    nb = copy.deepcopy(nb)
    clean_notebook(nb)
    _widget_notes(nb, keep_views=widgets_js)
    if not widgets_js:
        nb.metadata.pop("widgets", None)
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input", "remove_input", "hide-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    exporter = HTMLExporter(
        config=c,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=not show_code,
        embed_images=True,
        require_js_url=f"{static_prefix}require.js",
        widget_renderer_url=f"{static_prefix}embed-amd.js",
        mathjax_url="",
        jquery_url="",
    )
    resources = {
        "metadata": {"name": nb_path.stem, "path": str(nb_path.parent)},
        "newskit_widgets_js": widgets_js,
        "newskit_index_href": index_href,
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_rel_noopener(body)
    html_path.write_text(body, encoding="utf-8")
    return html_path


# =========================================================================== index.html
_INDEX_CSS = """
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; color: #212121; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #b71c1c; }
.ok { color: #1b5e20; }
code { background: #f5f5f5; padding: 0 3px; }
.meta { color: #616161; font-size: 90%; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _index_html(result: ReportResult, *, params: dict[str, Any]) -> str:
    s = result.summary
    rows = []
    for nb in result.notebooks:
        page = f'<a href="{_e(nb.html.name)}">{_e(nb.name)}</a>' if nb.html else _e(nb.name)
        status = ('<span class="ok">ok</span>' if nb.ok
                  else f'<span class="failed">failed: {_e(nb.describe_error())}</span>')
        rows.append(f"<tr><td>{page}</td><td>{status}</td><td class=\"num\">{nb.seconds:.1f} s</td>"
                    f'<td><a href="{_e(nb.ipynb.name)}">{_e(nb.ipynb.name)}</a></td></tr>')
    outlets = "".join(f"<tr><td>{_e(k)}</td><td class=\"num\">{v}</td></tr>" for k, v in s.get("outlets", {}).items())
    rejects = s.get("rejects", [])
    if rejects:
        rej_rows = "".join(
            f"<tr><td>{_e(r.get('path'))}</td><td class=\"num\">{_e(r.get('line'))}</td>"
            f"<td>{_e(r.get('reason'))}</td><td>{_e(r.get('detail'))}</td></tr>" for r in rejects)
        rej_table = (f'<table id="rejects"><thead><tr><th>path</th><th>line</th><th>reason</th><th>detail</th>'
                     f"</tr></thead><tbody>{rej_rows}</tbody></table>")
    else:
        rej_table = "<p>No file was rejected.</p>"
    latest_rows = []
    for a in s.get("latest", []):
        url = str(a.get("url") or "")
        title = _e(a.get("title") or "(untitled)")
        if re.match(r"https?://", url, re.I):
            title = f'<a href="{_e(url)}" rel="noopener noreferrer">{title}</a>'
        latest_rows.append(f"<tr><td>{_e(a.get('date'))}</td><td>{_e(a.get('outlet'))}</td><td>{title}</td></tr>")
    latest = (f'<h3>Latest articles</h3><table id="latest"><thead><tr><th>date</th><th>outlet</th><th>title</th>'
              f"</tr></thead><tbody>{''.join(latest_rows)}</tbody></table>" if latest_rows else "")
    chosen = ", ".join(f"{k} = {_e(v)}" for k, v in params.items() if v)
    selection = ""
    if s.get("articles_total") is not None and s.get("articles") != s.get("articles_total"):
        selection = f" (of {s['articles_total']:,} in the corpus)"
    failed = ""
    if result.failures:
        items = "".join(f"<li>{_e(nb.describe_error())}</li>" for nb in result.failures)
        failed = f'<div class="failed" id="failures"><h2>Failed notebooks</h2><ul>{items}</ul></div>'
    widgets = ("Widgets are rendered from their saved state (no kernel: controls do not redraw)."
               if result.widgets_js else
               "Widget scripts were not available when this report was built: each widget is "
               "replaced by a note; the static figure next to it shows its default view.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>newskit report</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>newskit report</h1>
<p class="meta">Built {_e(_dt.datetime.now().strftime('%Y-%m-%d %H:%M'))} in {result.seconds:.0f} s. Corpus <code>{_e(s.get('corpus'))}</code>.
{_e(chosen) and 'Parameters: ' + chosen + '.'}</p>
{failed}
<h2>Pages</h2>
<table id="pages"><thead><tr><th>page</th><th>status</th><th>time</th><th>executed notebook</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Corpus</h2>
<table id="summary">
<tr><th>articles</th><td class="num">{s.get('articles', 0):,}{_e(selection)}</td></tr>
<tr><th>outlets</th><td class="num">{len(s.get('outlets', {}))}</td></tr>
<tr><th>date range</th><td>{_e(s.get('date_min') or '–')} – {_e(s.get('date_max') or '–')}</td></tr>
<tr><th>rejected files</th><td class="num">{s.get('n_rejects', 0):,}</td></tr>
</table>
<h3>Articles per outlet</h3>
<table id="outlets"><thead><tr><th>outlet</th><th>articles</th></tr></thead><tbody>{outlets}</tbody></table>
{latest}
<h3>Rejected files</h3>
{rej_table}
<p class="meta">{_e(widgets)} The executed notebooks open in JupyterLab.</p>
</body>
</html>
"""


# =========================================================================== build_report
def build_report(corpus: str | os.PathLike, out: str | os.PathLike, *,
                 actor_file: str | os.PathLike | None = None,
                 date_from: str | _dt.date | None = None, date_to: str | _dt.date | None = None,
                 notebooks: Sequence[str | os.PathLike] | None = None,
                 show_code: bool = False, progress: bool = True, timeout: float | None = DEFAULT_TIMEOUT,
                 notebooks_dir: str | os.PathLike | None = None,
                 assets: bool | str | os.PathLike = True,
                 parameters: dict[str, Any] | None = None, jobs: int | None = None) -> ReportResult:
    """Execute the notebooks on a corpus and write a standalone, offline HTML report.

    Parameters
    ----------
    corpus : path or ``"demo"``
        Corpus folder/file (anything :func:`newskit.load_corpus` reads), or ``"demo"`` for the
        fictional demo corpus.
    out : path
        Output folder: ``index.html``, one ``<notebook>.html`` and ``<notebook>.ipynb`` per notebook,
        ``_static/`` (widget scripts) and ``.cache/`` (annotation cache unless ``$NEWSKIT_CACHE``).
    actor_file : path, optional
        YAML actor file passed to the notebooks.
    date_from, date_to : str or date, optional
        ISO dates passed to the notebooks.
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
        Where the notebooks are (default the repository's ``notebooks/``).
    assets : bool or path
        Use the cached widget assets (True: :func:`assets_cache_dir`; a path: that cache; False:
        none, every widget becomes a note). Assets are fetched when missing; if that fails the
        pages fall back to notes.
    parameters : dict, optional
        Extra papermill parameters (notebook-specific ones such as ``top_n``).
    jobs : int, optional
        Notebooks executed at once, each in its own kernel (default: one per usable core, at most
        the number of notebooks). With more than one, the corpus is annotated first in this process
        (a no-op when the cache is warm), so that the notebooks read the cache instead of annotating
        the same articles side by side.

    Returns
    -------
    ReportResult
        ``result.ok`` is False when a notebook failed (the other pages are written anyway).

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> tmp = Path(tempfile.mkdtemp())
    >>> nb = new_notebook(cells=[new_code_cell("corpus = None", metadata={"tags": ["parameters"]}),
    ...                          new_code_cell("print(corpus)")])
    >>> _ = (tmp / "nbs").mkdir(), nbformat.write(nb, tmp / "nbs" / "a.ipynb")
    >>> res = build_report("demo", tmp / "out", notebooks_dir=tmp / "nbs", progress=False, assets=False)
    >>> res.ok, sorted(p.name for p in (tmp / "out").glob("*.*"))
    (True, ['a.html', 'a.ipynb', 'index.html'])
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    out = Path(out).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    sources = _select_notebooks(notebooks, nb_dir)
    corpus_path = _resolve_corpus(corpus)
    date_from = date_from.isoformat() if isinstance(date_from, _dt.date) else date_from
    date_to = date_to.isoformat() if isinstance(date_to, _dt.date) else date_to
    actor_path = str(Path(actor_file).expanduser().resolve()) if actor_file else None
    if actor_path and not Path(actor_path).is_file():
        raise FileNotFoundError(f"actor file not found: {actor_file}")
    cache_dir = os.environ.get("NEWSKIT_CACHE") or str(out / ".cache")

    summary = corpus_summary(corpus_path, date_from=date_from, date_to=date_to)

    # widget assets: cached → copied next to the report; unavailable → notes
    widgets_js = False
    if assets is not False:
        cache = None if assets is True else Path(assets)
        found = widget_assets(cache)
        if found is None:
            try:
                found = fetch_widget_assets(cache, quiet=not progress)
            except Exception as exc:  # noqa: BLE001 - offline: fall back to notes
                print(f"newskit report: widget scripts unavailable ({exc}); widgets become notes",
                      file=sys.stderr)
        if found is not None:
            static = out / "_static"
            static.mkdir(exist_ok=True)
            for f in found["files"]:
                dest = static / f.name
                if not dest.exists() or dest.stat().st_size != f.stat().st_size:
                    shutil.copy2(f, dest)
            widgets_js = True

    params = {"corpus": str(corpus_path), "date_from": date_from, "date_to": date_to,
              "actor_file": actor_path, "cache_dir": cache_dir, **(parameters or {})}
    result = ReportResult(out=out, index=out / "index.html", widgets_js=widgets_js, summary=summary)
    from newskit.pipeline.runner import usable_cores

    jobs = max(1, min(jobs if jobs is not None else usable_cores(), len(sources)))
    if jobs > 1:
        _prewarm(corpus_path, actor_path, cache_dir, progress=progress)

    bar = tqdm(total=len(sources), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)

    def run(src: Path) -> NotebookResult:
        res = _execute(src, out / src.name, params, timeout=timeout, cwd=src.parent,
                       progress=progress and jobs == 1)
        if res.ipynb.is_file():
            try:
                res.html = render_notebook(res.ipynb, out / f"{src.stem}.html", show_code=show_code,
                                           widgets_js=widgets_js)
            except Exception as exc:  # noqa: BLE001
                res.ok = False
                res.error = (res.error + "; " if res.error else "") + f"rendering failed: {exc}"
        if not res.ok:
            bar.write(f"newskit report: FAILED {res.describe_error()}", file=sys.stderr)
        bar.set_postfix_str(src.stem)
        bar.update(1)
        return res

    with _kernel_env({"TQDM_DISABLE": "1", "NEWSKIT_REPORT": "1"}), _output_widgets_without_echo():
        if jobs == 1:
            result.notebooks.extend(run(src) for src in sources)
        else:
            import concurrent.futures as cf

            # threads: the work runs in the kernels (one process each); results keep the notebooks' order
            with cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="newskit-report") as pool:
                result.notebooks.extend(pool.map(run, sources))
    bar.close()
    result.seconds = time.perf_counter() - t0
    shown = {"date_from": date_from, "date_to": date_to, "actor_file": actor_path}
    result.index.write_text(_index_html(result, params=shown), encoding="utf-8")
    return result


# =========================================================================== CLI
def _iso_date(value: str) -> str:
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None


def add_report_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``report`` subcommand on an ``argparse`` subparsers object.

    The handler is stored as ``func`` (``args.func(args) -> int`` exit code).
    """
    p = subparsers.add_parser(
        "report", help="execute the notebooks on a corpus and write an offline HTML report",
        description="Execute every notebook on CORPUS with papermill and write standalone HTML pages, "
                    "the executed notebooks and index.html to DIR. Exit status 1 when a notebook failed "
                    "(the other pages are still written).")
    p.add_argument("corpus", metavar="CORPUS", help="corpus folder or file, or 'demo' for the fictional demo corpus")
    p.add_argument("-o", "--out", metavar="DIR", default="reports", help="output folder (default: reports)")
    p.add_argument("--actors", metavar="FILE", dest="actor_file", help="YAML actor file")
    p.add_argument("--from", metavar="DATE", dest="date_from", type=_iso_date, help="first date (YYYY-MM-DD)")
    p.add_argument("--to", metavar="DATE", dest="date_to", type=_iso_date, help="last date (YYYY-MM-DD)")
    p.add_argument("--notebooks", metavar="NAME", nargs="+", help="notebooks to run (name or prefix, e.g. 00 01)")
    p.add_argument("--show-code", action="store_true", help="keep the code cells in the pages")
    p.add_argument("--timeout", type=float, metavar="SECONDS", default=DEFAULT_TIMEOUT,
                   help=f"per-cell timeout (default: {DEFAULT_TIMEOUT:.0f}; 0: none)")
    p.add_argument("--no-widgets", action="store_true",
                   help="do not fetch/use the widget scripts (widgets become notes)")
    p.add_argument("--jobs", type=int, metavar="N", default=None,
                   help="notebooks run at once (default: one per core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=report_command)
    return p


def report_command(args: argparse.Namespace) -> int:
    """Run ``newskit report`` from parsed arguments; returns the exit status."""
    try:
        res = build_report(args.corpus, args.out, actor_file=args.actor_file, date_from=args.date_from,
                           date_to=args.date_to, notebooks=args.notebooks, show_code=args.show_code,
                           progress=not args.quiet, timeout=args.timeout or None, jobs=args.jobs,
                           assets=not getattr(args, "no_widgets", False))
    except (FileNotFoundError, ValueError) as exc:
        print(f"newskit report: error: {exc}", file=sys.stderr)
        return 2
    for nb in res.notebooks:
        if not nb.ok:
            print(f"newskit report: FAILED {nb.describe_error()}", file=sys.stderr)
    done = sum(nb.ok for nb in res.notebooks)
    print(f"{done}/{len(res.notebooks)} notebooks ok in {res.seconds:.0f} s; open {res.index}")
    return res.exit_code


def main_report(argv: Sequence[str] | None = None) -> int:
    """``python -m newskit.report CORPUS -o DIR …`` (same options as ``newskit report``)."""
    parser = argparse.ArgumentParser(prog="newskit")
    sub = parser.add_subparsers(dest="command", required=True)
    add_report_parser(sub)
    args = parser.parse_args(["report", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_report())
