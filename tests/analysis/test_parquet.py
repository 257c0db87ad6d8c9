"""Out-of-core analyses (newskit.analysis.parquet): on a parts folder, every analysis returns the table the
in-memory pandas path returns on the same annotations — same columns, dtypes, order and values (the
article bootstrap included: same per-article arrays in the same order, same seed → identical)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import newskit
from newskit.analysis import (actor_sentiment, compare_sources, cooccurrence, entity_frequency, event_timeline,
                              kwic, timeline)
from newskit.analysis.parquet import PartsFolder, estimate_per_article, open_annotations
from newskit.annotations import Annotations

N = 60


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from newskit.datasets import demo_corpus
    from newskit.pipeline import annotate_to

    base = tmp_path_factory.mktemp("demo")
    arts = newskit.load_corpus(demo_corpus(base / "corpus")).head(N).reset_index(drop=True)
    return annotate_to(arts, base / "parts", part_size=25, n_process=1, cache_dir=base / "cache", progress=False)


@pytest.fixture(scope="module")
def both(folder):
    return Annotations.load(folder), PartsFolder(folder)


def _top_actor(mem):
    return mem.mentions["actor"].value_counts().index[0]


def _calls(mem):
    actor = _top_actor(mem)
    second = mem.mentions["actor"].value_counts().index[1]
    return [
        (entity_frequency, {}), (entity_frequency, {"by": "outlet"}), (entity_frequency, {"by": ["outlet", "month"]}),
        (entity_frequency, {"types": "person", "top": 5}), (entity_frequency, {"by": "week", "top": 3}),
        (cooccurrence, {}), (cooccurrence, {"within": "article", "top": None}), (cooccurrence, {"min_count": 2, "types": ["place", "person"]}),
        (timeline, {}), (timeline, {"freq": "W", "by": "actor"}), (timeline, {"freq": "W", "by": "outlet"}),
        (timeline, {"freq": "M", "metric": "mentions", "by": ["actor", "outlet"], "top": 3}),
        (timeline, {"metric": "mentions", "actors": [actor], "normalize": "per_article", "rolling": 3}),
        (timeline, {"freq": "W", "metric": "articles", "actors": actor, "normalize": "share"}),
        (timeline, {"freq": "W", "by": "outlet", "normalize": "share", "date_from": "2023-02-01", "date_to": "2023-05-15"}),
        (timeline, {"freq": "W", "metric": "sentiment", "by": "actor", "n_boot": 200}),
        (timeline, {"freq": "M", "metric": "sentiment", "actors": [actor, second], "errorbar": ("se", 2)}),
        (event_timeline, {}), (event_timeline, {"actors": [actor], "horizon_days": None}),
        (actor_sentiment, {"n_boot": 300}), (actor_sentiment, {"by": "outlet", "n_boot": 200, "seed": 3}),
        (actor_sentiment, {"by": ["outlet", "month"], "min_mentions": 2, "errorbar": ("se", 1)}),
        (actor_sentiment, {"actors": [actor, second], "errorbar": None, "min_mentions": 1}),
        (compare_sources, {"actor": actor, "by": "outlet", "min_mentions": 2, "n_boot": 200}),
        (compare_sources, {"actor": actor, "by": "outlet", "pairwise": True, "min_mentions": 2, "n_boot": 200}),
        (kwic, {"actor": actor}), (kwic, {"actor": actor.lower(), "top": 5, "spread": True}),
        (kwic, {"actor": second, "width": 20, "top": 3}),
        # headlines (in_title mentions) counted apart, or together with the text
        (entity_frequency, {"where": "title"}), (entity_frequency, {"by": "outlet", "where": "title", "top": 5}),
        (entity_frequency, {"where": "all", "types": "person"}), (cooccurrence, {"where": "all"}),
        (timeline, {"freq": "W", "by": "actor", "metric": "mentions", "where": "title"}),
        (timeline, {"freq": "M", "metric": "sentiment", "actors": [actor], "where": "all", "n_boot": 200}),
        (actor_sentiment, {"where": "title", "min_mentions": 2, "n_boot": 200}),
        (compare_sources, {"actor": actor, "by": "outlet", "where": "all", "min_mentions": 2, "n_boot": 200}),
        (kwic, {"actor": actor, "where": "all", "top": 10}),
        # the spread sample and the per-article sums are computed in DuckDB out of core: other seeds and groups
        (kwic, {"actor": actor, "top": 7, "spread": True, "seed": 4, "where": "all"}),
        (kwic, {"actor": second, "top": 2, "spread": True, "seed": 1}),
        (compare_sources, {"actor": actor, "by": "month", "min_mentions": 1, "n_boot": 100, "seed": 2}),
        (compare_sources, {"actor": second, "by": "source", "pairwise": True, "min_mentions": 1, "errorbar": ("se", 2)}),
    ]


def _run(fn, ann, kw):
    kw = dict(kw)
    args = []
    for name in ("actor",):
        if name in kw:
            args.append(kw.pop(name))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn(ann, *args, **kw)
    return out, sorted(str(x.message) for x in w)


def test_every_analysis_equals_the_pandas_path(both):
    mem, pf = both
    assert len(mem.mentions) > 100 and mem.dates.shape[0] > 0
    for fn, kw in _calls(mem):
        want, want_w = _run(fn, mem, kw)
        got, got_w = _run(fn, pf, kw)
        assert len(want) > 0, (fn.__name__, kw)
        pd.testing.assert_frame_equal(got, want, check_dtype=True, obj=f"{fn.__name__}({kw})")
        assert got.attrs == want.attrs, (fn.__name__, kw)
        assert got_w == want_w, (fn.__name__, kw)


def test_window_of_the_parts_equals_filtered_annotations(both, folder):
    mem, pf = both
    kw = {"freq": "D", "by": "outlet", "date_from": "2023-03-10", "date_to": "2023-06-20"}
    pd.testing.assert_frame_equal(timeline(pf, **kw), timeline(mem.filter(date_from="2023-03-10", date_to="2023-06-20"), **kw))


def test_estimator_from_per_article_sums_is_the_estimator():
    """The per-article form gives the very numbers of estimate() (same seed), and the interval moves
    with the seed, so the equality is not two NaNs or two constants."""
    from newskit.analysis import estimate

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"g": rng.choice(["x", "y"], 400), "article_id": rng.integers(0, 60, 400).astype(str),
                       "v": rng.normal(size=400)})
    want = estimate(df, value="v", by="g", n_boot=500, seed=7)
    per = df.reset_index().groupby(["g", "article_id"]).agg(sum=("v", "sum"), count=("v", "size"),
                                                            _pos=("index", "min")).reset_index()
    groups = df.groupby("g").size().rename("n").reset_index()
    got = estimate_per_article(per, groups, ["g"], errorbar=("ci", 95), n_boot=500, seed=7)
    pd.testing.assert_frame_equal(got, want)
    other = estimate_per_article(per, groups, ["g"], errorbar=("ci", 95), n_boot=500, seed=8)
    assert not np.allclose(other["ci_low"], want["ci_low"])
    shuffled = per.assign(_pos=rng.permutation(len(per)))  # another article order: other draws
    assert not np.allclose(estimate_per_article(shuffled, groups, ["g"], errorbar=("ci", 95), n_boot=500,
                                                seed=7)["ci_low"], want["ci_low"])


def test_open_annotations_and_bad_folders(folder, tmp_path):
    assert isinstance(open_annotations(str(folder)), PartsFolder)
    assert isinstance(open_annotations(str(folder), corpus=None, cache_dir="ignored", actor_file=None), PartsFolder)
    with pytest.raises(ValueError, match="re-run `newskit annotate`"):
        open_annotations(str(folder), actor_file="other.yml")
    with pytest.raises(FileNotFoundError, match="not an annotations folder"):
        PartsFolder(tmp_path)
    (tmp_path / "articles").mkdir()
    pd.DataFrame({"article_id": ["a"], "text": ["x"]}).to_parquet(tmp_path / "articles" / "part-00000.parquet")
    (tmp_path / "meta.json").write_text("{\n  bad")
    with pytest.raises(ValueError, match=r"meta.json: line 2"):
        PartsFolder(tmp_path)
    (tmp_path / "meta.json").write_text("{}")
    with pytest.raises(ValueError, match="no 'actor' column"):
        entity_frequency(PartsFolder(tmp_path))


@pytest.mark.slow
def test_every_analysis_equals_the_pandas_path_on_corpus_ukraine(shared, tmp_path):
    """The same equality on a real corpus (annotation comes from the pipeline's cache when warm)."""
    from newskit.pipeline import annotate_to

    # the fast sentiment model: the test is about DuckDB = pandas, and the transformer would double its time
    folder = annotate_to(shared("data", "corpus_ukraine"), tmp_path / "parts", part_size=1000, progress=False,
                         sentiment_model="fast")
    mem, pf = Annotations.load(folder), PartsFolder(folder)
    assert len(mem.articles) > 2000
    for fn, kw in _calls(mem):
        if "date_from" in kw:  # the demo window: use the corpus' own middle instead
            d = mem.articles["date"].dropna().sort_values()
            kw = dict(kw, date_from=str(d.iloc[len(d) // 4].date()), date_to=str(d.iloc[len(d) // 2].date()))
        want, want_w = _run(fn, mem, kw)
        got, got_w = _run(fn, pf, kw)
        pd.testing.assert_frame_equal(got, want, check_dtype=True, obj=f"{fn.__name__}({kw})")
        assert got.attrs == want.attrs and got_w == want_w, (fn.__name__, kw)


def test_actor_sentiment_in_small_batches_is_the_same(both, monkeypatch):
    """Fetching the per-article rows a few groups at a time (as at 1M articles) changes no number: each
    group still meets its articles in the same order with its own generator."""
    import newskit.analysis.parquet as pq_mod

    mem, pf = both
    for kw in ({"n_boot": 300}, {"by": ["outlet", "month"], "min_mentions": 2, "n_boot": 100, "seed": 4}):
        want = actor_sentiment(mem, **kw)
        calls = []
        real = pq_mod.estimate_in_batches

        def spy(*a, **k):
            k["batch_rows"] = 7  # a handful of articles per batch: many batches
            out = real(*a, **k)
            calls.append(len(out))
            return out

        monkeypatch.setattr(pq_mod, "estimate_in_batches", spy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = actor_sentiment(pf, **kw)
        monkeypatch.setattr(pq_mod, "estimate_in_batches", real)
        assert calls and len(want) > 3
        pd.testing.assert_frame_equal(got, want, obj=str(kw))
        assert want["ci_low"].notna().any()


def test_batches_split_whole_groups(both):
    """Batches hold whole groups: with batch_rows=1 every group is its own batch and the table is the
    one-batch table."""
    from newskit.analysis.parquet import estimate_in_batches

    _, pf = both
    per = pd.DataFrame({"g": ["a", "a", "a", "b", "b", "c"], "sum": [1.0, -1.0, 0.5, 0.2, 0.4, 0.3],
                        "count": [1, 1, 2, 1, 1, 1], "_pos": [5, 1, 3, 0, 2, 4]})
    pf.con.register("per_t", per)
    groups = pd.DataFrame({"g": ["c", "a", "b"], "n": [1, 4, 2]})
    one = estimate_in_batches(pf, "per_t", groups, ["g"], errorbar=("ci", 95), n_boot=200, seed=1, batch_rows=10**6)
    many = estimate_in_batches(pf, "per_t", groups, ["g"], errorbar=("ci", 95), n_boot=200, seed=1, batch_rows=1)
    pd.testing.assert_frame_equal(one, many)
    pd.testing.assert_frame_equal(one, estimate_per_article(per, groups, ["g"], errorbar=("ci", 95), n_boot=200, seed=1))
    pf.con.unregister("per_t")


def test_event_timeline_with_an_actor_without_dated_sentences(both):
    """An actor of the folder that no dated sentence names gives no rows, not an unknown-actor error
    (the names are resolved on the folder, not on the dated rows read for the events)."""
    mem, pf = both
    dated = set(event_timeline(mem)["actors"].explode().dropna())
    quiet = [a for a in mem.mentions["actor"].dropna().unique() if a not in dated]
    assert quiet
    top = mem.mentions["actor"].value_counts().index[0]
    want = event_timeline(mem, actors=[top, quiet[0]])
    pd.testing.assert_frame_equal(event_timeline(pf, actors=[top, quiet[0]]), want)


def test_mention_examples_ranked_in_duckdb_equal_pandas(both):
    from newskit.analysis import mention_examples

    mem, pf = both
    vc = mem.mentions["actor"].value_counts()
    for actor, kw in ((vc.index[0], {"top": 3}), (vc.index[1], {"top": 5}), (vc.index[0], {"top": 2, "source": mem.articles["outlet"].iloc[0]}),
                      (vc.index[0], {"top": 4, "where": "all"})):
        want = mention_examples(mem, actor, **kw)
        got = mention_examples(pf, actor, **kw)
        assert len(want) > 0
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"{actor} {kw}")


def test_rows_of_reads_the_rows_and_columns_asked_for(both):
    from newskit.analysis import rows_of

    mem, pf = both
    assert rows_of(mem, actors=["x"]) is mem
    actor = _top_actor(mem)
    sub = rows_of(pf, actors=[actor], tables=["articles", "mentions", "sentences"], text=True,
                  columns={"mentions": ["actor", "score"]})
    want = mem.mentions[mem.mentions["actor"] == actor]
    assert len(sub.mentions) == len(want) and set(sub.mentions["actor"]) == {actor}
    # the schema's columns, the ones asked for, and in_title (where= depends on it)
    assert set(sub.mentions.columns) == {"article_id", "sent_id", "start", "end", "text", "label", "actor", "score",
                                         "in_title"}
    assert set(sub.articles["article_id"]) == set(want["article_id"].astype(str))
    assert "text" in sub.articles and "text" not in pf.articles
    keys = set(zip(want["article_id"].astype(str), want["sent_id"]))
    assert set(zip(sub.sentences["article_id"].astype(str), sub.sentences["sent_id"])) == keys
    win = pf.filter(date_from="2023-03-01", date_to="2023-04-30")
    memw = mem.filter(date_from="2023-03-01", date_to="2023-04-30")
    assert 0 < len(win.articles) == len(memw.articles) < len(mem.articles)
    pd.testing.assert_frame_equal(entity_frequency(win, by="outlet"), entity_frequency(memw, by="outlet"))


@pytest.mark.parametrize("kw", [dict(by=None, top=15), dict(by="outlet", top=15), dict(by="outlet", top=None, n_boot=200),
                                dict(by=["month", "outlet"], top=5, seed=3)])
def test_quote_frequency_of_a_folder_equals_the_pandas_path(both, kw):
    from newskit.analysis.quotes import quote_frequency

    mem, pf = both
    want = quote_frequency(mem, **kw)
    assert len(want) > 3
    pd.testing.assert_frame_equal(quote_frequency(pf, **kw), want, check_exact=True)
    d = mem.articles["date"].dropna().sort_values()
    lo = str(d.iloc[len(d) // 3].date())
    pd.testing.assert_frame_equal(quote_frequency(pf.filter(date_from=lo), **kw),
                                  quote_frequency(mem.filter(date_from=lo), **kw), check_exact=True)


@pytest.mark.parametrize("kw", [dict(top=None), dict(top=10, min_n=2), dict(top=None, include_self=True)])
def test_who_talks_about_whom_of_a_folder_equals_the_pandas_path(both, kw):
    from newskit.analysis.quotes import who_talks_about_whom

    mem, pf = both
    want = who_talks_about_whom(mem, **kw)
    assert len(want) > 3
    pd.testing.assert_frame_equal(who_talks_about_whom(pf, **kw), want)


def test_quotes_of_a_folder_equals_the_pandas_path(both):
    from newskit.analysis.quotes import quote_frequency, quotes_of

    mem, pf = both
    speakers = quote_frequency(mem, by=None, top=4)["actor"].tolist()
    for who in speakers:
        for kw in (dict(top=3), dict(top=None), dict(top=5, kinds=["direct"])):
            want = quotes_of(mem, who, **kw)
            pd.testing.assert_frame_equal(quotes_of(pf, who, **kw), want, check_dtype=False)
    assert len(quotes_of(mem, speakers[0], top=None)) > 1
