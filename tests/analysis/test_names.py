"""Every analysis that takes actor names resolves them through one lookup, and an unknown name fails
loudly with the closest names — never an empty table or a row of zeros that looks like data."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from newskit.actors import UnknownActorError
from newskit.analysis import (actor_sentiment, compare_sources, event_timeline, kwic, mention_examples,
                              timeline)
from newskit.annotations import Annotations

TEXT = "Talks in Kiev stalled. Premier Marta Oskova flew to Kyiv."


def ann():
    arts = pd.DataFrame({"article_id": ["a", "b"], "text": [TEXT, TEXT], "source": ["x.example", "y.example"],
                         "date": pd.to_datetime(["2023-04-03", "2023-04-04"])})
    rows = []
    for aid, score in (("a", -0.4), ("b", 0.3)):
        rows += [(aid, 0, 9, 13, "Kiev", "GPE", "Kyiv", "place", score),
                 (aid, 1, 31, 42, "Marta Oskova", "PERSON", "Marta Oskova", "person", score),
                 (aid, 1, 51, 55, "Kyiv", "GPE", "Kyiv", "place", score)]
    men = pd.DataFrame(rows, columns=["article_id", "sent_id", "start", "end", "text", "label", "actor",
                                      "actor_type", "score"])
    men["sentiment"] = ["negative" if s < 0 else "positive" for s in men["score"]]
    sents = pd.DataFrame({"article_id": ["a", "a", "b", "b"], "sent_id": [0, 1, 0, 1], "start": [0, 23, 0, 23],
                          "end": [22, 56, 22, 56], "text": [TEXT[:22], TEXT[23:], TEXT[:22], TEXT[23:]]})
    return Annotations(articles=arts, sentences=sents, mentions=men)


def test_a_surface_form_resolves_to_its_actor_everywhere():
    a = ann()
    assert actor_sentiment(a, actors=["Kiev"], min_mentions=1)["actor"].tolist() == ["Kyiv"]
    assert set(timeline(a, metric="mentions", by="actor", actors=["kiev"])["actor"]) == {"Kyiv"}
    assert len(kwic(a, "Kiev")) == 4
    assert compare_sources(a, "Kiev", min_mentions=1)["source"].tolist() == ["x.example", "y.example"]
    assert set(mention_examples(a, "Kiev", top=1)["sentence"]) <= {TEXT[:22], TEXT[23:]}


@pytest.mark.parametrize("call", [
    lambda a: actor_sentiment(a, actors=["Atlantis"]),
    lambda a: compare_sources(a, "Atlantis"),
    lambda a: timeline(a, actors=["Atlantis"]),
    lambda a: timeline(a, metric="mentions", by="actor", actors=["Atlantis"]),
    lambda a: kwic(a, "Atlantis"),
    lambda a: mention_examples(a, "Atlantis"),
    lambda a: event_timeline(SimpleNamespace(articles=a.articles, sentences=a.sentences, mentions=a.mentions),
                             actors=["Atlantis"]),
])
def test_unknown_names_raise_with_the_closest_names(call):
    with pytest.raises(UnknownActorError):
        call(ann())


def test_the_error_lists_close_names():
    with pytest.raises(UnknownActorError, match="Marta Oskova"):
        actor_sentiment(ann(), actors=["Marta Oskowa Jr"])


def test_kwic_keeps_the_deprecated_limit_keyword():
    """``limit=`` (the old name of ``top=``) still works on kwic, with a DeprecationWarning."""
    arts = pd.DataFrame({"article_id": ["a"], "text": ["Kyiv and Kyiv and Kyiv again."]})
    men = pd.DataFrame({"article_id": ["a"] * 3, "sent_id": [0] * 3, "start": [0, 9, 18], "end": [4, 13, 22],
                        "text": ["Kyiv"] * 3, "label": ["GPE"] * 3, "actor": ["Kyiv"] * 3, "actor_type": ["place"] * 3})
    with pytest.warns(DeprecationWarning):
        out = kwic(Annotations(articles=arts, mentions=men), "Kyiv", limit=2)
    assert out["start"].tolist() == [0, 9]
