"""Actor resolution rules and actor files (no spaCy: synthetic mention tables)."""
from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from newskit.actors import (ActorFileError, explain_actor, is_non_entity, load_actor_file,
                            normalise_surface, resolve_actors, translit_key)


def _mentions(pairs):
    rows = []
    for text, label, n in pairs:
        rows += [{"article_id": f"a{i % 3}", "sent_id": 0, "start": 0, "end": len(text),
                  "text": text, "label": label}] * 1 if False else [
            {"article_id": f"a{i % 3}", "sent_id": 0, "start": 0, "end": len(text), "text": text,
             "label": label} for i in range(n)]
    return pd.DataFrame(rows)


def _actor_of(res, text):
    return res.loc[res["text"] == text, "actor"].iloc[0]


def test_possessives_titles_and_the():
    assert normalise_surface("Putin's") == "Putin"
    assert normalise_surface("Putin’s") == "Putin"
    assert normalise_surface("Ukrainians’") == "Ukrainians"
    for t in ["Mr Putin", "Mr. Putin", "President Putin", "Russian President Putin", "Dr Putin",
              "Prime Minister Putin", "Gen. Putin", "General Putin", "Sen. Putin", "Senator Putin",
              "Chancellor Putin", "King Putin", "Pope Putin", "Defence Minister Putin",
              "Defense Minister Putin", "Foreign Minister Putin", "Mrs Putin", "Ms Putin"]:
        assert normalise_surface(t) == "Putin", t
    assert normalise_surface("the Kremlin") == "Kremlin"
    assert normalise_surface("President") == "President"  # a bare title is left alone


@pytest.mark.parametrize("family", [
    ["Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskii"], ["Kyiv", "Kiev"], ["Kharkiv", "Kharkov"],
    ["Odesa", "Odessa"], ["Luhansk", "Lugansk"], ["Sievierodonetsk", "Severodonetsk"],
    ["Lysychansk", "Lisichansk"], ["Chernihiv", "Chernigov"]])
def test_translit_key_families(family):
    assert len({translit_key(f) for f in family}) == 1


def test_translit_families_merge_without_actor_file(tmp_path):
    # generic rules alone (no entry in the starter file for these made-up names)
    m = _mentions([("Borysenkiy", "PERSON", 3), ("Borysenky", "PERSON", 5), ("Borisenkyy", "PERSON", 1),
                   ("Khmelnytskyi", "GPE", 4), ("Khmelnitsky", "GPE", 2), ("Boston", "GPE", 2),
                   ("Bastion", "ORG", 2)])
    res = resolve_actors(m)
    assert res.groupby("text")["actor"].first().loc[["Borysenkiy", "Borysenky"]].nunique() == 1
    assert _actor_of(res, "Khmelnitsky") == _actor_of(res, "Khmelnytskyi") == "Khmelnytskyi"
    assert _actor_of(res, "Boston") != _actor_of(res, "Bastion")


@pytest.mark.parametrize("variants,canonical", [
    (["Zelensky", "Zelenskyy", "Zelenskiy", "President Zelenskiy", "Zelenskyy's", "Volodymyr Zelenskyy"],
     "Volodymyr Zelensky"),
    (["Kyiv", "Kiev", "Kyiv's"], "Kyiv"), (["Kharkiv", "Kharkov"], "Kharkiv"), (["Odesa", "Odessa"], "Odesa"),
    (["Mykolaiv", "Nikolaev"], "Mykolaiv"), (["Luhansk", "Lugansk"], "Luhansk"),
    (["Sievierodonetsk", "Severodonetsk"], "Sievierodonetsk"), (["Lysychansk", "Lisichansk"], "Lysychansk"),
    (["Zaporizhzhia", "Zaporozhye"], "Zaporizhzhia"), (["Dnipro", "Dnepr"], "Dnipro"),
    (["Chernihiv", "Chernigov"], "Chernihiv"), (["Mariupol"], "Mariupol"), (["Donetsk"], "Donetsk"),
])
def test_starter_file_variant_families(variants, canonical):
    label = "PERSON" if canonical.startswith("Volodymyr") else "GPE"
    res = resolve_actors(_mentions([(v, label, 2) for v in variants]))
    assert set(res["actor"]) == {canonical}


def test_short_name_to_full_name():
    m = _mentions([("Olena Marchuk", "PERSON", 3), ("Marchuk", "PERSON", 6), ("Ms Marchuk", "PERSON", 1),
                   ("Petro Sydor", "PERSON", 2), ("Ivan Sydor", "PERSON", 2), ("Sydor", "PERSON", 4)])
    res = resolve_actors(m)
    assert set(res.loc[res["text"].str.contains("Marchuk"), "actor"]) == {"Olena Marchuk"}
    # ambiguous: two full names end in "Sydor" → the short name stays on its own
    assert _actor_of(res, "Sydor") == "Sydor"
    # Putin → Vladimir Putin (starter file)
    res = resolve_actors(_mentions([("Putin", "PERSON", 3), ("Mr Putin", "PERSON", 1)]))
    assert set(res["actor"]) == {"Vladimir Putin"}


def test_demonyms_and_keep_groups():
    m = _mentions([("Russian", "NORP", 3), ("Russians", "NORP", 2), ("Russia", "GPE", 1),
                   ("Ukrainian", "NORP", 2), ("American", "NORP", 1), ("British", "NORP", 1)])
    res = resolve_actors(m)
    assert _actor_of(res, "Russian") == _actor_of(res, "Russians") == "Russia"
    assert _actor_of(res, "Ukrainian") == "Ukraine"
    assert _actor_of(res, "American") == "United States"
    assert _actor_of(res, "British") == "United Kingdom"
    assert set(res.loc[res["actor"] == "Russia", "actor_type"]) == {"place"}
    res = resolve_actors(m, keep_groups=True)
    assert _actor_of(res, "Russian") == _actor_of(res, "Russians") == "Russians"
    assert set(res.loc[res["actor"] == "Russians", "actor_type"]) == {"group"}
    assert _actor_of(res, "Russia") == "Russia"


def test_type_repair_by_majority():
    m = _mentions([("Pokrovsk", "GPE", 8), ("Pokrovsk", "PERSON", 2), ("Pokrovsk", "ORG", 1)])
    res = resolve_actors(m)
    assert set(res["actor_type"]) == {"place"}
    assert set(res["label"]) == {"GPE", "PERSON", "ORG"}  # spaCy's label is kept


def test_non_entities_dropped():
    for t in ["he", "They", "2022", "X", "the war", "Monday", "24 February", "February", "—", "@POTUS"]:
        assert is_non_entity(normalise_surface(t)), t
    for t in ["Kyiv", "Telegram", "NATO", "UN", "G7"]:
        assert not is_non_entity(normalise_surface(t)), t
    res = resolve_actors(_mentions([("he", "PERSON", 1), ("2022", "ORG", 1), ("Kyiv", "GPE", 1)]))
    assert list(res["text"]) == ["Kyiv"]


def _write(tmp_path, body, name="actors.yml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body).lstrip("\n"))
    return p


def test_user_actor_file_literal_regex_and_override(tmp_path):
    p = _write(tmp_path, """
        actors:
          - name: Azov Sea Fleet
            type: organisation
            aliases: [Azov Flotilla, "re:azov\\\\s+fleet(?:\\\\s+command)?"]
          - name: Kiev
            type: place
            aliases: [Kyiv]
    """)
    m = _mentions([("Azov Flotilla", "ORG", 1), ("Azov Fleet Command", "ORG", 1), ("Kyiv", "GPE", 2)])
    res = resolve_actors(m, actor_file=p)
    assert set(res.loc[res["text"].str.startswith("Azov"), "actor"]) == {"Azov Sea Fleet"}
    # the user entry "Kiev" takes Kyiv away from the starter entry
    assert _actor_of(res, "Kyiv") == "Kiev"


@pytest.mark.parametrize("body,line,words", [
    ("actors:\n  - name: A\n    aliases: [x, y\n  - name: B\n", 4, "YAML syntax"),
    ("actors:\n  - name: A\n  - type: person\n    aliases: [x]\n", 3, "name"),
    ("actors:\n  - name: A\n  - name: B\n    type: planet\n", 4, "unknown type"),
    ("actors:\n  - name: A\n    aliases: ['re:(unclosed']\n", 3, "bad pattern"),
    ("actors:\n  - name: A\n    colour: red\n", 3, "unknown key"),
    ("actors:\n  - name: A\n    aliases: [1, 2]\n", 3, "not a string"),
    ("people:\n  - name: A\n", 1, "actors"),
])
def test_actor_file_errors_name_file_and_line(tmp_path, body, line, words):
    p = _write(tmp_path, body)
    with pytest.raises(ActorFileError) as err:
        load_actor_file(p)
    msg = str(err.value)
    assert f"{p}:{line}:" in msg, msg
    assert words in msg


def test_actor_file_missing(tmp_path):
    with pytest.raises(ActorFileError, match="not found"):
        resolve_actors(_mentions([("Kyiv", "GPE", 1)]), actor_file=tmp_path / "nope.yml")


def test_starter_file_is_valid():
    from newskit.actors import STARTER_FILE
    specs = load_actor_file(STARTER_FILE)
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    assert {"Volodymyr Zelensky", "Vladimir Putin", "Kyiv", "Russia", "Ukraine"} <= set(names)


def test_explain_actor():
    from newskit.annotations import Annotations
    m = resolve_actors(_mentions([("Zelenskyy", "PERSON", 3), ("Zelensky", "PERSON", 2),
                                  ("President Zelenskiy", "PERSON", 1), ("Kyiv", "GPE", 1)]))
    ann = Annotations(articles=pd.DataFrame({"article_id": ["a0", "a1", "a2"], "text": ["", "", ""]}),
                      mentions=m)
    for query in ("Volodymyr Zelensky", "zelenskyy", "Zelenskiy"):
        ex = explain_actor(ann, query)
        assert list(ex.columns) == ["actor", "text", "label", "count"]
        assert ex["count"].tolist() == [3, 2, 1]
        assert set(ex["actor"]) == {"Volodymyr Zelensky"}
    assert ann.explain_actor("Kiev").empty is False
    assert explain_actor(ann, "Nobody").empty


def test_generic_demonym_rule():
    m = _mentions([("Vostria", "GPE", 3), ("Vostrian", "NORP", 4), ("Vostrians", "NORP", 2),
                   ("Calderians", "NORP", 1)])  # no "Calderia" in the corpus: stays a group
    res = resolve_actors(m)
    assert _actor_of(res, "Vostrian") == _actor_of(res, "Vostrians") == "Vostria"
    assert set(res.loc[res["actor"] == "Vostria", "actor_type"]) == {"place"}
    assert _actor_of(res, "Calderians") == "Calderians"
    res = resolve_actors(m, keep_groups=True)
    assert _actor_of(res, "Vostrian") == _actor_of(res, "Vostrians") == "Vostrians"


def test_no_false_merges():
    m = _mentions([("Volodymyr Zelensky", "PERSON", 5), ("Zelenska", "PERSON", 2), ("Olena Zelenska", "PERSON", 1),
                   ("Vladimir Putin", "PERSON", 5), ("Patten", "PERSON", 2), ("Vladimir] Putin", "PERSON", 1)])
    res = resolve_actors(m)
    assert _actor_of(res, "Zelenska") == "Olena Zelenska"
    assert _actor_of(res, "Patten") == "Patten"
    assert _actor_of(res, "Vladimir] Putin") == "Vladimir Putin"


def test_resolution_cache_reused_and_keyed_by_actor_file(tmp_path, monkeypatch):
    from newskit import actors as A

    m = pd.DataFrame({"text": ["Zelenskyy", "Zelensky", "Kiev", "Ihor Klymenko"],
                      "label": ["PERSON", "PERSON", "GPE", "PERSON"]})
    cache = tmp_path / "actors"
    first = A.resolve_actors(m, cache_dir=cache)
    assert len(list(cache.glob("resolution-*.parquet"))) == 1
    real = A.resolve_surface_forms
    monkeypatch.setattr(A, "resolve_surface_forms", lambda *a, **k: pytest.fail("cache not used"))
    pd.testing.assert_frame_equal(first, A.resolve_actors(m, cache_dir=cache))
    monkeypatch.setattr(A, "resolve_surface_forms", real)

    # another actor file is another key: resolved again, with the user's entry
    f = tmp_path / "mine.yml"
    f.write_text("actors:\n  - name: Interior Minister Klymenko\n    type: person\n    aliases: [Ihor Klymenko]\n")
    mine = A.resolve_actors(m, actor_file=f, cache_dir=cache)
    assert "Interior Minister Klymenko" in set(mine["actor"])
    assert len(list(cache.glob("resolution-*.parquet"))) == 2

    # a damaged cache file is redone with a warning, never trusted
    for p in cache.glob("resolution-*.parquet"):
        p.write_bytes(b"not parquet")
    with pytest.warns(UserWarning, match="unreadable"):
        again = A.resolve_actors(m, cache_dir=cache)
    pd.testing.assert_frame_equal(first, again)
