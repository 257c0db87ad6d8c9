"""Parallel annotate() equals serial; the per-article cache is invalidated by text/date changes.

Correctness only: no timing assertions.
"""
from __future__ import annotations

import pandas as pd
import pytest

import newskit
from newskit.pipeline import engine as E
from newskit.pipeline import runner as R

N = 64  # annotate() uses one process below 4 chunks of max(16, 2 * batch_size) articles


@pytest.fixture(scope="module")
def articles():
    from newskit.datasets import demo_corpus

    a = newskit.load_corpus(demo_corpus()).head(N).reset_index(drop=True)
    # two paragraphs per article keep the test short
    a["text"] = ["\n".join(t.split("\n")[:2]) for t in a["text"]]
    return a


def _tables(ann):
    out = {}
    for t in ("sentences", "mentions", "dates"):
        df = getattr(ann, t)
        keys = ["article_id", "start", "end"] if t != "sentences" else ["article_id", "sent_id"]
        out[t] = df.sort_values(keys, kind="stable").reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def serial(articles):
    return E.annotate(articles, n_process=1, batch_size=4, cache=False, progress=False)


def test_parallel_equals_serial(articles, serial, monkeypatch):
    used = []
    real_run = E.run_chunks

    def spy(*a, **kw):
        used.append(kw["n_process"])
        return real_run(*a, **kw)

    monkeypatch.setattr(E, "run_chunks", spy)
    par = E.annotate(articles, n_process=2, batch_size=4, cache=False, progress=False)
    assert used == [2], "the parallel path was not taken"
    a, b = _tables(serial), _tables(par)
    assert len(a["mentions"]) > 0 and "actor" in b["mentions"]
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)


def test_cache_hit_equals_cold_and_invalidates_on_change(articles, serial, tmp_path):
    cold = E.annotate(articles, n_process=1, batch_size=4, cache_dir=tmp_path, progress=False)
    assert cold.meta["n_annotated"] == N and cold.meta["n_cached"] == 0
    warm = E.annotate(articles, n_process=1, batch_size=4, cache_dir=tmp_path, progress=False)
    assert warm.meta["n_annotated"] == 0 and warm.meta["n_cached"] == N
    for t, df in _tables(warm).items():
        pd.testing.assert_frame_equal(_tables(cold)[t], df, obj=t)
        pd.testing.assert_frame_equal(_tables(serial)[t], df, obj=t)

    # one text changes: only that article is annotated again, and its tables follow the new text
    changed = articles.copy()
    aid = changed.loc[3, "article_id"]
    changed.loc[3, "text"] = "Volodymyr Zelensky met Olaf Scholz in Kyiv on Monday."
    again = E.annotate(changed, n_process=1, batch_size=4, cache_dir=tmp_path, progress=False)
    assert again.meta["n_annotated"] == 1 and again.meta["n_cached"] == N - 1
    m = again.mentions[again.mentions["article_id"] == aid]
    assert set(m["text"]) >= {"Volodymyr Zelensky", "Kyiv"}
    s = again.sentences[again.sentences["article_id"] == aid]
    body = s[~s["in_title"]]  # the title's sentences come first (headlines are annotated) and did not change
    assert body["text"].tolist() == ["Volodymyr Zelensky met Olaf Scholz in Kyiv on Monday."]
    assert s[s["in_title"]]["text"].tolist() == [articles.loc[3, "title"]]
    others = again.mentions[again.mentions["article_id"] != aid].reset_index(drop=True)
    before = warm.mentions[warm.mentions["article_id"] != aid].reset_index(drop=True)
    pd.testing.assert_frame_equal(before[["article_id", "start", "end", "text", "label"]],
                                  others[["article_id", "start", "end", "text", "label"]])

    # a changed publication date changes relative event dates: re-annotated too
    redated = changed.copy()
    redated.loc[3, "date"] = pd.Timestamp("2022-05-20")
    third = E.annotate(redated, n_process=1, batch_size=4, cache_dir=tmp_path, progress=False)
    assert third.meta["n_annotated"] == 1
    d = third.dates[third.dates["article_id"] == aid]
    assert d["date"].tolist() == [pd.Timestamp("2022-05-16")]  # "on Monday" before Friday 20 May


def test_default_n_process_is_usable_cores_capped(articles, monkeypatch):
    """n_process=None → one worker per usable core, capped (the spy runs the work in-process)."""
    import inspect

    assert inspect.signature(E.annotate).parameters["n_process"].default is None
    used = []
    real_run = E.run_chunks

    def spy(*a, **kw):
        used.append(kw["n_process"])
        kw["n_process"] = 1
        return real_run(*a, **kw)

    monkeypatch.setattr(E, "run_chunks", spy)
    for cores in (2, 64):
        monkeypatch.setattr(R, "usable_cores", lambda cores=cores: cores)
        E.annotate(articles, batch_size=4, cache=False, progress=False)
    assert used[0] == 2
    assert 2 < used[1] < 64  # capped


# --------------------------------------------------------------------------- annotate_to (streaming)
def test_annotate_to_equals_annotate_across_parts(articles, serial, tmp_path):
    """Parts of 10 articles, two workers shared by all parts, actors resolved corpus-wide."""
    out = E.annotate_to(articles, tmp_path / "ann", part_size=10, n_process=2, batch_size=4,
                        cache_dir=tmp_path / "cache", progress=False)
    assert sorted(p.name for p in (out / "mentions").glob("part-*.parquet"))[-1] == "part-00006.parquet"
    assert not (out / "_raw_mentions").exists()
    st = newskit.Annotations.load(out)
    assert st.meta["partitions"] == 7 and st.meta["n_articles"] == N and st.meta["n_annotated"] == N
    assert st.articles["article_id"].tolist() == serial.articles["article_id"].tolist()
    a, b = _tables(serial), _tables(st)
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t, check_dtype=False)

    # a second run reads every article from the cache, and writes the same folder
    again = newskit.Annotations.load(E.annotate_to(articles, out, part_size=25, n_process=1,
                                                   cache_dir=tmp_path / "cache", progress=False))
    assert again.meta["n_annotated"] == 0 and again.meta["n_cached"] == N
    assert again.meta["partitions"] == 3 and len(list((out / "sentences").glob("part-*"))) == 3
    for t, df in _tables(again).items():
        pd.testing.assert_frame_equal(a[t], df, obj=t, check_dtype=False)


def test_annotate_to_reads_parquet_corpus_and_iterables(articles, serial, tmp_path):
    from newskit.corpus import to_parquet

    corpus = to_parquet(articles, tmp_path / "corpus.parquet", rows_per_partition=30)
    via_path = newskit.Annotations.load(E.annotate_to(corpus, tmp_path / "a", part_size=20, n_process=1,
                                                      cache=False, progress=False))
    frames = (articles.iloc[i:i + 16] for i in range(0, N, 16))
    via_iter = newskit.Annotations.load(E.annotate_to(frames, tmp_path / "b", n_process=1, cache=False,
                                                      progress=False))
    assert via_iter.meta["partitions"] == 4
    want = _tables(serial)
    for ann in (via_path, via_iter):
        assert len(ann.articles) == N
        for t, df in _tables(ann).items():
            pd.testing.assert_frame_equal(want[t], df, obj=t, check_dtype=False)


def test_annotate_to_rejects_duplicate_ids_across_parts(articles, tmp_path):
    dup = pd.concat([articles.head(3), articles.head(1)], ignore_index=True)
    first = dup.loc[0, "article_id"]
    with pytest.raises(ValueError, match=rf"duplicate article_id '{first}' \(parts 0 and 1\)"):
        E.annotate_to(dup, tmp_path / "x", part_size=3, n_process=1, cache=False, progress=False)
    with pytest.raises(ValueError, match="part_size"):
        E.annotate_to(articles, tmp_path / "y", part_size=0, progress=False)


def test_load_a_window_of_a_part_folder(articles, tmp_path):
    out = E.annotate_to(articles, tmp_path / "ann", part_size=20, n_process=1, cache=False, progress=False)
    whole = newskit.Annotations.load(out)
    dates = pd.to_datetime(whole.articles["date"]).sort_values()
    lo, hi = dates.iloc[10], dates.iloc[40]
    source = whole.articles["source"].value_counts().index[0]
    for kw in ({"date_from": lo, "date_to": hi}, {"sources": [source]}, {"date_from": lo, "sources": [source]}):
        window = newskit.Annotations.load(out, **kw)
        want = whole.filter(**kw)
        assert 0 < len(window.articles) < len(whole.articles), kw
        pd.testing.assert_frame_equal(want.articles, window.articles, obj="articles")
        for t in ("sentences", "mentions", "dates"):
            pd.testing.assert_frame_equal(getattr(want, t), getattr(window, t), obj=t, check_dtype=False)
