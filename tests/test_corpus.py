"""load_corpus: every input format, every bad-input case, and the real corpora in ../shared."""
from __future__ import annotations

import json
import tarfile
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import newskit
from newskit.cli import main as cli
from newskit.corpus import CorpusError, CorpusWarning, rejects, summary


def native(title="Ceasefire talks resume", date="20220705", url="https://www.example.org/news/1",
           body=("Delegations met in Geneva.", "Talks will continue on Friday.")) -> str:
    return "\n".join([title, date, url, *body]) + "\n"


GOOD = {
    "a_good_plain.txt": native(),
    "a_good_bom_crlf.txt": "\ufeff" + native(url="https://news.example.com/2", body=("Delegations met in Oslo.", "Talks will continue on Friday.")).replace("\n", "\r\n"),
    "a_good_blank_lines.txt": "Title three\n20220706\nhttps://example.net/3\n\nPara one.   \n\n\nPara two.\t\n",
}
BAD = {  # file -> (line, reason)
    "bad_month.txt": (native(date="20221345", url="https://example.org/b1"), 2, "impossible date"),
    "bad_iso_date.txt": (native(date="2022-07-03", url="https://example.org/b2"), 2, "invalid date"),
    "bad_empty_date.txt": (native(date="", url="https://example.org/b3"), 2, "missing date"),
    "bad_no_url.txt": ("Title\n20220701\nBody paragraph without a URL line.\n", 3, "missing URL line"),
    "bad_empty_body.txt": ("Title\n20220701\nhttps://example.org/b5\n\n\n", 4, "empty body"),
    "bad_dup_text.txt": (native(url="https://example.org/other"), 4, "duplicate text"),
    "bad_dup_url.txt": (native(url="https://www.example.org/news/1", body=("Different body.",)), 3,
                        "duplicate URL"),
}


@pytest.fixture()
def messy(tmp_path: Path) -> Path:
    for name, text in GOOD.items():
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    for name, (text, _, _) in BAD.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "bad_latin1.txt").write_bytes("Caf\xe9 talks\n20220701\nhttps://example.org/l\nBody.\n"
                                               .encode("latin-1"))
    (tmp_path / "bad_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return tmp_path


def load_quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return newskit.load_corpus(*args, **kwargs)


def test_good_and_bad_files_are_all_accounted_for(messy):
    with pytest.warns(CorpusWarning, match=r"9 of 12 inputs rejected"):
        df = newskit.load_corpus(messy)
    rej = rejects(df)
    assert len(df) == len(GOOD) and len(df) + len(rej) == len(list(messy.iterdir())) == df.attrs["n_inputs"]
    assert sorted(Path(p).name for p in df.path) == sorted(GOOD)
    by_file = {Path(p).name: (line, reason) for p, line, reason in zip(rej.path, rej.line, rej.reason)}
    for name, (_, line, reason) in BAD.items():
        assert by_file[name] == (line, reason), name
    assert by_file["bad_latin1.txt"] == (1, "undecodable bytes")
    assert by_file["bad_binary.txt"][1] == "NUL byte"
    dup = rej[rej.reason == "duplicate URL"].iloc[0]
    assert "a_good_plain.txt" in dup.detail and "kept" in dup.detail


def test_normal_input_variants_are_not_altered(messy):
    df = load_quiet(messy)
    df = df.set_index(df["path"].map(lambda p: Path(p).name))
    assert df.loc["a_good_bom_crlf.txt", "title"] == "Ceasefire talks resume"  # BOM removed
    assert df.loc["a_good_bom_crlf.txt", "text"] == "Delegations met in Oslo.\nTalks will continue on Friday."
    assert df.loc["a_good_blank_lines.txt", "text"] == "Para one.\nPara two."
    assert df.loc["a_good_blank_lines.txt", "n_paragraphs"] == 2


def test_strict_raises_listing_every_reject(messy):
    with pytest.raises(CorpusError) as info:
        newskit.load_corpus(messy, strict=True)
    assert len(info.value.rejects) == 9
    message = str(info.value)
    for name in BAD:
        assert name in message


def test_columns_and_types(messy):
    df = load_quiet(messy)
    assert list(df.columns) == newskit.corpus.COLUMNS
    assert str(df.date.dtype) == "datetime64[ns]"
    first = df[df.path.str.endswith("a_good_plain.txt")].iloc[0]
    assert first.source == "example.org" and first.n_words == 9 and first.n_paragraphs == 2
    assert first.article_id == load_quiet([messy / "a_good_plain.txt"]).article_id.iloc[0]  # stable


def test_archives_globs_and_lists(tmp_path, messy):
    zpath = tmp_path / "c.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for name in GOOD:
            zf.write(messy / name, f"inner/{name}")
    tpath = tmp_path / "c.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        for name in GOOD:
            tf.add(messy / name, f"inner/{name}")
    for source in (zpath, tpath, str(messy / "a_good_*.txt"), [messy / n for n in GOOD]):
        df = load_quiet(source)
        assert len(df) == 3 and rejects(df).empty, source


def test_tables_with_column_mapping(tmp_path):
    rows = [{"headline": "One", "published": "2022-03-01", "link": "https://a.example/1", "body": "P1.\nP2."},
            {"headline": "Two", "published": "20220302", "link": "https://a.example/2", "body": "Q."},
            {"headline": "Bad", "published": "2022-02-30", "link": "https://a.example/3", "body": "R."},
            {"headline": "Empty", "published": "2022-03-03", "link": "https://a.example/4", "body": ""}]
    mapping = {"headline": "title", "published": "date", "link": "url", "body": "text"}
    pd.DataFrame(rows).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    pd.DataFrame(rows).to_parquet(tmp_path / "t.parquet")
    for name, extra in (("t.csv", 0), ("t.jsonl", 1), ("t.parquet", 0)):
        df = load_quiet(tmp_path / name, columns=mapping)
        assert df.title.tolist() == ["One", "Two"], name
        assert df.text.iloc[0] == "P1.\nP2." and df.n_paragraphs.tolist() == [2, 1]
        assert df.date.tolist() == [pd.Timestamp("2022-03-01"), pd.Timestamp("2022-03-02")]
        rej = rejects(df)
        assert len(rej) == 2 + extra
        assert rej.line.tolist()[:2] == ([5, 6] if name == "t.csv" else [3, 4])  # the CSV row 1 spans two lines


def test_table_without_url_gets_content_id():
    df = newskit.load_corpus(pd.DataFrame({"title": ["A"], "text": ["x"], "date": [None]}))
    assert len(df.article_id.iloc[0]) == 16 and pd.isna(df.date.iloc[0])


def test_missing_path_is_a_reject_not_a_crash(tmp_path):
    df = load_quiet(tmp_path / "nope")
    assert df.empty and rejects(df).reason.tolist() == ["not found"]


def test_info_cli(messy, capsys):
    assert cli(["info", str(messy), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["articles"] == 3 and len(facts["rejected"]) == 9
    assert {"path", "line", "reason"} <= set(facts["rejected"][0])
    assert facts["date_min"] == "2022-07-05" and facts["date_max"] == "2022-07-06"
    assert facts["sources"] == {"example.org": 1, "news.example.com": 1, "example.net": 1}
    assert cli(["info", str(messy)]) == 0
    assert "rejected: " in capsys.readouterr().out
    empty = messy / "empty"
    empty.mkdir()
    assert cli(["info", str(empty)]) == 1
    assert cli(["info", str(messy / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_convert_round_trip(messy, tmp_path):
    out = tmp_path / "c.parquet"
    assert cli(["convert", str(messy), str(out), "--rows-per-partition", "2"]) == 0
    assert len(list(out.glob("part-*.parquet"))) == 2
    again = load_quiet(out)
    assert sorted(again.article_id) == sorted(load_quiet(messy).article_id)


def test_annotate_cli_streams_parts_and_reports_rejects(messy, tmp_path, capsys):
    out = tmp_path / "ann"
    assert cli(["annotate", str(messy), str(out), "--part-size", "2", "--n-process", "1", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert "annotated 3 articles (3 new, 0 from the cache) into 2 parts" in captured.out
    assert captured.err.count("rejected: ") == 9 and "bad_latin1.txt" in captured.err
    ann = newskit.Annotations.load(out)
    assert sorted(ann.articles.article_id) == sorted(load_quiet(messy).article_id)
    assert len(ann.meta["rejected"]) == 9 and len(ann.sentences) >= 3
    assert cli(["annotate", str(messy / "missing"), str(out)]) == 2


def test_annotate_cli_sentiment_model(messy, tmp_path, capsys):
    out = tmp_path / "fast"
    assert cli(["annotate", str(messy), str(out), "--n-process", "1", "--no-cache", "--sentiment-model", "fast"]) == 0
    ann = newskit.Annotations.load(out)
    assert ann.meta["sentiment_model"] == "fast"
    with pytest.raises(SystemExit):  # argparse: an unknown model is a usage error, before any work
        cli(["annotate", str(messy), str(tmp_path / "x"), "--sentiment-model", "roberta"])
    assert "invalid choice: 'roberta'" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_seed_article(shared):
    df = newskit.load_corpus(shared("seeds"), strict=True)
    art = df.iloc[0]
    assert art.date == pd.Timestamp("2022-07-03") and art.n_paragraphs == 20
    assert art.url.startswith("https://www.itv.com/news/2022-07-03/")
    assert art.title.startswith("Russia a step closer") and art.source == "itv.com"


def test_corpus_ukraine(shared):
    root = shared("data", "corpus_ukraine")
    df = newskit.load_corpus(root, strict=True)
    facts = summary(df)
    assert facts["articles"] == 2936 and facts["rejected"] == []
    assert (facts["date_min"], facts["date_max"]) == ("2022-01-09", "2022-12-28")
    index = pd.read_csv(root / "index.tsv", sep="\t")
    assert sorted(df.url) == sorted(index.url)
    assert df.article_id.is_unique


def test_demo_corpus_loads_cleanly(demo_dir):
    df = newskit.load_corpus(demo_dir, strict=True)
    assert len(df) == 300 and df.source.nunique() == 4
    assert set(df.outlet) == {"Northstar News", "The Daily Meridian", "Coastline Herald", "Ledger Wire"}
