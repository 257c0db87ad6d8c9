"""Span repair rules 5–6 (issue 15: GUM type F1): names NER tagged once in an article are found where it
missed them, a person's surname is a person, acronyms are not spelling variants — invented sentences."""
from __future__ import annotations

import pandas as pd

from newskit.actors import resolve_actors, resolve_surface_forms
from newskit.actors.spans import propagate_names, relabel_surnames
from newskit.pipeline.steps import Batch, _span_repair


def _m(aid, text, spans):
    rows = []
    for form, label in spans:
        s = text.index(form)
        rows.append({"article_id": aid, "start": s, "end": s + len(form), "text": form, "label": label})
    return pd.DataFrame(rows)


def test_propagation_finds_missed_occurrences_and_leaves_lookalikes():
    text = ("Mira Osk chairs Velder Group. Velder Group hired 40 people; Osk said so. "
            "Students of George Washington University met Washington officials. Hope was high. "
            "Nobody had hope. The NRB said the NRB would wait.")
    m = _m("a", text, [("Mira Osk", "PERSON"), ("Velder Group", "ORG"), ("Washington", "GPE"),
                       ("Hope", "PERSON"), ("NRB", "ORG")])
    m.loc[2, ["start", "end"]] = [text.index("Washington officials"), text.index("Washington officials") + 10]
    new = propagate_names(m, {"a": text})
    got = list(zip(new["text"], new["label"], new["propagated"]))
    # the second Velder Group (tagged form), Osk (a surname), the second NRB (an acronym)
    assert got == [("Velder Group", "ORG", 1), ("Osk", "PERSON", 2), ("NRB", "ORG", 1)]
    assert all(text[s:e] == t for s, e, t in zip(new["start"], new["end"], new["text"]))
    # "Washington" inside "George Washington University" is part of a longer name: left alone;
    # "Hope" is a common word ("hope" occurs): never propagated


def test_propagation_shares_an_articles_names_with_its_title():
    title, text = "Osk wins the vote", "Mira Osk won the vote on Sunday."
    m = _m("a", text, [("Mira Osk", "PERSON")])
    new = propagate_names(m, {"a": text, "a#t": title}, family={"a": "a", "a#t": "a"})
    assert list(zip(new["article_id"], new["start"], new["text"])) == [("a#t", 0, "Osk")]


def test_surnames_of_named_persons_are_persons_but_countries_stay_places():
    m = pd.DataFrame({"article_id": ["a"] * 5, "text": ["Lena Varga", "Varga", "Varga", "Tom Israel", "Israel"],
                      "label": ["PERSON", "ORG", "GPE", "PERSON", "GPE"]})
    m.loc[5] = ["b", "Varga", "ORG"]  # another article names no Lena Varga
    assert relabel_surnames(m)["label"].tolist() == ["PERSON", "PERSON", "PERSON", "PERSON", "GPE", "ORG"]


def test_the_span_repair_step_adds_propagated_mentions_in_sentences_without_type_votes():
    text = "Brant Hall opened. Brant Hall is in Osvik. Pupils of Brant Hall cheered."
    sents = pd.DataFrame({"article_id": "x", "sent_id": [0, 1, 2], "start": [0, 19, 43], "end": [18, 42, 72],
                          "text": ["", "", ""], "in_title": False})
    m = _m("x", text, [("Brant Hall", "ORG")]).assign(sent_id=0, in_title=False)
    osvik = text.index("Osvik")
    m.loc[1] = ["x", osvik, osvik + 5, "Osvik", "GPE", 1, False]
    b = Batch(articles=pd.DataFrame({"article_id": ["x"], "text": [text]}),
              tables={"mentions": m, "sentences": sents})
    _span_repair(b)
    out = b.tables["mentions"]
    hall = out[out["text"] == "Brant Hall"]
    assert hall["sent_id"].tolist() == [0, 1, 2] and hall["propagated"].tolist() == [0, 1, 1]
    assert all(text[s:e] == t for s, e, t in zip(out["start"], out["end"], out["text"]))
    # propagated rows add mentions, not votes: one ORG vote against two propagated PERSON ones stays ORG
    votes = pd.DataFrame({"article_id": "x", "text": ["Brant Hall"] * 3, "label": ["ORG", "PERSON", "PERSON"],
                          "propagated": [0, 1, 1]})
    res = resolve_actors(votes, warn_unmatched=False)
    assert len(res) == 3 and set(res["actor_type"]) == {"organisation"}


def test_acronyms_are_not_transliteration_variants():
    f = pd.DataFrame({"text": ["USI", "UNHRC", "UNHCR", "Kharkov", "Kharkiv"],
                      "label": ["ORG", "ORG", "ORG", "GPE", "GPE"], "n": [5, 2, 3, 1, 4]})
    r = resolve_surface_forms(f).set_index("text")["actor"]
    assert r["USI"] == "USI" and r["UNHRC"] != r["UNHCR"]
    assert r["Kharkov"] == r["Kharkiv"]


def test_a_type_tie_with_place_goes_to_place_in_a_place_context():
    f = pd.DataFrame({"text": ["Norvale"] * 3, "label": ["PERSON", "GPE", "ORG"], "n": [1, 1, 1],
                      "place_cue": [0, 1, 0]})
    assert resolve_surface_forms(f)["actor_type"].iloc[0] == "place"
    assert resolve_surface_forms(f.assign(place_cue=0))["actor_type"].iloc[0] != "place"


def test_whole_word_hits_equal_the_alternation_regex():
    """Name propagation finds forms with str.find; the hits are those of the regex it replaces (leftmost,
    longest form first at one position, whole words, no overlaps)."""
    import random
    import re

    from newskit.actors.spans import _whole_word_hits

    def by_regex(text, forms):
        alt = "|".join(re.escape(f) for f in forms)
        return [(m.start(), m.end(), m.group()) for m in re.finditer(rf"(?<![\w'’-])(?:{alt})(?![\w-])", text)]

    text = ("Mira Lenk met Lenk's aide. Lenkov and Lenk-Bauer left; Mira Lenk, not Lenk2, spoke. "
            "Ana Mira Lenk stayed with ’Lenk and Lenk.")
    forms = ["Mira Lenk", "Lenk", "Mira"]
    assert _whole_word_hits(text, forms) == by_regex(text, forms)
    assert [h[2] for h in _whole_word_hits(text, forms)][:2] == ["Mira Lenk", "Lenk"]
    rng = random.Random(7)
    pieces = ["A", "B", "AB", "B A", "A-B", "Ab", "’", "'", "-", " ", "é", "_", "1", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        forms = sorted({"".join(rng.choice("AB b-") for _ in range(rng.randint(1, 4))).strip() or "A"
                        for _ in range(rng.randint(1, 4))}, key=len, reverse=True)
        assert _whole_word_hits(text, forms) == by_regex(text, forms), (text, forms)
