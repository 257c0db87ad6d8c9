"""Input control (issue 17): column mapping with one reject per file, the ``outlet`` column kept, the
outlet-names file, and ``--columns`` / ``--outlet-names`` on every command that reads a corpus."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import newskit
from newskit.cli import main as cli
from newskit.corpus import CorpusWarning, OutletNamesError, load_outlet_names, parse_columns, rejects

N_ROWS = 23
MAPPING = {"headline": "title", "published": "date", "link": "url", "body": "text"}
SPEC = "title=headline,date=published,url=link,text=body"


def other_names(n: int = N_ROWS) -> list[dict]:
    """Rows of an invented news table whose columns are not newskit's names."""
    return [{"headline": f"Harbour council meets, day {i}", "published": f"2023-03-{i:02d}",
             "link": f"https://www.harbour-gazette.example/news/{i}",
             "body": f"The harbour council met for the {i}th time.\nIt adjourned at noon."}
            for i in range(1, n + 1)]


def write_tables(folder: Path, rows: list[dict]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"csv": folder / "t.csv", "jsonl": folder / "t.jsonl", "parquet": folder / "t.parquet"}
    pd.DataFrame(rows).to_csv(paths["csv"], index=False)
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pd.DataFrame(rows).to_parquet(paths["parquet"])
    return paths


def load(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return newskit.load_corpus(*args, **kwargs)


def accounted(df: pd.DataFrame) -> bool:
    return len(df) + len(rejects(df)) == df.attrs["n_inputs"]


# ----------------------------------------------------------------------------- column mapping


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet", "frame"])
def test_a_table_without_the_columns_is_one_reject_naming_file_columns_and_mapping(tmp_path, kind):
    rows = other_names()
    source = pd.DataFrame(rows) if kind == "frame" else write_tables(tmp_path, rows)[kind]
    df = load(source)
    rej = rejects(df)
    assert df.empty and len(rej) == 1, rej                      # not one reject per row (23 before)
    assert df.attrs["n_inputs"] == 1 and accounted(df)           # the rejected file is one input
    got = rej.iloc[0]
    assert got.path == ("<DataFrame>" if kind == "frame" else str(source))
    assert got.reason == "missing column"
    assert "no title or text column" in got.detail
    assert "columns found: headline, published, link, body" in got.detail
    assert f"--columns {SPEC}" in got.detail                    # a mapping the user can paste
    assert f"its {N_ROWS} rows are not loaded" in got.detail
    if kind == "csv":
        assert got.line == 1                                     # the header line


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet", "frame"])
def test_the_same_table_loads_with_the_mapping(tmp_path, kind):
    rows = other_names()
    source = pd.DataFrame(rows) if kind == "frame" else write_tables(tmp_path, rows)[kind]
    df = load(source, columns=MAPPING)
    assert len(df) == N_ROWS and rejects(df).empty and accounted(df)
    assert df.title.iloc[0] == "Harbour council meets, day 1"
    assert df.date.iloc[2] == pd.Timestamp("2023-03-03") and df.n_paragraphs.iloc[0] == 2
    assert set(df.source) == {"harbour-gazette.example"}
    assert parse_columns(SPEC) == MAPPING


def test_a_folder_mixing_good_files_and_a_bad_table_accounts_for_everything(tmp_path):
    write_tables(tmp_path / "tables", other_names(5))
    (tmp_path / "a.txt").write_text("Ferry strike ends\n20230301\nhttps://ferry.example/a\nThe ferries run.\n",
                                    encoding="utf-8")
    df = load(tmp_path)
    assert len(df) == 1 and len(rejects(df)) == 3 and accounted(df)
    assert set(rejects(df).reason) == {"missing column"}
    with pytest.raises(newskit.CorpusError, match=r"3 of 4 inputs rejected"):
        newskit.load_corpus(tmp_path, strict=True)


def test_suggestion_without_known_synonyms_and_optional_columns(tmp_path):
    pd.DataFrame({"kop": ["Kop"], "tekst": ["Tekst."]}).to_csv(tmp_path / "nl.csv", index=False)
    detail = rejects(load(tmp_path / "nl.csv")).detail.iloc[0]
    assert "--columns title=COLUMN,text=COLUMN" in detail and "(nor date or url, which are optional)" in detail
    assert "its 1 row is not loaded" in detail
    df = load(tmp_path / "nl.csv", columns={"kop": "title", "tekst": "text"})
    assert df.title.tolist() == ["Kop"] and pd.isna(df.date.iloc[0])


def test_two_columns_giving_one_field_is_one_reject(tmp_path):
    pd.DataFrame({"title": ["A", "B"], "headline": ["A2", "B2"], "text": ["x.", "y."]}).to_csv(
        tmp_path / "c.csv", index=False)
    rej = rejects(load(tmp_path / "c.csv", columns={"headline": "title"}))
    assert rej.reason.tolist() == ["column conflict"]
    assert "columns title and headline both give title" in rej.detail.iloc[0] and "2 rows" in rej.detail.iloc[0]


def test_a_json_line_without_a_key_the_others_have_is_a_row_reject(tmp_path):
    lines = [{"title": "A", "text": "Body a."}, {"text": "Body b."}, {"title": "C", "text": "Body c."}]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    df = load(tmp_path / "t.jsonl")
    assert df.title.tolist() == ["A", "C"] and accounted(df)
    assert list(zip(rejects(df).line, rejects(df).reason)) == [(2, "missing field")]


def test_column_names_in_messages_are_made_inert(tmp_path):
    (tmp_path / "h.csv").write_bytes(b"head\x1b[31mline,bo\xffdy\nA,B\n")
    detail = rejects(load(tmp_path / "h.csv")).detail.iloc[0]
    assert "\x1b" not in detail and "head?[31mline" in detail
    detail.encode("utf-8")                                      # no lone surrogate from the bad byte


@pytest.mark.parametrize("columns, message", [
    ({"headline": "titel"}, "'titel' (for column 'headline') is not a newskit column"),
    ("title=headline", "give a mapping"),
    ({1: "title"}, "is not a column name"),
])
def test_bad_mapping_is_an_error_before_reading(tmp_path, columns, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        newskit.load_corpus(tmp_path / "nothing-read", columns=columns)


@pytest.mark.parametrize("spec, message", [
    ("title=headline,body", "item 2 'body' is not NEWSKIT=COLUMN"),
    ("title=", "item 1 'title=' has an empty name"),
    ("titel=headline", "'titel' is not a newskit column; use one of title, date, url, text, outlet"),
    ("title=a,title=b", "item 2 'title=b': title is mapped twice"),
    ("title=a,text=a", "column 'a' is mapped twice"),
    ("", "empty"),
])
def test_bad_columns_spec(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_columns(spec)


# ----------------------------------------------------------------------------- outlet column


def test_an_outlet_column_is_kept_and_source_stays_the_host(tmp_path):
    rows = [{"title": "A", "text": "Body a.", "url": "https://www.bbc.com/news/a", "outlet": "BBC World Service"},
            {"title": "B", "text": "Body b.", "url": "https://www.bbc.com/news/b", "outlet": ""},
            {"title": "C", "text": "Body c.", "url": "https://tass.com/c", "outlet": None}]
    for source in (pd.DataFrame(rows), write_tables(tmp_path, rows)["csv"], write_tables(tmp_path, rows)["parquet"]):
        df = load(source)
        assert df.outlet.tolist() == ["BBC World Service", "BBC News", "TASS"], source
        assert df.source.tolist() == ["bbc.com", "bbc.com", "tass.com"]


def test_a_mapped_outlet_column_wins_over_the_outlet_names(tmp_path):
    rows = [{"headline": "A", "body": "Body a.", "link": "https://en.kremlin.ru/a", "publisher": "Kremlin press"},
            {"headline": "B", "body": "Body b.", "link": "https://en.kremlin.ru/b", "publisher": None}]
    df = load(pd.DataFrame(rows), columns={"headline": "title", "body": "text", "link": "url",
                                           "publisher": "outlet"},
              outlet_names={"en.kremlin.ru": "President of Russia"})
    assert df.outlet.tolist() == ["Kremlin press", "President of Russia"]
    assert df.source.tolist() == ["en.kremlin.ru", "en.kremlin.ru"]


def test_an_outlet_that_is_not_text_is_a_row_reject():
    df = load(pd.DataFrame({"title": ["A", "B"], "text": ["a.", "b."], "outlet": [3, "Fine"]}))
    assert df.outlet.tolist() == ["Fine"]
    assert rejects(df).reason.tolist() == ["invalid outlet"]


# ----------------------------------------------------------------------------- outlet-names file


def test_outlet_names_file_extends_and_overrides_the_built_in_names(tmp_path):
    names = tmp_path / "outlets.yml"
    names.write_text("# display names\nen.kremlin.ru: President of Russia\nwww.BBC.com: BBC (UK)\n", encoding="utf-8")
    rows = [{"title": t, "text": f"Body {t}.", "url": u} for t, u in
            (("A", "https://en.kremlin.ru/a"), ("B", "https://www.bbc.com/b"), ("C", "https://tass.com/c"),
             ("D", "https://unknown.example/d"))]
    df = load(pd.DataFrame(rows), outlet_names=names)
    assert df.outlet.tolist() == ["President of Russia", "BBC (UK)", "TASS", "unknown.example"]
    assert load(pd.DataFrame(rows)).outlet.tolist()[:2] == ["President of Russia (Kremlin)", "BBC News"]  # built-in
    assert load_outlet_names(names) == {"en.kremlin.ru": "President of Russia", "bbc.com": "BBC (UK)"}


@pytest.mark.parametrize("content, line, reason", [
    ("en.kremlin.ru: Kremlin\nbbc.com: [BBC\n", 2, "YAML syntax error"),
    ("en.kremlin.ru: Kremlin\nhttps://tass.com/: TASS\n", 2, "is a URL; give the host alone (tass.com)"),
    ("tass.com: TASS\nbbc.com: BBC\nwww.tass.com: Tass again\n", 3, "tass.com is given twice (first on line 1)"),
    ("tass.com:\n", 1, "no display name for tass.com"),
    ("tass.com: [TASS, Tass]\n", 1, "must be text, not a list"),
    ("- tass.com\n- bbc.com\n", 1, "a YAML mapping"),
    ("'not a host!': X\n", 1, "is not a host"),
])
def test_bad_outlet_names_file_names_file_line_and_reason(tmp_path, content, line, reason):
    path = tmp_path / "outlets.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OutletNamesError) as err:
        load_outlet_names(path)
    assert str(err.value).startswith(f"{path}:{line}: ") and reason in str(err.value), str(err.value)


def test_outlet_names_file_missing_or_not_utf8(tmp_path):
    with pytest.raises(OutletNamesError, match="outlet-names file not found"):
        load_outlet_names(tmp_path / "none.yml")
    (tmp_path / "l1.yml").write_bytes(b"tass.com: TASS\nlemonde.fr: Le Monde \xe9\n")
    with pytest.raises(OutletNamesError, match=r"l1.yml:2: not UTF-8"):
        load_outlet_names(tmp_path / "l1.yml")
    assert load_outlet_names(None) == {}
    (tmp_path / "empty.yml").write_text("# nothing yet\n")
    assert load_outlet_names(tmp_path / "empty.yml") == {}


# ----------------------------------------------------------------------------- command line


@pytest.fixture()
def other_csv(tmp_path) -> Path:
    return write_tables(tmp_path / "in", other_names(4))["csv"]


def test_info_rejects_the_table_once_and_loads_it_with_columns(other_csv, tmp_path, capsys):
    assert cli(["info", str(other_csv)]) == 1
    out = capsys.readouterr().out
    assert out.count("rejected: ") == 1 and "missing column" in out and f"--columns {SPEC}" in out
    names = tmp_path / "outlets.yml"
    names.write_text("harbour-gazette.example: The Harbour Gazette\n", encoding="utf-8")
    assert cli(["info", str(other_csv), "--columns", SPEC, "--outlet-names", str(names), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["articles"] == 4 and facts["outlets"] == {"The Harbour Gazette": 4}


@pytest.mark.parametrize("command", ["info", "convert", "annotate"])
def test_bad_columns_or_outlet_names_fail_fast_with_one_line(other_csv, tmp_path, capsys, command):
    extra = [str(tmp_path / "out")] if command != "info" else []
    with pytest.raises(SystemExit) as exit_:
        cli([command, str(other_csv), *extra, "--columns", "title=headline,body"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --columns: 'title=headline,body': item 2 'body' is not NEWSKIT=COLUMN" in err
    bad = tmp_path / "outlets.yml"
    bad.write_text("tass.com: TASS\nhttps://bbc.com: BBC\n", encoding="utf-8")
    assert cli([command, str(other_csv), *extra, "--outlet-names", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"newskit {command}: {bad}:2: 'https://bbc.com' is a URL; give the host alone (bbc.com)\n"
    assert not (tmp_path / "out").exists()


def test_convert_with_columns_and_outlet_names(other_csv, tmp_path, capsys):
    names = tmp_path / "outlets.yml"
    names.write_text("harbour-gazette.example: The Harbour Gazette\n", encoding="utf-8")
    assert cli(["convert", str(other_csv), str(tmp_path / "c.parquet"), "--columns", SPEC,
                "--outlet-names", str(names)]) == 0
    back = pd.read_parquet(tmp_path / "c.parquet")
    assert len(back) == 4 and set(back.outlet) == {"The Harbour Gazette"}
    # the converted corpus keeps its outlet column when read again
    assert set(load(tmp_path / "c.parquet").outlet) == {"The Harbour Gazette"}


def test_annotate_with_columns_and_outlet_names(other_csv, tmp_path, capsys):
    names = tmp_path / "outlets.yml"
    names.write_text("harbour-gazette.example: The Harbour Gazette\n", encoding="utf-8")
    out = tmp_path / "ann"
    assert cli(["annotate", str(other_csv), str(out), "--columns", SPEC, "--outlet-names", str(names),
                "--n-process", "1", "--no-cache"]) == 0, capsys.readouterr().err
    ann = newskit.Annotations.load(out)
    assert len(ann.articles) == 4 and set(ann.articles.outlet) == {"The Harbour Gazette"}
    assert json.loads((out / "meta.json").read_text())["rejected"] == []


# ----------------------------------------------------------------------------- newskit report

REPO = Path(__file__).resolve().parents[1]
ECHO_NB = [  # a notebook that loads the corpus the way newskit's notebooks do, and prints what it got
    ("corpus = None\ndate_from = None\ndate_to = None\nactor_file = None\ncache_dir = None\n"
     "columns = None\noutlet_names = None", True),
    ("import json, warnings\nimport newskit\nwith warnings.catch_warnings():\n"
     "    warnings.simplefilter('ignore')\n"
     "    df = newskit.load_corpus(corpus, columns=columns, outlet_names=outlet_names)\n"
     "print(json.dumps({'columns': columns, 'outlet_names': outlet_names, 'n': len(df), "
     "'outlets': sorted(set(df.outlet))}))", False),
]


@pytest.fixture(scope="module")
def echo_nb_dir(tmp_path_factory) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    d = tmp_path_factory.mktemp("echo-nbs")
    cells = [new_code_cell(src, metadata={"tags": ["parameters"]} if tagged else {}) for src, tagged in ECHO_NB]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}}),
                   str(d / "10_echo.ipynb"))
    return d


def _last_json(nb_path: Path) -> dict:
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


@pytest.fixture()
def outlet_file(tmp_path) -> Path:
    path = tmp_path / "outlets.yml"
    path.write_text("harbour-gazette.example: The Harbour Gazette\n", encoding="utf-8")
    return path


def test_report_passes_columns_and_outlet_names_to_the_notebooks(other_csv, outlet_file, echo_nb_dir, tmp_path,
                                                                 capsys):
    from newskit.report import main_report

    out = tmp_path / "r"
    code = main_report([str(other_csv), "-o", str(out), "--notebooks-dir", str(echo_nb_dir), "--no-widgets",
                        "--quiet", "--columns", SPEC, "--outlet-names", str(outlet_file)])
    assert code == 0, capsys.readouterr().err
    assert _last_json(out / "10_echo.ipynb") == {"columns": MAPPING, "outlet_names": str(outlet_file.resolve()),
                                                 "n": 4, "outlets": ["The Harbour Gazette"]}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "The Harbour Gazette" in index and f"columns = {SPEC}" in index


def test_report_of_an_unmapped_table_lists_the_one_reject(other_csv, echo_nb_dir, tmp_path, capsys):
    from newskit.report import main_report

    out = tmp_path / "r"
    assert main_report([str(other_csv), "-o", str(out), "--notebooks-dir", str(echo_nb_dir), "--no-widgets",
                        "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "no article could be loaded" in err and "1 rejected" in err and err.count("\n") == 1, err
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "missing column" in index and f"--columns {SPEC}" in index and "its 4 rows are not loaded" in index
    assert not list(out.glob("*.ipynb"))


def test_report_refuses_bad_columns_and_outlet_names_before_any_kernel(other_csv, echo_nb_dir, tmp_path, capsys):
    import time

    from newskit.report import ReportInputError, build_report, main_report

    base = [str(other_csv), "-o", str(tmp_path / "r"), "--notebooks-dir", str(echo_nb_dir), "--quiet"]
    with pytest.raises(SystemExit) as exit_:
        main_report([*base, "--columns", "title=headline,body"])
    assert exit_.value.code == 2 and "item 2 'body' is not NEWSKIT=COLUMN" in capsys.readouterr().err
    bad = tmp_path / "outlets.yml"
    bad.write_text("tass.com: TASS\ntass.com: Tass\n", encoding="utf-8")
    t0 = time.perf_counter()
    code = main_report([*base, "--outlet-names", str(bad)])
    seconds = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert code == 2 and seconds < 5, (code, seconds, err)   # no kernel: well under the ~5 s one takes to start
    assert err == f"newskit report: error: {bad}:2: tass.com is given twice (first on line 1)\n"
    assert not (tmp_path / "r").exists()
    assert main_report([*base, "-p", "columns", "{headline: title}"]) == 2
    assert "-p columns: set it with --columns" in capsys.readouterr().err
    assert main_report([*base, "-p", "outlet_names", "x.yml"]) == 2
    assert "-p outlet_names: set it with --outlet-names" in capsys.readouterr().err
    with pytest.raises(ReportInputError, match="'titel' .* is not a newskit column"):
        build_report(other_csv, tmp_path / "r", notebooks_dir=echo_nb_dir, columns={"headline": "titel"})
    assert not (tmp_path / "r").exists()


def test_every_notebook_declares_and_uses_columns_and_outlet_names():
    from newskit.report import notebook_parameters

    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        assert {"columns", "outlet_names"} <= set(notebook_parameters(path)), path.name
        nb = json.loads(path.read_text(encoding="utf-8"))
        calls = [line for cell in nb["cells"] if cell["cell_type"] == "code"
                 for line in "".join(cell["source"]).splitlines() if "load_corpus(" in line]
        assert calls and all("columns=columns, outlet_names=outlet_names" in line for line in calls), (path.name, calls)


def test_the_overview_page_shows_the_mapped_table_with_its_outlet_names(other_csv, outlet_file, tmp_path, capsys):
    """The real notebook 00 on a table with other column names, through the command line."""
    from newskit.report import main_report

    out = tmp_path / "r"
    code = main_report([str(other_csv), "-o", str(out), "--notebooks-dir", str(REPO / "notebooks"), "--notebooks",
                        "00", "--no-widgets", "--quiet", "--columns", SPEC, "--outlet-names", str(outlet_file)])
    assert code == 0, capsys.readouterr().err
    page = (out / "00_corpus_overview.html").read_text(encoding="utf-8")
    assert "The Harbour Gazette" in page and "harbour-gazette.example" not in page.split("Articles per outlet")[0]
    assert "4 articles" in page


def test_make_report_passes_args():
    import subprocess

    proc = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.newskit-installed", "-o", "assets",
                           "report", "CORPUS=news.csv", "OUT=/tmp/r", f"ARGS=--columns {SPEC} -p freq M"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1].endswith(f"newskit report news.csv -o /tmp/r --columns {SPEC} -p freq M")
