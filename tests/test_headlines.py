"""Headlines (issue 15): titles annotated as sentences of their own (``in_title``), their mentions offset
into ``articles.title``, counted separately (``where="body"`` by default) — built from invented sentences."""
from __future__ import annotations

import pandas as pd
import pytest

import newskit
from newskit.analysis import (actor_sentiment, compare_sources, cooccurrence, entity_frequency, kwic,
                              mention_examples, timeline)

ARTICLES = [
    # a country-prefixed title + name, a place
    ("h1", "President of Ukraine Ivana Korsak visits Lviv",
     "Ivana Korsak arrived in Lviv on Monday. The mayor of Lviv, Petro Danko, welcomed her at the station.",
     "2024-03-04", "north.example"),
    # a phrase actor of the starter file (a term) in the title and in the text
    ("h2", "Berlin talks on denazification claims stall",
     "Officials met in Berlin for a second day. Marta Vogel called the denazification claim absurd.",
     "2024-03-05", "north.example"),
    # a quote in the title: quotes are found in the text only
    ("h3", 'Marta Vogel: "Lviv will be rebuilt"',
     '"We will rebuild every school," Marta Vogel said in Lviv. Ivana Korsak agreed with her.',
     "2024-03-05", "south.example"),
    # no title, an empty title
    ("h4", None, "Ivana Korsak spoke in Kyiv about the harvest. Farmers in Kyiv listened.", "2024-03-06",
     "south.example"),
    ("h5", "", "Berlin hosted a summit on grain. Marta Vogel chaired it.", "2024-03-06", "north.example"),
    ("h6", "Korsak and Vogel meet in Berlin",
     "The two ministers met in Berlin on Tuesday. Ivana Korsak praised the talks.", "2024-03-07",
     "south.example"),
]


def _articles(with_titles: bool = True) -> pd.DataFrame:
    a = pd.DataFrame(ARTICLES, columns=["article_id", "title", "text", "date", "source"])
    a["date"] = pd.to_datetime(a["date"])
    a["outlet"] = a["source"].str.split(".").str[0].str.title()
    return a if with_titles else a.drop(columns="title")


@pytest.fixture(scope="module")
def anns(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    titled = newskit.annotate(_articles(), progress=False, n_process=1, cache_dir=cache)
    plain = newskit.annotate(_articles(False), progress=False, n_process=1, cache_dir=cache)
    return titled, plain


def _title(ann, aid):
    t = ann.articles.set_index("article_id")["title"].get(aid)
    return t if isinstance(t, str) else ""


def test_titles_are_sentences_with_negative_ids_and_title_offsets(anns):
    ann, _ = anns
    s = ann.sentences
    assert s["in_title"].dtype == bool
    a = ann.articles.set_index("article_id")
    for aid, g in s.groupby("article_id"):
        t = g[g["in_title"]]
        b = g[~g["in_title"]]
        assert t["sent_id"].tolist() == list(range(-len(t), 0)), aid
        assert b["sent_id"].tolist() == list(range(len(b))), aid
        assert all(_title(ann, aid)[x:y] == txt for x, y, txt in zip(t["start"], t["end"], t["text"]))
        assert all(a.loc[aid, "text"][x:y] == txt for x, y, txt in zip(b["start"], b["end"], b["text"]))
    titled = set(s.loc[s["in_title"], "article_id"])
    assert titled == {"h1", "h2", "h3", "h6"}  # no title, empty title: no title sentence
    # the title sentences are scored by VADER like the text's
    assert s.loc[s["in_title"], "compound"].notna().all()


def test_title_mentions_index_the_title_and_lie_in_title_sentences(anns):
    ann, _ = anns
    m, s = ann.mentions, ann.sentences
    assert m["in_title"].dtype == bool and m["in_title"].any()
    a = ann.articles.set_index("article_id")
    for r in m.itertuples():
        src = _title(ann, r.article_id) if r.in_title else a.loc[r.article_id, "text"]
        assert src[r.start:r.end] == r.text, r
    j = m.merge(s[["article_id", "sent_id", "start", "end", "in_title"]], on=["article_id", "sent_id"],
                suffixes=("", "_s"), how="left")
    assert (j["in_title"] == j["in_title_s"]).all()
    assert ((j["start"] >= j["start_s"]) & (j["end"] <= j["end_s"])).all()
    # rows in article order, each title's before its text's
    order = {aid: i for i, aid in enumerate(ann.articles["article_id"])}
    key = list(zip(m["article_id"].map(order), ~m["in_title"]))
    assert key == sorted(key)


def test_headlines_are_counted_separately_by_default(anns):
    ann, plain = anns
    body = entity_frequency(ann)
    pd.testing.assert_frame_equal(body, entity_frequency(plain))  # titles change no body figure
    assert body.equals(entity_frequency(ann, where="body"))
    heads = entity_frequency(ann, where="title").set_index("actor")
    assert heads.loc["Berlin", "mentions"] == 2 and heads.loc["Berlin", "articles"] == 2
    assert heads.loc["Berlin", "share"] == pytest.approx(2 / 6)
    every = entity_frequency(ann, where="all").set_index("actor")["mentions"]
    both = body.set_index("actor")["mentions"].add(heads["mentions"], fill_value=0)
    assert every.sort_index().tolist() == both.sort_index().astype("int64").tolist()
    by = entity_frequency(ann, by="outlet", where="title")
    assert set(by.loc[by["actor"] == "Berlin", "outlet"]) == {"North", "South"}
    with pytest.raises(ValueError, match="where must be 'body', 'title' or 'all'"):
        entity_frequency(ann, where="headline")


def test_span_repair_sees_the_title_as_its_own_text():
    """A "<Country> <Name>" span of a title is split with offsets into the title; a text mention at the
    same offsets is repaired against the text (not the title)."""
    from newskit.pipeline.steps import Batch, _span_repair

    title = "President of Ukraine Ivana Korsak visits Lviv"
    text = "Quiet day. Officials in Lviv met the press on Monday at noon."
    arts = pd.DataFrame({"article_id": ["x"], "title": [title], "text": [text]})
    m = pd.DataFrame({"article_id": ["x", "x", "x"], "sent_id": [-1, -1, 1], "start": [13, 41, 24],
                      "end": [33, 45, 28], "text": ["Ukraine Ivana Korsak", "Lviv", "Lviv"],
                      "label": ["GPE", "GPE", "GPE"], "in_title": [True, True, False]})
    b = Batch(articles=arts, tables={"mentions": m})
    _span_repair(b)
    out = b.tables["mentions"]
    assert out["in_title"].tolist() == [True, True, True, False]
    assert out["text"].tolist() == ["Ukraine", "Ivana Korsak", "Lviv", "Lviv"]
    assert out["label"].tolist()[:2] == ["GPE", "PERSON"] and out["sent_id"].tolist() == [-1, -1, -1, 1]
    for r in out.itertuples():
        assert (title if r.in_title else text)[r.start:r.end] == r.text
    assert out["place_cue"].tolist() == [0, 0, 0, 1]  # "in Lviv" is a place context of the text only


def test_terms_are_matched_in_titles(anns):
    ann, _ = anns
    m = ann.mentions
    term = m[(m["article_id"] == "h2") & (m["label"] == "TERM")]
    assert sorted(term["in_title"].tolist()) == [False, True]
    tt = term[term["in_title"]].iloc[0]
    assert _title(ann, "h2")[tt["start"]:tt["end"]] == "denazification" and tt["sent_id"] == -1
    assert tt["actor_type"] == "term"


def test_quotes_are_found_in_the_text_only(anns):
    ann, plain = anns
    q = ann.quotes
    a = ann.articles.set_index("article_id")
    assert len(q) and all(0 <= s < e <= len(a.loc[aid, "text"]) for aid, s, e in zip(q["article_id"], q["start"], q["end"]))
    cols = ["article_id", "quote_id", "start", "end", "speaker", "kind", "actor"]
    pd.testing.assert_frame_equal(q[cols].reset_index(drop=True), plain.quotes[cols].reset_index(drop=True))
    t = ann.mentions[ann.mentions["in_title"]]
    assert (t["in_quote_of"] == -1).all() and not t["is_speaker"].any()
    # Marta Vogel heads h3 ('Marta Vogel: "…"'): scored as a portrayal there, as a speaker nowhere in it
    assert t.loc[t["article_id"] == "h3", "score"].notna().all()


def test_kwic_and_examples_slice_the_title_for_title_rows(anns):
    ann, plain = anns
    k = kwic(ann, "Berlin", where="title", width=12)
    assert len(k) == 2 and (k["keyword"] == "Berlin").all()
    row = k[k["article_id"] == "h6"].iloc[0]
    assert row["left"] == "and Vogel meet in "[-12:] and row["right"] == ""
    pd.testing.assert_frame_equal(kwic(ann, "Berlin").drop(columns="title"), kwic(plain, "Berlin").drop(columns="title"))
    every = kwic(ann, "Berlin", where="all")
    assert every["in_title"].sum() == 2 and (every["keyword"] == "Berlin").all()
    ex = mention_examples(ann, "Berlin", top=5, where="title")
    assert len(ex) and all(s[a:b] == "Berlin" for s, a, b in zip(ex["sentence"], ex["m_start"], ex["m_end"]))
    assert set(ex["sentence"]) <= set(ann.articles["title"].dropna())


def test_timeline_sentiment_and_cooccurrence_take_where(anns):
    ann, plain = anns
    t = timeline(ann, metric="mentions", actors=["Berlin"], where="title")
    assert t["value"].sum() == 2
    pd.testing.assert_frame_equal(timeline(ann, metric="mentions", by="actor"),
                                  timeline(plain, metric="mentions", by="actor"))
    s = actor_sentiment(ann, where="title", min_mentions=1, errorbar=None).set_index("actor")
    scored = ann.mentions[ann.mentions["in_title"] & ann.mentions["score"].notna()]
    assert s.loc["Berlin", "n"] == (scored["actor"] == "Berlin").sum()
    pd.testing.assert_frame_equal(actor_sentiment(ann, min_mentions=1, errorbar=None),
                                  actor_sentiment(plain, min_mentions=1, errorbar=None))
    c = compare_sources(ann, "Berlin", by="outlet", where="title", min_mentions=1, errorbar=None)
    assert c["n"].sum() == 2
    co = cooccurrence(ann, where="title", top=None)
    pair = co[(co["actor_a"] == "Berlin") | (co["actor_b"] == "Berlin")]
    assert len(pair) and pair["count"].max() <= 2
    pd.testing.assert_frame_equal(cooccurrence(ann), cooccurrence(plain))


def test_validation_samples_body_mentions_with_body_context(anns):
    from newskit.validation import sample

    ann, plain = anns
    s = sample(ann, n=50, by="actor", top=None)
    assert len(s) and all(t[a:b] == x for t, a, b, x in zip(s["sentence"], s["target_start"], s["target_end"],
                                                             s["target"]))
    assert (s["sent_id"] >= 0).all()
    first = s[s["sent_id"] == 0]
    assert (first["context_before"] == "").all()  # the headline is not the sentence before the first


def test_a_changed_title_is_annotated_again(tmp_path):
    a = _articles().iloc[[5]].reset_index(drop=True)
    one = newskit.annotate(a, progress=False, n_process=1, cache_dir=tmp_path)
    b = a.assign(title=["Korsak and Vogel meet in Lviv"])
    two = newskit.annotate(b, progress=False, n_process=1, cache_dir=tmp_path)
    heads = lambda ann: sorted(ann.mentions.loc[ann.mentions["in_title"], "actor"])  # noqa: E731
    assert "Berlin" in heads(one) and "Lviv" in heads(two) and "Berlin" not in heads(two)
    body = lambda ann: ann.mentions.loc[~ann.mentions["in_title"], ["start", "end", "actor"]].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(body(one), body(two))


def test_demo_headlines_name_the_planted_leader(demo_dir, tmp_path):
    """The demo corpus' leader_s titles all name Lisovsky: the title counts per outlet find them."""
    from newskit.datasets import DEMO_TRUTH

    truth = DEMO_TRUTH["headlines"]
    arts = newskit.load_corpus(demo_dir).head(150).reset_index(drop=True)
    ann = newskit.annotate(arts, progress=False, cache_dir=tmp_path)
    named = arts[arts["title"].str.contains("|".join(truth["forms"]), regex=True)]
    want = named.groupby("outlet").size()
    assert want.sum() >= 5
    got = entity_frequency(ann, by="outlet", where="title")
    got = got[got["actor"] == truth["actor"]].set_index("outlet")["articles"]
    assert got.sum() >= 0.9 * want.sum()
    assert (got.reindex(want.index, fill_value=0) <= want).all()
