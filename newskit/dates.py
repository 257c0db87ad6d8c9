"""Event dates: date expressions in news text resolved against the publication date.

Conventions (the publication date is "pub"):

* a bare weekday ("on Sunday", "Sunday night", "Saturday's vote") is the most recent such day
  **on or before** pub ("on Saturday" in an article published that Saturday is that day) — unless a
  future cue precedes it in the same clause ("will meet on Friday", "is due to vote on Friday"),
  then it is the first such day on or after pub;
* "last Tuesday" / "past Tuesday" is the most recent Tuesday **strictly before** pub (published on a
  Tuesday it is the Tuesday a week earlier); "next Friday" / "coming Friday" the first Friday strictly
  after pub; "this Friday" the Friday of pub's ISO week (Monday–Sunday);
* "yesterday", "last night" → pub − 1 day; "today", "tonight", "this morning" → pub;
  "tomorrow" → pub + 1; "the day before yesterday" → pub − 2; "three days ago" → pub − 3;
* "last/this/next week" → the Monday of that ISO week (granularity ``week``); "a week ago" likewise;
  "last/this/next month" → the 1st of that month (``month``); "last/this/next year" → 1 January (``year``);
* explicit dates: "24 February 2022", "February 24, 2022", "Feb. 24, 2022", "Thursday, February 24",
  "2022-02-24" (``day``); "February 2022", "mid-March 2014" (``month``, dated the 1st); a year "2014"
  (``year``, 1 January) only when it reads as a year ("in 2014", "since 2014", "the 2014 annexation",
  "2014." — not "2014 troops", "$2014", "2014%");
* a day and month without a year ("February 24") is the most recent past one (on or before pub),
  or the next one (on or after pub) after a future cue or "next"; "February 29" goes to the nearest
  leap year; invalid dates ("February 30") are not produced; a month alone after a preposition
  ("in March", "since May", "early June", "last March") is the most recent past such month
  (the current month included), or the next one after a future cue / "next".

* future cues are "will", "'ll", "shall", "is/are/was/were due/scheduled/expected/set/planning/going …
  to", "is to", "plan(s/ned) to", "intend(s/ed) to", "aim(s) to", "hope(s/d) to", "scheduled for",
  "as soon as", "as early as", "no later than", "ahead of", "upcoming" — in the same clause before the
  expression, or after a clause-initial one ("On Friday, the leaders will meet");
* **reported future** (chosen rule): a future-cued day and month without a year that fell at most
  :data:`REPORTED_FUTURE_DAYS` (31) days *before* publication is that past day — "We will defend our land
  on February 16" published 2022-02-19 is 2022-02-16 (a speech reported after the day), not 2023-02-16;
  "next February 16" is still the coming one. Later dates keep the future rule (the next such day);
* **wire-copy timing**: a future-cued weekday with "late" or "night"/"evening" ("will vote late
  Tuesday", "Tuesday night") that was the day before publication is that day — copy filed the next day
  (dated after the event) — instead of six days ahead;
* ``far_past``: dates more than :data:`FAR_PAST_YEARS` (10) years before publication ("in 1941") are kept
  and flagged; the event timeline leaves them out of its axis by default.

Without a publication date (NaT) only absolute expressions (with a year, ISO dates, years) resolve.

>>> resolve_dates("Russian forces shelled the city on Sunday.", "2022-07-04")[["text", "date", "granularity"]]
     text       date granularity
0  Sunday 2022-07-03         day
"""
from __future__ import annotations

#: Bump when sentence_dates output changes: it is part of the annotation cache key.
PIPELINE_VERSION = "2"

import calendar
import datetime as _dt
import re
from typing import Any, Mapping

import pandas as pd

__all__ = ["resolve_dates", "sentence_dates", "DATE_COLUMNS"]

DATE_COLUMNS = ["article_id", "sent_id", "start", "end", "text", "date", "granularity", "far_past"]
_RESOLVE_COLUMNS = ["start", "end", "text", "date", "granularity"]

_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
             "sunday": 6}
_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
           "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
           "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
           "oct": 10, "nov": 11, "dec": 12}
_FULL_MONTHS = frozenset(list(_MONTHS)[:12])
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "a": 1, "an": 1}

_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MFULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MANY = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")
_YEAR = r"(?:1[89]\d\d|20\d\d)"

#: One cheap pre-check (plain literals, case-sensitive): every date expression contains one of these.
#: Its matches also anchor the full pattern, which is only tried at the few word starts before a cue.
_CUE = re.compile(r"day|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|onight|omorrow|week|month|year|"
                  r"night|morning|afternoon|evening|ago|1[89]\d\d|20\d\d")
_WORD = re.compile(r"\b\w+")
_STARTERS = frozenset(
    list(_WEEKDAYS) + list(_MONTHS) + list(_NUMBERS) +
    "in since by until till from through during before after of and or last next this early late mid "
    "the yesterday today tonight tomorrow coming past previous".split())
_LOOKBACK = 40  # characters before a cue where an expression may start ("the day before yesterday")

_PATTERN = re.compile(
    r"\b(?:"
    # ISO date
    rf"(?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d\d)-(?P<id>\d\d)\b)"
    # [Weekday,] Month Day[, Year]
    rf"|(?P<mdy>\b(?:{_WD},?\s+)?(?P<m1>{_MANY})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.:]\d|\s*%)"
    rf"(?:,?\s+(?P<y1>{_YEAR})\b(?![,.]?\d))?)"
    # [Weekday,] [the] Day [of] Month[,] [Year]
    rf"|(?P<dmy>\b(?:{_WD},?\s+(?:the\s+)?)?(?<![\d,.])(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MANY})"
    rf"\b\.?(?:,?\s+(?P<y2>{_YEAR})\b(?![,.]?\d))?)"
    # [early|mid|late] Month Year
    rf"|(?P<my>\b(?:(?:early|mid|late|end of|the end of|beginning of)[-\s]+)?(?P<m3>{_MFULL}|Sept|Sep|Oct|Nov|Dec|"
    rf"Jan|Feb|Aug)\.?,?\s+(?:of\s+)?(?P<y3>{_YEAR})\b(?![,.]?\d))"
    # month alone after a preposition / modifier
    rf"|(?:\b(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Tt]hrough|[Dd]uring|[Bb]efore|[Aa]fter|of|and|or)\s+"
    rf"(?:(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+)?(?P<mon1>\b{_MFULL})\b(?!\.?\s*,?\s*\d)"
    rf"|(?P<mon>\b(?P<mmod>[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id)[-\s]+(?P<m4>{_MFULL})\b(?!\.?\s*,?\s*\d)))"
    # relative days
    r"|(?P<rel>\b(?:the\s+day\s+before\s+yesterday|[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow|"
    r"[Ll]ast\s+night|[Tt]his\s+(?:morning|afternoon|evening))\b)"
    # N days/weeks ago
    r"|(?P<ago>\b(?P<agon>\d{1,2}|(?i:one|two|three|four|five|six|seven|eight|nine|ten|a|an))\s+"
    r"(?P<agou>days?|weeks?)\s+ago\b)"
    # last/this/next week|month|year
    r"|(?P<per>\b(?P<pmod>[Ll]ast|[Tt]his|[Nn]ext|[Pp]revious)\s+(?P<punit>week|month|year)\b)"
    # weekdays
    rf"|(?P<wd>\b(?:(?P<wmod>[Ll]ast|[Nn]ext|[Tt]his|[Cc]oming|[Pp]ast|[Tt]his\s+coming|[Tt]his\s+past)\s+)?"
    rf"(?P<w>{_WD})\b(?:\s+(?:morning|afternoon|evening|night))?)"
    # years
    rf"|(?P<year>(?<![\d$£€.,/-])\b{_YEAR}\b(?![%/]|[,.]\d|-\d\d-))"
    r")"
)

_FUTURE = re.compile(
    r"\b(?:will|won't|shall|(?:is|are|am|was|were)\s+(?:due|scheduled|expected|set|slated|poised|planning|going|"
    r"planned|likely|hoping|preparing|supposed)\s+(?:to|for)|(?:is|are)\s+to|plans?\s+to|planned\s+to|"
    r"intends?\s+to|intended\s+to|aims?\s+to|hopes?\s+to|hoped\s+to|scheduled\s+(?:for|to)|"
    r"due\s+(?:on|to|for)|upcoming|(?i:as\s+soon\s+as|as\s+early\s+as|no\s+(?:earlier|later)\s+than|"
    r"in\s+time\s+for|ahead\s+of))\b|'ll\b")
_PAST_VERB = re.compile(r"\b(?:said|told|announced|reported|confirmed|added|wrote|stated|was|were|had|did|"
                        r"met|held|took|came|went|saw|left|began|spoke|gave|sent|struck|fell|fought|won|lost)\b")
_CLAUSE_START = re.compile(r"^\s*(?:[Oo]n|[Bb]y|[Bb]efore|[Ff]rom|[Ss]tarting|[Bb]eginning|[Ii]n)?\s*$")
_YEAR_CUES = frozenset(
    "in since of by until till during from before after early late mid through between and to the year "
    "spring summer autumn fall winter circa c. around 's end start beginning throughout".split())
_PLURAL_NEXT = re.compile(r"\s+(?!(?:was|has|is|as|this|its|his|saw|elections|polls|games|olympics|"
                          r"protests|talks|hostilities|events|attacks|sanctions|negotiations)\b)[a-z]+s\b")
_NOT_YEAR_PREV = frozenset("than about some nearly almost over under only just approximately total "
                           "least most killed".split())
_PREV_WORD = re.compile(r"([\w'.]+)\W*$")


def _to_date(published: Any) -> _dt.date | None:
    if published is None:
        return None
    if isinstance(published, _dt.datetime):
        return None if pd.isna(published) else published.date()
    if isinstance(published, _dt.date):
        return published
    try:
        if pd.isna(published):
            return None
    except (TypeError, ValueError):
        pass
    ts = pd.Timestamp(published)
    return None if pd.isna(ts) else ts.date()


def _safe_date(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _future(text: str, start: int, end: int) -> bool:
    """Does a future cue govern the expression at text[start:end]?"""
    before = text[max(0, start - 70):start]
    cue = None
    for cue in _FUTURE.finditer(before):
        pass
    if cue is not None:
        tail = before[cue.end():]
        if not _PAST_VERB.search(tail) and not re.search(r"[;:]|\bafter\b|\bsince\b|\bago\b", tail):
            return True
    if _CLAUSE_START.match(text[:start]):  # "On Friday, the leaders will meet ..."
        after = text[end:end + 60]
        fut = _FUTURE.search(after)
        if fut is not None:
            past = _PAST_VERB.search(after)
            return past is None or past.start() > fut.start()
    return False


def _weekday(pub: _dt.date, wd: int, mod: str, future: bool, late: bool = False) -> _dt.date:
    mod = mod.lower().split()[-1] if mod else ""
    back = (pub.weekday() - wd) % 7  # days back to the most recent such day (0 = pub)
    ahead = (wd - pub.weekday()) % 7
    if mod in ("last", "past"):
        return pub - _dt.timedelta(days=back or 7)
    if mod in ("next", "coming"):
        return pub + _dt.timedelta(days=ahead or 7)
    if mod == "this":
        return pub - _dt.timedelta(days=pub.weekday()) + _dt.timedelta(days=wd)
    if future:
        if late and back == 1:
            # wire copy filed the next day: "will meet late Tuesday" dated Wednesday is that Tuesday
            return pub - _dt.timedelta(days=1)
        return pub + _dt.timedelta(days=ahead)
    return pub - _dt.timedelta(days=back)


#: A future-cued day and month ("will defend our land on February 16") that fell at most this many days
#: before publication is that past day (speech reported after the day), not the same day next year.
REPORTED_FUTURE_DAYS = 31


_LATE_BEFORE = re.compile(r"\b(?:[Ll]ate|[Ee]arly\s+hours\s+of)\s+(?:on\s+)?$")

#: Dates more than this many years before publication are flagged ``far_past`` ("in 1941"): kept in the
#: table, left out of the event-timeline axis by default.
FAR_PAST_YEARS = 10


def _far_past(date: _dt.date, pub: _dt.date | None) -> bool:
    return pub is not None and date.year < pub.year - FAR_PAST_YEARS


def _day_month(pub: _dt.date, month: int, day: int, future: bool) -> _dt.date | None:
    if not (1 <= day <= 31) or day > calendar.monthrange(2000, month)[1]:
        return None  # invalid in every year (February 30, April 31)
    step = 1 if future else -1
    year = pub.year
    for _ in range(9):
        d = _safe_date(year, month, day)
        if d is not None and ((d >= pub) if future else (d <= pub)):
            return d
        year += step
    return None


def _month_alone(pub: _dt.date, month: int, mod: str, future: bool) -> _dt.date:
    mod = mod.lower()
    if mod == "this":
        return _dt.date(pub.year, month, 1)
    if mod == "last":
        year = pub.year if month < pub.month else pub.year - 1
    elif mod == "next" or future:
        year = pub.year if (month > pub.month or (month == pub.month and mod != "next")) else pub.year + 1
    else:
        year = pub.year if month <= pub.month else pub.year - 1
    return _dt.date(year, month, 1)


def _is_year(text: str, start: int, end: int) -> bool:
    prev = _PREV_WORD.search(text, max(0, start - 25), start)
    prev_word = prev.group(1).lower() if prev else ""
    prev_word = prev_word.rstrip(".") if prev_word not in ("c.",) else prev_word
    after = text[end:end + 25]
    if prev_word in _NOT_YEAR_PREV:
        return False
    if _PLURAL_NEXT.match(after) and prev_word != "the":
        return False
    if re.match(r"\s+(?:people|troops|soldiers|men|women|children|civilians|dead|killed|of|tonnes|tons|km|"
                r"kilometres|kilometers|miles|metres|dollars|euros|pounds|votes|residents)\b", after):
        return False
    if prev_word in _YEAR_CUES or after.startswith("'s") or text[max(0, start - 1):start] == "(":
        return True
    if re.match(r"\s*(?:$|[,.;:!?)\]]|[-–]\d)", after):
        return True
    return False


#: The top-level alternatives of ``_PATTERN``, in its order (``year`` last, the fallback).
_KINDS = ("iso", "mdy", "dmy", "my", "mon1", "mon", "rel", "ago", "per", "wd")


def _matches(text: str):
    """Like ``_PATTERN.finditer(text)``, but only trying word starts shortly before each cue that can
    begin a date expression (a number, a date word, a modifier or preposition)."""
    pos = 0
    for c in _CUE.finditer(text):
        cs = c.start()
        if cs < pos:
            continue
        for w in _WORD.finditer(text, max(pos, cs - _LOOKBACK)):
            if w.start() > cs:
                break
            word = w.group()
            if not (word[0].isdigit() or word.lower() in _STARTERS):
                continue
            m = _PATTERN.match(text, w.start())
            if m is not None and m.end() > cs:
                pos = m.end()
                yield m
                break


def _find(text: str, pub: _dt.date | None) -> list[tuple[int, int, str, _dt.date, str]]:
    """Date expressions in ``text``: (start, end, expression, date, granularity)."""
    if not text or not _CUE.search(text):
        return []
    out = []
    for m in _matches(text):
        # ``lastgroup`` is the last *closed* group (often a nested one): take the alternative that matched
        kind = next((k for k in _KINDS if m.group(k)), "year")
        s, e = m.span(kind)
        if kind == "dmy" and text[e - 1] == "." and m["m2"].lower() in _FULL_MONTHS:
            e -= 1  # "24th of February." — the full stop ends the sentence
        date = None
        gran = "day"
        if kind == "iso":
            date = _safe_date(int(m["iy"]), int(m["im"]), int(m["id"]))
        elif kind in ("mdy", "dmy"):
            mon = _MONTHS[m["m1" if kind == "mdy" else "m2"].lower()]
            day = int(m["d1" if kind == "mdy" else "d2"])
            year = m["y1" if kind == "mdy" else "y2"]
            if year:
                date = _safe_date(int(year), mon, day)
            elif pub is not None:
                fut, nxt = _future(text, s, e), _next_before(text, s)
                date = _day_month(pub, mon, day, fut or nxt or _soon(text, s, pub, mon, day))
                if fut and not nxt:
                    prev = _day_month(pub, mon, day, False)
                    if prev is not None and (pub - prev).days <= REPORTED_FUTURE_DAYS:
                        date = prev  # "will defend our land on February 16", published February 19
        elif kind == "my":
            date, gran = _safe_date(int(m["y3"]), _MONTHS[m["m3"].lower()], 1), "month"
        elif kind in ("mon", "mon1"):
            if pub is not None:
                gran = "month"
                name = m["m4"] if kind == "mon" else m["mon1"]
                date = _month_alone(pub, _MONTHS[name.lower()], m["mmod"] or "", _future(text, s, e))
        elif kind == "rel" and pub is not None and not (
                m["rel"] == "Today" and re.search(r"[A-Z][\w.]*\s+$", text[max(0, s - 12):s])):  # Russia Today
            w = " ".join(m["rel"].lower().split())
            delta = {"yesterday": -1, "last night": -1, "tomorrow": 1, "the day before yesterday": -2}.get(w, 0)
            date = pub + _dt.timedelta(days=delta)
        elif kind == "ago" and pub is not None:
            n = m["agon"].lower()
            n = int(n) if n.isdigit() else _NUMBERS[n]
            if m["agou"].lower().startswith("day"):
                date = pub - _dt.timedelta(days=n)
            else:
                d = pub - _dt.timedelta(days=7 * n)
                date, gran = d - _dt.timedelta(days=d.weekday()), "week"
        elif kind == "per" and pub is not None:
            mod = m["pmod"].lower()
            shift = {"last": -1, "previous": -1, "this": 0, "next": 1}[mod]
            unit = m["punit"]
            gran = unit
            if unit == "week":
                date = pub - _dt.timedelta(days=pub.weekday()) + _dt.timedelta(days=7 * shift)
            elif unit == "month":
                k = pub.year * 12 + pub.month - 1 + shift
                date = _dt.date(k // 12, k % 12 + 1, 1)
            else:
                date = _dt.date(pub.year + shift, 1, 1)
        elif kind == "wd" and pub is not None and not _not_weekday(text, s, e):
            date = _weekday(pub, _WEEKDAYS[m["w"].lower()], m["wmod"] or "",
                            _future(text, s, e) if not m["wmod"] else False,
                            late=_LATE_BEFORE.search(text, max(0, s - 12), s) is not None
                            or text[s:e].endswith(("night", "evening")))
        elif kind == "year":
            if _is_year(text, s, e):
                date, gran = _dt.date(int(m["year"]), 1, 1), "year"
        if date is not None:
            out.append((s, e, text[s:e], date, gran))
    return out


_HOLIDAY_BEFORE = re.compile(r"\b(?:Good|Black|Easter|Holy|Ash|Palm|Super|Bloody|Cyber|Maundy|Shrove|Low)\s+$")
_TITLE_AFTER = re.compile(r"\s+(?!(?:January|February|March|April|May|June|July|August|September|October|November|"
                          r"December)\b)[A-Z][a-z]")


def _not_weekday(text: str, start: int, end: int) -> bool:
    """Weekday names that are not dates: "Good Friday", "Black Friday", "The Sunday Times"."""
    before = text[max(0, start - 12):start]
    if _HOLIDAY_BEFORE.search(before):
        return True
    return bool(re.search(r"\b[Tt]he\s+$", before)) and bool(_TITLE_AFTER.match(text, end))


_PAST_NEAR = re.compile(r"\b(?:[a-z]+ed|said|was|were|had|did|began|took|came|fell|met|saw|made|went|won|lost|"
                        r"fought|left|held|began|since|ago|after)\b")


def _soon(text: str, start: int, pub: _dt.date, month: int, day: int) -> bool:
    """A day and month without a year that comes within 3 weeks, with no past tense just before it
    ("a session on October 4" written on 30 September), is the coming one, not last year's."""
    nxt = _day_month(pub, month, day, True)
    if nxt is None or (nxt - pub).days > 21 or nxt == pub:
        return False
    return _PAST_NEAR.search(text, max(0, start - 50), start) is None


def _next_before(text: str, start: int) -> bool:
    return re.search(r"\b(?:[Nn]ext|[Cc]oming|[Uu]pcoming)\s+(?:on\s+)?$", text[max(0, start - 15):start]) is not None


def resolve_dates(text: str, published: Any = None) -> pd.DataFrame:
    """Date expressions in ``text`` resolved against the publication date.

    Parameters
    ----------
    text : str
        A sentence or any text.
    published : date, Timestamp, ISO string or None
        The publication date. Without it (None/NaT) only absolute expressions resolve.

    Returns
    -------
    DataFrame
        ``start``, ``end`` (character offsets, ``text[start:end]`` is the expression), ``text``,
        ``date`` (datetime64: the day, or the first day of the week/month/year) and ``granularity``
        (``day``, ``week``, ``month`` or ``year``) and ``far_past`` (more than :data:`FAR_PAST_YEARS`
        years before publication; the event timeline leaves these out by default). See the module
        docstring for the conventions.

    Examples
    --------
    >>> t = "On Sunday the mayor, who took office in 2014, said the vote set for next Friday was off."
    >>> resolve_dates(t, "2022-07-04")[["text", "date", "granularity"]]
              text       date granularity
    0       Sunday 2022-07-03         day
    1         2014 2014-01-01        year
    2  next Friday 2022-07-08         day
    >>> resolve_dates("Talks resumed last week, after the February 24 invasion.", "2022-07-04")
       start  end         text       date granularity  far_past
    0     14   23    last week 2022-06-27        week     False
    1     35   46  February 24 2022-02-24         day     False
    >>> resolve_dates("The city was besieged in 1941.", "2022-07-04")[["text", "far_past"]]
       text  far_past
    0  1941      True
    """
    pub = _to_date(published)
    rows = _find(text, pub)
    df = pd.DataFrame(rows, columns=_RESOLVE_COLUMNS)
    df["far_past"] = pd.Series([_far_past(r[3], pub) for r in rows], dtype="bool")
    df["date"] = pd.to_datetime(df["date"]) if len(df) else pd.Series([], dtype="datetime64[ns]")
    df["start"] = df["start"].astype("int64")
    df["end"] = df["end"].astype("int64")
    return df


def sentence_dates(sentences: pd.DataFrame, published: "pd.Series | Mapping[str, Any]") -> pd.DataFrame:
    """Event dates in each sentence, with article offsets (the pipeline's ``dates`` table).

    Parameters
    ----------
    sentences : DataFrame
        ``article_id``, ``sent_id``, ``start``, ``end`` (offsets into the article text) and ``text``.
    published : Series or dict
        ``article_id`` → publication date (Timestamp, date, ISO string or NaT). Articles missing or NaT:
        explicit dates still resolve, relative ones are skipped.

    Returns
    -------
    DataFrame
        ``article_id, sent_id, start, end, text, date, granularity`` (offsets into the article text).

    Examples
    --------
    >>> s = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [0, 1], "start": [0, 20],
    ...                   "end": [19, 55], "text": ["Nothing dated here.", "Shelling began on Sunday night."]})
    >>> sentence_dates(s, {"a": pd.Timestamp("2022-07-04")})[["sent_id", "start", "end", "date"]]
       sent_id  start  end       date
    0        1     38   50 2022-07-03
    """
    if isinstance(published, pd.Series):
        published = published.to_dict()
    published = dict(published or {})
    cache: dict[Any, _dt.date | None] = {}
    cols: dict[str, list] = {c: [] for c in DATE_COLUMNS}
    if len(sentences):
        for aid, sid, off, text in zip(sentences["article_id"], sentences["sent_id"], sentences["start"],
                                       sentences["text"]):
            if not isinstance(text, str) or not _CUE.search(text):
                continue
            if aid not in cache:
                cache[aid] = _to_date(published.get(aid))
            for s, e, t, d, g in _find(text, cache[aid]):
                cols["article_id"].append(aid)
                cols["sent_id"].append(sid)
                cols["start"].append(int(off) + s)
                cols["end"].append(int(off) + e)
                cols["text"].append(t)
                cols["date"].append(d)
                cols["granularity"].append(g)
                cols["far_past"].append(_far_past(d, cache[aid]))
    df = pd.DataFrame(cols)
    df["article_id"] = df["article_id"].astype(object)
    df["sent_id"] = df["sent_id"].astype("int64")
    df["start"] = df["start"].astype("int64")
    df["end"] = df["end"].astype("int64")
    df["date"] = pd.to_datetime(pd.Series(cols["date"], dtype=object)) if cols["date"] else \
        pd.Series([], dtype="datetime64[ns]")
    df["granularity"] = df["granularity"].astype(object)
    df["far_past"] = df["far_past"].astype("bool")
    return df
