"""The validation loop on an annotations folder (newskit.validation._sql, DuckDB): the sample, the corpus
fingerprint, the agreement and the corrected estimates equal those of the same annotations in memory."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import newskit
from newskit import validation as V
from newskit.analysis.parquet import PartsFolder
from newskit.annotations import Annotations


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    from newskit.datasets import demo_corpus
    from newskit.pipeline import annotate_to

    base = tmp_path_factory.mktemp("demo")
    arts = newskit.load_corpus(demo_corpus(base / "corpus")).head(80).reset_index(drop=True)
    folder = annotate_to(arts, base / "parts", part_size=30, n_process=1, cache_dir=base / "cache", progress=False)
    pf = PartsFolder(folder)
    yield Annotations.load(folder), pf
    pf.close()


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got.attrs == want.attrs


@pytest.mark.parametrize("kw", [
    dict(n=40),
    dict(n=25, by="actor", top=3, seed=5),
    dict(n=60, by=["actor", "outlet"], top=None, allocation="proportional", seed=2),
    dict(n=30, by="outlet", top=4, allocation="sqrt", min_per_stratum=1),
    dict(n=10_000, by=None, top=2),  # every item
])
def test_sample_of_a_folder_equals_the_in_memory_sample(both, kw):
    mem, pf = both
    _same(V.sample(pf, **kw), V.sample(mem, **kw))


def test_sample_with_named_actors_and_a_window(both):
    mem, pf = both
    top = V.sample(mem, n=5, top=3).attrs["actors"]
    _same(V.sample(pf, n=20, actors=top[:2]), V.sample(mem, n=20, actors=top[:2]))
    d = mem.articles["date"].dropna().sort_values()
    lo, hi = str(d.iloc[len(d) // 4].date()), str(d.iloc[3 * len(d) // 4].date())
    _same(V.sample(pf.filter(date_from=lo, date_to=hi), n=30),
          V.sample(mem.filter(date_from=lo, date_to=hi), n=30))
    with pytest.raises(ValueError, match="actors not in the annotations: \\['Nobody Atall'\\]"):
        V.sample(pf, actors=["Nobody Atall"])
    with pytest.raises(ValueError, match="by='nope'"):
        V.sample(pf, by="nope")


def test_fingerprint_of_a_folder_equals_in_memory(both):
    mem, pf = both
    assert V.corpus_fingerprint(pf) == V.corpus_fingerprint(mem)
    d = mem.articles["date"].dropna().sort_values()
    lo = str(d.iloc[len(d) // 2].date())
    assert V.corpus_fingerprint(pf.filter(date_from=lo)) == V.corpus_fingerprint(mem.filter(date_from=lo))
    assert V.corpus_fingerprint(pf.filter(date_from=lo)) != V.corpus_fingerprint(pf)


def test_items_are_the_same_sentence_text_whatever_its_spacing_and_case(tmp_path):
    """Invented sentences: the same sentence (spacing, case aside) about the same actor is one item, on both
    paths; its stratum is its first mention's (article id, then offset)."""
    sents = ["Ana won the vote.", "ANA  won the vote.", "Bo met Ana.", "Ana won   the vote.", "Bo left."]
    arts = pd.DataFrame({"article_id": ["b1", "a1", "a2", "c1", "c2"], "outlet": ["X", "Y", "X", "Y", "Y"],
                         "text": sents, "date": pd.to_datetime(["2024-01-01"] * 5)})
    sentences = pd.DataFrame({"article_id": arts["article_id"], "sent_id": [0] * 5, "start": [0] * 5,
                              "end": [len(s) for s in sents], "text": sents})
    men = pd.DataFrame({"article_id": ["b1", "a1", "a2", "a2", "c1", "c2"], "sent_id": [0] * 6,
                        "start": [0, 0, 0, 7, 0, 0], "end": [3, 3, 2, 10, 3, 2],
                        "text": ["Ana", "ANA", "Bo", "Ana", "Ana", "Bo"], "label": ["PERSON"] * 6,
                        "actor": ["Ana", "Ana", "Bo", "Ana", "Ana", "Bo"], "actor_type": ["person"] * 6,
                        "score": [0.5, 0.4, 0.1, -0.2, np.nan, 0.3],
                        "sentiment": ["positive", "positive", "neutral", "negative", None, "positive"]})
    mem = Annotations(articles=arts, sentences=sentences, mentions=men)
    with PartsFolder(mem.save(tmp_path / "toy")) as pf:
        want = V.sample(mem, n=10, by=["actor", "outlet"], top=None)
        got = V.sample(pf, n=10, by=["actor", "outlet"], top=None)
        _same(got, want)
    ana = got[got["actor"] == "Ana"].set_index("article_id")
    # a1's and b1's sentences are one item (first: a1, outlet Y, 2 mentions); c1's has no score
    assert sorted(ana.index) == ["a1", "a2"] and ana.loc["a1", "n_mentions"] == 2
    assert ana.loc["a1", "stratum"] == "Ana | Y"


def test_agreement_and_corrected_of_a_folder_equal_in_memory(both, tmp_path):
    mem, pf = both
    s = V.sample(pf, n=40, top=3)
    cycle = ["negative", "neutral", "positive", "neutral", "skip"]
    ses = V.LabelSession(s, tmp_path / "lab", annotator="ada")
    for k in range(30):
        ses.answer(cycle[k % len(cycle)])
    lab = V.read_labels(tmp_path / "lab", sample=s)
    got, want = V.agreement(pf, lab), V.agreement(mem, lab)
    for k in want:
        if isinstance(want[k], pd.DataFrame):
            pd.testing.assert_frame_equal(got[k], want[k])
    for by in ("actor", ["actor", "outlet"]):
        pd.testing.assert_frame_equal(V.corrected(pf, lab, sample=s, by=by), V.corrected(mem, lab, sample=s, by=by))
    other = pf.filter(date_from=str(mem.articles["date"].dropna().sort_values().iloc[-5].date()))
    with pytest.raises(ValueError, match="another corpus"):
        V.corrected(other, lab, sample=s)
