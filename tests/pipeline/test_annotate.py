"""annotate(), the declared steps and their caches, Annotations and the entity tables.

spaCy work is kept small: one session-scoped annotation of the demo corpus (when
``newskit.datasets`` is available), the seed article, and a handful of short synthetic articles
for the cache tests.
"""
from __future__ import annotations

import urllib.parse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import newskit
from newskit.analysis import cooccurrence, entity_frequency, kwic
from newskit.annotations import Annotations
from newskit.pipeline import annotate, annotate_partition
from newskit.pipeline import model as model_mod
from newskit.pipeline import steps as steps_mod


def read_native(folder: Path) -> pd.DataFrame:
    """Articles from native files (load_corpus when available)."""
    try:
        from newskit import load_corpus
        return load_corpus(folder)
    except (ImportError, AttributeError):
        pass
    rows = []
    for p in sorted(Path(folder).glob("*.txt")):
        lines = p.read_text(encoding="utf-8").rstrip("\n").split("\n")
        host = urllib.parse.urlparse(lines[2]).netloc.removeprefix("www.")
        rows.append({"article_id": p.stem, "title": lines[0],
                     "date": pd.to_datetime(lines[1], format="%Y%m%d"), "url": lines[2],
                     "source": host, "outlet": host, "text": "\n".join(lines[3:])})
    return pd.DataFrame(rows)


SYNTH = [
    "Vladimir Putin met Emmanuel Macron in Moscow on Monday. Putin said Russia wanted talks.",
    "Ukrainian President Volodymyr Zelenskyy spoke in Kyiv. Zelenskyy thanked the European Union.",
    "Officials in Kiev said Russian troops left Kharkov.\nThe mayor of Odessa, Gennadiy Trukhanov, agreed.",
    "NATO Secretary General Jens Stoltenberg visited Poland. Stoltenberg met Andrzej Duda in Warsaw.",
]


def synth_articles(n=4):
    return pd.DataFrame({"article_id": [f"s{i}" for i in range(n)], "text": SYNTH[:n],
                         "date": pd.to_datetime(["2022-03-01", "2022-03-02", "2022-04-10", None][:n]),
                         "source": ["a.com", "b.com", "a.com", "b.com"][:n],
                         "title": [f"T{i}" for i in range(n)]})


def check_offsets(ann: Annotations) -> None:
    """Offsets index the article's text, or its title for rows ``in_title`` (the data model's rule)."""
    texts = dict(zip(ann.articles["article_id"], ann.articles["text"]))
    titles = dict(zip(ann.articles["article_id"], ann.articles["title"])) if "title" in ann.articles else {}

    def src(a, t):
        return (titles.get(a) or "") if t else texts[a]

    s = ann.sentences
    st = s["in_title"] if "in_title" in s else [False] * len(s)
    assert (s["text"] == [src(a, t)[b:e] for a, b, e, t in zip(s["article_id"], s["start"], s["end"], st)]).all()
    m = ann.mentions
    assert len(m) > 0
    mt = m["in_title"] if "in_title" in m else [False] * len(m)
    assert (m["text"] == [src(a, t)[b:e] for a, b, e, t in zip(m["article_id"], m["start"], m["end"], mt)]).all()
    joined = m.merge(s, on=["article_id", "sent_id"], suffixes=("", "_s"), how="left", validate="many_to_one")
    assert joined["start_s"].notna().all()
    if "in_title" in m:
        assert (joined["in_title"] == joined["in_title_s"]).all()
    assert ((joined["start"] >= joined["start_s"]) & (joined["end"] <= joined["end_s"])).all()
    assert {"actor", "actor_type", "label"} <= set(m.columns)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1), cache


@pytest.fixture(scope="session")
def demo_ann(tmp_path_factory):
    pytest.importorskip("newskit.datasets")
    from newskit.datasets import demo_corpus

    folder = demo_corpus(tmp_path_factory.mktemp("demo_ent") / "corpus")
    return annotate(read_native(folder), cache_dir=tmp_path_factory.mktemp("democache"),
                    progress=False, n_process=1)


def test_offsets_synthetic(synth):
    ann, _ = synth
    check_offsets(ann)
    actors = set(ann.mentions["actor"])
    assert {"Vladimir Putin", "Volodymyr Zelensky", "Kyiv", "Kharkiv", "Odesa", "Russia"} <= actors
    assert "Kiev" not in actors and "Zelenskyy" not in actors and "Putin" not in actors


def test_offsets_seed(shared, tmp_path):
    arts = read_native(shared("seeds"))
    ann = annotate(arts, cache=False, progress=False, n_process=1)
    check_offsets(ann)


def test_offsets_demo(demo_ann):
    check_offsets(demo_ann)


def test_demo_planted_signals(demo_ann):
    from newskit.datasets import DEMO_TRUTH as truth

    m = demo_ann.mentions
    # spelling variants (one outlet's transliteration) merged into one actor
    for canonical, forms in truth["variants"].items():
        rows = m[m["text"].isin(list(forms))]
        assert len(rows) and rows["actor"].nunique() == 1, (canonical, rows["actor"].unique())
        assert rows["actor"].iloc[0] == canonical
    # demonyms → their country
    for demonym, country in truth["demonyms"].items():
        rows = m[m["text"] == demonym]
        if len(rows):
            assert set(rows["actor"]) == {country}, demonym
    # the strongly co-occurring pair has the highest PMI among frequent person pairs
    a, b = sorted(truth["cooccurring_pair"])
    co = cooccurrence(demo_ann, within="sentence", top=None, types="person", min_count=5)
    hit = co[(co["actor_a"] == a) & (co["actor_b"] == b)]
    assert len(hit) == 1 and hit["pmi"].iloc[0] == co["pmi"].max()
    # the spike city peaks in the planted week
    spike = truth["spike_city"]
    weekly = entity_frequency(demo_ann, by="week")
    city = weekly[weekly["actor"] == spike["actor"]]
    peak = city.loc[city["mentions"].idxmax(), "week"]
    assert peak == pd.Timestamp(spike["week"])
    # full names absorb short names and titles
    freq = entity_frequency(demo_ann)
    assert "Dornakov" not in set(freq["actor"]) and "Yevgeny Dornakov" in set(freq["actor"])


def test_cache_hit_miss_and_incremental(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    ann = annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1)
    assert ann.meta["n_annotated"] == 4

    def boom(*a, **k):
        raise AssertionError("model loaded on a cache hit")

    monkeypatch.setattr(model_mod, "load_model", boom)
    again = annotate(synth_articles(), cache_dir=cache, progress=False)
    assert again.meta["n_annotated"] == 0 and again.meta["n_cached"] == 4
    pd.testing.assert_frame_equal(again.mentions, ann.mentions)
    pd.testing.assert_frame_equal(again.sentences, ann.sentences)
    monkeypatch.undo()
    # a new article: only it is annotated; a changed text: only it is re-annotated
    arts = synth_articles()
    extra = pd.DataFrame({"article_id": ["new"], "text": ["Olaf Scholz flew to Kyiv."],
                          "date": [pd.Timestamp("2022-06-16")], "source": ["c.com"], "title": ["N"]})
    arts = pd.concat([arts, extra], ignore_index=True)
    arts.loc[0, "text"] = arts.loc[0, "text"] + " Dmitry Peskov disagreed."
    res = annotate(arts, cache_dir=cache, progress=False, n_process=1)
    assert res.meta["n_annotated"] == 2 and res.meta["n_cached"] == 3
    assert "Olaf Scholz" in set(res.mentions["actor"])
    check_offsets(res)


def _ran(ann) -> dict[str, int]:
    return {s["name"]: s["annotated"] for s in ann.meta["steps"]}


def test_cache_invalidation_on_settings(synth, monkeypatch, tmp_path):
    ann, cache = synth
    real = model_mod.model_identity
    monkeypatch.setattr(model_mod, "model_identity", lambda m=None: dict(real(m), model_version="9.9.9"))
    res = annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1)
    assert res.meta["n_annotated"] == 4
    # a new spaCy model re-runs NER and what reads its mentions, not sentence splitting or VADER
    assert _ran(res) == {"sentences": 0, "entities": 4, "span_repair": 4, "terms": 4, "quotes": 4,
                         "sentence_sentiment": 0, "mention_sentiment": 4, "dates": 0}


def test_switching_the_sentiment_model_reruns_only_that_step(synth, monkeypatch):
    ann, cache = synth

    def boom(*a, **k):
        raise AssertionError("spaCy loaded although only the sentiment step changed")

    monkeypatch.setattr(model_mod, "load_model", boom)
    res = annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1, sentiment_model="sentence")
    assert _ran(res) == {"sentences": 0, "entities": 0, "span_repair": 0, "terms": 0, "quotes": 0,
                         "sentence_sentiment": 0, "mention_sentiment": 4, "dates": 0}
    pd.testing.assert_frame_equal(res.sentences, ann.sentences)
    pd.testing.assert_frame_equal(res.mentions.drop(columns=["score", "sentiment"]),
                                  ann.mentions.drop(columns=["score", "sentiment"]))
    assert not res.mentions["score"].equals(ann.mentions["score"])
    assert res.meta["sentiment_model"] == "sentence"


def test_a_new_step_is_one_entry_and_runs_alone(synth, monkeypatch):
    ann, cache = synth

    def words(batch):
        s = batch.tables["sentences"]
        batch.tables["sentences"] = s.assign(n_chars=(s["end"] - s["start"]).astype("int64"))

    monkeypatch.setattr(model_mod, "load_model", lambda *a, **k: (_ for _ in ()).throw(AssertionError("NER")))
    steps = steps_mod.default_steps() + [steps_mod.Step("chars", "1", ("sentences.start", "sentences.end"),
                                                        ("sentences.n_chars",), words)]
    res = annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1, steps=steps)
    assert _ran(res)["chars"] == 4 and sum(_ran(res).values()) == 4
    assert (res.sentences["n_chars"] == res.sentences["text"].str.len()).all()
    again = annotate(synth_articles(), cache_dir=cache, progress=False, n_process=1, steps=steps)
    assert sum(_ran(again).values()) == 0
    pd.testing.assert_frame_equal(again.sentences, res.sentences)


def test_a_step_reading_what_no_step_writes_is_refused():
    bad = steps_mod.default_steps() + [steps_mod.Step("x", "1", ("topics.start",), ("topics",), lambda b: None)]
    with pytest.raises(ValueError, match="requires 'topics.start'"):
        steps_mod.chain_hashes(bad)


def test_corrupt_and_partial_cache_rebuilt(synth, tmp_path):
    _, _ = synth
    cache = tmp_path / "c"
    first = annotate(synth_articles(2), cache_dir=cache, progress=False, n_process=1)
    shard = next(Path(first.meta["cache_dir"]).glob("steps/entities-*/shard-*"))
    (shard / "mentions.parquet").write_bytes(b"not parquet at all")
    (shard.parent / ".tmp-shard-partial").mkdir()  # an interrupted write
    with pytest.warns(UserWarning, match="corrupt"):
        again = annotate(synth_articles(2), cache_dir=cache, progress=False, n_process=1)
    assert again.meta["n_annotated"] == 2
    pd.testing.assert_frame_equal(again.mentions, first.mentions)
    # a truncated manifest is also detected
    shard = next(Path(again.meta["cache_dir"]).glob("steps/entities-*/shard-*"))
    (shard / "manifest.json").write_text("{")
    with pytest.warns(UserWarning):
        third = annotate(synth_articles(2), cache_dir=cache, progress=False, n_process=1)
    assert third.meta["n_annotated"] == 2


def test_save_load_filter_repr(synth, tmp_path):
    ann, _ = synth
    ann.save(tmp_path / "ann")
    back = Annotations.load(tmp_path / "ann")
    pd.testing.assert_frame_equal(back.mentions, ann.mentions)
    assert repr(back).startswith("Annotations(articles=4, sentences=")
    sub = ann.filter(date_from="2022-03-02", date_to="2022-12-31")
    assert set(sub.articles["article_id"]) == {"s1", "s2"}
    # whole days, inclusive: an article at 14:00 on date_to is kept
    late = ann.replace(articles=ann.articles.assign(date=ann.articles["date"] + pd.Timedelta(hours=14)))
    assert set(late.filter(date_to="2022-03-02").articles["article_id"]) == {"s0", "s1"}
    assert set(sub.mentions["article_id"]) <= {"s1", "s2"}
    assert set(ann.filter(sources=["a.com"]).articles["article_id"]) == {"s0", "s2"}


def test_tables(synth):
    ann, _ = synth
    f = entity_frequency(ann)
    assert list(f.columns) == ["actor", "actor_type", "mentions", "articles", "share"]
    assert f["mentions"].is_monotonic_decreasing
    assert (f["share"] <= 1).all()
    assert set(entity_frequency(ann, types="person")["actor_type"]) == {"person"}
    with pytest.warns(UserWarning, match="1 of 4 articles have no date"):
        bym = entity_frequency(ann, by="month")
    assert set(bym["month"].dt.month) == {3, 4}
    with pytest.warns(UserWarning, match="no date"):
        cross = entity_frequency(ann, by=["source", "month"])
    assert list(cross.columns[:3]) == ["source", "month", "actor"]
    a_march = cross[(cross["source"] == "a.com") & (cross["month"] == pd.Timestamp("2022-03-01"))]
    assert (a_march["n_articles"] == 1).all() and len(a_march) > 0
    bys = entity_frequency(ann, by="source", top=5)
    assert {"source", "n_articles", "share"} <= set(bys.columns)
    co = cooccurrence(ann, within="sentence", top=None)
    assert {"actor_a", "actor_b", "count", "pmi", "jaccard"} <= set(co.columns)
    row = co[(co["actor_a"] == "Emmanuel Macron") & (co["actor_b"] == "Vladimir Putin")]
    assert row["count"].iloc[0] == 1
    coa = cooccurrence(ann, within="article", top=None)
    assert (coa["jaccard"] <= 1).all()
    k = kwic(ann, "Zelenskyy", width=20)
    assert list(k.columns) == ["article_id", "title", "date", "source", "left", "keyword", "right", "start", "end"]
    assert len(k) >= 1 and k["keyword"].str.contains("Zelenskyy").all()


def test_public_names_are_the_layered_implementations():
    from newskit.analysis import frequency

    assert newskit.annotate is annotate and newskit.Annotations is Annotations
    assert newskit.entity_frequency is frequency.entity_frequency and newskit.kwic is frequency.kwic


def test_annotate_partition_is_plain(synth):
    out = annotate_partition(synth_articles(2))
    assert set(out) == {"sentences", "mentions", "dates", "quotes"}
    assert out["mentions"]["article_id"].isin(["s0", "s1"]).all()


def test_default_sentiment_model_recovers_the_planted_shift(demo_ann):
    """The default model (the transformer) finds DEMO_TRUTH's sentiment shift: the planted actor is
    portrayed positively before the event month and negatively after it; the largest month-to-month
    change lands on the event month or the month after; the steady actor changes less."""
    from newskit import actor_sentiment
    from newskit.datasets import DEMO_TRUTH
    from newskit.pipeline.steps import DEFAULT_SENTIMENT_MODEL

    truth = DEMO_TRUTH["sentiment_shift"]
    assert demo_ann.meta["sentiment_model"] == DEFAULT_SENTIMENT_MODEL == "transformer"
    res = actor_sentiment(demo_ann, by="month", actors=[truth["actor"], truth["steady_actor"]],
                          min_mentions=3, n_boot=200).set_index(["actor", "month"])["mean"]
    event = pd.Timestamp(truth["month"] + "-01")
    sign = {"positive": 1, "negative": -1}
    monthly = res.loc[truth["actor"]]
    before, after = monthly[monthly.index < event].mean(), monthly[monthly.index > event].mean()
    assert np.sign(before) == sign[truth["before"]] and np.sign(after) == sign[truth["after"]], monthly
    jump = monthly.diff().abs().idxmax()
    assert event <= jump <= event + pd.offsets.MonthBegin(1), monthly
    steady = res.loc[truth["steady_actor"]]
    assert abs(steady[steady.index > event].mean() - steady[steady.index < event].mean()) < before - after


def test_auto_model_prefers_a_larger_official_pipeline(monkeypatch):
    """model=None / "auto": an installed official en_core_web_md/lg wins over sm and the pinned fallback."""
    import importlib.util

    from newskit.pipeline import model as M

    real = importlib.util.find_spec
    installed = {"en_core_web_sm", "en_core_web_md"}
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name in installed else
                        (None if name.startswith("en_core_web_") and name != M._FALLBACK_MODEL else real(name, *a)))
    assert M.default_model_name() == "en_core_web_md"
    installed.add("en_core_web_lg")
    assert M.default_model_name() == "en_core_web_lg"
    installed.clear()
    assert M.default_model_name() == M._FALLBACK_MODEL
