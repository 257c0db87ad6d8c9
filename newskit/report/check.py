"""Visual check of a built report in headless Chromium (Playwright; Debian's ``chromium``).

For ``index.html`` and every notebook page: screenshot, then check that every figure loaded and is
visible, widget areas are not empty, no JavaScript error, no request leaves the disk, and the layout:

- no figure wider than the page, and the page does not scroll sideways;
- no empty figure (an image whose pixels are all one colour, or a few pixels high);
- every heading is followed by content (text, a figure, a table, a widget) or by a sub-heading,
  never by another heading of the same or a higher level, nor by nothing.

Used by ``scripts/check_report.py`` and ``tests/test_browser.py``. Playwright is a test dependency
and is imported only when a check runs.

>>> sorted(LAYOUT_JS_KEYS)
['empty_figures', 'empty_headings', 'figures', 'page_width', 'too_wide']
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterable

__all__ = ["LAYOUT_JS", "PAGE_JS", "CHROMIUM_ARGS", "find_chromium", "layout_problems", "check_report"]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAYOUT_JS_KEYS = ("empty_figures", "empty_headings", "figures", "page_width", "too_wide")

#: JavaScript returning the layout findings of the open page (see the module docstring).
LAYOUT_JS = r"""() => {
  const vis = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                     return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const pageWidth = document.documentElement.clientWidth;
  const label = e => {
    const cell = e.closest('.jp-Cell'); const cells = Array.from(document.querySelectorAll('.jp-Cell'));
    const heading = (() => { let h = null; for (const x of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
        if (x.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) h = x; } return h; })();
    return (cell ? `cell ${cells.indexOf(cell)}` : e.tagName.toLowerCase()) +
           (heading ? ` under "${heading.innerText.replace(/\s*¶\s*$/, '').trim().slice(0, 60)}"` : '');
  };
  const imgs = Array.from(document.querySelectorAll('img')).filter(vis);
  const tooWide = [], emptyFigures = [];
  for (const img of imgs) {
    const r = img.getBoundingClientRect();
    if (r.right > pageWidth + 1 || r.left < -1) tooWide.push(`${label(img)}: figure ${Math.round(r.width)} px wide, page ${pageWidth} px`);
    if (img.naturalWidth < 8 || img.naturalHeight < 8) { emptyFigures.push(`${label(img)}: ${img.naturalWidth}x${img.naturalHeight} px`); continue; }
    try {
      const w = Math.min(200, img.naturalWidth), h = Math.max(1, Math.round(img.naturalHeight * w / img.naturalWidth));
      const c = document.createElement('canvas'); c.width = w; c.height = h;
      const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0, w, h);
      const d = ctx.getImageData(0, 0, w, h).data;
      let differ = 0;
      for (let i = 0; i < d.length; i += 4)
        if (Math.abs(d[i] - d[0]) + Math.abs(d[i+1] - d[1]) + Math.abs(d[i+2] - d[2]) + Math.abs(d[i+3] - d[3]) > 24) differ++;
      if (differ < 0.002 * w * h) emptyFigures.push(`${label(img)}: the figure is blank (one colour)`);
    } catch (err) { /* a cross-origin image cannot be read: not judged */ }
  }
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > pageWidth + 1) tooWide.push(`the page scrolls sideways: ${docWidth} px content, ${pageWidth} px page`);
  const sel = 'h1,h2,h3,h4,h5,h6,img,table,pre,p,li,dd,blockquote,canvas,svg,select,input,button,' +
              '.jupyter-widgets,.newskit-widget-note,.jp-RenderedText';
  const blocks = Array.from(document.querySelectorAll(sel)).filter(vis).filter(e => {
    if (/^H[1-6]$/.test(e.tagName)) return true;
    if (['P', 'LI', 'DD', 'BLOCKQUOTE', 'PRE'].includes(e.tagName) || e.classList.contains('jp-RenderedText'))
      return e.innerText.trim().length > 0;
    return true;
  });
  const emptyHeadings = [];
  blocks.forEach((e, i) => {
    const m = /^H([1-6])$/.exec(e.tagName);
    if (!m) return;
    const next = blocks.slice(i + 1).find(x => !e.contains(x));
    const text = e.innerText.replace(/\s*¶\s*$/, '').trim().slice(0, 80);
    if (!next) { emptyHeadings.push(`"${text}": nothing after it`); return; }
    const n = /^H([1-6])$/.exec(next.tagName);
    if (n && +n[1] <= +m[1]) emptyHeadings.push(`"${text}": followed by the heading "${next.innerText.replace(/\s*¶\s*$/, '').trim().slice(0, 80)}"`);
  });
  return {figures: imgs.length, too_wide: tooWide, empty_figures: emptyFigures,
          empty_headings: emptyHeadings, page_width: pageWidth};
}"""

#: JavaScript returning figure/table/widget counts of the open page.
PAGE_JS = r"""() => {
  const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const imgs = Array.from(document.querySelectorAll('.jp-OutputArea-output img'));
  const widgets = Array.from(document.querySelectorAll('.jupyter-widgets.jp-OutputArea-output'));
  return {images: imgs.length, broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0 && vis(i))).length,
          tables: document.querySelectorAll('table').length,
          widgets: widgets.length, empty_widgets: widgets.filter(w => w.innerText.trim() === '' &&
                   !w.querySelector('img,canvas,svg,select,input,button')).length};
}"""


def find_chromium() -> str | None:
    """``$NEWSKIT_CHROMIUM``, Debian's ``/usr/bin/chromium`` or a ``chromium`` on PATH (None if absent)."""
    for cand in (os.environ.get("NEWSKIT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                 shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    return None


def layout_problems(layout: dict[str, Any]) -> list[str]:
    """Flatten the findings of :data:`LAYOUT_JS` into one message per problem.

    >>> layout_problems({"too_wide": ["cell 3: figure 1400 px wide, page 1280 px"], "empty_figures": [],
    ...                  "empty_headings": ['"Peaks": nothing after it']})
    ['too wide: cell 3: figure 1400 px wide, page 1280 px', 'heading without content: "Peaks": nothing after it']
    """
    return ([f"too wide: {p}" for p in layout.get("too_wide", [])]
            + [f"empty figure: {p}" for p in layout.get("empty_figures", [])]
            + [f"heading without content: {p}" for p in layout.get("empty_headings", [])])


def check_report(report: str | os.PathLike, *, shots: str | os.PathLike | None = None,
                 pages: Iterable[str | os.PathLike] | None = None, wait_ms: int = 3000,
                 viewport: tuple[int, int] = (1280, 900)) -> list[dict[str, Any]]:
    """Open every page of a report offline in headless Chromium and check it (module docstring).

    Parameters
    ----------
    report : path
        The report folder.
    shots : path, optional
        Folder for the full-page screenshots (``<page>.png``).
    pages : list of path, optional
        Default ``index.html`` and every ``[0-9]*.html``.
    wait_ms : int
        Time given to the widget manager to render the saved views.
    viewport : (int, int)

    Returns
    -------
    list of dict
        Per page: ``page``, ``ok``, ``problems`` (list of str), ``blocked`` (external requests),
        ``errors`` (JavaScript), the counts of :data:`PAGE_JS` and the ``layout`` findings.

    Raises
    ------
    RuntimeError
        No Chromium or no Playwright.
    """
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found (apt-get install -y chromium, or set NEWSKIT_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RuntimeError("the playwright package is needed (pip install playwright; never playwright install)") from exc
    report = Path(report)
    paths = [Path(p) for p in pages] if pages is not None else \
        [report / "index.html"] + sorted(report.glob("[0-9]*.html"))
    if shots is not None:
        Path(shots).mkdir(parents=True, exist_ok=True)
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for path in paths:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            errors: list[str] = []
            blocked: list[str] = []
            dialogs: list[str] = []
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                       else (blocked.append(r.request.url), r.abort()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(wait_ms)
            info = page.evaluate(PAGE_JS)
            layout = page.evaluate(LAYOUT_JS)
            if shots is not None:
                page.screenshot(path=str(Path(shots) / f"{path.stem}.png"), full_page=True)
            problems = layout_problems(layout)
            problems += [f"JavaScript error: {e}" for e in errors]
            problems += [f"a script ran (dialog): {d}" for d in dialogs]
            problems += [f"external request: {u}" for u in blocked]
            if info["broken"]:
                problems.append(f"{info['broken']} figures not loaded or not visible")
            if info["empty_widgets"]:
                problems.append(f"{info['empty_widgets']} empty widget areas")
            if path.name != "index.html" and info["images"] == 0:
                problems.append("no figure")
            results.append({"page": path.name, "ok": not problems, "problems": problems, "errors": errors,
                            "blocked": blocked, "layout": layout, **info})
            page.close()
        browser.close()
    return results
