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

5. **Names found elsewhere in the article** (:func:`propagate_names`, run by the pipeline after 1–4): the
   article's other occurrences of a name NER tagged once become mentions (``propagated``), without a
   vote in the corpus-level type repair.
6. **Surnames** (:func:`relabel_surnames`): a one-word ORG/GPE/LOC/FAC span that is the surname of a
   person the article names in full is a PERSON.

Every new row keeps ``text[start:end] == mention text``; ``sent_id`` is the original row's.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Sequence

import pandas as pd

from newskit.actors.normalise import DEMONYMS, _TITLES, normalise_surface

_PARTICLES = r"(?:von|van|der|den|de|da|di|du|dos|das|del|della|bin|ibn|al|el|le|la|ter|ten|zu)"
_PARTICLE_END = re.compile(rf"\s{_PARTICLES}(?:\s{_PARTICLES})*$")
_GAP_PARTICLES = re.compile(rf"^\s+(?:{_PARTICLES}\s+)+$")
_SAINT_BEFORE = re.compile(r"(?<![\w.])(?:St\.?|Saint|Ste\.?|Sankt)\s+$")
_PARTICLES_BEFORE = re.compile(r"(?:^|(?<=\s))((?:[Vv]on|[Vv]an)(?:\s+(?:der|den|de))?|[Vv]an\s+der|[Dd]e\s+la)\s+$")
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
    names = _country_names(extra)
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
    first_words = {n.split()[0] for n in _country_names(places)} | {"the", "The"}
    # corpus-level evidence in this table: forms mostly tagged PERSON (and how often)
    keys = [normalise_surface(t).casefold() for t in mentions["text"]]
    lab = pd.DataFrame({"k": keys, "p": mentions["label"].eq("PERSON").to_numpy()})
    g = lab.groupby("k")["p"]
    pstat = pd.DataFrame({"share": g.mean(), "n": g.sum()})
    person_ev = set(pstat.index[(pstat["share"] >= 0.5) & (pstat["n"] >= 2)])

    def is_person(rest: str, titled: bool) -> bool:
        k = normalise_surface(rest).casefold()
        if k in persons:
            return True
        words = rest.split()
        if len(words) >= 2 and k in person_ev:
            return True
        if titled and 2 <= len(words) <= 4 and all(_NAME_TOKEN.match(w) for w in words) \
                and not _INSTITUTION.search(rest):
            return True
        return False

    # 2. re-join split names first (per article, in offset order)
    mentions = mentions.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)
    mentions = _join_names(mentions, texts, log)
    out_rows: list[tuple] = []
    extra = [c for c in cols if c not in ("article_id", "start", "end", "text", "label")]
    extra_vals = [mentions[c].tolist() for c in extra]
    prev_aid, prev_end = None, -1
    for i, (aid, s, e, t, label) in enumerate(zip(mentions["article_id"], mentions["start"], mentions["end"],
                                                  mentions["text"], mentions["label"])):
        text = texts.get(aid) if texts is not None else None
        s, e = int(s), int(e)
        floor = prev_end if aid == prev_aid else -1
        prev_aid, prev_end = aid, max(e, floor)
        if not isinstance(text, str) or text[s:e] != t:
            out_rows.append((i, aid, s, e, t, label))
            continue
        # 3. Saint / particles before a name
        before = text[max(0, s - 12):s]
        if before.endswith((" ", "\u00a0")) and t[:1].isupper() and ("St" in before or "Sankt" in before
                                                                    or "von" in before or "Von" in before
                                                                    or "van" in before or "Van" in before
                                                                    or "de la" in before or "De la" in before):
            m = _SAINT_BEFORE.search(before)
            if m is not None and s - (len(before) - m.start()) < floor:
                m = None
            if m is not None and label in ("GPE", "LOC", "FAC", "ORG", "PERSON"):
                ns = s - (len(before) - m.start())
                log.append({"article_id": aid, "start": s, "end": e, "text": t, "repair": "saint",
                            "into": text[ns:e]})
                s, t, label = ns, text[ns:e], ("GPE" if label == "PERSON" else label)
            else:
                m = _PARTICLES_BEFORE.search(before)
                if m is not None and s - (len(before) - m.start(1)) < floor:
                    m = None
                if m is not None and " " not in t and not _INSTITUTION.search(t):
                    ns = s - (len(before) - m.start(1))
                    log.append({"article_id": aid, "start": s, "end": e, "text": t, "repair": "particle",
                                "into": text[ns:e]})
                    s, t, label = ns, text[ns:e], "PERSON"
        # 1. title + country + name, or <organisation> <known person>
        if " " in t:
            w0 = t.split(" ", 1)[0]
            split = None
            if w0 in first_words or _TITLE_OF.match(t):
                split = _split_country(s, e, t, label, text, country_re, is_person)
            if split is None:
                split = _split_person_tail(s, e, t, label, persons, person_ev)
            if split is not None:
                log.append({"article_id": aid, "start": s, "end": e, "text": t, "repair": "split",
                            "into": " | ".join(x[2] for x in split)})
                for ps, pe, pt, pl in split:
                    out_rows.append((i, aid, ps, pe, pt, pl))
                continue
        out_rows.append((i, aid, s, e, t, label))
    out = pd.DataFrame(out_rows, columns=["_row", "article_id", "start", "end", "text", "label"])
    for c, vals in zip(extra, extra_vals):
        out[c] = [vals[r] for r in out["_row"]]
    out = out.drop(columns="_row").astype({"start": mentions["start"].dtype, "end": mentions["end"].dtype})
    out = out.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)
    # 4. place context
    cue = []
    for aid, s, e in zip(out["article_id"], out["start"], out["end"]):
        text = texts.get(aid) if texts is not None else None
        if not isinstance(text, str):
            cue.append(0)
            continue
        s, e = int(s), int(e)
        cue.append(_place_cue(text, s, e))
    out["place_cue"] = pd.Series(cue, dtype="int8", index=out.index)
    out = out[cols + [c for c in out.columns if c not in cols]]
    if with_log:
        return out, pd.DataFrame(log, columns=["article_id", "start", "end", "text", "repair", "into"])
    return out


_PLACE_PREV = frozenset("in near outside around across into towards toward".split())
_PLACE_NOUNS = frozenset("city town village region oblast province port settlement suburb district outskirts "
                         "streets centre center residents".split())
_PLACE_NEXT = frozenset("region oblast province district city airport".split())


def _place_cue(text: str, s: int, e: int) -> int:
    """1 when the span sits in a place context: "in X", "near the X", "the town of X", "X region"."""
    if text[e:e + 2] in ("'s", "’s"):
        return 0
    words = text[max(0, s - 32):s].split()
    if words and words[-1] in ("the", "The"):
        words = words[:-1]
    if words:
        w = words[-1].lower()
        if w in _PLACE_PREV:
            return 1
        if w == "of" and len(words) >= 2 and words[-2].lower() in _PLACE_NOUNS:
            return 1
    nxt = text[e:e + 16].split(maxsplit=1)
    return int(bool(nxt) and nxt[0].lower().strip(".,;:") in _PLACE_NEXT)


def _split_country(s: int, e: int, t: str, label: str, text: str, country_re, is_person):
    off = 0
    titled = _TITLE_OF_BEFORE.search(text[max(0, s - 40):s]) is not None
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
    parts = [(s + c0, s + c1, t[c0:c1], "GPE"), (s + rest_start, s + rest_start + len(rest), rest, "PERSON")]
    assert all(text[a:b] == x for a, b, x, _ in parts)
    return parts


def _split_person_tail(s: int, e: int, t: str, label: str, persons: set, person_ev: set):
    """"Security Council Dmitry Medvedev", "State Antony Blinken": <capitalised words> + a known person
    (an actor-file person, or a name of two or more words that is mostly a PERSON in the table)."""
    words = t.split(" ")
    if len(words) < 3 or label == "PERSON" and normalise_surface(t).casefold() in person_ev:
        return None
    for k in (3, 2):
        if len(words) - k < 1:
            continue
        tail = " ".join(words[-k:])
        key = normalise_surface(tail).casefold()
        if key not in persons and key not in person_ev:
            continue
        head = " ".join(words[:-k])
        if not head[:1].isupper() or normalise_surface(head) == "" or not all(w[:1].isupper() or w in ("of", "the", "and")
                                                                          for w in words[:-k]):
            return None
        if normalise_surface(t).casefold() in persons:  # the whole span is a known person ("Olena Zelenska")
            return None
        hs = s
        he = s + len(head)
        ts = e - len(tail)
        return [(hs, he, head, label if label != "PERSON" else "ORG"), (ts, e, tail, "PERSON")]
    return None


def _country_names(extra: set[str]) -> set[str]:
    return {c for c, _ in DEMONYMS.values()} | extra | {"US", "U.S.", "UK", "U.K.", "USA", "UAE"}


def _join_names(out: pd.DataFrame, texts, log: list) -> pd.DataFrame:
    """Join "<name> <particles>" + "<Name>" and "<Name>" + " <particles> " + "<Name>" into one PERSON."""
    import numpy as np

    if len(out) < 2 or texts is None:
        return out
    aid = out["article_id"].to_numpy()
    st = out["start"].to_numpy().astype("int64")
    en = out["end"].to_numpy().astype("int64")
    gap = st[1:] - en[:-1]
    cand = np.flatnonzero((aid[1:] == aid[:-1]) & (gap >= 1) & (gap <= 12)
                          & (out["label"].to_numpy()[:-1] == "PERSON") | (out["label"].to_numpy()[1:] == "PERSON")
                          & (aid[1:] == aid[:-1]) & (gap >= 1) & (gap <= 12))
    if not len(cand):
        return out
    texts_col = out["text"].tolist()
    labels = out["label"].tolist()
    drop: set[int] = set()
    new_end: dict[int, int] = {}
    for i in cand:
        j = i + 1
        a = i
        while a in drop:  # a chain: the earlier row already absorbed row i
            a -= 1
        text = texts.get(aid[i])
        if not isinstance(text, str) or not texts_col[j][:1].isupper() or len(texts_col[j].split()) > 2:
            continue
        g = text[en[i]:st[j]]
        a_text = text[st[a]:new_end.get(a, en[a])]
        if (g.isspace() and _PARTICLE_END.search(a_text) and labels[a] == "PERSON") or \
                (_GAP_PARTICLES.match(g) and "PERSON" in (labels[a], labels[j])):
            log.append({"article_id": aid[i], "start": int(st[a]), "end": int(en[j]),
                        "text": a_text + " + " + texts_col[j], "repair": "join", "into": text[st[a]:en[j]]})
            new_end[a] = int(en[j])
            drop.add(j)
    if not new_end:
        return out
    out = out.copy()
    for a, e in new_end.items():
        out.iat[a, out.columns.get_loc("end")] = e
        out.iat[a, out.columns.get_loc("text")] = texts[aid[a]][st[a]:e]
        out.iat[a, out.columns.get_loc("label")] = "PERSON"
    return out.drop(index=sorted(drop)).reset_index(drop=True)


# --------------------------------------------------------------------------- 5. name propagation
#: NER labels whose forms are propagated to the article's other occurrences of them
PROPAGATE_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC")
_CAP_BEFORE = re.compile(r"(?:^|[^\n.!?:;\"“”(\s])[ \t]+([A-Z][\w'’-]*) $")
_CAP_AFTER = re.compile(r"^\s(?:of\s)?[A-Z]")
_TOKEN_RE = re.compile(r"[\w-]+")


@lru_cache(maxsize=100_000)
def _propagatable(form: str) -> bool:
    from newskit.actors.normalise import generic_reason, is_non_entity

    if "\n" in form or not form[:1].isupper() or is_non_entity(form):
        return False
    if len(form) < 3 and not (form.isupper() and len(form) == 2):
        return False
    return generic_reason(normalise_surface(form)) is None


_WORD_BEFORE = re.compile(r"[\w'’-]")
_WORD_AFTER = re.compile(r"[\w-]")


def _whole_word_hits(text: str, forms: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, form)`` of the occurrences of ``forms`` in ``text`` that
    ``re.finditer(r"(?<![\\w'’-])(?:f1|f2|…)(?![\\w-])", text)`` finds — leftmost first, at one
    position the first form of ``forms`` that fits, no overlaps — without compiling a pattern per
    article (compiling one costs more than searching the forms with ``str.find``).

    >>> _whole_word_hits("Ana Brel and Brel's Brelo; Brel", ["Ana Brel", "Brel"])
    [(0, 8, 'Ana Brel'), (13, 17, 'Brel'), (27, 31, 'Brel')]
    """
    cands: list[tuple[int, int, int]] = []
    before, after, n = _WORD_BEFORE.match, _WORD_AFTER.match, len(text)
    for r, f in enumerate(forms):
        if not f:
            continue
        find, s = text.find, text.find(f)
        while s >= 0:
            e = s + len(f)
            if not (s and before(text, s - 1)) and not (e < n and after(text, e)):
                cands.append((s, r, e))
            s = find(f, s + 1)
    cands.sort()
    out, pos = [], 0
    for s, r, e in cands:
        if s < pos:  # overlapping the previous hit (or a later form at its position)
            continue
        out.append((s, e, forms[r]))
        pos = e
    return out


def propagate_names(mentions: pd.DataFrame, texts: Mapping[str, str], *,
                    family: Mapping[str, str] | None = None) -> pd.DataFrame:
    """5. **Names found elsewhere in the article**: NER often tags a name once and misses it the next
    times ("Montalvo" tagged in one sentence, missed in four). Every other occurrence of a form tagged in
    the same article — same spelling and case, whole words, overlapping no mention, not part of a longer
    capitalised name ("Washington" in "George Washington University" is left alone) — becomes a mention
    with the form's most frequent label in the article; the surname of a tagged two-word person name
    counts as a tagged form. A one-word form whose lower-case spelling also occurs in the article, or
    is a stop word ("May", "Will", "Hope"), is not propagated (an all-capitals form, "US", is: matching is
    case-sensitive), nor are generic phrases and non-entities.

    Parameters
    ----------
    mentions : DataFrame
        ``article_id, start, end, text, label`` (after the other repairs).
    texts : mapping
        key (``article_id``) → text.
    family : mapping, optional
        key → article: keys of one article (its text and its title) share their forms.

    Returns
    -------
    DataFrame
        The new mentions only: ``article_id, start, end, text, label, place_cue, propagated``
        (``text[start:end]`` is the text; ``propagated`` 1: a form tagged elsewhere in the article — it
        adds a mention but no vote to the corpus-level type of the form, which stays NER's; 2: a surname
        of a tagged name), in key and offset order.

    Examples
    --------
    >>> t = "Ana Brel met the board. Later Brel left, and the board thanked Brel. May may not come."
    >>> m = pd.DataFrame({"article_id": ["a", "a"], "start": [0, 69], "end": [8, 72],
    ...                   "text": ["Ana Brel", "May"], "label": ["PERSON", "PERSON"]})
    >>> propagate_names(m, {"a": t})[["start", "end", "text", "label"]]
       start  end  text   label
    0     30   34  Brel  PERSON
    1     63   67  Brel  PERSON
    """
    import bisect

    from newskit.text import _stopwords

    cols = ["article_id", "start", "end", "text", "label", "place_cue", "propagated"]
    if not len(mentions):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else object) for c in cols})
    fam = family or {}
    stop = _stopwords()
    votes: dict[str, dict[str, dict[str, int]]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for aid, s, e, t, lab in zip(mentions["article_id"], mentions["start"], mentions["end"], mentions["text"],
                                 mentions["label"]):
        spans.setdefault(aid, []).append((int(s), int(e)))
        if lab not in PROPAGATE_LABELS or not isinstance(t, str):
            continue
        v = votes.setdefault(fam.get(aid, aid), {})
        v.setdefault(t, {}).setdefault(lab, 0)
        v[t][lab] += 1
        words = t.split()
        if lab == "PERSON" and len(words) == 2 and _NAME_TOKEN.match(words[-1]) and len(words[-1]) >= 3:
            v.setdefault(words[-1], {}).setdefault("~PERSON", 0)  # a surname: weaker than a tagged form
            v[words[-1]]["~PERSON"] += 1
    keys_of: dict[str, list[str]] = {}
    for k in texts:
        keys_of.setdefault(fam.get(k, k), []).append(k)
    rows: list[tuple] = []
    for group, v in votes.items():
        group_texts = [texts[k] for k in keys_of.get(group, []) if isinstance(texts.get(k), str)]
        tokens: set[str] = set()  # whole words, one pass
        for t in group_texts:
            tokens.update(_TOKEN_RE.findall(t))
        forms: dict[str, tuple[str, int]] = {}
        for f, labs in v.items():
            real = {lab: n for lab, n in labs.items() if not lab.startswith("~")}
            lab = max(sorted(real), key=lambda x: real[x]) if real else "PERSON"
            if not _propagatable(f):
                continue
            acronym = f.isupper() and len(f) >= 2  # "US", "FIRST": the case says it is a name
            if " " not in f and not acronym and (f.lower() in stop or f.lower() in tokens):
                continue
            forms[f] = (lab, 1 if real else 2)
        if not forms:
            continue
        ordered = sorted(forms, key=len, reverse=True)  # longest first, as an alternation would try them
        for key in keys_of.get(group, []):
            text = texts.get(key)
            if not isinstance(text, str):
                continue
            taken = sorted(spans.get(key, []))
            starts = [a for a, _ in taken]
            for s, e, form in _whole_word_hits(text, ordered):
                i = bisect.bisect_right(starts, e - 1) - 1
                # any mention starting before e that ends after s overlaps
                if any(taken[j][1] > s for j in range(max(0, i - 8), i + 1) if j >= 0):
                    continue
                if _CAP_BEFORE.search(text[max(0, s - 40):s]) or _CAP_AFTER.match(text[e:e + 6]):
                    continue
                lab, kind = forms[form]
                rows.append((key, s, e, form, lab, _place_cue(text, s, e), kind))
    out = pd.DataFrame(rows, columns=cols)
    out = out.astype({"start": "int64", "end": "int64"})
    out["place_cue"] = out["place_cue"].astype("int8")
    out["propagated"] = out["propagated"].astype("int8")
    return out.sort_values(["article_id", "start"], kind="stable").reset_index(drop=True)


def relabel_surnames(mentions: pd.DataFrame, *, family: Mapping[str, str] | None = None,
                     actor_file=None) -> pd.DataFrame:
    """6. **A surname is a person**: a one-word mention that NER labels ORG, GPE, LOC or FAC ("Wilkins",
    "Lukaku") is relabelled PERSON when the same article names a person whose full name (two or more
    capitalised words, tagged PERSON) ends in that word — unless the word is a known place (a country of
    the built-in table or a place of the actor files). Returns the table with ``label`` changed (a copy).

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a"] * 4, "text": ["Ana Brel", "Brel", "Brel", "Georgia"],
    ...                   "label": ["PERSON", "ORG", "GPE", "GPE"]})
    >>> m.loc[4] = ["a", "Tom Georgia", "PERSON"]
    >>> relabel_surnames(m)["label"].tolist()
    ['PERSON', 'PERSON', 'PERSON', 'GPE', 'PERSON']
    """
    if not len(mentions):
        return mentions
    fam = family or {}
    places = {n.casefold() for n in _country_names(_place_names(actor_file))}
    surnames: dict[str, set[str]] = {}
    for aid, t, lab in zip(mentions["article_id"], mentions["text"], mentions["label"]):
        if lab != "PERSON" or not isinstance(t, str):
            continue
        words = t.split()
        if len(words) >= 2 and all(_NAME_TOKEN.match(w) for w in words) and len(words[-1]) >= 3:
            surnames.setdefault(fam.get(aid, aid), set()).add(words[-1])
    if not surnames:
        return mentions
    labels = mentions["label"].to_numpy(dtype=object).copy()
    for i, (aid, t, lab) in enumerate(zip(mentions["article_id"], mentions["text"], labels)):
        if lab in ("ORG", "GPE", "LOC", "FAC") and isinstance(t, str) and " " not in t \
                and t in surnames.get(fam.get(aid, aid), ()) and t.casefold() not in places:
            labels[i] = "PERSON"
    return mentions.assign(label=labels)
