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

    monkeypatch.setattr("newskit.report.assets.fetch_widget_assets", offline)
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


def test_cli_exit_code_and_message(tiny_corpus, nb_dir, tmp_path, capsys):
    code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks", "20",
                               "--no-widgets", "--quiet", "--notebooks-dir", str(nb_dir)])
    err = capsys.readouterr().err
    assert code == 1
    assert "20_failing" in err and "cell 2" in err and "planted failure" in err
    assert err.count("planted failure") == 1, err  # printed once
    assert (tmp_path / "r" / "20_failing.html").is_file()


def test_cli_bad_arguments(tiny_corpus, tmp_path, capsys, nb_dir):
    nbs = ["--notebooks-dir", str(nb_dir)]
    assert report.main_report([str(tmp_path / "missing"), "-o", str(tmp_path / "r"), "--quiet", *nbs]) == 2
    assert "corpus not found" in capsys.readouterr().err
    assert report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks", "99", "--quiet",
                               *nbs]) == 2
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

    monkeypatch.setattr("newskit.report.assets._download_tarball", fake_download)
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
    from newskit.report.execute import output_widgets_without_echo

    with output_widgets_without_echo():
        widget = nbc.OutputWidget("w1", {"outputs": []}, KC(), Executor())
        widget.output([], msg, None, 0)
    assert sent == [] and Executor.widget_state["w1"]["outputs"][0]["text"] == "hello"
    assert nbc.OutputWidget is OutputWidget  # restored
    OutputWidget("w1", {"outputs": []}, KC(), Executor()).output([], msg, None, 0)
    assert len(sent) == 1  # the stock mimic echoes: the test would notice if the patch stopped applying


# =========================================================================== sanitiser (16.1)
def test_sanitizer_drops_data_links_remote_images_and_fetching_css():
    s = report.sanitize_html
    # data: links (a data:text/html page is a script vector) and remote/absolute images go
    assert "data:" not in s('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>')
    assert "data:" not in s('<a href=" DATA:text/html,<b>x</b>">x</a>')
    for src in ("https://evil.example/actor.png", "//evil.example/a.png", "http:evil.example/a.png",
                " https://evil.example/a.png", "ftp://evil.example/a.png", "data:text/html,x",
                "data:image/svg+xml,<svg onload=alert(1)>"):
        out = s(f'<img src="{src}" alt="a">')
        assert "src=" not in out and 'alt="a"' in out, (src, out)
    # relative images and inline raster images stay (matplotlib figures, local files)
    assert s('<img src="fig.png">') == '<img src="fig.png">'
    png = "data:image/png;base64,iVBORw0KGgo="
    assert s(f'<img src="{png}">') == f'<img src="{png}">'
    # CSS that fetches: url(), @import, escapes spelling url(
    out = s('<style>@import "https://evil.example/a.css"; td { background: url(https://evil.example/b.png) }'
            '</style><p style="background-image: u\\72l(https://evil.example/c.png); color: red">x</p>')
    assert "evil.example/a.css" not in out and "url(" not in out.lower() and "color: red" in out
    assert "@import" not in out
    # what a pandas Styler writes (a <style> block and ids) survives
    styler = '<style type="text/css">#T_1_row0_col0 { background-color: #fde725; }</style><table id="T_1"></table>'
    assert s(styler) == styler


def test_actor_name_with_html_in_styler_output_is_inert(tmp_path):
    """An actor named like an <img> tag, shown by a Styler table (which does not escape), renders
    as inert HTML: no src attribute survives, so the page requests nothing."""
    from nbformat.v4 import new_output

    evil = '<img src="https://evil.example/actor.png">'
    table = f'<table><tr><td>{evil}</td><td>0.4</td></tr></table>'
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output("display_data", {"text/html": table}),
                                                          new_output("display_data", {"text/markdown": f"**{evil}**"})])])
    nbformat.write(nb, tmp_path / "n.ipynb")
    page = report.render_notebook(tmp_path / "n.ipynb", tmp_path / "n.html").read_text()
    assert "evil.example" not in page
    assert not re.search(r"<img[^>]*src=[\"']?https?:", page)


# =========================================================================== -p, --actor-file, validation (17)
PARAM_NB = [
    new_code_cell("corpus = None\ndate_from = None\ndate_to = None\nactor_file = None\ncache_dir = None\n"
                  "actors = None  # list\ntop_n = 20\nfreq = 'W'\nplace = None",
                  metadata={"tags": ["parameters"]}),
    new_code_cell("import json\nprint(json.dumps({'actors': actors, 'top_n': top_n, 'freq': freq, "
                  "'place': place, 'actor_file': actor_file}))"),
]


@pytest.fixture(scope="module")
def param_nb_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("param-nbs")
    _write_nb(d / "30_params.ipynb", PARAM_NB)
    _write_nb(d / "40_other.ipynb", [new_code_cell("corpus = None\nmin_mentions = 20",
                                                   metadata={"tags": ["parameters"]}), new_code_cell("1")])
    return d


def _stdout_json(nb_path: Path) -> dict:
    nb = nbformat.read(nb_path, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def actor_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("actors") / "actors.yml"
    p.write_text("actors:\n  - name: Vostria\n    type: place\n    aliases: [Vostrian Republic]\n", encoding="utf-8")
    return p


def test_p_parameters_reach_the_notebooks(tiny_corpus, param_nb_dir, actor_file, tmp_path, capsys):
    code = report.main_report([
        str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir", str(param_nb_dir), "--notebooks", "30",
        "--no-widgets", "--quiet", "-p", "actors", '["Vladimir Putin","Volodymyr Zelensky"]',
        "-p", "top_n", "30", "-p", "freq", "M", "-p", "place", "Mariupol", "--actor-file", str(actor_file)])
    assert code == 0, capsys.readouterr().err
    got = _stdout_json(tmp_path / "r" / "30_params.ipynb")
    assert got == {"actors": ["Vladimir Putin", "Volodymyr Zelensky"], "top_n": 30, "freq": "M",
                   "place": "Mariupol", "actor_file": str(actor_file.resolve())}
    index = (tmp_path / "r" / "index.html").read_text()
    assert "place = Mariupol" in index and "top_n = 30" in index
    assert "sentiment_model = transformer" in index  # which model produced the figures is always stated


def test_unknown_parameter_fails_fast_listing_valid_names(tiny_corpus, param_nb_dir, tmp_path, capsys):
    import time

    t0 = time.perf_counter()
    code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir", str(param_nb_dir),
                               "--quiet", "-p", "plcae", "Mariupol"])
    seconds = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert code == 2 and seconds < 2, (code, seconds)
    assert "plcae" in err and "valid names: actors, freq, min_mentions, place, top_n" in err, err
    assert err.count("\n") == 1, err  # one line, no traceback
    assert not (tmp_path / "r").exists()  # nothing written, no kernel started
    # the command itself, in a fresh process (imports included), on the real notebooks
    import subprocess

    exe = Path(sys.executable).parent / "newskit"
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "report", "demo", "-o", str(tmp_path / "r2"), "-p", "plcae", "Mariupol"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    seconds = time.perf_counter() - t0
    # ≈ 0.3 s idle, 1.0 s measured with 7 agents on 2 cores: the bound leaves room for a loaded machine
    assert proc.returncode == 2 and seconds < 5, (proc.returncode, seconds, proc.stderr)
    assert "valid names:" in proc.stderr and "place" in proc.stderr and proc.stderr.count("\n") == 1
    # a parameter with its own option is refused with the option to use
    assert report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir",
                               str(param_nb_dir), "--quiet", "-p", "actor_file", "x.yml"]) == 2
    assert "--actor-file" in capsys.readouterr().err


def test_parameter_values_are_yaml():
    parse = report.parse_parameter_value
    assert parse('["Vladimir Putin", "Volodymyr Zelensky"]') == ["Vladimir Putin", "Volodymyr Zelensky"]
    assert parse("30") == 30 and parse("0.5") == 0.5 and parse("null") is None and parse("false") is False
    assert parse("M") == "M" and parse("Mariupol") == "Mariupol" and parse("NO") == "NO"  # Norway stays
    assert parse("2022-02-24") == "2022-02-24"
    assert parse("{a: 1}") == {"a": 1}


@pytest.mark.parametrize("content, where", [
    ("actors:\n  - name: A\n    aliases: [x\n", "actors.yml:"),   # YAML syntax error, with a line
    ("actors:\n  - aliases: [x]\n", "actors.yml"),                  # no name
])
def test_bad_actor_file_fails_before_any_kernel_once(tiny_corpus, param_nb_dir, tmp_path, capsys, content, where):
    import time

    bad = tmp_path / "actors.yml"
    bad.write_text(content, encoding="utf-8")
    t0 = time.perf_counter()
    code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir", str(param_nb_dir),
                               "--quiet", "--actor-file", str(bad)])
    seconds = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert code == 2 and seconds < 5, (code, seconds, err)
    assert where in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "r").exists()


def test_deprecated_actors_option_still_works_with_a_warning(tiny_corpus, param_nb_dir, actor_file, tmp_path, capsys):
    with pytest.warns(DeprecationWarning, match="--actor-file"):
        code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir",
                                   str(param_nb_dir), "--notebooks", "30", "--no-widgets", "--quiet",
                                   "--actors", str(actor_file)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "deprecated" in err and err.count("deprecated") == 1
    assert _stdout_json(tmp_path / "r" / "30_params.ipynb")["actor_file"] == str(actor_file.resolve())


def test_bad_dates_fail_before_any_kernel(tiny_corpus, param_nb_dir, tmp_path, capsys):
    code = report.main_report([str(tiny_corpus), "-o", str(tmp_path / "r"), "--notebooks-dir", str(param_nb_dir),
                               "--quiet", "--from", "2023-03-01", "--to", "2023-01-01"])
    assert code == 2 and "--from 2023-03-01 is after --to 2023-01-01" in capsys.readouterr().err
    with pytest.raises(report.ReportInputError, match="not an ISO date"):
        report.build_report(tiny_corpus, tmp_path / "r", notebooks_dir=param_nb_dir, date_to="31/01/2023")


def test_no_tcp_encryption_warning_from_kernels(tiny_corpus, param_nb_dir, tmp_path, capfd):
    res = report.build_report(tiny_corpus, tmp_path / "r", notebooks_dir=param_nb_dir, progress=False,
                              assets=False, jobs=2)
    captured = capfd.readouterr()
    assert res.ok, [nb.describe_error() for nb in res.failures]
    assert len(res.notebooks) == 2
    assert "without encryption" not in captured.err + captured.out


# =========================================================================== output folder (16.13, 16.24)
def test_refuses_a_folder_that_is_not_a_report(tiny_corpus, param_nb_dir, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_text("my own page", encoding="utf-8")
    args = [str(tiny_corpus), "-o", str(out), "--notebooks-dir", str(param_nb_dir), "--notebooks", "30",
            "--no-widgets", "--quiet"]
    assert report.main_report(args) == 2
    err = capsys.readouterr().err
    assert "not a newskit report" in err and "--overwrite" in err and err.count("\n") == 1
    assert (out / "index.html").read_text() == "my own page"
    assert report.main_report([*args, "--overwrite"]) == 0
    assert "newskit report" in (out / "index.html").read_text()


def test_stale_pages_of_an_earlier_report_are_removed(tiny_corpus, param_nb_dir, tmp_path, capsys):
    out = tmp_path / "r"
    common = [str(tiny_corpus), "-o", str(out), "--notebooks-dir", str(param_nb_dir), "--no-widgets", "--quiet"]
    assert report.main_report(common) == 0
    assert (out / "40_other.html").is_file() and (out / report.MARKER).is_file()
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    assert report.main_report([*common, "--notebooks", "30"]) == 0
    assert "stale" in capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["30_params.html", "30_params.ipynb", "index.html", "notes.txt"], names
    assert "40_other" not in (out / "index.html").read_text()
    listed = json.loads((out / report.MARKER).read_text())["files"]
    assert listed == ["30_params.html", "30_params.ipynb", "index.html"]


def test_output_is_a_file_or_not_writable(tiny_corpus, param_nb_dir, tmp_path, capsys):
    f = tmp_path / "file.html"
    f.write_text("x")
    common = ["--notebooks-dir", str(param_nb_dir), "--quiet", "--no-widgets"]
    assert report.main_report([str(tiny_corpus), "-o", str(f), *common]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err and err.count("\n") == 1
    assert report.main_report([str(tiny_corpus), "-o", str(f / "sub"), *common]) == 2
    err = capsys.readouterr().err
    assert "file" in err and err.count("\n") == 1


def test_read_only_output_folder(tiny_corpus, param_nb_dir):
    """-o on a folder the user cannot write: one clear line (run as an unprivileged user when root)."""
    import shutil
    import subprocess
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="newskit-ro-"))  # under /tmp: reachable by an unprivileged user
    try:
        base.chmod(0o755)
        shutil.copytree(tiny_corpus, base / "corpus")
        shutil.copytree(param_nb_dir, base / "nbs")
        for p in [base / "corpus", base / "nbs", *(base / "corpus").iterdir(), *(base / "nbs").iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        ro = base / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        code = ("import sys; from newskit.report import main_report; "
                f"sys.exit(main_report([{str(base / 'corpus')!r}, '-o', {str(ro / 'r')!r}, '--notebooks-dir', "
                f"{str(base / 'nbs')!r}, '--quiet', '--no-widgets']))")
        cmd = [sys.executable, "-c", code]
        if os.geteuid() == 0:  # root writes anywhere: check as nobody
            setpriv = shutil.which("setpriv")
            if not setpriv:
                pytest.skip("running as root without setpriv: cannot test a read-only folder")
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HOME": str(base)})
        if "Permission denied" in proc.stderr and str(Path(sys.executable).parent) in proc.stderr:
            pytest.skip("the test venv is not readable by an unprivileged user")
        assert proc.returncode == 2, proc.stderr
        assert "cannot create the folder" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1, proc.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)


# =========================================================================== all rejected (16.23)
def test_corpus_with_every_file_rejected(param_nb_dir, tmp_path, capsys):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\nnot a date\nhttps://x.example/a\nBody.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Title\n20230101\nhttps://x.example/b\n", encoding="utf-8")  # empty body
    out = tmp_path / "r"
    code = report.main_report([str(corpus), "-o", str(out), "--notebooks-dir", str(param_nb_dir),
                               "--quiet", "--no-widgets"])
    err = capsys.readouterr().err
    assert code == 1
    assert "no article could be loaded" in err and "2 rejected" in err and str(out / "index.html") in err
    assert err.count("\n") == 1 and "FAILED" not in err, err
    assert not list(out.glob("*.ipynb")) and not list(out.glob("[0-9]*.html"))
    index = (out / "index.html").read_text()
    assert "no article could be loaded" in index and 'id="rejects"' in index
    assert "a.txt" in index and "b.txt" in index


# =========================================================================== packaging (11)
def test_package_list_complete():
    """pyproject lists its packages explicitly (to map notebooks/ to newskit.notebooks): every
    package under newskit/ must be in that list."""
    import tomllib

    from setuptools import find_namespace_packages

    repo = Path(__file__).resolve().parents[1]
    conf = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {p for p in find_namespace_packages(str(repo), include=["newskit", "newskit.*"])
             if any((repo / p.replace(".", "/")).glob("*.py")) and "__pycache__" not in p}
    listed = set(conf["packages"])
    assert found - listed == set(), f"add these packages to [tool.setuptools] packages: {sorted(found - listed)}"
    assert conf["package-dir"]["newskit.notebooks"] == "notebooks" and "newskit.notebooks" in listed


def test_notebooks_found_as_package_data():
    from importlib import resources

    repo = Path(__file__).resolve().parents[1]
    names = sorted(p.name for p in report.default_notebooks_dir().glob("*.ipynb"))
    assert names == sorted(p.name for p in (repo / "notebooks").glob("*.ipynb")) and names
    assert Path(str(resources.files("newskit.notebooks"))).resolve() == (repo / "notebooks").resolve()


@pytest.mark.slow
def test_wheel_install_runs_report_outside_the_repository(tmp_path):
    """A non-editable install (a wheel in a fresh venv) finds its notebooks and builds a report."""
    import shutil
    import subprocess
    import sysconfig

    repo = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"  # build from a copy: pip wheel would leave build/ in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(repo / "newskit", src / "newskit", ignore=ignore)
    shutil.copytree(repo / "notebooks", src / "notebooks", ignore=ignore)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(src)], check=True, capture_output=True, text=True, timeout=300)
    wheel = next(wheels.glob("newskit-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, timeout=120)
    py = venv / "bin" / "python"
    # the test venv's packages (spaCy, papermill, …) without its editable newskit: a .pth line adds
    # its site-packages folder to sys.path (its own .pth files, the editable finder, are not run)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "newskit-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # the data files of those packages (nbconvert's templates, kernelspecs) sit in the test venv's share/
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = subprocess.run([str(py), "-c", "import newskit, newskit.report as r; print(newskit.__file__); "
                            "print(r.default_notebooks_dir())"], cwd=elsewhere, env=env,
                           check=True, capture_output=True, text=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where  # the wheel's copy, not the checkout
    proc = subprocess.run([str(venv / "bin" / "newskit"), "report", "demo", "-o", str(tmp_path / "out"),
                           "--notebooks", "00", "--quiet", "--no-widgets"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "00_corpus_overview.html").is_file()


# =========================================================================== make lab (17)
def test_make_lab_command():
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.newskit-installed", "lab", 'ARGS=--port 9999 --no-browser'],
                          cwd=repo, capture_output=True, text=True, check=True)
    cmd = " ".join(proc.stdout.replace("\\\n", " ").split())
    assert "jupyter lab --ip=127.0.0.1" in cmd
    token = re.search(r"--IdentityProvider\.token=(\S+)", cmd)
    assert token and len(token.group(1)) >= 32
    assert cmd.rstrip().endswith("--port 9999 --no-browser")
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)
    import shutil

    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv:  # and as an unprivileged user: no --allow-root
        as_user = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "make", "--no-print-directory", "-n", "-o",
                                  ".venv/.newskit-installed", "lab"], cwd=repo, capture_output=True, text=True)
        if as_user.returncode == 0:
            assert "jupyter lab --ip=127.0.0.1" in as_user.stdout and "--allow-root" not in as_user.stdout


@pytest.mark.slow
def test_make_lab_serves_on_localhost_with_a_token(tmp_path):
    import signal
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request

    repo = Path(__file__).resolve().parents[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    proc = subprocess.Popen(["make", "-s", "-o", ".venv/.newskit-installed", "lab", "TOKEN=newskit-test-token-0123456789abcdef",
                             f"ARGS=--port {port} --no-browser --ServerApp.port_retries=0"],
                            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=newskit-test-token-"
                                            "0123456789abcdef", timeout=2) as r:
                    assert json.load(r)["started"]
                break
            except (OSError, urllib.error.URLError):
                assert proc.poll() is None, "make lab exited"
                assert time.time() < deadline, "make lab did not start within 90 s"
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as no_token:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=5)
        assert no_token.value.code == 403
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this test started (make and jupyter)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_widget_state_html_is_sanitised():
    from nbformat.v4 import new_notebook as nn

    evil = '<img src="https://evil.example/w.png"><script>alert(5)</script>'
    nb = nn(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {
        "a": {"model_name": "HTMLModel", "state": {"value": evil}},
        "b": {"model_name": "DropdownModel", "state": {"description": evil, "description_allow_html": True}},
        "c": {"model_name": "OutputModel", "state": {"outputs": [{"output_type": "display_data",
                                                                  "data": {"text/html": evil}}]}}}}}})
    report.clean_notebook(nb)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    for value in (state["a"]["state"]["value"], state["b"]["state"]["description"],
                  state["c"]["state"]["outputs"][0]["data"]["text/html"]):
        assert "evil.example" not in value and "<script" not in value, value


def test_report_written_before_the_marker_is_recognised(tiny_corpus, param_nb_dir, tmp_path):
    """A folder holding a report of the previous release (no marker) is reused, its stale pages go."""
    out = tmp_path / "reports"
    (out / "_static").mkdir(parents=True)
    (out / "index.html").write_text("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>newskit report</title>",
                                    encoding="utf-8")
    for name in ("02_timeline.html", "02_timeline.ipynb", "_static/require.js"):
        (out / name).write_text("old", encoding="utf-8")
    (out / "mine.html").write_text("the user's page, no notebook beside it", encoding="utf-8")
    res = report.build_report(tiny_corpus, out, notebooks_dir=param_nb_dir, notebooks=["30"], progress=False,
                              assets=False)
    assert res.ok
    assert sorted(res.removed) == ["02_timeline.html", "02_timeline.ipynb", "_static/require.js"]
    assert (out / "mine.html").is_file() and (out / "30_params.html").is_file()
