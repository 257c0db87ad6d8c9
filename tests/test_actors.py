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
        assert list(ex.columns) == ["actor", "text", "label", "count", "reason"]
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
    import newskit.actors.resolve as AR
    monkeypatch.setattr(AR, "resolve_surface_forms", lambda *a, **k: pytest.fail("cache not used"))
    pd.testing.assert_frame_equal(first, A.resolve_actors(m, cache_dir=cache))
    monkeypatch.setattr(AR, "resolve_surface_forms", real)

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


# --------------------------------------------------------------------------- issue 15/16: hardening
def _bomb(levels=9, width=9):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"actors:\n  - name: Bomb\n    aliases: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def test_billion_laughs_fails_fast(tmp_path):
    import time
    body = _bomb()
    assert len(body.encode()) < 700
    p = tmp_path / "bomb.yml"
    p.write_text(body)
    t = time.perf_counter()
    with pytest.raises(ActorFileError, match=r"bomb\.yml:\d+: YAML expands to more than"):
        load_actor_file(p)
    assert time.perf_counter() - t < 2.0


def test_too_many_yaml_aliases(tmp_path):
    body = "x: &x Kyiv\nactors:\n  - name: A\n    aliases: [" + ", ".join(["*x"] * 300) + "]\n"
    p = tmp_path / "many.yml"
    p.write_text(body)
    with pytest.raises(ActorFileError, match=r"many\.yml:\d+: more than 200 YAML aliases"):
        load_actor_file(p)


@pytest.mark.parametrize("pattern", ["(a|aa)+$", "(a|aa)+b", "(\\\\w|\\\\w\\\\w)+$"])
def test_catastrophic_regex_alias_refused_when_read(tmp_path, pattern):
    import time
    p = _write(tmp_path, f"""
        actors:
          - name: Fine
            aliases: [Fine]
          - name: Slow
            aliases: ["re:{pattern}"]
    """)
    t = time.perf_counter()
    with pytest.raises(ActorFileError, match=r"\.yml:5: pattern .* backtracks catastrophically"):
        load_actor_file(p)
    assert time.perf_counter() - t < 15


def test_non_utf8_and_utf16_actor_files(tmp_path):
    p = tmp_path / "latin1.yml"
    p.write_bytes("actors:\n  - name: Kyiv\n  - name: Dnipro\n    aliases: [Dnipropetrovs\u2019k, Kyïv]\n"
                  .replace("\u2019", "'").encode("latin-1"))
    with pytest.raises(ActorFileError, match=rf"{p}:4: actor file is not UTF-8"):
        load_actor_file(p)
    q = tmp_path / "utf16.yml"
    q.write_bytes("actors:\n  - name: Kyiv\n".encode("utf-16"))
    with pytest.raises(ActorFileError, match="UTF-16; save it as UTF-8"):
        load_actor_file(q)


def test_check_actor_file_before_work(tmp_path):
    from newskit.actors import check_actor_file
    good = _write(tmp_path, "actors:\n  - name: Vostria\n    type: place\n", "good.yml")
    assert check_actor_file(good) >= 1 + check_actor_file(None) - 1
    bad = _write(tmp_path, "actors:\n  - name: Vostria\n    typ: place\n", "bad.yml")
    with pytest.raises(ActorFileError, match=r"bad\.yml:3: unknown key 'typ'"):
        check_actor_file(bad)
    with pytest.raises(ActorFileError, match="not found"):
        check_actor_file(tmp_path / "missing.yml")
    # error messages never format a huge value
    huge = _write(tmp_path, "actors:\n  - name: A\n    type: [" + ", ".join(["x"] * 5000) + "]\n", "huge.yml")
    with pytest.raises(ActorFileError) as err:
        check_actor_file(huge)
    assert len(str(err.value)) < 400


def test_regex_alias_matching_is_time_limited(tmp_path, monkeypatch):
    from newskit.actors import actor_file as AF
    p = _write(tmp_path, """
        actors:
          - name: Slow
            aliases: ["re:(a|aa)+b"]
    """)
    monkeypatch.setattr(AF, "compile_regex",
                        lambda pat, **k: __import__("regex").compile(pat, __import__("regex").I))  # skip probe
    AF._load_cached.cache_clear()
    try:
        with pytest.raises(ActorFileError, match=r"\.yml:2: pattern .* took over"):
            resolve_actors(_mentions([("A" * 40 + "C", "ORG", 1)]), actor_file=p)
    finally:
        AF._load_cached.cache_clear()


# --------------------------------------------------------------------------- span repair
def _spans(text, pieces, aid="d1"):
    """Mention rows for (substring, label) pieces of an invented text (first occurrence each)."""
    rows, pos = [], 0
    for sub, label in pieces:
        s = text.index(sub, pos)
        rows.append({"article_id": aid, "sent_id": 0, "start": s, "end": s + len(sub), "text": sub, "label": label})
        pos = s + 1
    return pd.DataFrame(rows)


def test_split_country_prefixed_titles():
    from newskit.actors import repair_spans
    text = ("On Monday the President of Finland Liisa Marjamaa phoned Prime Minister of Moldova "
            "Dorin Vasilache. Later Kazakhstan Aibek Nurlanov, the deputy, joined. Ukraine Defence Ministry "
            "officials listened.")
    m = _spans(text, [("Finland Liisa Marjamaa", "ORG"), ("Prime Minister of Moldova Dorin Vasilache", "PERSON"),
                      ("Kazakhstan Aibek Nurlanov", "ORG"), ("Ukraine Defence Ministry", "ORG")])
    # corpus evidence: "Aibek Nurlanov" is a person elsewhere
    other = "Aibek Nurlanov said so, and Aibek Nurlanov left."
    m = pd.concat([m, _spans(other, [("Aibek Nurlanov", "PERSON"), ("Aibek Nurlanov", "PERSON")], aid="d2")],
                  ignore_index=True)
    out, log = repair_spans(m, {"d1": text, "d2": other}, with_log=True)
    got = list(zip(out["text"], out["label"]))
    assert ("Finland", "GPE") in got and ("Liisa Marjamaa", "PERSON") in got
    assert ("Moldova", "GPE") in got and ("Dorin Vasilache", "PERSON") in got
    assert ("Kazakhstan", "GPE") in got and ("Aibek Nurlanov", "PERSON") in got
    assert ("Ukraine Defence Ministry", "ORG") in got          # not a person: left alone
    texts = {"d1": text, "d2": other}
    assert all(texts[a][s:e] == t for a, s, e, t in zip(out["article_id"], out["start"], out["end"], out["text"]))
    assert set(log["repair"]) == {"split"} and len(log) == 3
    # both parts are counted as actors
    res = resolve_actors(out)
    assert {"Finland", "Liisa Marjamaa", "Moldova", "Dorin Vasilache"} <= set(res["actor"])


def test_rejoin_split_names_and_saint():
    from newskit.actors import repair_spans
    text = "Hanna van der Berg visited St Moritz and Saint-Lô; Karel de Vries stayed near Ostrava."
    m = _spans(text, [("Hanna van der", "PERSON"), ("Berg", "GPE"), ("Moritz", "GPE"),
                      ("Karel", "PERSON"), ("Vries", "PERSON"), ("Ostrava", "PERSON")])
    out = repair_spans(m, {"d1": text})
    got = list(zip(out["text"], out["label"]))
    assert ("Hanna van der Berg", "PERSON") in got
    assert ("Karel de Vries", "PERSON") in got
    assert ("St Moritz", "GPE") in got
    assert all(text[s:e] == t for s, e, t in zip(out["start"], out["end"], out["text"]))
    assert out.loc[out["text"] == "Ostrava", "place_cue"].item() == 1
    assert out.loc[out["text"] == "Hanna van der Berg", "place_cue"].item() == 0


def test_place_context_repairs_type():
    from newskit.actors import repair_spans
    texts = {f"d{i}": s for i, s in enumerate([
        "Shelling hit homes in Vyshnivka overnight.", "Residents of Vyshnivka fled.",
        "Vyshnivka was quiet.", "Vyshnivka residents queued for water.", "Aid reached Vyshnivka region."])}
    rows = [_spans(t, [("Vyshnivka", "PERSON")], aid=a) for a, t in texts.items()]
    m = pd.concat(rows, ignore_index=True)
    res = resolve_actors(repair_spans(m, texts))
    assert set(res["actor_type"]) == {"place"}
    assert set(resolve_actors(m)["actor_type"]) == {"person"}  # without the context votes


# --------------------------------------------------------------------------- ambiguous and generic forms
def test_ambiguous_council_merged_only_with_support():
    arts = pd.DataFrame({"article_id": ["un", "ru", "none"], "source": ["example.org"] * 3, "text": [
        "Diplomats at the UN said the Security Council would meet.",
        "Russia's Security Council met in the evening, said Ivan Petrenko.",
        "The Security Council met again, said an aide to Ivan Petrenko."]})
    m = pd.concat([_spans(arts.text[0], [("UN", "ORG"), ("Security Council", "ORG")], aid="un"),
                   _spans(arts.text[1], [("Russia", "GPE"), ("Security Council", "ORG"), ("Ivan Petrenko", "PERSON")],
                          aid="ru"),
                   _spans(arts.text[2], [("Security Council", "ORG"), ("Ivan Petrenko", "PERSON")], aid="none")],
                  ignore_index=True)
    res = resolve_actors(m, articles=arts)
    sc = res[res["text"] == "Security Council"].set_index("article_id")["actor"]
    assert sc["un"] == "UN Security Council"
    assert sc["ru"] == "Security Council (Russia)"
    assert sc["none"] == "Security Council"
    assert set(res.loc[res["text"] == "Security Council", "actor_type"]) == {"organisation"}


def test_ambiguous_by_source_country_and_user_context(tmp_path):
    p = _write(tmp_path, """
        sources:
          www.gov.example.md: Moldova
        actors:
          - name: Moldovan Parliament
            type: organisation
            aliases: [Parliament of Moldova]
          - name: Calderan Assembly
            type: organisation
            ambiguous: [Grand Assembly]
            context: [Calderan]
    """)
    arts = pd.DataFrame({"article_id": ["md", "x", "y"], "source": ["gov.example.md", "news.example", "news.example"],
                         "text": ["The Parliament approved the budget.", "The Calderan envoy addressed the Grand Assembly.",
                                  "The Grand Assembly adjourned."]})
    m = pd.concat([_spans(arts.text[0], [("Parliament", "ORG")], aid="md"),
                   _spans(arts.text[1], [("Calderan", "NORP"), ("Grand Assembly", "ORG")], aid="x"),
                   _spans(arts.text[2], [("Grand Assembly", "ORG")], aid="y")], ignore_index=True)
    res = resolve_actors(m, actor_file=p, articles=arts)
    by = res.set_index(["article_id", "text"])["actor"]
    assert by["md", "Parliament"] == "Moldovan Parliament"
    assert by["x", "Grand Assembly"] == "Calderan Assembly"
    assert by["y", "Grand Assembly"] == "Grand Assembly"


def test_generic_phrases_rejected_and_explained(tmp_path):
    from newskit.actors import actor_rejects
    from newskit.annotations import Annotations
    m = _mentions([("State", "ORG", 3), ("Head of State", "ORG", 2), ("Government", "ORG", 2),
                   ("Armed Forces", "ORG", 1), ("Office of the President of", "ORG", 1),
                   ("Office of the President", "ORG", 2), ("Ilona Varga", "PERSON", 2)])
    res, rej = resolve_actors(m, with_rejects=True)
    assert not {"State", "Head of State", "Government", "Armed Forces", "Office of the President of"} & set(res["actor"])
    assert "Office of the President" in set(res["actor"])  # ambiguous, kept as its own actor
    assert set(rej["text"]) == {"State", "Head of State", "Government", "Armed Forces", "Office of the President of"}
    assert rej.set_index("text").loc["State", "n"] == 3
    assert rej.set_index("text").loc["Office of the President of", "rule"] == "truncated span"
    assert actor_rejects(m)["text"].tolist() == rej["text"].tolist()
    ann = Annotations(articles=pd.DataFrame({"article_id": ["a0", "a1", "a2"], "text": ["", "", ""]}), mentions=res)
    ex = explain_actor(ann, "Head of State")
    assert ex["actor"].isna().all() and "generic phrase" in ex["reason"].iloc[0]
    # an actor file that declares a generic phrase makes it an actor
    p = _write(tmp_path, "actors:\n  - name: Head of State (Vostria)\n    type: person\n    aliases: [Head of State]\n")
    res = resolve_actors(m, actor_file=p)
    assert "Head of State (Vostria)" in set(res["actor"])


# --------------------------------------------------------------------------- phrase actors
def test_phrase_and_token_patterns(tmp_path):
    from newskit.actors import compile_patterns, match_patterns, pattern_mentions
    p = _write(tmp_path, """
        actors:
          - name: green corridor
            patterns: [green corridor, humanitarian corridor]
          - name: Calderan junta
            patterns:
              - [{LOWER: {IN: [calderan, calder]}}, {LOWER: so-called, OP: "?"}, {LOWER: junta}]
          - name: GRAIN DEAL
            type: event
            patterns: [{phrase: Grain Deal, case: sensitive}, "re:black\\\\s+sea\\\\s+grain\\\\s+(?:deal|initiative)"]
          - name: never seen
            patterns: [purple elephant parade]
    """)
    text = ("A Green  Corridor opened; the Calderan so-called junta denied it. The Grain Deal (not the grain deal) "
            "and the Black Sea Grain Initiative; humanitarian corridors are plural.")
    mt = compile_patterns(p)
    hits = match_patterns(text, mt)
    assert list(hits["actor"]) == ["green corridor", "Calderan junta", "GRAIN DEAL", "GRAIN DEAL"]
    assert all(text[s:e] == t for s, e, t in zip(hits["start"], hits["end"], hits["text"]))
    assert hits["text"].tolist()[1] == "Calderan so-called junta"
    arts = pd.DataFrame({"article_id": ["z"], "text": [text]})
    terms = pattern_mentions(arts, mt)
    assert set(terms["label"]) == {"TERM"}
    with pytest.warns(UserWarning, match=r"1 entry matched no mention: .*\.yml:10: 'never seen'"):
        res = resolve_actors(terms, actor_file=p)
    types = res.groupby("actor")["actor_type"].first()
    assert types["green corridor"] == "term" and types["GRAIN DEAL"] == "event"
    assert res["actor"].value_counts()["GRAIN DEAL"] == 2


def test_starter_terms_are_trackable():
    from newskit.actors import match_patterns
    text = ("They called it a special military operation against the Kyiv regime, promising "
            "denazification; later the SMO dragged on.")
    assert set(match_patterns(text)["actor"]) == {"special military operation", "Kiev regime", "denazification"}


# --------------------------------------------------------------------------- one name lookup
def test_lookup_actors_resolves_or_lists_closest():
    from newskit.actors import UnknownActorError, lookup_actors
    m = resolve_actors(_mentions([("Zelenskyy", "PERSON", 3), ("Kiev", "GPE", 2), ("Ilona Varga", "PERSON", 2),
                                  ("Varga", "PERSON", 1)]))
    assert lookup_actors(["zelenskyy", "Kyiv", "kiev", "Varga"], m) == ["Volodymyr Zelensky", "Kyiv", "Ilona Varga"]
    with pytest.raises(KeyError) as err:
        lookup_actors(["Kyiv", "Ilona Vargas"], m)
    assert "Ilona Varga" in str(err.value) and "'Ilona Vargas'" in str(err.value)
    with pytest.raises(ValueError, match="unknown actor 'Atlantis'"):
        lookup_actors("Atlantis", m)
    assert isinstance(err.value, UnknownActorError)
    assert lookup_actors("Kiev", {"kiev": "Kyiv"}) == ["Kyiv"]
    with pytest.raises(TypeError):
        lookup_actors([3], m)


def test_cli_reports_a_bad_actor_file_before_work(tmp_path, capsys):
    from newskit.cli import main
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A title\n20220301\nhttps://example.org/a\nA body about Vostria.\n")
    bad = _write(tmp_path, "actors:\n  - name: Vostria\n    aliases: [x, y\n", "bad.yml")
    out = tmp_path / "out"
    assert main(["annotate", str(corpus), str(out), "--actor-file", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: YAML syntax error" in err and "Traceback" not in err
    assert not out.exists()  # nothing was annotated or written
