"""Sentence sentiment, target-aware scoring, aggregation (newskit.sentiment)."""
from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from newskit import sentiment as S
from newskit.analysis import actor_sentiment, compare_sources
from newskit.sentiment import score_mentions, score_targets, sentence_sentiment
from newskit.sentiment.target_model import _model
from newskit.sentiment.vader import _analyzer

TEXTS = [
    "The talks were a success.",
    "The talks were not a success.",
    "VERY GOOD news for the city!!",
    "It was kind of bad, but the ending was GREAT :)",
    "Never so happy; at least not sad.",
    "He isn't the worst, yeah right.",
    "",
    "a",
    "'Quoted', (bracketed) and --dashed-- words... ok?? really???",
    "The bomb was the bomb, cut the mustard, kiss of death.",
]


# --------------------------------------------------------------------------- sentence sentiment
def test_sentence_sentiment_matches_nltk_and_vadersentiment():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as Reference

    df = sentence_sentiment(TEXTS)
    assert list(df.columns) == ["compound", "pos", "neg", "neu"] and len(df) == len(TEXTS)
    sia = _analyzer().sia  # NLTK's own analyzer with the same lexicon
    ref = Reference()
    for text, row in zip(TEXTS, df.itertuples()):
        d = sia.polarity_scores(text)
        assert (row.compound, row.pos, row.neg, row.neu) == (d["compound"], d["pos"], d["neg"], d["neu"])
    for text in TEXTS[:3]:  # plain sentences: identical to the vaderSentiment package too
        assert df["compound"][TEXTS.index(text)] == pytest.approx(ref.polarity_scores(text)["compound"], abs=1e-4)


def test_sentence_sentiment_fuzz_equals_nltk():
    sia = _analyzer().sia
    rng = np.random.default_rng(0)
    vocab = ["good", "bad", "not", "never", "so", "this", "very", "kind", "of", "but", "least", "at",
             "GREAT", "HORRIBLE", "the", "shit", "bomb", "cut", "mustard", "n't", "isn't", "(good)", "bad,",
             "-", "!", "?", ":)", "'nice'", "sort", "hardly", "no", "Good", "BAD"]
    for _ in range(400):
        text = " ".join(rng.choice(vocab, size=rng.integers(1, 14)))
        d = sia.polarity_scores(text)
        assert _analyzer().scores(text) == (d["compound"], d["pos"], d["neg"], d["neu"]), text


def test_sentence_sentiment_series_index_and_empty():
    s = pd.Series(["good", "bad"], index=[10, 20])
    assert list(sentence_sentiment(s).index) == [10, 20]
    empty = sentence_sentiment([])
    assert list(empty.columns) == ["compound", "pos", "neg", "neu"] and len(empty) == 0


# --------------------------------------------------------------------------- target scoring
def _labels(text, targets, method=None):
    spans = [(m.start(), m.end()) for t in targets for m in [re.search(re.escape(t), text)]]
    return score_targets(text, spans, method=method)["sentiment"].tolist()


def test_score_targets_columns_and_range():
    df = score_targets("Critics attacked Smith over the scandal.", [(17, 22), (0, 7)])
    assert list(df.columns) == ["start", "end", "score", "sentiment"]
    assert df["score"].between(-1, 1).all() and set(df["sentiment"]) <= set(S.LABELS)
    assert len(score_targets("No targets.", [])) == 0


@pytest.mark.parametrize("method", ["model", "sentence"])
def test_negation_flips(method):
    pos = score_targets("Smith did a great job.", [(0, 5)], method=method)["score"][0]
    neg = score_targets("Smith did not do a great job.", [(0, 5)], method=method)["score"][0]
    assert pos > 0 and neg < pos


def test_two_targets_opposite_labels():
    text = "Smith praised the brave nurses, while Jones was accused of fraud and corruption."
    assert _labels(text, ["Smith", "Jones"]) == ["positive", "negative"]
    text = "Jones lost badly, but Smith won the election."
    assert _labels(text, ["Jones", "Smith"]) == ["negative", "positive"]


@pytest.mark.parametrize("text", [
    "Smith was praised as a hero, while Jones was accused of fraud.",
    "Jones was accused of fraud, while Smith was praised as a hero.",
    "Smith won the election, but Jones lost badly.",
    "Smith, a respected leader, met Jones, who is accused of war crimes.",
])
def test_two_targets_are_told_apart(text):
    """Known limitation: in a sentence with a strongly negative clause, the praised target is pulled
    towards negative (its label may be negative too), but its score stays clearly above the other's."""
    i, j = text.index("Smith"), text.index("Jones")
    s = score_targets(text, [(i, i + 5), (j, j + 5)])["score"]
    assert s[0] > s[1] + 0.3


def test_known_sentences():
    assert _labels("Smith was praised for her courage and honesty.", ["Smith"]) == ["positive"]
    assert _labels("Smith was arrested and charged with murder.", ["Smith"]) == ["negative"]
    assert _labels("Smith arrived in Paris on Tuesday.", ["Smith"]) == ["neutral"]


def test_long_text_is_scored_per_sentence():
    text = ("Smith was praised for her courage and honesty. " * 3
            + "Jones was arrested and charged with murder. " * 12)
    i = text.rindex("Jones")
    df = score_targets(text, [(0, 5), (i, i + 5)])
    assert df["sentiment"].tolist() == ["positive", "negative"]


def test_fast_model_scoring_equals_feature_reference():
    model = _model()
    cases = [("Critics attacked Smith, but Jones defended him.", [(17, 22), (28, 33)]),
             ("\"Smith is a liar,\" Jones said.", [(1, 6), (19, 24)]),
             ("Smith", [(0, 5)]), ("", [(0, 0)]), ("  Smith  ", [(2, 7)])]
    for text, spans in cases:
        np.testing.assert_allclose(model.score(text, spans)[0], model.score_slow(text, spans)[0], atol=1e-9)
    batch = model.score_batch([t for t, _ in cases], [s for _, s in cases])[0]
    np.testing.assert_allclose(batch, np.concatenate([model.score_slow(t, s)[0] for t, s in cases]), atol=1e-9)


def test_model_file_is_json_not_pickle():
    raw = S.MODEL_PATH.read_bytes()
    assert not raw.startswith(b"\x80")  # no pickle protocol header
    d = json.loads(raw)
    assert len(d["features"]) == len(d["weights"]) and len(d["bias"]) == 3
    assert S.MODEL_PATH.stat().st_size < 5_000_000
    assert d["meta"]["classes"] == ["negative", "neutral", "positive"]


def test_score_mentions_aligned_with_mentions():
    text = "Smith was praised. Jones was arrested and charged with murder."
    sents = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [0, 1], "start": [100, 119],
                          "end": [118, 162], "text": [text[:18], text[19:]]})
    sents = pd.concat([sents, sentence_sentiment(sents["text"])], axis=1)
    ments = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [1, 0, 0], "start": [119, 100, 0],
                          "end": [124, 105, 3], "text": ["Jones", "Smith", "xyz"]}, index=[7, 8, 9])
    out = score_mentions(sents, ments)
    assert list(out.index) == [7, 8, 9] and list(out.columns) == ["score", "sentiment"]
    assert out.loc[7, "sentiment"] == "negative" and out.loc[8, "sentiment"] == "positive"
    assert out.loc[9, "sentiment"] == "neutral"  # mention without a sentence
    alone = score_targets(text[19:], [(0, 5)])["score"][0]
    assert out.loc[7, "score"] == pytest.approx(alone)
    assert len(score_mentions(sents, ments.iloc[:0])) == 0


# --------------------------------------------------------------------------- aggregation
def _mentions():
    rng = np.random.default_rng(1)
    n = 60
    m = pd.DataFrame({
        "article_id": [f"a{i % 20}" for i in range(n)],
        "actor": ["A"] * 40 + ["B"] * 20,
        "score": np.r_[rng.normal(-0.3, 0.2, 40), rng.normal(0.4, 0.2, 20)].clip(-1, 1),
        "source": (["x", "y"] * 30),
        "date": pd.to_datetime(["2023-01-15"] * 30 + ["2023-02-15"] * 30),
    })
    m["sentiment"] = S.label_scores(m["score"], band=0.1)
    return m


def test_actor_sentiment_basic_and_ci_deterministic():
    m = _mentions()
    a = actor_sentiment(m, n_boot=500, seed=3)
    b = actor_sentiment(m, n_boot=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["actor", "n", "n_articles", "mean", "ci_low", "ci_high", "share_negative",
                               "share_neutral", "share_positive"]
    assert a["actor"].tolist() == ["B", "A"]  # by mean, descending
    assert (a["ci_low"] <= a["mean"]).all() and (a["mean"] <= a["ci_high"]).all()
    shares = a[["share_negative", "share_neutral", "share_positive"]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    by_src = actor_sentiment(m, by="source", n_boot=100)
    assert set(by_src.columns) >= {"actor", "source", "n"} and by_src["n"].sum() == 60
    months = actor_sentiment(m, by="month", n_boot=100)
    assert months["month"].dt.month.tolist() == [1, 2, 2]


def test_actor_sentiment_one_and_no_mentions():
    m = _mentions().iloc[:1]
    one = actor_sentiment(m, min_mentions=1)
    assert len(one) == 1 and one["ci_low"][0] == one["mean"][0] == one["ci_high"][0]
    assert len(actor_sentiment(m)) == 0  # below min_mentions
    none = actor_sentiment(m.iloc[:0], by="month")
    assert len(none) == 0 and list(none.columns) == ["actor", "month", "n", "n_articles", "mean", "ci_low", "ci_high",
                                                     "share_negative", "share_neutral", "share_positive"]
    from newskit.actors import UnknownActorError

    with pytest.raises(UnknownActorError):  # no mention of A at all: an error, not an empty table
        compare_sources(m.iloc[:0], "A")


def test_actor_sentiment_nan_dates_warn():
    m = _mentions()
    m.loc[:9, "date"] = pd.NaT
    with pytest.warns(UserWarning, match="10 of 60 mentions have no date"):
        t = actor_sentiment(m, by="week", min_mentions=1, n_boot=50)
    assert t["n"].sum() == 50
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert actor_sentiment(m, min_mentions=1, n_boot=50)["n"].sum() == 60  # no time grouping: kept


def test_compare_sources():
    m = _mentions()
    c = compare_sources(m, "A", n_boot=300)
    assert c["source"].tolist() == ["x", "y"] and (c["ci_low"] <= c["diff"]).all()
    p = compare_sources(m, "A", pairwise=True, n_boot=300)
    assert len(p) == 1
    assert p["diff"][0] == pytest.approx(c.loc[0, "mean"] - c.loc[1, "mean"])


def test_annotations_object_merges_article_columns():
    m = _mentions().drop(columns=["source", "date"])

    class Ann:
        articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(20)],
                                 "source": ["x", "y"] * 10,
                                 "date": pd.to_datetime(["2023-03-01"] * 20)})
        mentions = m

    t = actor_sentiment(Ann(), by="source", min_mentions=1, n_boot=50)
    assert set(t["source"]) == {"x", "y"} and t["n"].sum() == 60


# --------------------------------------------------------------------------- demo corpus
def test_demo_sentiment_shift_recovered():
    """The planted shift (DEMO_TRUTH['sentiment_shift']): sign and month, with the pipeline's scoring."""
    datasets = pytest.importorskip("newskit.datasets")
    from newskit.text import sentence_spans

    truth = datasets.DEMO_TRUTH["sentiment_shift"]
    forms = sorted(truth["surface_forms"], key=len, reverse=True)
    pat = re.compile("|".join(re.escape(f) for f in forms))
    s_rows, m_rows, a_rows = [], [], []
    for k, art in enumerate(datasets.demo_articles()):
        aid = str(k)
        text = "\n".join(art["paragraphs"])
        a_rows.append((aid, pd.Timestamp(art["date"]), art["source"]))
        for i, (s, e) in enumerate(sentence_spans(text)):
            s_rows.append((aid, i, s, e, text[s:e]))
            for mt in pat.finditer(text, s, e):
                m_rows.append((aid, i, mt.start(), mt.end(), mt.group(), truth["actor"]))
    sents = pd.DataFrame(s_rows, columns=["article_id", "sent_id", "start", "end", "text"])
    ments = pd.DataFrame(m_rows, columns=["article_id", "sent_id", "start", "end", "text", "actor"])
    sents = pd.concat([sents, sentence_sentiment(sents["text"])], axis=1)
    ments = pd.concat([ments, score_mentions(sents, ments)], axis=1)
    ments = ments.merge(pd.DataFrame(a_rows, columns=["article_id", "date", "source"]), on="article_id")
    monthly = actor_sentiment(ments, by="month", min_mentions=3, n_boot=200).set_index("month")["mean"]
    event = pd.Timestamp(truth["month"] + "-01")
    before, after = monthly[monthly.index < event], monthly[monthly.index > event]
    sign = {"positive": 1, "negative": -1}
    assert np.sign(before.mean()) == sign[truth["before"]]
    assert np.sign(after.mean()) == sign[truth["after"]]
    # the largest month-to-month change lands on the event month or the month after it
    jump = monthly.diff().abs().idxmax()
    assert event <= jump <= event + pd.offsets.MonthBegin(1)
