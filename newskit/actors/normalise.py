"""Normalisation of surface forms: quotes, possessives, titles, non-entities, transliteration keys.

>>> normalise_surface("President Putin's")
'Putin'
>>> translit_key("Zelenskyy") == translit_key("Zelensky") == translit_key("Zelenskiy")
True
>>> translit_key("Kiev") == translit_key("Kyiv")
True
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: spaCy label → actor type (``TERM``: rows of :func:`newskit.actors.match_patterns`)
LABEL_TYPES = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place",
               "ORG": "organisation", "NORP": "group", "EVENT": "event", "TERM": "term"}

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
    "Speaker", "Chairman", "Chairwoman", "Judge", "Justice", "Spokesman",
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
    s = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u2018", "'").replace("\u00b4", "'")
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


_ACRONYM_RE = re.compile(r"^(?:[A-Z]\.?){2,6}$")


def _close_spelling(a: str, b: str) -> bool:
    """Spellings that differ only by transliteration (≤ 1 edit after loose normalisation, 2 if long).

    Acronyms are spelled, not transliterated: "USI" is not "US", "UNHRC" not "UNHCR" (equal letters only).

    >>> _close_spelling("Kharkiv", "Kharkov"), _close_spelling("Boston", "Bastion"), _close_spelling("USI", "US")
    (True, False, False)
    """
    if _ACRONYM_RE.match(a) or _ACRONYM_RE.match(b):
        return a.replace(".", "") == b.replace(".", "")
    la, lb = _loose(a), _loose(b)
    if la.endswith("a") != lb.endswith("a"):  # feminine surnames: Zelenska ≠ Zelensky, Petrova ≠ Petrov
        return False
    return _edit_distance(la, lb) <= (1 if min(len(la), len(lb)) < 8 else 2)




# --------------------------------------------------------------------------- generic and ambiguous forms
#: Generic phrases: never an actor unless an actor file declares them (then they mean what it says).
GENERIC = frozenset([
    "state", "states", "the state", "government", "governments", "head of state", "heads of state",
    "head of government", "armed forces", "army", "military", "navy", "air force", "police",
    "authorities", "administration", "country", "nation", "republic", "federation", "region",
    "city", "capital", "ministry", "ministries", "department", "office", "agency", "commission",
    "committee", "council", "court", "headquarters", "cabinet", "secretariat", "embassy",
    "government house", "supreme commander", "commander-in-chief", "commander in chief",
    "secretary of state", "minister", "prime minister", "president", "vice president", "chancellor",
    "spokesman", "spokeswoman", "spokesperson", "press service", "press office", "staff",
])
#: Short institution names that mean a different body in each country ("Security Council" of the UN,
#: of Russia, of Ukraine …): merged with a full name only when the article supports it, else kept
#: qualified by the country the text names next to them (see :func:`newskit.actors.rules.rule_context`).
AMBIGUOUS = frozenset([
    "security council", "parliament", "foreign ministry", "defence ministry", "defense ministry",
    "ministry of defence", "ministry of defense", "ministry of foreign affairs", "interior ministry",
    "ministry of internal affairs", "general staff", "supreme court", "constitutional court",
    "national guard", "office of the president", "president's office", "presidential office",
    "presidential administration", "general prosecutor's office", "prosecutor general's office",
    "foreign intelligence service", "state duma", "national bank", "central bank", "senate",
    "national security council", "ministry of justice", "justice ministry", "finance ministry",
    "ministry of finance", "emergency services", "emergencies ministry", "health ministry",
    "ministry of health", "energy ministry", "ministry of energy", "border guard service",
    "state border guard service",
])
_TRUNCATED_RE = re.compile(r"(?:\s|^)(?:of|the|and|for|to|in|on|at|by|with|from|'s)$", re.IGNORECASE)
_TITLE_SET = frozenset(t.casefold() for t in _TITLES)


def generic_reason(form: str) -> str | None:
    """Why a normalised form is not an actor by itself (None when it may be one).

    >>> [generic_reason(x) for x in ["State", "Head of State", "Office of the President of", "President",
    ...                               "Kyiv"]]
    ['generic phrase', 'generic phrase', 'truncated span', 'bare title', None]
    """
    low = form.casefold()
    if _TRUNCATED_RE.search(form) and " " in form:
        return "truncated span"
    if low in _TITLE_SET and low not in AMBIGUOUS:
        return "bare title"
    if low in GENERIC and low not in AMBIGUOUS:
        return "generic phrase"
    return None
