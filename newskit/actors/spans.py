"""Span repair: fix NER spans before actor resolution (the pipeline calls :func:`repair_spans` after NER).

1. **Title + country + name**: "Ukraine Volodymyr Zelenskyy" (from "President of Ukraine Volodymyr
   Zelenskyy") and "President of Kazakhstan Kassym-Jomart Tokayev" become a place mention and a person
   mention, both counted — when the country is a known country (built-in demonym table, the actor files'
   places) and the rest is a person: a person of the actor files, a form that is mostly a PERSON
   elsewhere in the table, or a name of two or more capitalised words right after a title + "of".
2. **Split names re-joined**: "Ursula von der" + "Leyen", or "Ursula" + " von der " + "Leyen", become one
   PERSON mention.
3. **Saint kept**: "St"/"St."/"Saint" just before a place mention ("St Petersburg" tagged "Petersburg")
   is put back into the span.
4. **Place context**: column ``place_cue`` (0/1) marks mentions in a place context ("in X", "near X",
   "the town of X", "X region") — the corpus-level type repair counts them as votes for *place*
   (Borodyanka tagged PERSON in most sentences stays a place when many of them read "in Borodyanka").

Every new row keeps ``text[start:end] == mention text``; ``sent_id`` is the original row's.
"""
from __future__ import annotations

import re
from typing import Mapping

import pandas as pd

from newskit.actors.normalise import DEMONYMS, _TITLES, normalise_surface

_PARTICLES = r"(?:von|van|der|den|de|da|di|du|dos|das|del|della|bin|ibn|al|el|le|la|ter|ten|zu)"
_PARTICLE_END = re.compile(rf"\s{_PARTICLES}(?:\s{_PARTICLES})*$")
_GAP_PARTICLES = re.compile(rf"^\s+(?:{_PARTICLES}\s+)+$")
_SAINT_BEFORE = re.compile(r"(?<![\w.])(?:St\.?|Saint|Ste\.?|San|Santa|Sankt)\s+$")
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|around|across|into|towards?|through|via|from|at)\s+(?:the\s+)?|"
    r"\b(?:city|town|village|region|oblast|province|port|settlement|suburb|district|outskirts|"
    r"streets|centre|center|residents)\s+of\s+(?:the\s+)?)$", re.IGNORECASE)
_PLACE_AFTER = re.compile(r"^\s+(?:region|oblast|province|district|city|airport)\b", re.IGNORECASE)
_TITLE_OF = re.compile(
    r"^(?:(?:the\s+)?(?:" + "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))
    + r")\.?\s+of\s+(?:the\s+)?)", re.IGNORECASE)
_TITLE_OF_BEFORE = re.compile(
    r"\b(?:" + "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))
    + r")\.?\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)*|[A-Z]\.|" + _PARTICLES + ")$")
_INSTITUTION = re.compile(
    r"\b(?:Ministry|Army|Forces|Council|Government|Today|Airlines?|News|Times|Post|Railways?|Bank|Party|"
    r"Navy|Guard|Service|Committee|Agency|Office|Parliament|Federation|Republic|Embassy|Court|Union|"
    r"Company|Group|Corporation|University|Institute|Academy|Police|Command|Fleet|Media|Telegraph|"
    r"Radio|Television|TV|Club|Cup|League|Association|Foundation|Fund|Assembly|Senate|Duma|House|"
    r"Church|Border|Region|Oblast|Airport|Station|Street|Square|Square|Bridge|Plant|Power|Energy|Gas|Oil)\b")


def _countries(extra: set[str]) -> re.Pattern:
    names = {c for c, _ in DEMONYMS.values()} | extra
    names |= {"US", "U.S.", "UK", "U.K.", "USA", "UAE"}
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?:the\s+)?({alt})\s+(?=\S)")


def _place_names(actor_file) -> set[str]:
    try:
        from newskit.actors.actor_file import actor_specs

        specs = actor_specs(actor_file)
    except Exception:  # noqa: BLE001 - a bad actor file is reported by check_actor_file, not here
        return set()
    return {s.name for s in specs if s.type == "place" and " " not in s.name or
            s.type == "place" and len(s.name.split()) <= 3}


def _person_names(actor_file) -> set[str]:
    try:
        from newskit.actors.actor_file import actor_specs

        specs = actor_specs(actor_file)
    except Exception:  # noqa: BLE001
        return set()
    out = set()
    for s in specs:
        if s.type == "person":
            out |= {a.casefold() for a in [s.name] + s.aliases}
    return out


def repair_spans(mentions: pd.DataFrame, texts: Mapping[str, str] | pd.Series | pd.DataFrame, *,
                 actor_file=None, with_log: bool = False):
    """Repair NER spans of a mentions table (see the module docstring for the rules).

    Parameters
    ----------
    mentions : DataFrame
        ``article_id, start, end, text, label`` (other columns, e.g. ``sent_id``, are carried over).
    texts : mapping, Series or DataFrame
        ``article_id`` → article text (a DataFrame needs ``article_id`` and ``text``).
    actor_file : path or list of paths, optional
        Places and persons of the actor files (and the starter file) count as evidence.
    with_log : bool
        Also return the log of repairs: ``article_id, start, end, text, repair, into``.

    Returns
    -------
    DataFrame (and the log with ``with_log=True``)
        The repaired mentions, sorted by article and offset, with a ``place_cue`` column (int8).

    Examples
    --------
    >>> t = "The President of Ukraine Volodymyr Zelenskyy met Ursula von der Leyen in St Petersburg."
    >>> m = pd.DataFrame({"article_id": "a", "sent_id": 0, "start": [17, 64, 76], "end": [44, 69, 86],
    ...                   "text": ["Ukraine Volodymyr Zelenskyy", "Leyen", "Petersburg"],
    ...                   "label": ["ORG", "GPE", "GPE"]})
    >>> m.loc[3] = ["a", 0, 49, 63, "Ursula von der", "PERSON"]
    >>> repair_spans(m, {"a": t})[["start", "end", "text", "label", "place_cue"]]
       start  end                  text   label  place_cue
    0     17   24               Ukraine     GPE          0
    1     25   44    Volodymyr Zelenskyy  PERSON          0
    2     49   69  Ursula von der Leyen  PERSON          0
    3     73   86         St Petersburg     GPE          1
    """
    if isinstance(texts, pd.DataFrame):
        texts = dict(zip(texts["article_id"], texts["text"]))
    elif isinstance(texts, pd.Series):
        texts = texts.to_dict()
    cols = list(mentions.columns)
    log: list[dict] = []
    if not len(mentions):
        out = mentions.copy()
        out["place_cue"] = pd.Series(dtype="int8")
        return (out, pd.DataFrame(log, columns=["article_id", "start", "end", "text", "repair", "into"])) \
            if with_log else out
    places = _place_names(actor_file)
    persons = _person_names(actor_file)
    country_re = _countries(places)
    # corpus-level evidence in this table: forms mostly tagged PERSON
    norm = mentions["text"].map(normalise_surface)
    lab = pd.DataFrame({"k": norm.str.casefold(), "p": mentions["label"].eq("PERSON")})
    pshare = lab.groupby("k")["p"].mean().to_dict()

    def is_person(rest: str, titled: bool) -> bool:
        k = normalise_surface(rest).casefold()
        if k in persons or pshare.get(k, 0.0) >= 0.5:
            return True
        words = rest.split()
        if titled and 2 <= len(words) <= 4 and all(_NAME_TOKEN.match(w) for w in words) \
                and not _INSTITUTION.search(rest):
            return True
        return False

    rows = mentions.to_dict("records")
    new_rows: list[dict] = []
    for r in rows:
        text = texts.get(r["article_id"]) if texts is not None else None
        s, e, t = int(r["start"]), int(r["end"]), r["text"]
        if not isinstance(text, str) or text[s:e] != t:
            r["place_cue"] = 0
            new_rows.append(r)
            continue
        # 3. Saint before a place
        m = _SAINT_BEFORE.search(text, max(0, s - 8), s)
        if m is not None and r["label"] in ("GPE", "LOC", "FAC", "ORG", "PERSON") and t[:1].isupper():
            log.append({"article_id": r["article_id"], "start": s, "end": e, "text": t, "repair": "saint",
                        "into": text[m.start():e]})
            s = m.start()
            t = text[s:e]
            r = dict(r, start=s, text=t, label="GPE" if r["label"] == "PERSON" else r["label"])
        # 1. title + country + name
        split = _split_country(r, text, country_re, is_person)
        if split is not None:
            log.append({"article_id": r["article_id"], "start": s, "end": e, "text": t, "repair": "split",
                        "into": " | ".join(x["text"] for x in split)})
            new_rows.extend(split)
            continue
        new_rows.append(r)
    # 2. re-join split names (per article, in offset order)
    out = pd.DataFrame(new_rows)
    out = out.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)
    out = _join_names(out, texts, log)
    cue = []
    for aid, s, e in zip(out["article_id"], out["start"], out["end"]):
        text = texts.get(aid) if texts is not None else None
        if not isinstance(text, str):
            cue.append(0)
            continue
        s, e = int(s), int(e)
        possessive = text[e:e + 2] in ("'s", "’s")
        cue.append(int(not possessive and (_PLACE_BEFORE.search(text, max(0, s - 40), s) is not None
                                           or _PLACE_AFTER.match(text[e:e + 20]) is not None)))
    out["place_cue"] = pd.Series(cue, dtype="int8", index=out.index)
    out = out[cols + [c for c in out.columns if c not in cols]]
    if with_log:
        return out, pd.DataFrame(log, columns=["article_id", "start", "end", "text", "repair", "into"])
    return out


def _split_country(r: dict, text: str, country_re: re.Pattern, is_person) -> list[dict] | None:
    s, e, t = int(r["start"]), int(r["end"]), r["text"]
    off = 0
    titled = _TITLE_OF_BEFORE.search(text, max(0, s - 40), s) is not None
    m = _TITLE_OF.match(t)
    if m is not None:
        off = m.end()
        titled = True
    cm = country_re.match(t, off)
    if cm is None:
        return None
    rest_start = cm.end()
    rest = t[rest_start:].rstrip()
    if not rest or not rest[0].isupper() or not is_person(rest, titled):
        return None
    c0, c1 = cm.span(1)
    place = dict(r, start=s + c0, end=s + c1, text=t[c0:c1], label="GPE")
    person = dict(r, start=s + rest_start, end=s + rest_start + len(rest), text=rest, label="PERSON")
    assert text[place["start"]:place["end"]] == place["text"]
    assert text[person["start"]:person["end"]] == person["text"]
    return [place, person]


def _join_names(out: pd.DataFrame, texts, log: list) -> pd.DataFrame:
    if len(out) < 2:
        return out
    res: list[dict] = []
    for b in out.to_dict("records"):
        a = res[-1] if res else None
        text = texts.get(b["article_id"]) if texts is not None else None
        if a is not None and a["article_id"] == b["article_id"] and isinstance(text, str) \
                and b["text"][:1].isupper() and len(b["text"].split()) <= 2 and int(b["start"]) > int(a["end"]):
            gap = text[int(a["end"]):int(b["start"])]
            if len(gap) <= 12 and ((gap.isspace() and _PARTICLE_END.search(a["text"]) and a["label"] == "PERSON")
                                   or (_GAP_PARTICLES.match(gap) and "PERSON" in (a["label"], b["label"]))):
                s, e = int(a["start"]), int(b["end"])
                log.append({"article_id": a["article_id"], "start": s, "end": e,
                            "text": a["text"] + " + " + b["text"], "repair": "join", "into": text[s:e]})
                res[-1] = dict(a, end=e, text=text[s:e], label="PERSON")
                continue
        res.append(b)
    return pd.DataFrame(res).reset_index(drop=True)
