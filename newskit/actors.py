"""Actor resolution: surface forms of entity mentions → canonical actors.

Runs on the assembled mentions table every time (cheap: the work is done once per distinct
surface form). Rules, in order:

1. **Normalise** a surface form: curly quotes, possessives (``Putin's``, ``Ukrainians’``), a leading
   "the", honorifics and titles (``Mr``, ``President``, ``Russian Defence Minister`` …).
2. **Drop non-entities**: no letters, single letters, all-lowercase, pronouns, weekdays/months,
   numbers and dates tagged as names.
3. **Actor file** (YAML, see below): literal aliases (case-insensitive) and ``re:`` regex aliases
   (case-insensitive full match) name the canonical actor and its type. The starter file
   ``newskit/data/actors.yml`` is always read; a user file overrides (same ``name``) and extends it.
4. **Demonyms** → country ("Russian", "Russians" → Russia), or a separate group actor
   ("Russians", type ``group``) with ``keep_groups=True``. Besides the built-in table, a group-labelled
   "Xian(s)"/"Xese"/"Xish" joins a country "Xia"/"X"… that occurs in the corpus as a place.
5. **Transliteration families**: forms whose transliteration key (lower case, accents removed,
   ``kh→h``, ``zh→z``, ``h→g``, ``ff→v``, ``w→v``, vowels after the first letter and double letters
   dropped) is equal and whose spelling is close (edit distance ≤ max(2, len/3)) are one actor
   (Zelensky/Zelenskyy/Zelenskiy, Kyiv/Kiev, Kharkiv/Kharkov, Odesa/Odessa, Luhansk/Lugansk …).
6. **Short names → full names**: a one-word person name ("Putin") joins the full name
   ("Vladimir Putin") whose last word it is, when that full name is unambiguous (≥ 75% of the
   mentions of candidate full names; "Griner" → "Brittney Griner" although "Cherelle Griner" occurs).
7. **Type repair**: the actor type is the majority type over all its mentions (a Ukrainian city
   tagged PERSON in a few sentences stays a place); an actor-file ``type`` wins.

Actor file format::

    actors:
      - name: Volodymyr Zelensky       # canonical name (required)
        type: person                   # person/place/organisation/group/event/other (optional)
        aliases: [Zelenskyy, Zelenskiy, "re:zelensk(?:yy|iy|ii|yi|y|i)"]

>>> normalise_surface("President Putin's")
'Putin'
>>> translit_key("Zelenskyy") == translit_key("Zelensky") == translit_key("Zelenskiy")
True
>>> translit_key("Kiev") == translit_key("Kyiv")
True
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

STARTER_FILE = Path(__file__).with_name("data") / "actors.yml"

ACTOR_TYPES = ("person", "place", "organisation", "group", "event", "other")
_TYPE_ALIASES = {"organization": "organisation", "org": "organisation", "location": "place",
                 "gpe": "place", "loc": "place", "per": "person", "norp": "group"}
LABEL_TYPES = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place",
               "ORG": "organisation", "NORP": "group", "EVENT": "event"}

_TITLES = [
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady",
    "President", "Vice President", "Vice-President", "Prime Minister", "Deputy Prime Minister",
    "Defence Minister", "Defense Minister", "Foreign Minister", "Interior Minister",
    "Finance Minister", "Energy Minister", "Economy Minister", "Minister", "Secretary",
    "Defense Secretary", "Defence Secretary", "Foreign Secretary", "Home Secretary",
    "Secretary of State", "Secretary-General", "Secretary General", "Gen", "General", "Lt Gen",
    "Lieutenant General", "Maj Gen", "Major General", "Col", "Colonel", "Adm", "Admiral",
    "Commander", "Sen", "Senator", "Rep", "Representative", "Gov", "Governor", "Mayor",
    "Chancellor", "King", "Queen", "Prince", "Princess", "Pope", "Patriarch", "Ambassador",
    "Speaker", "Chairman", "Chairwoman", "Judge", "Justice", "Saint", "St", "Spokesman",
    "Spokeswoman", "Spokesperson", "Press Secretary", "Leader", "Premier", "Rev", "Reverend",
    "Father", "Officer", "Sgt", "Sergeant", "Capt", "Captain", "Lt", "Lieutenant", "Pres",
]
_TITLE_RE = re.compile(
    r"^(?:(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+)?(?:" + "|".join(
        re.escape(t).replace(r"\ ", r"\s+") for t in sorted(_TITLES, key=len, reverse=True))
    + r")\.?\s+)+")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|de|da|di|van|von|der|den|bin|al|el|la|le)$")
_POSSESSIVE_RE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_THE_RE = re.compile(r"^(?:the|The|THE)\s+")
_PRONOUNS = {"i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her",
             "it", "its", "they", "them", "their", "this", "that", "these", "those", "who", "one"}
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
             "sep", "sept", "oct", "nov", "dec", "today", "yesterday", "tomorrow"}

#: demonym (lower case) → (country, group name)
DEMONYMS: dict[str, tuple[str, str]] = {}
for _country, _forms in {
    "Russia": "Russian Russians", "Ukraine": "Ukrainian Ukrainians",
    "United States": "American Americans", "United Kingdom": "British Briton Britons Brit Brits",
    "Germany": "German Germans", "France": "French Frenchman Frenchmen", "China": "Chinese",
    "Poland": "Polish Pole Poles", "Belarus": "Belarusian Belarusians Belarussian Belarussians",
    "Turkey": "Turkish Turk Turks", "Iran": "Iranian Iranians", "Israel": "Israeli Israelis",
    "Italy": "Italian Italians", "Japan": "Japanese", "India": "Indian Indians",
    "Finland": "Finnish Finn Finns", "Sweden": "Swedish Swede Swedes", "Georgia": "Georgian Georgians",
    "Moldova": "Moldovan Moldovans", "Lithuania": "Lithuanian Lithuanians",
    "Latvia": "Latvian Latvians", "Estonia": "Estonian Estonians", "Hungary": "Hungarian Hungarians",
    "Czech Republic": "Czech Czechs", "Romania": "Romanian Romanians", "Canada": "Canadian Canadians",
    "Syria": "Syrian Syrians", "Chechnya": "Chechen Chechens", "Spain": "Spanish Spaniard Spaniards",
    "Netherlands": "Dutch", "Norway": "Norwegian Norwegians", "Denmark": "Danish Dane Danes",
    "Serbia": "Serbian Serbians Serb Serbs", "Kazakhstan": "Kazakh Kazakhs Kazakhstani",
    "North Korea": "North Korean North Koreans", "South Korea": "South Korean South Koreans",
    "Saudi Arabia": "Saudi Saudis", "Pakistan": "Pakistani Pakistanis",
    "Australia": "Australian Australians", "Greece": "Greek Greeks", "Austria": "Austrian Austrians",
    "Switzerland": "Swiss", "Bulgaria": "Bulgarian Bulgarians", "Slovakia": "Slovak Slovaks Slovakian",
    "Armenia": "Armenian Armenians", "Azerbaijan": "Azerbaijani Azerbaijanis", "Egypt": "Egyptian Egyptians",
    "Afghanistan": "Afghan Afghans", "Iraq": "Iraqi Iraqis", "Mexico": "Mexican Mexicans",
    "Brazil": "Brazilian Brazilians", "Ireland": "Irish", "Croatia": "Croatian Croatians",
    "Slovenia": "Slovenian Slovenians", "Portugal": "Portuguese", "Belgium": "Belgian Belgians",
    "Soviet Union": "Soviet Soviets", "Crimea": "Crimean Crimeans", "Europe": "European Europeans",
    "Africa": "African Africans", "Venezuela": "Venezuelan Venezuelans", "Cuba": "Cuban Cubans",
    "Vietnam": "Vietnamese", "Indonesia": "Indonesian Indonesians", "Qatar": "Qatari Qataris",
    "Lebanon": "Lebanese", "Palestine": "Palestinian Palestinians",
}.items():
    _forms_l = _forms.split()
    # multiword demonyms ("North Korean") were split above: rebuild them
    if _country in ("North Korea", "South Korea"):
        _forms_l = [f"{_country.split()[0]} Korean", f"{_country.split()[0]} Koreans"]
    _group = next((f for f in _forms_l if f.endswith("s") and not f.endswith("ss")), _forms_l[-1])
    for _f in _forms_l:
        DEMONYMS[_f.lower()] = (_country, _group[0].upper() + _group[1:])


class ActorFileError(ValueError):
    """A malformed actor file; the message names the file and line."""


@dataclass
class ActorSpec:
    name: str
    type: str | None = None
    aliases: list[str] = field(default_factory=list)
    patterns: list[re.Pattern] = field(default_factory=list)
    source: str = ""


# --------------------------------------------------------------------------- normalisation
@lru_cache(maxsize=200_000)
def normalise_surface(text: str) -> str:
    """Surface form without quotes/possessive, leading "the", titles and honorifics.

    >>> normalise_surface("the Kremlin")
    'Kremlin'
    >>> normalise_surface("Russian Defence Minister Sergei Shoigu")
    'Sergei Shoigu'
    >>> normalise_surface("Mr. Biden")
    'Biden'
    """
    s = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u2018", "'")
    s = _WS_RE.sub(" ", s.replace("[", "").replace("]", "")).strip().strip("\"“”")
    prev = None
    while prev != s:
        prev = s
        s = _POSSESSIVE_RE.sub("", s).strip()
        s = _THE_RE.sub("", s)
        stripped = _TITLE_RE.sub("", s)
        if stripped and _LETTER_RE.search(stripped):
            s = stripped
        s = s.strip(" ,;:-–—'\"()[]")
        if s.endswith(".") and not _INITIALISM_RE.search(s):
            s = _DOT_END_RE.sub("", s)
    return s


def is_non_entity(form: str) -> bool:
    """True for obvious non-entities among (normalised) surface forms.

    >>> [is_non_entity(x) for x in ["he", "2022", "X", "the war", "Monday", "Kyiv", "24 February"]]
    [True, True, True, True, True, False, True]
    """
    if not form or not _LETTER_RE.search(form) or _HANDLE_RE.search(form):
        return True
    if len(_NONWORD_RE.sub("", form)) <= 1:
        return True
    if form == form.lower():
        return True
    low = form.lower()
    if low in _PRONOUNS or low in _CALENDAR:
        return True
    words = _WORD_RE.findall(low)
    if any(ch.isdigit() for ch in form) and all(w in _CALENDAR or w in ("st", "nd", "rd", "th", "s")
                                                for w in words):
        return True
    if words and all(w in _CALENDAR for w in words):
        return True
    return False


_WS_RE = re.compile(r"\s+")
_LETTER_RE = re.compile(r"[A-Za-z]")
_INITIALISM_RE = re.compile(r"\b[A-Z]\.[A-Z]\.?$")
_DOT_END_RE = re.compile(r"\s*\.$")
_HANDLE_RE = re.compile(r"[@#]|https?:|www\.")
_NONWORD_RE = re.compile(r"[\W_]")
_WORD_RE = re.compile(r"[A-Za-z]+")
_PUNCT_RE = re.compile(r"['’.\-]")
_VOWEL_RE = re.compile(r"[aeiouy]")
_DOUBLE_RE = re.compile(r"(.)\1+")
_TRANSLIT = [("kh", "h"), ("zh", "z"), ("ch", "c"), ("sh", "s"), ("ts", "c"), ("h", "g"),
             ("ff", "v"), ("w", "v"), ("j", "y"), ("x", "ks"), ("q", "k")]


@lru_cache(maxsize=200_000)
def translit_key(form: str) -> str:
    """A spelling-insensitive key: consonant skeleton after common transliteration rules.

    >>> translit_key("Kharkiv") == translit_key("Kharkov")
    True
    >>> translit_key("Luhansk") == translit_key("Lugansk")
    True
    >>> translit_key("Odesa") == translit_key("Odessa")
    True
    """
    s = unicodedata.normalize("NFKD", form.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _PUNCT_RE.sub("", s)
    out = []
    for w in s.split():
        for a, b in _TRANSLIT:
            w = w.replace(a, b)
        if w:
            w = w[0] + _VOWEL_RE.sub("", w[1:])
            w = _DOUBLE_RE.sub(r"\1", w)
        out.append(w)
    return " ".join(out)


def _edit_distance(a: str, b: str) -> int:
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=200_000)
def _loose(form: str) -> str:
    s = unicodedata.normalize("NFKD", form.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"['’.\-]", "", s)
    for a, b in _TRANSLIT:
        s = s.replace(a, b)
    s = re.sub(r"[yj]", "i", s).replace("ie", "e")
    return re.sub(r"(.)\1+", r"\1", s)


def _close_spelling(a: str, b: str) -> bool:
    """Spellings that differ only by transliteration (≤ 1 edit after loose normalisation, 2 if long).

    >>> _close_spelling("Kharkiv", "Kharkov"), _close_spelling("Boston", "Bastion")
    (True, False)
    """
    la, lb = _loose(a), _loose(b)
    if la.endswith("a") != lb.endswith("a"):  # feminine surnames: Zelenska ≠ Zelensky, Petrova ≠ Petrov
        return False
    return _edit_distance(la, lb) <= (1 if min(len(la), len(lb)) < 8 else 2)


# --------------------------------------------------------------------------- actor files
def _norm_type(value: Any, where: str) -> str | None:
    if value is None:
        return None
    t = str(value).strip().lower()
    t = _TYPE_ALIASES.get(t, t)
    if t not in ACTOR_TYPES:
        raise ActorFileError(f"{where}: unknown type {value!r} (use one of {', '.join(ACTOR_TYPES)})")
    return t


def load_actor_file(path: str | os.PathLike) -> list[ActorSpec]:
    """Read and validate a YAML actor file (safe loader).

    Raises
    ------
    ActorFileError
        With ``file:line`` for YAML syntax errors and for schema errors (missing ``name``, unknown
        keys or types, aliases that are not strings, invalid regular expressions).
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ActorFileError(f"{path}: cannot read actor file ({exc})") from exc
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ActorFileError(f"{where}: YAML syntax error: {problem}") from exc

    def line_of(node) -> int:
        return node.start_mark.line + 1 if node is not None else 1

    if data is None:
        return []
    if not isinstance(data, dict) or "actors" not in data:
        raise ActorFileError(f"{path}:{line_of(root)}: expected a mapping with an 'actors:' list")
    actors_node = next((v for k, v in root.value if k.value == "actors"), None)
    items = data["actors"] or []
    if not isinstance(items, list):
        raise ActorFileError(f"{path}:{line_of(actors_node)}: 'actors' must be a list of entries")
    nodes = actors_node.value if isinstance(actors_node.value, list) else []
    specs = []
    for i, item in enumerate(items):
        node = nodes[i] if i < len(nodes) else None
        where = f"{path}:{line_of(node)}"
        if not isinstance(item, dict):
            raise ActorFileError(f"{where}: actor entry must be a mapping with 'name', 'type', 'aliases'")

        def key_line(key):
            if node is not None and hasattr(node, "value") and isinstance(node.value, list):
                for k, v in node.value:
                    if getattr(k, "value", None) == key:
                        return f"{path}:{line_of(v)}"
            return where
        unknown = set(item) - {"name", "type", "aliases", "patterns"}
        if unknown:
            k = sorted(unknown)[0]
            raise ActorFileError(f"{key_line(k)}: unknown key {k!r} (allowed: name, type, aliases, patterns)")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ActorFileError(f"{key_line('name')}: actor entry needs a non-empty 'name'")
        atype = _norm_type(item.get("type"), key_line("type"))
        aliases, patterns = [], []
        for field_name in ("aliases", "patterns"):
            vals = item.get(field_name) or []
            if isinstance(vals, str):
                vals = [vals]
            if not isinstance(vals, list):
                raise ActorFileError(f"{key_line(field_name)}: '{field_name}' must be a list of strings")
            for v in vals:
                if not isinstance(v, str):
                    raise ActorFileError(f"{key_line(field_name)}: alias {v!r} of {name!r} is not a string")
                if field_name == "patterns" or v.startswith("re:"):
                    pat = v[3:] if v.startswith("re:") else v
                    try:
                        patterns.append(re.compile(pat, re.IGNORECASE))
                    except re.error as exc:
                        raise ActorFileError(f"{key_line(field_name)}: bad pattern {pat!r} of {name!r}: {exc}") from exc
                else:
                    aliases.append(v)
        specs.append(ActorSpec(name.strip(), atype, aliases, patterns, source=where))
    return specs


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> tuple[ActorSpec, ...]:
    return tuple(load_actor_file(path))


def actor_specs(actor_file: str | os.PathLike | Sequence | None = None) -> list[ActorSpec]:
    """Starter file entries, overridden (same name) and extended by the user file(s)."""
    files = [] if actor_file is None else (
        [actor_file] if isinstance(actor_file, (str, os.PathLike)) else list(actor_file))
    user: list[ActorSpec] = []
    for f in files:
        p = Path(f)
        if not p.exists():
            raise ActorFileError(f"{p}: actor file not found")
        user.extend(_load_cached(str(p.resolve()), p.stat().st_mtime))
    starter = list(_load_cached(str(STARTER_FILE), STARTER_FILE.stat().st_mtime)) if STARTER_FILE.exists() else []
    names = {s.name.lower() for s in user}
    return user + [s for s in starter if s.name.lower() not in names]


# --------------------------------------------------------------------------- resolution
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


def resolve_surface_forms(forms: pd.DataFrame, *, actor_file=None, keep_groups: bool = False) -> pd.DataFrame:
    """Resolve distinct surface forms.

    Parameters
    ----------
    forms : DataFrame
        ``text``, ``label``, ``n`` (mention count of that text with that label).

    Returns
    -------
    DataFrame
        One row per input ``text``: ``text``, ``actor`` (None for non-entities), ``actor_type``,
        ``rule`` (which rule decided: actor-file, demonym, translit, short-name, auto, non-entity).
    """
    specs = actor_specs(actor_file)
    lit: dict[str, ActorSpec] = {}
    for s in specs:
        for a in [s.name] + s.aliases:
            lit.setdefault(normalise_surface(a).casefold(), s)
            lit.setdefault(a.casefold(), s)
    by_name = {s.name: s for s in specs}
    pattern_specs = [(p, s) for s in specs for p in s.patterns]
    spec_keys: dict[str, ActorSpec] = {}
    for s in specs:
        for a in [s.name] + s.aliases:
            spec_keys.setdefault(translit_key(normalise_surface(a)), s)

    # per-text aggregates
    f = forms.copy()
    f["norm"] = [normalise_surface(t) for t in f["text"]]
    f["ltype"] = f["label"].map(LABEL_TYPES).fillna("other")
    texts = f.groupby("text", sort=False).agg(norm=("norm", "first"), n=("n", "sum")).reset_index()
    # per normalised form (case-insensitive)
    f["nkey"] = f["norm"].str.casefold()
    nstats = f.groupby(["nkey", "ltype"], sort=False)["n"].sum().unstack(fill_value=0)
    display = (f.groupby(["nkey", "norm"], sort=False)["n"].sum().reset_index()
               .sort_values("n", ascending=False).drop_duplicates("nkey").set_index("nkey")["norm"])
    _tot = nstats.sum(axis=1)
    pshare = (nstats["person"] / _tot).to_dict() if "person" in nstats else {}
    gshare = (nstats["group"] / _tot).to_dict() if "group" in nstats else {}
    plshare = (nstats["place"] / _tot).to_dict() if "place" in nstats else {}
    ncount = nstats.sum(axis=1).to_dict()
    display = display.to_dict()

    decided: dict[str, tuple[str | None, str | None, str]] = {}  # nkey -> (actor, type, rule)
    pending = []
    for nkey in list(nstats.index):
        form = display[nkey]
        if is_non_entity(form):
            decided[nkey] = (None, None, "non-entity")
            continue
        spec = lit.get(nkey)
        if spec is None:
            for pat, s in pattern_specs:
                if pat.fullmatch(form):
                    spec = s
                    break
        if spec is not None:
            decided[nkey] = (spec.name, spec.type, "actor-file")
            continue
        if nkey in DEMONYMS:
            country, group = DEMONYMS[nkey]
            if keep_groups:
                decided[nkey] = (group, "group", "demonym-group")
            else:
                cspec = lit.get(country.casefold())
                decided[nkey] = ((cspec.name if cspec else country), (cspec.type if cspec else "place"), "demonym")
            continue
        pending.append(nkey)

    # transliteration families among pending forms, anchored on actor-file keys
    uf = _UF()
    by_tkey: dict[str, list[str]] = {}
    for nkey in pending:
        by_tkey.setdefault(translit_key(display[nkey]), []).append(nkey)
    anchor: dict[str, tuple[str, str | None]] = {}
    for tkey, members in by_tkey.items():
        members.sort(key=lambda k: -ncount[k])
        head = members[0]
        uf.find(head)
        for m in members[1:]:
            if _close_spelling(display[m], display[head]):
                uf.union(head, m)
        spec = spec_keys.get(tkey)
        if spec is not None:
            for m in members:
                if any(_close_spelling(display[m], normalise_surface(a)) for a in [spec.name] + spec.aliases):
                    anchor[m] = (spec.name, spec.type)
    # also join pending forms to decided actor-file forms with the same translit key
    decided_tkeys: dict[str, tuple[str, str | None, str]] = {}
    for nkey, (actor, atype, rule) in decided.items():
        if rule == "actor-file":
            decided_tkeys.setdefault(translit_key(display[nkey]), (actor, atype, display[nkey]))
    for nkey in pending:
        hit = decided_tkeys.get(translit_key(display[nkey]))
        if hit and nkey not in anchor and _close_spelling(display[nkey], hit[2]):
            anchor[nkey] = (hit[0], hit[1])

    def person_share(k):
        return pshare.get(k, 0.0)

    # components → canonical
    comps: dict[str, list[str]] = {}
    for nkey in pending:
        comps.setdefault(uf.find(nkey), []).append(nkey)
    comp_actor: dict[str, tuple[str, str | None, str]] = {}
    for root, members in comps.items():
        anchors = [anchor[m] for m in members if m in anchor]
        if anchors:
            comp_actor[root] = (anchors[0][0], anchors[0][1], "actor-file")
        else:
            best = max(members, key=lambda k: ncount[k])
            comp_actor[root] = (display[best], None, "translit" if len(members) > 1 else "auto")

    # short name → full name (persons)
    full_by_last: dict[str, dict[str, int]] = {}
    last_words: dict[tuple[str, str], set[str]] = {}
    actor_counts: dict[str, int] = {}
    for nkey in pending:
        actor = comp_actor[uf.find(nkey)][0]
        actor_counts[actor] = actor_counts.get(actor, 0) + int(ncount[nkey])
    person_actor_forms = []
    for nkey in pending:
        words = display[nkey].split()
        if len(words) >= 2 and person_share(nkey) >= 0.5 and all(_NAME_WORD.match(w) for w in words):
            person_actor_forms.append((nkey, words))
    for nkey, (actor, atype, rule) in decided.items():
        if rule == "actor-file" and (atype == "person") and len(display[nkey].split()) >= 2:
            person_actor_forms.append((nkey, display[nkey].split()))
    for s in specs:
        if s.type == "person" and len(s.name.split()) >= 2:
            full_by_last.setdefault(translit_key(s.name.split()[-1]), {})
    for nkey, words in person_actor_forms:
        actor = decided[nkey][0] if nkey in decided else comp_actor[uf.find(nkey)][0]
        d = full_by_last.setdefault(translit_key(words[-1]), {})
        d[actor] = d.get(actor, 0) + int(ncount[nkey])
        last_words.setdefault((translit_key(words[-1]), actor), set()).add(words[-1])
    for sp in specs:
        if sp.type == "person" and len(sp.name.split()) >= 2:
            last_words.setdefault((translit_key(sp.name.split()[-1]), sp.name), set()).add(sp.name.split()[-1])
    short_actor: dict[str, tuple[str, str | None]] = {}
    for nkey in pending:
        form = display[nkey]
        if len(form.split()) != 1 or person_share(nkey) < 0.4:
            continue
        tk = translit_key(form)
        cands = {a: c for a, c in (full_by_last.get(tk) or {}).items()
                 if any(_close_spelling(form, w) for w in last_words.get((tk, a), ()))}
        if not cands:
            continue
        total = sum(cands.values())
        best, cnt = max(cands.items(), key=lambda kv: kv[1])
        if total and cnt / total >= 0.75 and best.casefold() != nkey:
            spec = by_name.get(best)
            short_actor[nkey] = (best, spec.type if spec else None)

    # final per nkey
    result: dict[str, tuple[str | None, str | None, str]] = dict(decided)
    for nkey in pending:
        if nkey in short_actor:
            result[nkey] = (*short_actor[nkey], "short-name")
        else:
            result[nkey] = comp_actor[uf.find(nkey)]
    # short names may sit in a translit component whose other members should follow
    for root, members in comps.items():
        shorts = [short_actor[m] for m in members if m in short_actor]
        if shorts:
            for m in members:
                if m not in short_actor:
                    result[m] = (*shorts[0], "short-name")

    # generic demonyms: a group-labelled "Xian(s)" / "Xese" / "Xish" whose country "Xia"/"X" occurs in
    # the corpus as a place → that country (or a group actor with keep_groups)
    for nkey in pending:
        form = display[nkey]
        if " " in form or gshare.get(nkey, 0.0) < 0.5 or len(form) < 5:
            continue
        base = form[:-1] if form.endswith("s") and not form.endswith("ss") else form
        cands = [base[:-1], base[:-3] + "a", base[:-3] + "y", base[:-3], base[:-2], base[:-3] + "e",
                 base[:-3] + "ia", base[:-2] + "a"]
        for c in cands:
            ck = c.casefold()
            if len(ck) >= 3 and ck != nkey and ck in ncount and plshare.get(ck, 0.0) >= 0.5 \
                    and result.get(ck, (None,))[0] is not None:
                if keep_groups:
                    plural = base + "s" if not base.endswith(("ese", "ish", "ss")) else base
                    result[nkey] = (plural, "group", "demonym-group")
                else:
                    result[nkey] = (result[ck][0], result[ck][1], "demonym")
                break

    # type repair: majority type per actor (demonym rows count as place), actor-file type wins
    f["actor"] = [result[k][0] for k in f["nkey"]]
    f["rule"] = [result[k][2] for k in f["nkey"]]
    ftype = f["ltype"].where(~f["rule"].eq("demonym"), "place")
    votes = (f.assign(ftype=ftype).dropna(subset=["actor"]).groupby(["actor", "ftype"])["n"].sum()
             .reset_index().sort_values(["actor", "n"], ascending=[True, False]).drop_duplicates("actor"))
    majority = dict(zip(votes["actor"], votes["ftype"]))
    fixed = {}
    for k, (actor, atype, rule) in result.items():
        if actor is not None and atype:
            fixed.setdefault(actor, atype)
    out = pd.DataFrame({"text": texts["text"]})
    nk = texts["norm"].str.casefold()
    out["actor"] = [result[k][0] for k in nk]
    out["actor_type"] = [None if a is None else fixed.get(a, majority.get(a, "other")) for a in out["actor"]]
    out["rule"] = [result[k][2] for k in nk]
    return out


def resolve_actors(mentions: pd.DataFrame, *, actor_file=None, keep_groups: bool = False,
                   cache_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Add ``actor`` and ``actor_type`` to a mentions table; drop non-entities.

    Parameters
    ----------
    mentions : DataFrame
        With ``text`` and ``label`` (spaCy) columns.
    actor_file : path or list of paths, optional
        User actor file(s); the starter file is always read.
    keep_groups : bool
        Keep demonym groups (NORP) as their own actors.
    cache_dir : str or path, optional
        Keep the resolution of the distinct surface forms there as Parquet, keyed by the forms and
        their counts, the actor files' entries, ``keep_groups`` and this module's source: re-opening
        a notebook on the same corpus then skips the resolution (≈ 1.3 s on 2,936 articles).

    Examples
    --------
    >>> m = pd.DataFrame({"text": ["Zelenskyy", "Zelensky", "Kiev", "Kyiv", "he", "Russians"],
    ...                   "label": ["PERSON", "PERSON", "GPE", "GPE", "PERSON", "NORP"]})
    >>> resolve_actors(m)[["text", "actor", "actor_type"]]
            text               actor actor_type
    0  Zelenskyy  Volodymyr Zelensky     person
    1   Zelensky  Volodymyr Zelensky     person
    2       Kiev                Kyiv      place
    3       Kyiv                Kyiv      place
    4   Russians              Russia      place
    """
    cols = list(mentions.columns)
    if len(mentions) == 0:
        out = mentions.copy()
        out["actor"] = pd.Series(dtype="object")
        out["actor_type"] = pd.Series(dtype="object")
        return out
    forms = mentions.groupby(["text", "label"], sort=False).size().rename("n").reset_index()
    if cache_dir is None:
        res = resolve_surface_forms(forms, actor_file=actor_file, keep_groups=keep_groups)
    else:
        res = _resolve_cached(forms, actor_file=actor_file, keep_groups=keep_groups, cache_dir=Path(cache_dir))
    amap = dict(zip(res["text"], res["actor"]))
    tmap = dict(zip(res["text"], res["actor_type"]))
    out = mentions.drop(columns=[c for c in ("actor", "actor_type") if c in cols])
    out = out.assign(actor=out["text"].map(amap), actor_type=out["text"].map(tmap))
    return out[out["actor"].notna()].reset_index(drop=True)


def _resolve_cached(forms: pd.DataFrame, *, actor_file, keep_groups: bool, cache_dir: Path) -> pd.DataFrame:
    import hashlib
    import uuid
    import warnings

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(repr(actor_specs(actor_file)).encode("utf-8", "surrogatepass"))
    h.update(b"groups" if keep_groups else b"merged")
    h.update(pd.util.hash_pandas_object(forms[["text", "label", "n"]], index=False).to_numpy().tobytes())
    path = cache_dir / f"resolution-{h.hexdigest()[:32]}.parquet"
    if path.is_file():
        try:
            res = pd.read_parquet(path)
            if {"text", "actor", "actor_type"} <= set(res.columns):
                return res
            raise ValueError(f"columns {list(res.columns)}")
        except Exception as exc:  # noqa: BLE001 - a bad cache file is redone, never trusted
            warnings.warn(f"newskit cache: {path} is unreadable ({exc}); resolving again", stacklevel=4)
    res = resolve_surface_forms(forms, actor_file=actor_file, keep_groups=keep_groups)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{uuid.uuid4().hex}.parquet")
        res.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(f"newskit cache: cannot write {path} ({exc})", stacklevel=4)
    return res


def explain_actor(ann, name: str) -> pd.DataFrame:
    """Surface forms merged into an actor, with spaCy label and count.

    Parameters
    ----------
    ann : Annotations
    name : str
        Canonical actor name, or any surface form / alias of it (case-insensitive).

    Returns
    -------
    DataFrame
        ``actor``, ``text`` (surface form), ``label``, ``count``, sorted by count.
    """
    m = ann.mentions
    actors = m["actor"].dropna().unique()
    target = None
    low = name.casefold()
    for a in actors:
        if a.casefold() == low:
            target = a
            break
    if target is None:
        hit = m.loc[m["text"].str.casefold() == low, "actor"]
        if len(hit):
            target = hit.mode().iloc[0]
    if target is None:
        res = resolve_surface_forms(pd.DataFrame({"text": [name], "label": ["PERSON"], "n": [1]}),
                                    actor_file=(getattr(ann, "meta", None) or {}).get("actor_file"))
        cand = res["actor"].iloc[0]
        if cand is not None and (m["actor"] == cand).any():
            target = cand
    if target is None:
        norm = normalise_surface(name).casefold()
        hit = m.loc[m["text"].map(lambda t: normalise_surface(t).casefold()) == norm, "actor"]
        if len(hit):
            target = hit.mode().iloc[0]
    if target is None:
        return pd.DataFrame({"actor": pd.Series(dtype=object), "text": pd.Series(dtype=object),
                             "label": pd.Series(dtype=object), "count": pd.Series(dtype="int64")})
    sub = m[m["actor"] == target]
    out = sub.groupby(["text", "label"]).size().rename("count").reset_index()
    out.insert(0, "actor", target)
    return out.sort_values(["count", "text"], ascending=[False, True]).reset_index(drop=True)
