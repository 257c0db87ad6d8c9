"""The resolution rules, one function each, in the order :func:`newskit.actors.resolve_surface_forms` runs them.

Form-level rules work on the distinct normalised surface forms of a corpus (:class:`Forms`); each returns
decisions ``nkey → (actor, type, rule)`` (``actor`` None: not an actor, ``rule`` says why).
:func:`rule_context` is the one mention-level rule (ambiguous short forms need their article).

1. :func:`rule_term` — rows of :func:`newskit.actors.match_patterns` (label ``TERM``) → their entry;
2. :func:`rule_non_entity` — pronouns, numbers, dates, single letters, all-lowercase spans;
3. :func:`rule_actor_file` — literal and ``re:`` aliases of the actor files (they also *declare* a
   generic or ambiguous phrase, which then means what the file says);
4. :func:`rule_generic` — generic phrases ("State", "Head of State"), bare titles, truncated spans
   ("Office of the President of"): not actors, listed as rejects;
5. :func:`rule_ambiguous` — short institution names ("Security Council", "Parliament") and the
   ``ambiguous:`` forms of the actor files: decided per mention by :func:`rule_context`;
6. :func:`rule_demonym` — demonyms → their country (or a group with ``keep_groups``);
7. :func:`rule_translit` — transliteration families (Zelensky/Zelenskyy, Kyiv/Kiev);
8. :func:`rule_short_name` — a one-word person name → the unambiguous full name ending in it;
9. :func:`rule_generic_demonym` — a group-labelled "Xian(s)" whose country "Xia" is a place of the corpus;
10. :func:`rule_type_repair` — the actor type: the actor file's, else the majority over all its
    mentions, where mentions in a place context ("in X", "the town of X") vote for place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

from newskit.actors.actor_file import ActorSpec, regex_fullmatch
from newskit.actors.normalise import (AMBIGUOUS, DEMONYMS, LABEL_TYPES, _NAME_WORD, _close_spelling,
                                      generic_reason, is_non_entity, normalise_surface, translit_key)

Decision = tuple  # (actor | None, type | None, rule)


class _UF:
    def __init__(self):
        self.p: dict = {}

    def find(self, x):
        p = self.p.setdefault(x, x)
        if p != x:
            p = self.p[x] = self.find(p)
        return p

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[rb] = ra


@dataclass
class Forms:
    """The distinct forms of a corpus with their counts per type, and the actor-file indexes."""
    specs: list[ActorSpec]
    f: pd.DataFrame                     # text, label, n, [place_cue], norm, ltype, nkey
    display: dict[str, str]             # nkey → most frequent spelling
    ncount: dict[str, int]
    share: dict[str, dict[str, float]]  # type → nkey → share of the mentions
    place_cue: dict[str, float]         # nkey → share of mentions in a place context
    lit: dict[str, ActorSpec] = field(default_factory=dict)
    ambiguous: dict[str, ActorSpec] = field(default_factory=dict)
    by_name: dict[str, ActorSpec] = field(default_factory=dict)
    spec_keys: dict[str, ActorSpec] = field(default_factory=dict)
    labels: dict[str, set] = field(default_factory=dict)  # nkey → spaCy labels
    regex_specs: list[ActorSpec] = field(default_factory=list)  # the specs with ``re:`` aliases, in order

    @classmethod
    def index(cls, specs: list[ActorSpec]) -> "Forms":
        """Only the actor-file indexes (for the mention-level context rule)."""
        self = cls(specs, pd.DataFrame(), {}, {}, {}, {})
        self._index()
        return self

    def _index(self) -> None:
        self.regex_specs = [s for s in self.specs if s.regexes]
        for s in self.specs:
            for a in [s.name] + s.aliases:
                self.lit.setdefault(normalise_surface(a).casefold(), s)
                self.lit.setdefault(a.casefold(), s)
            for a in s.ambiguous:
                self.ambiguous.setdefault(normalise_surface(a).casefold(), s)
            self.by_name.setdefault(s.name, s)
            for a in [s.name] + s.aliases:
                self.spec_keys.setdefault(translit_key(normalise_surface(a)), s)

    @classmethod
    def build(cls, forms: pd.DataFrame, specs: list[ActorSpec]) -> "Forms":
        f = forms.copy()
        f["norm"] = [normalise_surface(t) for t in f["text"]]
        f["ltype"] = f["label"].map(LABEL_TYPES).fillna("other")
        f["nkey"] = f["norm"].str.casefold()
        if "place_cue" not in f:
            f["place_cue"] = 0
        nstats = f.groupby(["nkey", "ltype"], sort=False)["n"].sum().unstack(fill_value=0)
        tot = nstats.sum(axis=1)
        share = {t: (nstats[t] / tot).to_dict() for t in nstats.columns}
        cue = (f.groupby("nkey", sort=False)["place_cue"].sum() / tot).to_dict()
        display = (f.groupby(["nkey", "norm"], sort=False)["n"].sum().reset_index()
                   .sort_values("n", ascending=False).drop_duplicates("nkey").set_index("nkey")["norm"].to_dict())
        labels: dict[str, set] = {}
        for k, lab in zip(f["nkey"], f["label"]):  # (a groupby-agg(set) runs Python per group: 0.3 s here)
            labels.setdefault(k, set()).add(lab)
        self = cls(specs, f, display, tot.to_dict(), share, cue, labels=labels)
        self._index()
        return self

    def sh(self, t: str, nkey: str) -> float:
        return self.share.get(t, {}).get(nkey, 0.0)


# --------------------------------------------------------------------------- 1–6: direct decisions
def rule_non_entity(form: str) -> Decision | None:
    """Obvious non-entities (see :func:`newskit.actors.is_non_entity`).

    >>> rule_non_entity("they"), rule_non_entity("Kyiv")
    ((None, None, 'non-entity'), None)
    """
    return (None, None, "non-entity") if is_non_entity(form) else None


def rule_term(nkey: str, fs: Forms) -> Decision | None:
    """A ``TERM`` row (a text-pattern match) → the entry whose pattern matches its text."""
    if "TERM" not in fs.labels.get(nkey, ()):
        return None
    form = fs.display[nkey]
    for s in fs.specs:
        for p in s.patterns:
            try:
                hit = p.regex.fullmatch(form, timeout=1.0) is not None
            except TimeoutError:
                hit = False
            if hit:
                return (s.name, s.type or "term", "pattern")
    return None


def rule_actor_file(nkey: str, fs: Forms) -> Decision | None:
    """Literal aliases (case-insensitive, also after normalisation), then ``re:`` aliases (full match)."""
    spec = fs.lit.get(nkey)
    if spec is None:
        form = fs.display[nkey]
        for s in fs.regex_specs:  # only entries with re: aliases can match here
            if any(regex_fullmatch(rx, form, s) for rx in s.regexes):
                spec = s
                break
    return None if spec is None else (spec.name, spec.type, "actor-file")


def rule_generic(nkey: str, fs: Forms) -> Decision | None:
    """Generic phrases, bare titles and truncated spans are not actors (the reason is the rule)."""
    reason = generic_reason(fs.display[nkey])
    return None if reason is None else (None, None, reason)


def rule_ambiguous(nkey: str, fs: Forms) -> Decision | None:
    """Ambiguous short forms keep their own name here; :func:`rule_context` decides per mention."""
    if nkey in fs.ambiguous or nkey in AMBIGUOUS:
        return (fs.display[nkey], None, "ambiguous")
    return None


def rule_demonym(nkey: str, fs: Forms, *, keep_groups: bool) -> Decision | None:
    """Demonyms of the built-in table → country (or the plural group with ``keep_groups``)."""
    if nkey not in DEMONYMS:
        return None
    country, group = DEMONYMS[nkey]
    if keep_groups:
        return (group, "group", "demonym-group")
    cspec = fs.lit.get(country.casefold())
    return ((cspec.name if cspec else country), (cspec.type if cspec else "place"), "demonym")


# --------------------------------------------------------------------------- 7: transliteration families
def rule_translit(pending: list[str], decided: Mapping[str, Decision], fs: Forms) -> tuple[dict, _UF, dict]:
    """Union forms with an equal transliteration key and a close spelling; anchor a family on an actor-file
    entry when one of its spellings is close to that entry's. Returns (component actor, union-find, anchors)."""
    uf = _UF()
    by_tkey: dict[str, list[str]] = {}
    for nkey in pending:
        by_tkey.setdefault(translit_key(fs.display[nkey]), []).append(nkey)
    anchor: dict[str, tuple[str, str | None]] = {}
    for tkey, members in by_tkey.items():
        members.sort(key=lambda k: -fs.ncount[k])
        head = members[0]
        uf.find(head)
        for m in members[1:]:
            if _close_spelling(fs.display[m], fs.display[head]):
                uf.union(head, m)
        spec = fs.spec_keys.get(tkey)
        if spec is not None:
            for m in members:
                if any(_close_spelling(fs.display[m], normalise_surface(a)) for a in [spec.name] + spec.aliases):
                    anchor[m] = (spec.name, spec.type)
    decided_tkeys: dict[str, tuple[str, str | None, str]] = {}
    for nkey, (actor, atype, rule) in decided.items():
        if rule == "actor-file":
            decided_tkeys.setdefault(translit_key(fs.display[nkey]), (actor, atype, fs.display[nkey]))
    for nkey in pending:
        hit = decided_tkeys.get(translit_key(fs.display[nkey]))
        if hit and nkey not in anchor and _close_spelling(fs.display[nkey], hit[2]):
            anchor[nkey] = (hit[0], hit[1])
    comps: dict[str, list[str]] = {}
    for nkey in pending:
        comps.setdefault(uf.find(nkey), []).append(nkey)
    comp_actor: dict[str, Decision] = {}
    for root, members in comps.items():
        anchors = [anchor[m] for m in members if m in anchor]
        if anchors:
            comp_actor[root] = (anchors[0][0], anchors[0][1], "actor-file")
        else:
            best = max(members, key=lambda k: fs.ncount[k])
            comp_actor[root] = (fs.display[best], None, "translit" if len(members) > 1 else "auto")
    return comp_actor, uf, comps


# --------------------------------------------------------------------------- 8: short names
def rule_short_name(pending: list[str], decided: Mapping[str, Decision], comp_actor: Mapping[str, Decision],
                    uf: _UF, fs: Forms) -> dict[str, tuple[str, str | None]]:
    """A one-word person name → the full person name ending in it, when that full name has ≥ 75 % of the
    mentions of all candidate full names ("Griner" → "Brittney Griner" though "Cherelle Griner" occurs)."""
    full_by_last: dict[str, dict[str, int]] = {}
    last_words: dict[tuple[str, str], set[str]] = {}
    person_forms = []
    for nkey in pending:
        words = fs.display[nkey].split()
        if len(words) >= 2 and fs.sh("person", nkey) >= 0.5 and all(_NAME_WORD.match(w) for w in words):
            person_forms.append((nkey, words))
    for nkey, (actor, atype, rule) in decided.items():
        if rule == "actor-file" and atype == "person" and len(fs.display[nkey].split()) >= 2:
            person_forms.append((nkey, fs.display[nkey].split()))
    for s in fs.specs:
        if s.type == "person" and len(s.name.split()) >= 2:
            full_by_last.setdefault(translit_key(s.name.split()[-1]), {})
            last_words.setdefault((translit_key(s.name.split()[-1]), s.name), set()).add(s.name.split()[-1])
    for nkey, words in person_forms:
        actor = decided[nkey][0] if nkey in decided else comp_actor[uf.find(nkey)][0]
        d = full_by_last.setdefault(translit_key(words[-1]), {})
        d[actor] = d.get(actor, 0) + int(fs.ncount[nkey])
        last_words.setdefault((translit_key(words[-1]), actor), set()).add(words[-1])
    out: dict[str, tuple[str, str | None]] = {}
    for nkey in pending:
        form = fs.display[nkey]
        if len(form.split()) != 1 or fs.sh("person", nkey) < 0.4:
            continue
        tk = translit_key(form)
        cands = {a: c for a, c in (full_by_last.get(tk) or {}).items()
                 if any(_close_spelling(form, w) for w in last_words.get((tk, a), ()))}
        if not cands:
            continue
        total = sum(cands.values())
        best, cnt = max(cands.items(), key=lambda kv: kv[1])
        if total and cnt / total >= 0.75 and best.casefold() != nkey:
            spec = fs.by_name.get(best)
            out[nkey] = (best, spec.type if spec else None)
    return out


# --------------------------------------------------------------------------- 9: generic demonyms
def rule_generic_demonym(nkey: str, result: Mapping[str, Decision], fs: Forms, *,
                         keep_groups: bool) -> Decision | None:
    """A group-labelled "Xian(s)" / "Xese" / "Xish" whose country "Xia"/"X"… is a place of the corpus."""
    form = fs.display[nkey]
    if " " in form or fs.sh("group", nkey) < 0.5 or len(form) < 5:
        return None
    base = form[:-1] if form.endswith("s") and not form.endswith("ss") else form
    for c in (base[:-1], base[:-3] + "a", base[:-3] + "y", base[:-3], base[:-2], base[:-3] + "e",
              base[:-3] + "ia", base[:-2] + "a"):
        ck = c.casefold()
        if len(ck) >= 3 and ck != nkey and ck in fs.ncount and fs.sh("place", ck) >= 0.5 \
                and result.get(ck, (None,))[0] is not None:
            if keep_groups:
                plural = base + "s" if not base.endswith(("ese", "ish", "ss")) else base
                return (plural, "group", "demonym-group")
            return (result[ck][0], result[ck][1], "demonym")
    return None


# --------------------------------------------------------------------------- 10: type repair
#: Share of an actor's mentions in a place context ("in X", "the town of X") above which a single-word
#: actor that NER mostly calls a person or a group is a place.
PLACE_CUE_SHARE = 0.3


def rule_type_repair(result: Mapping[str, Decision], fs: Forms) -> dict[str, str]:
    """Actor → type: the actor file's type, else the majority type over all mentions of the actor (demonym
    rows count as place; a tie with place is place when a mention sits in a place context), corrected to
    place when many of its mentions sit in a place context."""
    f = fs.f
    f = f.assign(actor=[result[k][0] for k in f["nkey"]], rule=[result[k][2] for k in f["nkey"]])
    ftype = f["ltype"].where(~f["rule"].eq("demonym"), "place")
    ftype = ftype.where(~f["rule"].eq("pattern"), "term")
    g = f.assign(ftype=ftype).dropna(subset=["actor"])
    all_votes = (g.groupby(["actor", "ftype"])["n"].sum().reset_index()
                 .sort_values(["actor", "n"], ascending=[True, False]))
    votes = all_votes.drop_duplicates("actor")
    majority = dict(zip(votes["actor"], votes["ftype"]))
    cue = g.groupby("actor")[["place_cue", "n"]].sum()
    cue_share = (cue["place_cue"] / cue["n"]).to_dict()
    # a tie that includes place goes to place when some mention sits in a place context
    top_n = dict(zip(votes["actor"], votes["n"]))
    tied_place = all_votes[(all_votes["ftype"] == "place") & (all_votes["n"] == all_votes["actor"].map(top_n))]
    for actor in tied_place["actor"]:
        if cue_share.get(actor, 0.0) > 0:
            majority[actor] = "place"
    fixed: dict[str, str] = {}
    for actor, atype, rule in result.values():
        if actor is not None and atype:
            fixed.setdefault(actor, atype)
    out = {}
    for actor, t in majority.items():
        if actor in fixed:
            out[actor] = fixed[actor]
        elif t in ("person", "group") and " " not in actor \
                and cue_share.get(actor, 0.0) >= PLACE_CUE_SHARE:
            out[actor] = "place"
        else:
            out[actor] = t
    for actor, t in fixed.items():
        out.setdefault(actor, t)
    return out


# --------------------------------------------------------------------------- mention level: context
_QUALIFIER_RE = None


def _qualifier_re():
    global _QUALIFIER_RE
    if _QUALIFIER_RE is None:
        import re

        names = sorted({c for c, _ in DEMONYMS.values()} | set(DEMONYMS) |
                       {c.split()[-1] for c, _ in DEMONYMS.values()}, key=len, reverse=True)
        alt = "|".join(re.escape(n) for n in names)
        _QUALIFIER_RE = re.compile(rf"(?i:\b({alt}))(?:['’]s)?\s+(?:(?:own|new|national|state)\s+)?$")
    return _QUALIFIER_RE


def country_before(text: str, start: int) -> str | None:
    """The country named just before a span ("Russia's Security Council", "the Ukrainian parliament").

    >>> t = "the Ukrainian Parliament voted"
    >>> country_before(t, t.index("Parliament"))
    'Ukraine'
    """
    m = _qualifier_re().search(text, max(0, start - 40), start)
    if m is None:
        return None
    word = m.group(1).casefold()
    if word in DEMONYMS:
        return DEMONYMS[word][0]
    for c, _ in DEMONYMS.values():
        if c.casefold() == word or c.split()[-1].casefold() == word:
            return c
    return None


def rule_context(mentions: pd.DataFrame, fs: Forms, result: Mapping[str, Decision], *,
                 texts: Mapping[str, str] | None = None,
                 sources: Mapping[str, str] | None = None,
                 source_country: Mapping[str, str] | None = None,
                 titles: Mapping[str, str] | None = None) -> list[Decision | None]:
    """Per mention of an ambiguous short form, in order:

    1. a country named just before it ("Russia's Security Council", "the Ukrainian parliament")
       qualifies it: "Security Council (Russia)" — or the actor-file entry named "<demonym> <form>",
       "<form> of <country>" … when there is one;
    2. an actor-file entry listing the form under ``ambiguous:`` takes it when the same article mentions
       one of the entry's ``context:`` forms, its name or an alias (the article supports it);
    3. the outlet's country (``sources:`` of the actor file, e.g. ``kremlin.ru: Russia``) qualifies it
       as in 1;
    4. a longer form of the same actor in the same article that ends with it ("Russian Security
       Council" … "the Security Council") takes it, when there is exactly one;
    5. otherwise it stays its own actor (its display form).

    ``texts`` (and ``titles``, for rows with ``in_title``: their offsets index the title) are the
    articles' texts by ``article_id``. Returns one decision per row of ``mentions`` (None for rows that
    are not ambiguous forms).
    """
    nk = [normalise_surface(t).casefold() for t in mentions["text"]]
    amb_rows = [i for i, k in enumerate(nk) if result.get(k, (None, None, ""))[2] == "ambiguous"]
    out: list[Decision | None] = [None] * len(mentions)
    if not amb_rows:
        return out
    aids = mentions["article_id"].astype(str).to_numpy()
    starts = mentions["start"].to_numpy() if "start" in mentions else None
    in_title = mentions["in_title"].fillna(False).to_numpy(dtype=bool) if "in_title" in mentions else None
    article_forms: dict[str, set[str]] = {}
    article_actors: dict[str, dict[str, str]] = {}  # aid → actor.casefold() → actor
    for aid, k in zip(aids, nk):
        article_forms.setdefault(aid, set()).add(k)
        r = result.get(k)
        if r is not None and r[0] is not None and r[2] != "ambiguous":
            article_actors.setdefault(aid, {})[r[0].casefold()] = r[0]
    for i in amb_rows:
        k, aid = nk[i], aids[i]
        form = result[k][0] or k
        country, rule = None, "context-country"
        if texts is not None and starts is not None and aid in texts:
            # a title mention's offsets index the title (``titles``), never the text
            t = (titles or {}).get(aid) if in_title is not None and in_title[i] else texts[aid]
            if isinstance(t, str):
                country = country_before(t, int(starts[i]))
        spec = fs.ambiguous.get(k)
        if country is None and spec is not None:
            support = {normalise_surface(c).casefold() for c in (spec.context or [])} | \
                      {normalise_surface(a).casefold() for a in [spec.name] + spec.aliases}
            if article_forms.get(aid, set()) & support:
                out[i] = (spec.name, spec.type, "context")
                continue
        if country is None and sources is not None and source_country:
            country = source_country.get(str(sources.get(aid, "")).lower().removeprefix("www."))
            rule = "context-source"
        if country is not None:
            cands = [f"{d} {form}" for d, (c, _) in DEMONYMS.items() if c == country] + \
                    [f"{form} of {country}", f"{country}'s {form}", f"{country} {form}"]
            hit = next((fs.lit[c.casefold()] for c in cands if c.casefold() in fs.lit), None)
            out[i] = (hit.name, hit.type, rule) if hit is not None else (f"{form} ({country})", None, rule)
            continue
        longer = [a for ak, a in article_actors.get(aid, {}).items()
                  if ak.endswith(" " + k) and ak != k]
        if len(longer) == 1:
            out[i] = (longer[0], None, "context-article")
            continue
        out[i] = (form, None, "ambiguous")
    return out
