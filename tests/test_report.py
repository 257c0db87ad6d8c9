"""newskit.report: executing notebooks, offline HTML, escaping, failures (no browser needed).

These tests use a tiny corpus and notebooks written to a temporary folder, not the repository's
notebooks (those are exercised by tests/test_browser.py and the notebook tests).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from newskit import report

EVIL_TITLE = "<script>alert(1)</script>"
EVIL_URL = 'https://evil.example/a?q="><img/src=x/onerror=alert(3)>'

PARAMS = """corpus = None
date_from = None
date_to = None
actor_file = None
cache_dir = None"""

GOOD = [
    new_markdown_cell("# Tiny page\nSee [the docs](https://docs.example/x) and [top](#top)."),
    new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
    new_code_cell("import sys, os, json\n"
                  "import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                  "import matplotlib.pyplot as plt\nimport pandas as pd\nimport ipywidgets as w\n"
                  "from IPython.display import display, HTML\nimport newskit\n"
                  "articles = newskit.load_corpus(corpus)\n"
                  "print(json.dumps({'exe': sys.executable, 'corpus': corpus, 'cache_dir': cache_dir,"
                  " 'date_from': date_from, 'tqdm_disable': os.environ.get('TQDM_DISABLE')}))"),
    new_code_cell("articles[['title', 'url']]"),
    new_code_cell("articles[['title']].style.format({'title': str})  # a Styler does not escape"),
    new_code_cell("HTML('<a href=\"' + articles['url'].iloc[0] + '\">first</a> '\n"
                  "     '<a href=\"https://ok.example/\" onclick=\"alert(2)\">ok</a>')"),
    new_code_cell("fig, ax = plt.subplots(figsize=(3, 2)); ax.plot([1, 2, 3]);"),
    new_code_cell("dd = w.Dropdown(options=['a', 'b'], value='a', description='Pick')\n"
                  "out = w.Output()\n"
                  "def redraw(*_):\n"
                  "    with out:\n"
                  "        out.clear_output(wait=True)\n"
                  "        display(HTML('<b>chosen ' + dd.value + '</b><script>alert(4)</script>'))\n"
                  "dd.observe(redraw, names='value'); redraw()\n"
                  "w.VBox([dd, out])"),
]
FAILING = [
    new_code_cell("corpus = None", metadata={"tags": ["parameters"]}),
    new_code_cell("x = 1"),
    new_code_cell("y = x + 1\nraise ValueError('planted failure')"),
    new_code_cell("print('never runs')"),
]


def _write_nb(path: Path, cells) -> Path:
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny") / "corpus"
    root.mkdir()
    body = "First paragraph about Vostria.\nSecond paragraph with more words."
    (root / "a.txt").write_text(f"{EVIL_TITLE}\n20230105\n{EVIL_URL}\n{body}\n", encoding="utf-8")
    (root / "b.txt").write_text(f"A calm title & more\n20230210\nhttps://www.daily.example/b\n{body} Also B.\n",
                                encoding="utf-8")
    (root / "c.txt").write_text(f"Third\n20230301\nhttps://daily.example/c\n{body} And C.\n", encoding="utf-8")
    (root / "bad.txt").write_text("No date here\n20221345\nhttps://daily.example/bad\nbody\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def nb_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("nbs")
    _write_nb(d / "10_good.ipynb", GOOD)
    _write_nb(d / "20_failing.ipynb", FAILING)
    return d


@pytest.fixture(scope="module")
def fake_assets(tmp_path_factory) -> Path:
    """A cache with stand-in widget scripts (the real ones come from npm; see test_browser)."""
    cache = tmp_path_factory.mktemp("assets")
    for key, name in (("requirejs", "require.js"), ("html-manager", "embed-amd.js")):
        d = cache / f"{key}-{report.NPM_ASSETS[key]['version']}"
        d.mkdir()
        (d / name).write_text(f"/* stand-in {name} */\n")
        (d / ".complete").write_text("test\n")
    return cache


@pytest.fixture(scope="module")
def built(tiny_corpus, nb_dir, fake_assets, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    res = report.build_report(tiny_corpus, out, notebooks_dir=nb_dir, progress=False, assets=fake_assets,
                              date_from="2023-01-01")
    return res


def test_pages_written_even_when_one_fails(built):
    out = built.out
    assert (out / "index.html").is_file()
    for stem in ("10_good", "20_failing"):
        assert (out / f"{stem}.html").is_file(), stem
        assert (out / f"{stem}.ipynb").is_file(), stem
    assert not built.ok and built.exit_code == 1
    good, bad = built.notebooks
    assert good.ok and not bad.ok
    # the failing cell is named by its index in the source notebook, first line and error
    assert bad.cell_index == 2
    assert bad.cell_source == "y = x + 1"
    assert "ValueError: planted failure" in bad.error
    msg = bad.describe_error()
    assert "20_failing" in msg and "cell 2" in msg and "y = x + 1" in msg
    # the failed page is rendered with its error
    page = (out / "20_failing.html").read_text()
    assert "planted failure" in page and "never runs" not in page


def test_parameters_and_kernel(built, tiny_corpus):
    nb = nbformat.read(built.out / "10_good.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    info = json.loads(text.strip().splitlines()[-1])
    assert Path(info["exe"]).parent == Path(sys.executable).parent  # the .venv kernel
    assert info["corpus"] == str(tiny_corpus.resolve())
    assert info["date_from"] == "2023-01-01"
    assert info["cache_dir"] == (os.environ.get("NEWSKIT_CACHE") or str(built.out / ".cache"))
    assert info["tqdm_disable"] == "1"
    # widget state stored for the HTML manager
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})


def test_code_hidden_by_default(built):
    page = (built.out / "10_good.html").read_text()
    assert "matplotlib.use" not in page and "dd.observe" not in page
    assert "In&nbsp;[" not in page


def test_titles_escaped_everywhere(built):
    page = (built.out / "10_good.html").read_text()
    # no live script from article data: the title shows as text in both the escaped DataFrame and
    # the (unescaped by pandas, sanitised by the report) Styler table
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert "<script>alert(1)" not in page
    # the URL that breaks out of an attribute and the onclick handler lose their handlers
    assert not re.search(r"<[^>]*\son(error|click)\s*=", _outside_scripts(page))
    # the Output widget's captured HTML in the saved widget state is sanitised too
    assert "<script>alert(4)" not in page and "alert(4)" in page
    index = (built.out / "index.html").read_text()
    assert EVIL_TITLE not in index


def _outside_scripts(page: str) -> str:
    return re.sub(r"<script\b.*?</script\s*>", "", page, flags=re.S | re.I)


def test_links_get_rel_noopener(built):
    page = _outside_scripts((built.out / "10_good.html").read_text())
    anchors = re.findall(r"<a\b[^>]*>", page)
    external = [a for a in anchors if re.search(r"href=[\"']?https?:", a)]
    assert external, "expected external links in the page"
    for a in external:
        assert 'rel="noopener noreferrer"' in a, a
    assert any('href="#top"' in a and "rel=" not in a for a in anchors)


def test_index_contents(built, tiny_corpus):
    index = (built.out / "index.html").read_text()
    s = built.summary
    assert s["articles_total"] == 3 and s["n_rejects"] == 1, s["rejects"]
    assert s["date_min"] == "2023-01-05" and s["date_max"] == "2023-03-01"
    assert "daily.example" in s["outlets"] or any("daily" in k for k in s["outlets"])
    for needle in ('href="10_good.html"', 'href="20_failing.html"', 'href="10_good.ipynb"',
                   "2023-01-05", "2023-03-01", "bad.txt", 'id="rejects"', 'id="outlets"', "failed", "cell 2"):
        assert needle in index, needle
    # latest articles: titles escaped, links to articles with rel="noopener noreferrer"
    assert 'id="latest"' in index and "A calm title &amp; more" in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "<script" not in index and "<img" not in index
    for a in re.findall(r"<a\b[^>]*>", index):
        if "http" in a:
            assert 'rel="noopener noreferrer"' in a, a


def test_widgets_use_local_scripts(built):
    page = (built.out / "10_good.html").read_text()
    assert '<script src="_static/require.js"></script>' in page
    assert "_static/embed-amd.js" in page
    assert (built.out / "_static" / "require.js").is_file()
    assert (built.out / "_static" / "embed-amd.js").is_file()
    assert 'type="application/vnd.jupyter.widget-view+json"' in page
    assert report.WIDGET_NOTE in page  # hidden by CSS once the manager renders the widget
    for cdn in ("unpkg.com", "cdn.jsdelivr", "cdnjs.cloudflare", "mathjax", "fonts.googleapis"):
        assert cdn not in page.lower(), cdn
    # no external script or stylesheet at all
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=[\"']https?:", page)


def test_assets_unavailable_fall_back_to_notes(tiny_corpus, nb_dir, tmp_path, monkeypatch):
    def offline(*a, **k):
        raise RuntimeError("registry unreachable (test)")

    monkeypatch.setattr(report, "fetch_widget_assets", offline)
    res = report.build_report(tiny_corpus, tmp_path / "r", notebooks_dir=nb_dir, notebooks=["10"],
                              progress=False, assets=tmp_path / "empty-cache")
    assert res.ok and not res.widgets_js
    page = (tmp_path / "r" / "10_good.html").read_text()
    assert report.WIDGET_NOTE in page
    assert "widget-view+json" not in page and "widget-state+json" not in page
    assert "require.js" not in page and "embed-amd" not in page
    assert not (tmp_path / "r" / "_static").exists()
    assert "data:image/png;base64" in page  # the static figure is there


def test_show_code(tiny_corpus, nb_dir, tmp_path):
    res = report.build_report(tiny_corpus, tmp_path / "r", notebooks_dir=nb_dir, notebooks=["10_good"],
                              progress=False, assets=False, show_code=True)
    page = (tmp_path / "r" / "10_good.html").read_text()
    assert res.ok and "redraw" in page and "matplotlib_inline" in page


def test_cli_exit_code_and_message(tiny_corpus, nb_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", nb_dir)
    code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks", "20",
                               "--no-widgets", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "20_failing" in err and "cell 2" in err and "planted failure" in err
    assert (tmp_path / "r" / "20_failing.html").is_file()


def test_cli_bad_arguments(tiny_corpus, tmp_path, capsys, nb_dir, monkeypatch):
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", nb_dir)
    assert report.main_report([str(tmp_path / "missing"), "-o", str(tmp_path / "r"), "--quiet"]) == 2
    assert "corpus not found" in capsys.readouterr().err
    assert report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks", "99", "--quiet"]) == 2
    assert "matches no notebook" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        report.main_report([str(tiny_corpus), "--from", "2023-13-01"])


def test_sanitize_and_rel_helpers():
    assert report.sanitize_html('<img src="x" onerror="alert(1)">') == '<img src="x">'
    assert "javascript" not in report.sanitize_html('<a href="javascript:alert(1)">x</a>')
    assert report.sanitize_html("<iframe src='https://x.example'></iframe>").startswith("&lt;iframe")
    page = '<a href="https://a.example">a</a><script>var s = "<a href=\\"https://b.example\\">";</script>'
    fixed = report.add_rel_noopener(page)
    assert fixed.startswith('<a href="https://a.example" rel="noopener noreferrer">')
    assert fixed.endswith('<script>var s = "<a href=\\"https://b.example\\">";</script>')  # untouched
    assert report.add_rel_noopener("<A HREF=http://x.example>x</A>") == \
        '<A HREF=http://x.example rel="noopener noreferrer">x</A>'


def test_fetch_checks_integrity(tmp_path, monkeypatch):
    import io
    import tarfile

    def fake_download(package, version, dest):
        p = dest / "pkg.tgz"
        with tarfile.open(p, "w:gz") as tar:
            data = b"tampered"
            info = tarfile.TarInfo("package/require.js")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return p

    monkeypatch.setattr(report, "_download_tarball", fake_download)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        report.fetch_widget_assets(tmp_path, quiet=True)
    assert report.widget_assets(tmp_path) is None


def test_output_widget_mimic_does_not_echo_on_the_shell_channel():
    """During report runs nbclient's Output-widget mimic records outputs in the saved widget state but
    sends nothing on the shell channel (that send races with the wait for the cell's reply)."""
    import nbclient.client as nbc
    from nbclient.output_widget import OutputWidget

    sent = []

    class Shell:
        def send(self, msg):
            sent.append(msg)

    class Session:
        def msg(self, msg_type, **kw):
            return {"msg_type": msg_type, **kw}

    class KC:
        shell_channel = Shell()
        session = Session()

    class Executor:
        widget_state = {"w1": {"outputs": []}}

    msg = {"msg_type": "stream", "parent_header": {"msg_id": "m"}, "header": {"msg_type": "stream"},
           "content": {"name": "stdout", "text": "hello"}}
    with report._output_widgets_without_echo():
        widget = nbc.OutputWidget("w1", {"outputs": []}, KC(), Executor())
        widget.output([], msg, None, 0)
    assert sent == [] and Executor.widget_state["w1"]["outputs"][0]["text"] == "hello"
    assert nbc.OutputWidget is OutputWidget  # restored
    OutputWidget("w1", {"outputs": []}, KC(), Executor()).output([], msg, None, 0)
    assert len(sent) == 1  # the stock mimic echoes: the test would notice if the patch stopped applying
