"""The labelling widget in a real JupyterLab, driven by the keyboard (headless Debian Chromium).

Labels a few mentions with the keys 1 / 3 / s / b / 2 typed into the widget's key box, restarts the
kernel (Kernel → Restart Kernel and Run All Cells), and checks that every answer is on disk (the
retraction included) and the progress resumed at the first unlabelled item. Skipped when
``/usr/bin/chromium`` is absent (``apt-get install -y chromium``).
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
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SETUP = '''import os
from types import SimpleNamespace
import pandas as pd
from newskit import validation as V
texts = ["Lena Moor praised the harbour plan.", "Critics said Lena Moor misled the council.",
         "Lena Moor opened the <b>new</b> school.", "The mayor met Lena Moor on Monday.",
         "Lena Moor lost the vote by a wide margin.", "Residents thanked Lena Moor for the park."]
arts = pd.DataFrame({"article_id": [f"x{i}" for i in range(6)], "outlet": ["Bay News", "Hill Post"] * 3})
sents = pd.DataFrame({"article_id": arts["article_id"], "sent_id": 0, "start": 0,
                      "end": [len(t) for t in texts], "text": texts})
ment = pd.DataFrame({"article_id": arts["article_id"], "sent_id": 0, "start": [t.index("Lena") for t in texts],
                     "text": "Lena Moor", "actor": "Lena Moor", "score": 0.1, "sentiment": "neutral"})
ment["end"] = ment["start"] + 9
ann = SimpleNamespace(articles=arts, sentences=sents, mentions=ment)
s = V.sample(ann, n=6, by=["actor", "outlet"], top=None, seed=0)
print("PID", os.getpid())'''


def _chromium() -> str | None:
    for cand in (os.environ.get("NEWSKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        pytest.skip("no Chromium found (/usr/bin/chromium): `apt-get install -y chromium`; browser test skipped")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(chromium_path, tmp_path_factory):
    """JupyterLab (as root: --allow-root) on 127.0.0.1 with a random token and a labelling notebook."""
    root = tmp_path_factory.mktemp("lab-root")
    labels = root / "labels"
    nb = new_notebook(cells=[new_code_cell(SETUP),
                             new_code_cell(f"V.label_widget(s, {str(labels)!r}, annotator='kim')")],
                      metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(nb, root / "label.ipynb")
    home = tmp_path_factory.mktemp("lab-home")
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"), PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [str(venv_bin / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip", "127.0.0.1", "--port", str(port),
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    logf = open(home / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(home / 'lab.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    json.load(r)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("jupyter lab did not start within 90 s")
                time.sleep(0.5)
        yield {"base": base, "token": token, "root": root, "labels": labels}
    finally:
        if proc.poll() is None:  # stop the server we started, by its process id
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        logf.close()


def _accept_dialogs(page) -> bool:
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()
        return True
    return False


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}")).first.click()


def _wait_kernel_idle(page, timeout_s: float = 90) -> None:
    deadline = time.time() + timeout_s
    idle_since = None
    while time.time() < deadline:
        if _accept_dialogs(page):
            idle_since = None
        elif page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            idle_since = idle_since or time.time()
            if time.time() - idle_since > 2:
                return
        else:
            idle_since = None
        page.wait_for_timeout(300)
    pytest.fail("the kernel did not become idle")


def _run_all_until_widget(page, shot: Path, timeout_s: float = 240) -> None:
    """Run → Run All Cells, again if a busy machine swallowed the first request, until the widget shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.time() + timeout_s
    while True:
        _menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_selector(".newskit-label-widget", timeout=60_000)
            return
        except PlaywrightTimeout:
            _accept_dialogs(page)
            page.screenshot(path=str(shot), full_page=True)
            prompts = page.evaluate("Array.from(document.querySelectorAll('.jp-InputPrompt')).map(p => p.textContent)")
            outputs = page.evaluate("Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText.slice(0, 300))")
            if time.time() > deadline or any("Error" in o for o in outputs):
                pytest.fail(f"the label widget did not show: prompts {prompts}, outputs {outputs}; screenshot {shot}")
            _wait_kernel_idle(page)


def _progress(page) -> str:
    return page.locator(".newskit-label-progress").first.inner_text().strip()


def _wait_progress(page, text: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        "t => { const e = document.querySelector('.newskit-label-progress'); return e && e.innerText.trim() === t; }",
        arg=text, timeout=timeout_ms)


def _pid(page) -> str:
    out = page.locator(".jp-OutputArea-output", has_text="PID").first.inner_text()
    return re.search(r"PID (\d+)", out).group(1)


def test_label_with_keyboard_restart_and_resume(lab, tmp_path):
    """Runs in its own thread: tests/test_browser.py keeps a session-wide sync Playwright open in the main
    thread, and a second sync Playwright in the same thread refuses to start."""
    import threading

    failure: list[BaseException] = []

    def run():
        try:
            _label_flow(lab, tmp_path)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            failure.append(exc)

    t = threading.Thread(target=run, name="validation-browser")
    t.start()
    t.join()
    if failure:
        raise failure[0]


def _label_flow(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    from newskit import validation as V

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "profile"), executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(30_000)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{lab['base']}/lab/workspaces/label/tree/label.ipynb?reset&token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel_idle(page)
        _run_all_until_widget(page, tmp_path / "no-widget.png")
        _wait_progress(page, "0 of 6")
        pid_before = _pid(page)
        first_sentence = page.locator(".newskit-sentence").inner_text()
        mark = page.locator(".newskit-sentence mark").inner_text()
        assert mark == "Lena Moor"
        box = page.locator(".newskit-label-keys input")
        for key, expect in (("1", "1 of 6"), ("3", "2 of 6"), ("s", "3 of 6"), ("b", "2 of 6"), ("2", "3 of 6")):
            box.click()
            page.keyboard.press(key)
            _wait_progress(page, expect)
            page.wait_for_function("() => document.querySelector('.newskit-label-keys input').value === ''")
        shown_before_restart = page.locator(".newskit-sentence").inner_text()
        page.screenshot(path=str(tmp_path / "labelled.png"), full_page=True)
        # every answer is on disk before the kernel goes away
        rows = V.read_labels(lab["labels"], sample=_sample(), history=True)["label"].tolist()
        assert rows == ["negative", "positive", "skip", "retract", "neutral"]

        _menu(page, "Kernel", "Restart Kernel and Run All Cells")
        page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=15_000)
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
        page.wait_for_function(
            "pid => Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
            ".some(e => /PID \\d+/.test(e.innerText) && !e.innerText.includes('PID ' + pid))",
            arg=pid_before, timeout=90_000)
        assert _pid(page) != pid_before, "the kernel was not restarted"
        _wait_progress(page, "3 of 6", timeout_ms=90_000)
        assert page.locator(".newskit-sentence").inner_text() == shown_before_restart  # the 4th item
        assert page.locator(".newskit-sentence").inner_text() != first_sentence
        page.screenshot(path=str(tmp_path / "resumed.png"), full_page=True)
        # one more answer after the restart goes to the same file
        box = page.locator(".newskit-label-keys input")
        box.click()
        page.keyboard.press("u")
        _wait_progress(page, "4 of 6")
        ctx.close()
    labels = V.read_labels(lab["labels"], sample=_sample())
    order = _sample().sort_values("order")["item_id"].tolist()
    assert dict(zip(labels["item_id"], labels["label"])) == {order[0]: "negative", order[1]: "positive",
                                                             order[2]: "neutral", order[3]: "unsure"}
    assert sorted(p.name for p in lab["labels"].iterdir()) == ["labels_kim.csv"]
    assert not [e for e in errors if "widget" in e.lower()], errors


def _sample():
    ns: dict = {}
    exec(SETUP.replace('print("PID", os.getpid())', ""), ns)
    return ns["s"]
