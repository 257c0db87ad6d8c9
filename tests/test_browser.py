"""Real-browser tests: headless Debian Chromium driven by Playwright (never ``playwright install``).

1. A report built on the demo corpus (plus an article titled ``<script>alert(1)</script>``) opens
   from ``file://``: every figure and table is visible, widget areas are not empty, no JavaScript
   error except blocked external requests, the script title is shown as text.
2. JupyterLab on 127.0.0.1 with a random token: each notebook runs through the UI (Run → Run All
   Cells) without error outputs, its widgets render, and changing a dropdown redraws the output.

Both share one warm annotation cache (``NEWSKIT_CACHE``), so the JupyterLab runs do not annotate
again. Screenshots are saved under the tests' temporary folders. Skipped with a clear message when
no Chromium is found (``apt-get install -y chromium``; or set ``NEWSKIT_CHROMIUM``).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from newskit import report
from newskit.report.check import CHROMIUM_ARGS, LAYOUT_JS, find_chromium, layout_problems

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
EVIL_TITLE = "<script>alert(1)</script>"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (/usr/bin/chromium): install it with `apt-get install -y chromium` "
                    "or set NEWSKIT_CHROMIUM; browser tests skipped")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path, tmp_path_factory):
    """A persistent Chromium context with a fresh profile."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            user_data_dir=str(profile), executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(30_000)
        yield ctx
        ctx.close()


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """One annotation cache for the whole browser session (report first, JupyterLab reuses it)."""
    cache = tmp_path_factory.mktemp("annotation-cache")
    saved = os.environ.get("NEWSKIT_CACHE")
    os.environ["NEWSKIT_CACHE"] = str(cache)
    yield cache
    if saved is None:
        os.environ.pop("NEWSKIT_CACHE", None)
    else:
        os.environ["NEWSKIT_CACHE"] = saved


@pytest.fixture(scope="session")
def demo_report(warm_cache, tmp_path_factory, chromium_path):
    """The report on the demo corpus plus one article with a malicious title and URL."""
    from newskit.datasets import demo_corpus

    if not NOTEBOOKS:
        pytest.skip("no notebooks in notebooks/")
    demo = Path(demo_corpus())
    corpus = tmp_path_factory.mktemp("corpus") / "demo_plus_evil"
    shutil.copytree(demo, corpus)
    (corpus / "00000_evil000000000000.txt").write_text(
        f"{EVIL_TITLE}\n20230930\nhttps://evil.example/news?id=1&x=<b>\n"
        "The Vostrian government met in the capital on Tuesday to discuss the budget.\n"
        "Officials said the talks would continue next week.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("report")
    try:
        report.fetch_widget_assets(quiet=True)
    except Exception as exc:  # noqa: BLE001 - offline machine: the pages must still be complete
        print(f"widget assets unavailable ({exc}); testing the fallback notes")
    t0 = time.perf_counter()
    res = report.build_report(corpus, out, progress=False, timeout=600)
    print(f"demo report built in {time.perf_counter() - t0:.1f} s (widgets_js={res.widgets_js})")
    assert res.ok, "\n".join(nb.describe_error() for nb in res.failures)
    return res


def _expected(nb_path: Path) -> dict[str, int]:
    """Figures, tables and widget views that the executed notebook's outputs contain."""
    nb = nbformat.read(nb_path, as_version=4)
    counts = {"images": 0, "tables": 0, "widgets": 0}
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                counts["widgets"] += 1
            elif "image/png" in data or "image/svg+xml" in data or "image/jpeg" in data:
                counts["images"] += 1
            elif "<table" in "".join(data.get("text/html", "")):
                counts["tables"] += 1
    return counts


def _open(browser, url: str):
    """Open a page with external requests blocked; returns (page, log)."""
    page = browser.new_page()
    log = {"errors": [], "console": [], "blocked": [], "dialogs": []}

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            log["blocked"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and log["console"].append(m.text))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, log


def _check_no_js_errors(log, url):
    assert not log["dialogs"], f"{url}: a dialog opened (script ran): {log['dialogs']}"
    assert not log["errors"], f"{url}: JavaScript errors: {log['errors']}"
    blocked = bool(log["blocked"])
    bad = [m for m in log["console"] if not (blocked and "net::ERR_FAILED" in m)]
    assert not bad, f"{url}: console errors: {bad} (blocked external requests: {log['blocked']})"
    scripts = [u for u in log["blocked"] if re.search(r"\.m?js(\?|$)", u)]
    assert not scripts, f"{url}: the page needs external scripts: {scripts}"


def test_index_page(browser, demo_report, tmp_path):
    url = demo_report.index.as_uri()
    page, log = _open(browser, url)
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    for sel in ("#summary", "#outlets", "#pages"):
        assert page.locator(sel).is_visible(), sel
    links = page.locator("#pages a[href$='.html']")
    assert links.count() == len(NOTEBOOKS)
    assert "articles" in page.locator("#summary").inner_text()
    assert layout_problems(page.evaluate(LAYOUT_JS)) == []
    _check_no_js_errors(log, url)
    page.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_report_page(browser, demo_report, name, tmp_path):
    stem = Path(name).stem
    html_path = demo_report.out / f"{stem}.html"
    expected = _expected(demo_report.out / name)
    page, log = _open(browser, html_path.as_uri())
    if expected["widgets"] and demo_report.widgets_js:
        # the HTML manager renders every saved view into a .widget-subarea
        page.wait_for_function(
            "n => document.querySelectorAll('.jupyter-widgets > .widget-subarea').length >= n",
            arg=expected["widgets"], timeout=30_000)
        page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / f"{stem}.png"), full_page=True)
    info = page.evaluate("""() => {
        const vis = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                           return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
        const top = Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                         .filter(e => !e.closest('.jupyter-widgets'));
        const imgs = top.flatMap(e => Array.from(e.querySelectorAll('img')));
        const tables = top.flatMap(e => Array.from(e.querySelectorAll('table')));
        const widgets = Array.from(document.querySelectorAll('.jupyter-widgets.jp-OutputArea-output, .jp-OutputArea-output > .newskit-widget-note, .newskit-widget-note'))
                         .filter(e => !e.parentElement.closest('.jupyter-widgets'));
        return {
          images: imgs.map(i => ({ok: i.complete && i.naturalWidth > 0 && vis(i), src: i.src.slice(0, 60)})),
          tables: tables.map(t => ({ok: vis(t), rows: t.rows.length})),
          widgets: widgets.map(w => ({ok: vis(w) && w.innerText.trim().length + w.querySelectorAll('img,canvas,svg,select,input').length > 0,
                                      rendered: !!w.querySelector('.widget-subarea')})),
          text: document.body.innerText,
          xss: window.__xss || null,
        };
    }""")
    assert len(info["images"]) >= expected["images"], f"{stem}: {len(info['images'])} figures, expected {expected['images']}"
    assert all(i["ok"] for i in info["images"]), f"{stem}: figures not visible/loaded: {info['images']}"
    assert len(info["tables"]) >= expected["tables"], f"{stem}: {len(info['tables'])} tables, expected {expected['tables']}"
    assert all(t["ok"] for t in info["tables"]), f"{stem}: hidden tables"
    if expected["widgets"]:
        assert info["widgets"], f"{stem}: widget areas missing"
        assert all(w["ok"] for w in info["widgets"]), f"{stem}: blank widget area: {info['widgets']}"
        if demo_report.widgets_js:
            assert all(w["rendered"] for w in info["widgets"]), f"{stem}: widgets not rendered from state"
    assert "alert(1)" not in info["text"] or EVIL_TITLE in info["text"], f"{stem}: title mangled"
    assert info["xss"] is None
    # the layout: no figure wider than the page, no blank figure, every heading followed by content
    layout = page.evaluate(LAYOUT_JS)
    assert layout["figures"] >= expected["images"]
    assert layout_problems(layout) == [], f"{stem}: layout problems (screenshot {tmp_path / (stem + '.png')})"
    _check_no_js_errors(log, html_path.as_uri())
    page.close()


def test_script_title_shown_as_text(browser, demo_report):
    """At least one page shows the injected title, as text (never as a script)."""
    shown = []
    for path in [demo_report.index] + [nb.html for nb in demo_report.notebooks if nb.html]:
        page, log = _open(browser, path.as_uri())
        if EVIL_TITLE in page.evaluate("document.body.innerText"):
            shown.append(path.name)
        assert not log["dialogs"], f"{path.name}: a script from article data ran"
        page.close()
    assert shown, "the injected title is not shown on any page"


EVIL_ACTOR = '<img src="https://evil.example/actor.png">'


@pytest.fixture(scope="session")
def evil_actor_report(warm_cache, demo_report, tmp_path_factory):
    """Notebooks 01 and 03 on the demo corpus with an actor file naming the demo's president
    ``<img src="https://evil.example/actor.png">`` (16.1), also chosen with ``-p actors``."""
    folder = tmp_path_factory.mktemp("evil-actor")
    actor_file = folder / "actors.yml"
    actor_file.write_text(
        "actors:\n"
        f"  - name: '{EVIL_ACTOR}'\n"
        "    type: person\n"
        "    aliases: [Yevgeny Dornakov, Dornakov, President Dornakov]\n", encoding="utf-8")
    out = folder / "report"
    res = report.build_report(demo_report.summary["corpus"], out, actor_file=actor_file, notebooks=["01", "03"],
                              parameters={"actors": [EVIL_ACTOR]}, progress=False, timeout=600)
    assert res.ok, "\n".join(nb.describe_error() for nb in res.failures)
    return res


def test_actor_named_like_an_image_makes_no_request(browser, evil_actor_report, tmp_path):
    """The actor name reaches tables (DataFrames and Stylers), widgets and the index as text: the
    pages request nothing outside the disk and show the name as written."""
    pages = [evil_actor_report.index] + [nb.html for nb in evil_actor_report.notebooks]
    shown = []
    for path in pages:
        page, log = _open(browser, path.as_uri())
        page.wait_for_timeout(1500)  # widget manager renders the saved views
        page.screenshot(path=str(tmp_path / f"{path.stem}.png"), full_page=True)
        assert log["blocked"] == [], f"{path.name}: external requests {log['blocked']}"
        assert not log["dialogs"], f"{path.name}: a script ran"
        srcs = page.evaluate("Array.from(document.querySelectorAll('img')).map(i => i.getAttribute('src') || '')")
        assert not [s for s in srcs if "evil.example" in s], path.name
        if EVIL_ACTOR in page.evaluate("document.body.innerText"):
            shown.append(path.name)
        page.close()
    assert "01_entity_frequency.html" in shown, shown  # shown as text, not swallowed


def test_report_of_every_hostile_input_at_once(browser, warm_cache, tmp_path, monkeypatch):
    """Issue 16: a report of a folder holding every hostile input at once completes, lists every reject in
    index.html with its reason, copies no byte of a rejected file, runs no injected script and requests
    nothing outside the disk; loaded + rejected == inputs."""
    import html as _html

    import newskit
    from newskit.corpus import rejects
    from test_hostile import SECRET, build_hostile_folder

    folder, inputs = build_hostile_folder(tmp_path, monkeypatch)
    arts = newskit.load_corpus(folder)
    rej = rejects(arts)
    assert len(arts) + len(rej) == inputs
    # a headline that tries to run a script and a mathtext trap ride along with the good articles
    (folder / "script_title.txt").write_text('<script>alert("x")</script> US sends $1bn\n20230109\n'
                                             "https://d.example/s\nThe council met again.\n", encoding="utf-8")
    res = report.build_report(folder, tmp_path / "out", notebooks=["00"], progress=False, timeout=600)
    assert all(nb.ok for nb in res.notebooks), [(nb.name, nb.error) for nb in res.notebooks]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    text = _html.unescape(re.sub(r"<[^>]+>", " ", index))
    for r in rej.itertuples(index=False):
        assert r.reason in text, f"reject {r.path}: {r.reason!r} not listed in index.html"
    assert SECRET not in index and "TOPSECRET" not in text
    for path in [tmp_path / "out" / "index.html"] + [nb.html for nb in res.notebooks]:
        page, log = _open(browser, path.as_uri())
        page.wait_for_timeout(1000)
        assert log["blocked"] == [], f"{path.name}: external requests {log['blocked']}"
        assert not log["dialogs"], f"{path.name}: an injected script ran"
        page.close()


# --------------------------------------------------------------------------- JupyterLab
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(chromium_path, warm_cache, demo_report, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a random token, serving a copy of the notebooks."""
    root = tmp_path_factory.mktemp("lab-root")
    for name in NOTEBOOKS:
        shutil.copy2(REPO / "notebooks" / name, root / name)
    home = tmp_path_factory.mktemp("lab-home")
    # render every cell (no windowing), so that every output is in the DOM for the assertions
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ, NEWSKIT_CACHE=str(warm_cache), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"), PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    jupyter = venv_bin / "jupyter"
    cmd = [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip", "127.0.0.1", "--port", str(port),
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.port_retries=0", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    logf = open(home / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({proc.returncode}): {(home / 'lab.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    json.load(r)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("jupyter lab did not start within 90 s")
                time.sleep(0.5)
        yield {"base": base, "token": token, "root": root, "pid": proc.pid}
    finally:
        # stop the server by its process id: terminate, wait, kill
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        logf.close()


_PANEL = ("(Array.from(document.querySelectorAll('.jp-NotebookPanel'))"
          ".find(p => !p.classList.contains('lm-mod-hidden')) || document)")
_PROMPTS = f"Array.from({_PANEL}.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent.trim())"


def _wait_idle(page, timeout_ms: int, shot: Path) -> None:
    """Wait until every code cell has an execution count and the kernel is idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_idle_js(page, timeout_ms)
    except PlaywrightTimeout:
        page.screenshot(path=str(shot), full_page=True)
        status = page.evaluate("Array.from(document.querySelectorAll('[data-status]')).map(e => e.getAttribute('data-status'))")
        pytest.fail(f"kernel not idle after {timeout_ms / 1000:.0f} s: status {status}, prompts "
                    f"{page.evaluate(_PROMPTS)}; screenshot {shot}")


def _accept_dialogs(page) -> bool:
    """Accept JupyterLab's "Select Kernel" dialog (notebooks without kernelspec metadata)."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()
        return True
    return False


def _wait_idle_js(page, timeout_ms: int) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.time() + timeout_ms / 1000
    while True:
        _accept_dialogs(page)
        try:
            _wait_idle_once(page, 2000)
            return
        except PlaywrightTimeout:
            if time.time() > deadline:
                raise


def _wait_idle_once(page, timeout_ms: int) -> None:
    page.wait_for_function("""() => {
        const panel = """ + _PANEL + """;
        const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
        const idle = !ind || ind.getAttribute('data-status') === 'idle';
        const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                             .map(p => p.textContent.trim());
        return idle && prompts.length > 0 && prompts.every(t => /\\[\\d+\\]/.test(t));
    }""", timeout=timeout_ms, polling=500)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(browser, lab_server, demo_report, name, tmp_path):
    stem = Path(name).stem
    expected = _expected(demo_report.out / name)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a workspace of its own per notebook: only this notebook is open (no restored tabs)
    page.goto(f"{lab_server['base']}/lab/workspaces/{stem}/tree/{name}?reset&token={lab_server['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # a kernel-selection dialog (notebook without kernelspec metadata) is accepted with the default
    deadline = time.time() + 90
    idle_since = None
    while True:
        if _accept_dialogs(page):
            idle_since = None
        elif page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            idle_since = idle_since or time.time()
            if time.time() - idle_since > 3:  # idle, and no dialog popped up meanwhile
                break
        if time.time() > deadline:
            page.screenshot(path=str(tmp_path / f"{stem}-lab-start.png"))
            pytest.fail(f"{stem}: the kernel did not start in JupyterLab")
        page.wait_for_timeout(500)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    t0 = time.perf_counter()
    page.wait_for_timeout(1000)
    _wait_idle(page, timeout_ms=int(os.environ.get("NEWSKIT_LAB_TIMEOUT", "600")) * 1000,
               shot=tmp_path / f"{stem}-lab-timeout.png")
    seconds = time.perf_counter() - t0
    page.screenshot(path=str(tmp_path / f"{stem}-lab.png"), full_page=True)
    tracebacks = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", has_text="Traceback")
    error_outputs = page.locator(".jp-RenderedText[data-mime-type*='error']")
    assert error_outputs.count() == 0, f"{stem}: error output: {error_outputs.first.inner_text()[:2000]}"
    assert tracebacks.count() == 0, f"{stem}: traceback: {tracebacks.first.inner_text()[:2000]}"
    print(f"{stem}: ran all cells in JupyterLab in {seconds:.1f} s")
    if not expected["widgets"]:
        page.close()
        return
    page.wait_for_selector(".jp-OutputArea .jupyter-widgets", timeout=30_000)
    assert page.locator(".jp-OutputArea .jupyter-widgets").count() >= 1
    assert page.locator(".jp-OutputArea [class*='widget-']").count() >= 1
    # change one widget value (another option in the first dropdown, else another selection in the
    # first multiple-select); the Output widget in the same cell redraws
    select = page.locator(".jp-OutputArea .widget-dropdown select").first
    multiple = page.locator(".jp-OutputArea .widget-select-multiple select").first
    control = select if select.count() else multiple
    assert control.count(), f"{stem}: no dropdown or multiple-select widget to change"
    control.scroll_into_view_if_needed()
    cell = page.locator(".jp-CodeCell", has=control).first
    out_area = cell.locator(".widget-output").first
    assert out_area.count(), f"{stem}: no Output widget next to the control"
    before = out_area.inner_html()
    options = control.locator("option").evaluate_all("os => os.map(o => o.value)")
    chosen = control.evaluate("s => Array.from(s.selectedOptions).map(o => o.value)")
    if control is select:
        other = next(v for v in options if v not in chosen)
    else:
        other = [options[0]] if chosen != [options[0]] else [options[1]]
    control.select_option(other)
    page.wait_for_function("([el, before]) => el.innerHTML !== before && el.innerHTML.length > 0",
                           arg=[out_area.element_handle(), before], timeout=60_000)
    page.wait_for_timeout(500)
    after = out_area.inner_html()
    assert after != before, f"{stem}: the output did not change after selecting {other!r}"
    page.screenshot(path=str(tmp_path / f"{stem}-lab-changed.png"), full_page=True)
    assert not [e for e in errors if "widget" in e.lower()], errors
    page.close()


def test_layout_check_finds_problems(browser, tmp_path):
    """The layout check used on every page reports a too-wide figure, a blank figure and a heading
    without content (and nothing on a sound page)."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def png(fig) -> str:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 3, 2])
    drawn = png(fig)
    blank = png(plt.figure(figsize=(3, 2)))
    good = f"<h1>Title</h1><p>Intro.</p><h2>Figure</h2><img src='{drawn}'>"
    bad = (f"<h1>Title</h1><h2>Nothing here</h2><h2>Wide</h2><img src='{drawn}' style='width: 3000px'>"
           f"<h2>Blank</h2><img src='{blank}'><h2>Last</h2>")
    found = {}
    for name, body in (("good", good), ("bad", bad)):
        path = tmp_path / f"{name}.html"
        path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
        page, _ = _open(browser, path.as_uri())
        found[name] = layout_problems(page.evaluate(LAYOUT_JS))
        page.close()
    assert found["good"] == []
    text = "\n".join(found["bad"])
    assert '"Nothing here": followed by the heading "Wide"' in text
    assert "figure 3000 px wide" in text and "scrolls sideways" in text
    assert "blank" in text and '"Last": nothing after it' in text
