"""Rendering an executed notebook to one standalone, offline HTML page (nbconvert, the
``newskit_report`` template): outputs sanitised, code hidden unless asked, widgets rendered from
their saved state by local scripts or replaced by a note.

>>> WIDGET_NOTE
'interactive widget: open the notebook in JupyterLab'
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

from newskit.report.sanitize import add_rel_noopener, clean_notebook

__all__ = ["render_notebook", "WIDGET_NOTE", "TEMPLATES_DIR", "TEMPLATE_NAME"]

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "newskit_report"
WIDGET_NOTE = "interactive widget: open the notebook in JupyterLab"

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


