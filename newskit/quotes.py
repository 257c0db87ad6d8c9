"""Who said what: direct quotes, reported speech and speaker turns, tied to speakers.

A rule-based extractor over the article text and the tables the pipeline already has (sentence
spans and spaCy NER mentions); no dependency parse. It finds

* **direct** quotes in quotation marks (straight ``"`` or curly ``“ ”``; single quotes inside
  them are nested quotes and stay part of the content). A quote that is still open at the end of
  a paragraph and continues in the next one with an opening mark (news style) is **one** quote
  spanning the paragraphs; pieces of one quote interrupted by the attribution (``“A,” she said.
  “B.”``) are one quote. A quotation mark left open at a paragraph end without a continuation
  closes at that paragraph end. **Scare quotes** — 1 to 3 quoted words that do not stand as a
  sentence of their own (``a “historic” deal``) — are not quotes.
* **indirect** reported speech around a cue verb from :data:`CUE_VERBS` or a cue phrase from
  :data:`CUE_PHRASES` — ``X said (that) …``, ``… , X said.``, ``… , said X.``, ``X told reporters …``,
  ``X warned / claimed / added …``, ``X pointed out / called for …``, stance verbs with a short object
  (``X attacked the council``); a participle or a coordinated cue shares the speaker of the
  attribution before it or the sentence subject (``…, adding that …``, ``… and said …``). The content
  is the reported clause: cut before a following cue, a relative or coordinated clause, a semicolon
  or a new main clause after a comma (``…, she expects …``), and widened to the end of a quotation it
  opens; a ``who`` statement ends with its relative clause; a cue followed by ``by`` is a passive
  participle, not an attribution. **mixed** when that content contains a quotation
  mark (naming verbs: ``called it a “disaster”``). A nested attribution (``X said she hopes …``) is
  X's statement only. ``Asked whether …, …`` questions are indirect (the asker, when named, is the
  source);
* **according_to**: ``according to X, …`` and ``…, according to X``;
* **speaker_turn**: transcript and interview layouts, a paragraph ``Name: text`` whose label is a
  PERSON mention (``President Vladimir Putin: Good afternoon.``) or an all-capitals name; not a label
  with lower-case words (``Follow Ann Lee on Twitter:``), a title-case heading the NER took for an
  ORG, or a result row whose text has no word (``Ann Lee: 1,769.``).

Speakers. The speaker is the subject of the cue, found before the auxiliaries, modals, control
verbs and adverbs in front of it (``Roe wouldn't discuss …``, ``the ministry has vigorously denied
…``, ``Lee failed to mention …``): a PERSON / ORG / GPE / NORP mention next to the cue, else a
pronoun (``who`` included), a descriptive noun phrase (``the president``, ``a campaign
spokesman``, ``officials``) or a capitalised name the NER missed; after a quote, an inverted speaker
is the phrase up to the next comma, preposition or relative pronoun (``“…,” said a person close to the
campaign``); failing those, for any cue, the clause before it up to its first comma or relative
pronoun (``Farmers in the valley who lost their herds denied …``). ``speaker_start, speaker_end,
speaker`` are the speaker as written. Pronouns (``he said``) and title phrases (``the senator said``) are resolved to
the nearest compatible mention before them — a PERSON for *he / she* and person titles, an ORG /
GPE / NORP for *it / they* and organisation nouns — and that span is recorded in
``resolved_start, resolved_end, resolved, speaker_label`` (for a named speaker they are the speaker
mention itself; −1 / "" when nothing resolves). A direct quote without an attribution of its own
that opens a paragraph right after a quote of a known speaker is given that speaker (cue ``""``).

Offsets are character offsets into the article ``text`` (paragraphs joined by ``"\\n"``):
``text[start:end]`` is the quote content (for direct quotes the quotation marks are included).

Cost: a few regular-expression passes per article, ≈ a few µs of CPU per word (see
``scripts/eval_quotes.py --bench``); measured accuracy on PolNeAR is in the README.

>>> t = '"The plan is a disaster," Senator Jane Roe said on Monday. She added that talks would go on.'
>>> q = find_quotes(t)
>>> q[["kind", "speaker", "cue"]].values.tolist()
[['direct', 'Senator Jane Roe', 'said'], ['indirect', 'She', 'added']]
>>> t[q.start[0]:q.end[0]]
'"The plan is a disaster,"'
"""
from __future__ import annotations

#: Bump when the output of find_quotes / quotes_table changes (part of the annotation cache key).
PIPELINE_VERSION = "3"

import bisect
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "find_quotes",
    "quotes_table",
    "mark_mentions",
    "resolve_speakers",
    "QUOTE_COLUMNS",
    "CUE_VERBS",
    "CUE_PHRASES",
    "LEARNED_CUES",
    "KINDS",
]

#: Columns of :func:`find_quotes` (``quotes_table`` adds ``article_id`` first; ``resolve_speakers``
#: adds ``actor``).
QUOTE_COLUMNS = ["quote_id", "statement_id", "start", "end", "speaker_start", "speaker_end", "speaker", "cue",
                 "kind", "cue_start", "cue_end", "resolved_start", "resolved_end", "resolved",
                 "speaker_label"]
KINDS = ("direct", "indirect", "mixed", "according_to", "speaker_turn")

#: Speech and attribution verbs (all inflections listed). ``according to`` is handled apart.
CUE_VERBS = frozenset("""
say says said saying tell tells told telling adds added adding notes noted noting
write writes wrote writing warn warns warned warning claim claims claimed claiming
argue argues argued arguing insist insists insisted insisting explain explains explained
explaining stated stating declare declares declared declaring announce announces announced announcing
ask asks asked asking reply replies replied respond responds responded answered
acknowledge acknowledges acknowledged acknowledging admit admits admitted suggest suggests suggested
suggesting recall recalls recalled recalling continued stress stresses stressed
emphasize emphasizes emphasized emphasise emphasises emphasised predict predicts predicted predicting
promise promises promised promising pledged pledging vow vows vowed vowing
tweeted tweeting posted mention mentions mentioned concede concedes conceded
countered contend contends contended maintain maintains observe
observes observed remarked urge urges urged urging charged allege
alleges alleged complain complains complained deny denies denied confirm confirms confirmed
reported estimate estimates estimated indicate indicates indicated
believe believes believed think thinks thought agree agrees agreed caution cautions cautioned
boast boasts boasted joke jokes joked quip quips quipped shout shouts shouted yell yells yelled
tout touts touted assert asserts asserted blast blasts blasted slam slams slammed
accuse accuses accused accusing criticize criticizes criticized criticizing criticise criticises criticised
reiterate reiterates reiterated recount recounts recounted concluded conclude concludes
declined demanded demands
call calls called calling describe describes described describing dub dubs dubbed labels
labeled labelled branded termed ruled finds found
decried lamented cite cites cited citing praise praises praised praising defend defends defended
condemn condemns condemned questioned questioning thanked blame blames blamed denounce denounces
denounced denouncing reminded dismissed rejected mocked revealed endorse endorses endorsed
echoed expected expects discussed discussing portrayed assured showed shows deemed
attacked encouraged proposed proposing projected hopes hoped hoping
appears appeared seem seems seemed refuse refuses refused discuss requested
oppose opposes opposed opposing supported named nominated challenged threatened offered
sought seeks seeking learned ignored expressed expressing expect want wants
knows see sees show reveal reveals
ordered decided fear fears feared feel feels felt listed defending attacking expecting
convinced recognize recognized hope reads chant chants chanted chanting proclaim proclaims proclaimed
implied implies bemoaned lamenting portray portrays portraying chided chiding labeling
""".split())
#: Cue verbs added from PolNeAR **train** counts: the single verb forms listed by
#: ``scripts/learn_cues.py`` (gold cue in ≥ 4 relations, ≥ 40 % of the form's occurrences in train are
#: a gold cue, content after the cue); other inflections were measured and left out (they added noise).
LEARNED_CUES = frozenset("""
highlighted emailed quoted considers dismissing invoked mentioning referencing referenced remarking
repeating retweeted slamming assailed asserting blasting emphasizing fearing recognizing
""".split())
CUE_VERBS = CUE_VERBS | LEARNED_CUES
#: Verbs that are cues with a particle: the verb form → the particles ("pointed out", "called for").
CUE_PHRASES = {v: frozenset(ps.split()) for vs, ps in (
    ("point points pointed pointing", "out to"),
    ("speak speaks spoke speaking talk talks talked talking", "about of"),
    ("rail rails railed railing", "against"),
    ("call calls called calling", "for on"),
    ("refer refers referred referring", "to"),
    ("make makes made making", "clear"),
    ("comment comments commented commenting", "on"),
    ("vote votes voted voting advocate advocates advocated advocating push pushes pushed pushing "
     "argue argues argued arguing", "for against"),
    ("respond responds responded responding", "to"),
    ("put puts", "it"),
    ("warn warns warned warning", "against of"),
    ("worry worries worried worrying", "about that"),
    ("sided", "with"),
    ("wrote", "about"),
) for v in vs.split()}
_NAMING = {"call", "calls", "called", "calling", "describe", "describes", "described", "describing",
           "dub", "dubs", "dubbed", "label", "labels", "labeled", "labelled", "brand", "brands",
           "branded", "term", "terms", "termed"}
_AUX = (r"(?:(?:has|have|had|also|later|then|previously|repeatedly|once|recently|often|never|"
        r"would|will|could|might|may|did|does|do|just|again|publicly|privately|reportedly|"
        r"allegedly|already|first|still|even|long|simply|flatly|bluntly|quickly|angrily|"
        r"clearly|famously|jokingly|frequently|has\s+long|went\s+on\s+to)\s+)")
_CUE_RE = re.compile(r"\b(?:" + _AUX + r"{0,2})(?:" + "|".join(sorted(CUE_VERBS, key=len, reverse=True))
                     + r")\b|\baccording\s+to\b", re.I)
_PRONOUNS = {"he": "person", "she": "person", "who": "person", "him": "person", "her": "person",
             "they": "group", "it": "group", "we": "group", "i": "self", "you": "self"}
_PERSON_NOUNS = set("""
president candidate nominee senator sen governor gov mayor minister secretary chairman chairwoman
chair director leader lawmaker spokesman spokeswoman spokesperson aide adviser advisor official
strategist pollster representative rep congressman congresswoman member manager chief head
founder ceo executive ambassador diplomat general commander officer judge lawyer attorney
professor researcher economist analyst expert host anchor reporter journalist correspondent
sheriff businessman businesswoman billionaire mogul frontrunner front-runner challenger rival
opponent incumbent speaker father mother wife husband son daughter man woman friend veteran
voter supporter critic activist witness resident source surrogate operative donor republican
democrat conservative liberal moderator king queen prince premier chancellor envoy negotiator
""".split())
_GROUP_NOUNS = set("""
campaign statement report poll survey study analysis data document documents paper newspaper
agency group organization organisation company firm court ministry department government
administration committee office team staff memo letter email emails website tweet release ad
party kremlin white house officials sources aides advisers advisors experts analysts critics
supporters voters people residents witnesses police prosecutors authorities leaders lawmakers
democrats republicans strategists pollsters observers officers diplomats members spokesmen
researchers economists investigators figures numbers results polls surveys studies commission
piece clip narrator announcer article column editorial book video lawsuit complaint filing
indictment ruling order bill plan proposal platform spot commercial network station magazine
journal blog site page account transcript speech message note tweets posts ads polling
""".split())
_SPEAKER_NOUNS = _PERSON_NOUNS | _GROUP_NOUNS | {n + "s" for n in _PERSON_NOUNS}
_DET = (r"(?:the|a|an|another|one|two|three|some|many|several|other|his|her|their|its|our|my|"
        r"this|that|these|those|both|most|all|each|top|senior|former)")
_WORD = r"[A-Za-z][\w'’\-]*(?:\.[\w'’\-]+)*"
_NOUN_RE = "|".join(sorted((re.escape(n) for n in _SPEAKER_NOUNS if " " not in n), key=len, reverse=True))
# a speaker noun phrase ending right before the cue
_NP_LEFT = re.compile(rf"(?:\b{_DET}\s+(?:{_WORD}\s+){{0,4}}?|\b)(?:{_NOUN_RE})\s*$", re.I)
_CAP_LEFT = re.compile(r"(?:\b[A-Z][\w'’.\-]*\s+){0,3}\b[A-Z][\w'’\-]*[a-z][\w'’\-]*\.?\s*$")
_PRON_LEFT = re.compile(r"\b(he|she|they|it|we|i|you|who)\s*$", re.I)
_NP_RIGHT = re.compile(rf"\s+((?:{_DET}\s+(?:{_WORD}\s+){{0,4}}?)?(?:{_NOUN_RE})\b|"
                       r"(?:[A-Z][\w'’.\-]*\s+){0,3}[A-Z][\w'’\-]*|he\b|she\b|they\b)", re.I)
_APPOS_LEFT = re.compile(r",\s+[^,;\"“”()\n]{2,90},\s*$|\s*\([^()\n]{1,40}\)\s*,?\s*$")
_OPEN = "“„‟«"
_CLOSE = "”»"
_STRAIGHT = '"'
_MARKS = re.compile("''|[\"“”„‟«»\n]")
_ANYMARK = re.compile("''|[\"“”„‟«»]")
_NOT_LABELS = {"note", "notes", "update", "updated", "read more", "photo", "photos", "watch",
               "editor's note", "editor’s note", "source", "sources", "related", "see also", "video",
               "warning", "correction", "disclaimer", "background", "contact", "email", "tags",
               "subscribe", "listen", "transcript", "live", "breaking", "opinion", "analysis", "clarification"}
_NAME_PARTICLES = {"of", "the", "de", "da", "di", "van", "von", "der", "la", "le", "du", "al", "bin", "el", "and"}
_TURN_RE = re.compile(r"([A-Z][^:\n\"“”]{0,70}?)\s*:\s+(?=\S)")
_NAMED = ("PERSON", "ORG", "GPE", "NORP")
_WORDS = re.compile(r"[\w'’\-]+")


# --------------------------------------------------------------------------- quotation marks
def _quote_segments(text: str) -> list[list[int]]:
    """``[start, end]`` (marks included) of every quoted passage; open quotes continue across a
    paragraph break when the next paragraph opens with a quotation mark."""
    segs: list[list[int]] = []
    open_at = -1
    carried = False  # the open quote came from the previous paragraph
    first_in_para = True
    n = len(text)
    for m in _MARKS.finditer(text):
        i, j_end = m.span()
        c = text[i]
        if c == "\n":
            if open_at >= 0:
                j = i + 1
                while j < n and text[j] in " \t":
                    j += 1
                if j < n and (text[j] in _OPEN or text[j] == _STRAIGHT or text.startswith("''", j)):
                    carried = True  # news style: the quote goes on in the next paragraph
                else:
                    segs.append([open_at, i])
                    open_at = -1
                    carried = False
            first_in_para = True
            continue
        prev = text[i - 1] if i else "\n"
        nxt = text[j_end] if j_end < n else "\n"
        if c in _OPEN:
            kind = "o"
        elif c in _CLOSE:
            # a closing mark used as an opening one (”Text at a paragraph start)
            kind = "o" if (open_at < 0 and (prev == "\n" or prev in " \t(") and not nxt.isspace()
                           and nxt not in ",.;:!?") else "c"
        else:  # straight " or '' : its direction from the characters around it
            before_open = prev.isspace() or prev in "([{—–-―/:"
            after_close = nxt.isspace() or nxt in ",.;:!?)]}—–―-"
            if before_open and not after_close:
                kind = "o"
            elif after_close and not before_open:
                kind = "c"
            else:
                kind = "c" if open_at >= 0 and not (first_in_para and carried) else "o"
        if kind == "o":
            if open_at < 0:
                open_at = i
            elif first_in_para and carried:
                pass  # the continuation mark of a multi-paragraph quote
            else:  # an opening mark inside an open quote: the earlier mark was stray
                open_at = i
            carried = False
        elif open_at >= 0:
            segs.append([open_at, j_end])
            open_at = -1
            carried = False
        first_in_para = False
    if open_at >= 0:
        segs.append([open_at, n])
    return segs


def _is_scare(text: str, s: int, e: int) -> bool:
    """1–3 quoted words that are not a sentence of their own (``a “historic” deal``)."""
    inner = text[s + 1:e - 1] if e - s >= 2 else ""
    words = _WORDS.findall(inner)
    if len(words) > 3:
        return False
    if not words:
        return True
    stripped = inner.rstrip()
    ends_punct = bool(stripped) and stripped[-1] in ".,!?…"
    if stripped[-1:] in ".!?…" and re.search(r"[,:][ \t]*$", text[max(0, s - 3):s]):
        return False  # 'Asked if he would, Roe said, "Probably."'
    return not (ends_punct and _starts_sentence(text, s))


# --------------------------------------------------------------------------- speakers
class _Mentions:
    """Mention spans of one article with fast look-ups."""

    def __init__(self, mentions: pd.DataFrame | None = None, *, arrays: tuple | None = None):
        if arrays is not None:
            start, end, label = arrays
        elif mentions is None or len(mentions) == 0:
            start, end, label = [], [], []
        else:
            start = mentions["start"].astype("int64").tolist()
            end = mentions["end"].astype("int64").tolist()
            label = mentions["label"].astype(str).tolist()
        order = sorted(range(len(start)), key=lambda i: start[i])
        self.start = [int(start[i]) for i in order]
        self.end = [int(end[i]) for i in order]
        self.label = [label[i] for i in order]
        self.by_end = sorted(range(len(self.end)), key=lambda i: self.end[i])
        self.ends_sorted = [self.end[i] for i in self.by_end]

    def ending_at(self, lo: int, hi: int, labels: Sequence[str] = _NAMED) -> int:
        """Index of the mention ending in ``[lo, hi]`` (the latest), else −1."""
        a = bisect.bisect_left(self.ends_sorted, lo)
        b = bisect.bisect_right(self.ends_sorted, hi)
        for k in range(b - 1, a - 1, -1):
            i = self.by_end[k]
            if self.label[i] in labels:
                return i
        return -1

    def starting_at(self, lo: int, hi: int, labels: Sequence[str] = _NAMED) -> int:
        a = bisect.bisect_left(self.start, lo)
        b = bisect.bisect_right(self.start, hi)
        for i in range(a, b):
            if self.label[i] in labels:
                return i
        return -1

    def overlapping(self, s: int, e: int, labels: Sequence[str] = _NAMED) -> int:
        """A mention overlapping ``s:e`` (the first PERSON, else the last other one), else −1."""
        k = bisect.bisect_left(self.start, e) - 1
        found = -1
        while k >= 0 and self.start[k] >= s - 200:
            if self.end[k] > s and self.label[k] in labels:
                if self.label[k] == "PERSON":
                    found = k
                elif found < 0 or self.label[found] != "PERSON":
                    found = k if found < 0 else found
            k -= 1
        return found

    def before(self, pos: int, labels: Sequence[str], *, window: int = 3000) -> int:
        """The nearest mention with one of ``labels`` ending at or before ``pos``."""
        k = bisect.bisect_right(self.ends_sorted, pos) - 1
        while k >= 0:
            i = self.by_end[k]
            if self.end[i] < pos - window:
                break
            if self.label[i] in labels:
                return i
            k -= 1
        return -1


def _tail_search(rx: re.Pattern, s: str, runs: int) -> re.Match | None:
    """``rx.search(s)`` for a pattern anchored at the end (``…\\s*$``) whose matches start at a non-space
    character and hold at most ``runs`` runs of whitespace, in a string ``s`` without trailing
    whitespace: such a match lies within the last ``runs + 1`` words, so the search starts there
    instead of trying every position of a long sentence (same match: no earlier position can start one).

    >>> _tail_search(re.compile(r"\\b(?:the|a)\\s+\\w+\\s*$"), "a long day for the mayor", 1).group()
    'the mayor'
    """
    parts = s.rsplit(None, runs + 1)
    if len(parts) <= runs + 1:
        return rx.search(s)
    pos = len(parts[0])  # the prefix before the last runs + 1 words, then the run after it
    while s[pos].isspace():
        pos += 1
    return rx.search(s, pos)


def _speaker_left(text: str, cs: int, lo: int, ms: _Mentions) -> tuple[int, int] | None:
    """The speaker ending right before a cue at ``cs`` (not before ``lo``)."""
    left = text[lo:cs]
    stripped = left.rstrip()
    end = lo + len(stripped)
    if not stripped:
        return None
    k = ms.ending_at(end, end)
    if k >= 0 and ms.start[k] >= lo:
        if ms.label[k] in ("GPE", "LOC", "FAC") and _PREP_BEFORE.search(text, max(lo, ms.start[k] - 12), ms.start[k]):
            return None  # "Doctors in Lisgrad said": the place is not the speaker (see _clause_subject)
        return _extend_left(text, int(ms.start[k]), lo), int(ms.end[k])
    m = _PRON_LEFT.search(stripped)
    if m:
        return lo + m.start(1), lo + m.end(1)
    m = _APPOS_LEFT.search(stripped)
    if m and m.start() > 0:  # "Jane Roe, the mayor, said" / "Roe (D-N.Y.) said"
        inner = _speaker_left(text, lo + m.start(), lo, ms)
        if inner is not None:
            return inner
    m = _tail_search(_NP_LEFT, stripped, 5)  # det + up to 4 words + noun
    if m:
        return lo + m.start(), end
    m = _tail_search(_CAP_LEFT, stripped, 3)  # up to 4 capitalised words
    if m and stripped[m.start():].split()[0].lower() not in _COMMON_CAPS:
        return lo + m.start(), end
    # a subject noun phrase opening the sentence / clause: "The piece says …"
    m = _tail_search(_SUBJ_LEFT, stripped, 5)  # a cue word + det + up to 4 words
    if m:
        return lo + m.start(1), end
    return None


_PREP_BEFORE = re.compile(r"\b(?:in|of|from|near|at|across|around|outside|inside|for)\s+(?:the\s+)?$", re.I)
_TITLE_WORD = re.compile(r"(?:[A-Z][\w'’\-]*\.?|\([^()\n]{1,30}\))\s+$")
_SUBJ_LEFT = re.compile(r"(?:^|[.!?;:—–]\s+|\b(?:and|but|while|as|because|although|since|when|after)\s+)"
                        r"((?:the|a|an|this|that|his|her|their|its)\s+(?:[\w'’\-]+\s+){0,3}?[a-z][\w'’\-]+)\s*$",
                        re.I)


_SAY = {"say", "says", "said", "saying", "told", "tells", "tell", "added", "adds", "noted", "notes",
        "wrote", "writes", "warned", "warns", "argued", "argues", "insisted", "claimed", "claims",
        "explained", "stated", "acknowledged", "believe", "believes", "think", "thinks", "predicted"}
_CLAUSE_START = re.compile(r"(?:^|[,;:—–―(]\s*|\b(?:and|but|while|because|although|since|when|so|as)\s+)"
                           r"(?=\S)", re.I)


# where a reported clause ends: a relative clause, a coordinated clause, a semicolon ("she said the
# plan would fail, which …" / ", but …" / "; …")
_CLAUSE_CUT = re.compile(r",\s+(?:which|who|whom|whose|where)\s|"
                         r",\s+(?:and|but|or|while|although|though|compared|even|despite|yet|whereas)\s|"
                         r";\s|\s+but\s")
# text after "X said “…”" that does not make the content mixed: an adverbial or a new clause
_TAIL_ADVERBIAL = re.compile(r"(?:at|on|in|during|after|before|about|as|when|while|from|for|with|and|"
                             r"because|since|via|through|into|over|—|–|-)\b", re.I)
_VGROUP_LEFT = re.compile(r"\s(?:(?:is|are|was|were|be|been|being|am|would|wouldn['’]t|will|won['’]t|can|can['’]t|could|couldn['’]t|should|must|may|might|"
                          r"has|have|had|hasn['’]t|haven['’]t|hadn['’]t|does|do|did|doesn['’]t|don['’]t|didn['’]t|not|never|also|"
                          r"failed|refused|declined|wants?|wanted|tried|tries|sought|seeks?|hopes?|hoped|continues|continued|began|begins|"
                          r"plans?|planned|needs?|needed|to|and|(?-i:[a-z]\w*ly))\s+)+$", re.I)
_PASSIVE_OBJ = re.compile(r"(?:by|itself|himself|herself|themselves)\b", re.I)
_REL_END = re.compile(r",|\s(?:-|--|—|–|―)\s|[—–―]")
_NEW_CLAUSE = re.compile(r",\s+(?:he|she|they|it|we|I|most|many|some|others)\s+"
                         r"(?!said|says|say|told|added|noted|wrote|argued|insisted|claimed|stressed)")
_SUBORDINATE_START = re.compile(r"(?:that\s+)?(?:if|when|whenever|although|though|because|while|as|after|before|"
                                r"unless|once|since|until|even\s+if|even\s+though|whether)\b", re.I)
_CUT_BEFORE_CUE = re.compile(r"(?:[”\"’']?,|[ \t]+(?:and|before|after|while|then|but))[ \t]+$")
_ASKED = re.compile(r"Asked[ \t]+(by[ \t]+[^,]{2,60}?[ \t]+)?((?:about|whether|if|what|how|why|who|where|when|to)\b[^,;\n]{3,200}),",
                    re.I)
_LEAD_WORDS = re.compile(r"(?:(?:but|and|so|yet|still|instead|meanwhile|then|later|now|also)\b[ \t,]*)*", re.I)


def _sentence_subject(text: str, sent_s: int, hi: int, ms: _Mentions) -> tuple[int, int] | None:
    """The subject opening a sentence — a named PERSON / ORG / NORP / GPE mention or a pronoun — for a
    participle cue with no attribution before it ("Roe pointed to the record, noting that …")."""
    j = sent_s
    while j < hi and text[j] in " \t\n":
        j += 1
    j = _LEAD_WORDS.match(text, j, hi).end()
    m = re.match(r"(he|she|they|it|we|i)\b", text[j:hi], re.I)
    if m:
        return j, j + m.end()
    k = ms.starting_at(j, j + 25)
    if k >= 0 and ms.end[k] < hi and not re.search(r"[,;:]", text[j:ms.start[k]]):
        nxt = text[ms.end[k]:ms.end[k] + 3]
        if not nxt.startswith("'s") and not nxt.startswith("’s"):
            return _extend_left(text, int(ms.start[k]), j), int(ms.end[k])
    return None


def _clause_subject(text: str, lo: int, cs: int) -> tuple[int, int] | None:
    """The subject of a speech verb when no simpler speaker matched: the clause before the cue up
    to its first comma or relative pronoun ("Federal officials familiar with …, said …")."""
    seg = text[lo:cs]
    if not seg.strip() or len(seg) > 300:
        return None
    # the clause start: the sentence start, or after the last conjunction/comma that is followed by
    # a subject-like word (not when the text before the cue ends in a relative clause comma)
    starts = [m.end() for m in _CLAUSE_START.finditer(seg)]
    for st in reversed(starts):
        sub = seg[st:]
        words = sub.split()
        if not words or words[0].lower().strip(",") in _NOT_SUBJ:
            continue
        if not (words[0][0].isupper() or words[0].lower() in _SUBJ_DET):
            continue
        m = re.search(r",|\s(?:who|which|that|whose)\s", sub)
        e = st + (m.start() if m else len(sub.rstrip()))
        cut = [w.end() for w in re.finditer(r"\S+", seg[st:e])][:6]  # the head: at most six words
        e = st + cut[-1] if cut else e
        s0, e0 = _strip_span(text, lo + st, lo + e)
        if e0 > s0 and len(text[s0:e0].split()) <= 12:
            return s0, e0
        return None
    return None


_NOT_SUBJ = {"who", "which", "that", "it", "there", "to", "of", "in", "at", "on", "during", "after",
             "before", "however", "when", "while", "if", "as", "but", "and", "so", "also", "still",
             "meanwhile", "yet", "then", "now", "later", "earlier", "last", "this", "since", "for",
             "with", "without", "by", "from", "under", "over", "asked", "speaking", "according",
             "instead", "indeed", "moreover", "though", "although", "because", "until", "among"}
_SUBJ_DET = {"the", "a", "an", "some", "many", "most", "several", "two", "three", "few", "both",
             "all", "other", "others", "federal", "state", "local", "senior", "top", "former"}


def _extend_left(text: str, s: int, lo: int) -> int:
    """Widen a name to the titles / capitalised words just before it ("Sen. Claire McCaskill")."""
    for _ in range(4):
        m = _TITLE_WORD.search(text, max(lo, s - 40), s)
        if not m or m.end() != s:
            break
        w = text[m.start():s].split()[0].lower().strip(".")
        if w in _COMMON_CAPS:
            break
        s = m.start()
    return s


_COMMON_CAPS = {"the", "a", "an", "but", "and", "or", "so", "yet", "in", "on", "at", "as", "if",
                "when", "while", "after", "before", "this", "that", "it", "there", "then", "also",
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                "i", "we", "you", "he", "she", "they", "what", "who", "how", "why", "where"}


def _speaker_right(text: str, ce: int, hi: int, ms: _Mentions) -> tuple[int, int] | None:
    """An inverted speaker right after a cue (``said Jane Roe``), followed by , . ; or the end."""
    j = ce
    while j < hi and text[j] in " \t":
        j += 1
    k = ms.starting_at(j, j)
    if k >= 0 and ms.end[k] <= hi:
        s, e = int(ms.start[k]), int(ms.end[k])
    else:
        m = _NP_RIGHT.match(text, ce, hi)
        if not m:
            return None
        s, e = m.start(1), m.end(1)
    rest = text[e:hi].lstrip()
    if not rest or rest[0] in ",.;!?—–(" or rest[:1] in _CLOSE or rest.startswith(" "):
        return s, e
    # "said Roe, the mayor." / "said Roe in a statement."
    if re.match(r"(?:in|on|at|during|after|before|to|of)\b", rest):
        return s, e
    return None


_RIGHT_CHUNK = re.compile(
    r"[ \t]+((?:the\s+|a\s+|an\s+)?[\w'’\-]+(?:[ \t]+(?!(?:in|on|at|during|after|before|to|who|which|when|while|"
    r"as|about|last|this|that|yesterday|today|tonight|earlier|later|recently|told|and|but|from|via|with|for|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)[\w'’.\-]+){0,8}?)"
    r"(?=[ \t]*(?:[,;:!?(—–]|\.(?:\s|$)|$)|[ \t]+(?:in|on|at|during|after|before|to|who|which|when|while|as|about|"
    r"last|this|that|yesterday|today|tonight|earlier|later|recently|told|and|but|from|via|with|for|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\b)", re.I)


def _chunk_right(text: str, ce: int, hi: int, ms: _Mentions) -> tuple[int, int] | None:
    """The inverted speaker as a phrase: after ``“…,” said`` the words up to the next comma, period,
    preposition or relative pronoun ("said a person close to the campaign", "said Democratic
    pollster Jane Roe, who …"), widened to cover a named mention it cuts."""
    m = _RIGHT_CHUNK.match(text, ce, hi)
    if not m:
        return None
    s, e = m.span(1)
    k = ms.overlapping(s, e)
    if k >= 0 and ms.end[k] > e and ms.end[k] <= hi:
        e = ms.end[k]
    return s, e


def _resolve(text: str, s: int, e: int, ms: _Mentions) -> int:
    """Mention index a speaker span resolves to (itself when it is a mention), else −1."""
    k = ms.overlapping(s, e)
    if k >= 0:
        return k
    words = text[s:e].lower().split()
    if not words:
        return -1
    head = words[-1].strip(".,")
    if len(words) == 1 and head in _PRONOUNS:
        kind = _PRONOUNS[head]
        if kind == "person":
            return ms.before(s, ("PERSON",))
        if kind == "group":
            return ms.before(s, ("ORG", "NORP", "GPE"), window=600)
        return -1
    if words[0] in ("the", "his", "her", "their", "its", "this", "that"):
        if head in _PERSON_NOUNS:
            return ms.before(s, ("PERSON",))
        if head in ("campaign", "administration", "government", "committee", "party", "company",
                    "ministry", "department", "agency", "group", "organization", "organisation", "team"):
            return ms.before(s, ("ORG", "NORP", "GPE"), window=1500)
    return -1


# --------------------------------------------------------------------------- main
def _sentence_bounds(text: str, sentences: pd.DataFrame | None) -> tuple[list[int], list[int]]:
    if sentences is None:
        from newskit.text import sentence_spans

        spans = sentence_spans(text)
        return [s for s, _ in spans], [e for _, e in spans]
    s = sentences.sort_values("start")
    return s["start"].astype(int).tolist(), s["end"].astype(int).tolist()


def _para_bounds(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, (len(text) if b < 0 else b)


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t,;:—–-":
        s += 1
    while e > s and text[e - 1] in " \t,;:—–-":
        e -= 1
    return s, e


def find_quotes(text: str, *, mentions: pd.DataFrame | None = None,
                sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quotes and attributed statements of one article, with their speakers.

    Parameters
    ----------
    text : str
        The article text (paragraphs joined by ``"\\n"``).
    mentions : DataFrame, optional
        The article's NER mentions: ``start, end, text, label`` (spaCy labels). PERSON / ORG / GPE /
        NORP mentions are speakers and the targets of pronoun and title resolution; without them
        speakers are pronouns, noun phrases and capitalised names only, and nothing resolves.
    sentences : DataFrame, optional
        The article's sentences (``start, end``); computed with :func:`newskit.text.sentence_spans`
        when omitted.

    Returns
    -------
    DataFrame
        One row per quote, ordered by ``start``: ``quote_id`` (0, 1, … within the article),
        ``statement_id`` (the ``quote_id`` of the first piece of the statement: the pieces of a
        quote interrupted by its attribution, or continued in the same paragraph by the same
        speaker, share it — count statements with it),
        ``start, end`` (the content), ``speaker_start, speaker_end, speaker`` (as written; −1, −1, ""
        when none is found), ``cue`` (the verb or phrase, ``":"`` for speaker turns, ``""`` when
        none), ``kind`` (one of :data:`KINDS`), ``cue_start, cue_end``, and ``resolved_start,
        resolved_end, resolved, speaker_label`` (the named mention the speaker is, or resolves to;
        −1, −1, "", "" when none).

    Examples
    --------
    >>> text = ('“We will not give up,” said Jane Roe. “The fight goes on.”\\n'
    ...         'According to the ministry, prices rose by a third.\\nANNA LEE: Thank you all.')
    >>> q = find_quotes(text)
    >>> q[["statement_id", "kind", "speaker", "cue"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[0, 'direct', 'Jane Roe', 'said'], [0, 'direct', 'Jane Roe', ''],
     [2, 'according_to', 'the ministry', 'According to'], [3, 'speaker_turn', 'ANNA LEE', ':']]
    >>> [text[s:e] for s, e in zip(q.start, q.end)]
    ['“We will not give up,”', '“The fight goes on.”', 'prices rose by a third.', 'Thank you all.']
    """
    if not isinstance(text, str):
        raise TypeError(f"find_quotes expects the article text as a str, got {type(text).__name__}")
    ms = _Mentions(mentions)
    s_starts, s_ends = _sentence_bounds(text, sentences)
    rows = {c: [] for c in QUOTE_COLUMNS}
    _rows(text, _find(text, ms, s_starts, s_ends), ms, rows)
    return _as_frame(rows)


def _find(text: str, ms: "_Mentions", s_starts: list[int], s_ends: list[int]) -> list[dict]:
    all_segs = _quote_segments(text)
    segs = [g for g in all_segs if not _is_scare(text, g[0], g[1])]
    seg_starts = [g[0] for g in segs]
    all_starts = [g[0] for g in all_segs]  # scare quotes included: "called him a “liar”"
    out: list[dict] = []
    # quotes: dicts with start, end, speaker (s, e) or None, cue (s, e, text), kind
    seg_owner: dict[int, dict] = {}

    def in_segment(pos: int) -> int:
        k = bisect.bisect_right(seg_starts, pos) - 1
        if k >= 0 and segs[k][0] < pos < segs[k][1]:
            return k
        return -1

    def sentence_of(pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(s_starts, pos) - 1
        if k < 0:
            return _para_bounds(text, pos)
        return s_starts[k], max(s_ends[k], pos)

    cue_spans = _cue_hits(text)
    cue_starts = [c[0] for c in cue_spans]

    def _content_end(c_s: int, c_e: int) -> int:
        """The end of a content running from ``c_s`` to the sentence end ``c_e``: cut before a
        participle cue (", adding …"), widened to the end of a quote it opens."""
        k = bisect.bisect_left(cue_starts, c_s + 1)
        while k < len(cue_spans) and cue_spans[k][0] < c_e:
            a, b = cue_spans[k]
            w = "ing" if any(x.endswith("ing") for x in text[a:b].lower().split()) else "-"
            if in_segment(a) < 0:
                mcut = _CUT_BEFORE_CUE.search(text, max(c_s, a - 8), a)
                if mcut and (w.endswith("ing") or not mcut.group().lstrip().startswith(",")):
                    # "…, adding …" / "…,” claiming …" / "… and said …" / "… before claiming …"
                    c_e = mcut.start() + (1 if mcut.group()[:1] in _CLOSE + _STRAIGHT else 0)
                    break
            k += 1
        for mc in _CLAUSE_CUT.finditer(text, c_s + 1, c_e):
            if in_segment(mc.start()) < 0 and mc.start() - c_s >= 12:
                c_e = mc.start()
                break
        if not _SUBORDINATE_START.match(text, c_s, c_e):
            # "… would stay in the race, he clarified …": a new main clause after a comma ends the
            # content (not after a leading subordinate clause: "if the plan fails, they will leave")
            for mc in _NEW_CLAUSE.finditer(text, c_s + 1, c_e):
                if in_segment(mc.start()) < 0 and mc.start() - c_s >= 12:
                    c_e = mc.start()
                    break
        kq = bisect.bisect_right(seg_starts, c_e - 1) - 1
        if kq >= 0 and segs[kq][0] < c_e - 1 < segs[kq][1] - 1 and segs[kq][0] >= c_s:
            c_e = segs[kq][1]  # a quote that goes on past the sentence end
        return c_e

    # ---- speaker turns: "Name: text" at a paragraph start
    turn_paras = set()
    for pm in re.finditer(r"(?m)^[ \t]*(?=[A-Z])", text):
        p0 = pm.end()
        m = _TURN_RE.match(text, p0)
        if not m:
            continue
        label = m.group(1).strip()
        low = label.lower()
        if low in _NOT_LABELS or len(label.split()) > 8 or in_segment(p0) >= 0:
            continue
        ls, le = p0, p0 + len(label)
        named = ms.overlapping(ls, le, ("PERSON", "ORG")) >= 0
        caps = label.replace(".", "").replace("-", " ").replace("'", "").replace(" ", "").isupper() and \
            len(label) >= 2
        if not (named or caps or low in ("q", "a", "question", "answer")):
            continue
        if named and not caps:
            k = ms.overlapping(ls, le, ("PERSON", "ORG"))
            if ms.end[k] < le - 1 and not text[ms.end[k]:le].strip(" .,") == "":
                # "Putin's message to Europe: …" is a headline-like clause, not a turn label,
                # unless the mention ends the label ("President of Russia Vladimir Putin")
                continue
            if any(w[0].islower() and w not in _NAME_PARTICLES for w in label.split()) or ms.label[k] != "PERSON":
                # a label with lower-case words ("Follow Ann Lee on Twitter", "Another problem for
                # Lee") or a title-case ORG ("Veto Power Impedes Peace Efforts") is a heading
                continue
        _, pe = _para_bounds(text, p0)
        cs, ce = _strip_span(text, m.end(), pe)
        if ce <= cs:
            continue
        if not re.search(r"[A-Za-z]{2}", text[cs:ce]) and text[cs:ce].strip(".") not in ("A", "I"):
            continue  # "Ann Lee: 1,769." is a table row (results), not somebody speaking
        out.append(dict(start=cs, end=ce, spk=(ls, le), cue=(m.end() - 2 if text[m.end() - 2] == ":" else le,
                                                            m.end() - 1, ":"), kind="speaker_turn"))
        turn_paras.add(p0)

    # ---- cue phrases
    for cs, ce in cue_spans:
        if in_segment(cs) >= 0:
            continue  # a cue inside someone's quote
        cue_text = text[cs:ce]
        para_s, para_e = _para_bounds(text, cs)
        if para_s in turn_paras:
            continue
        sent_s, sent_e = sentence_of(cs)
        lo = max(para_s, sent_s, cs - 200)
        k = bisect.bisect_right(seg_starts, cs) - 1
        if k >= 0 and segs[k][1] <= cs:
            lo = max(lo, segs[k][1])
        according = cue_text.lower().startswith("according")
        spk = None
        inverted = False
        head = cue_text.lower().split()[-1]
        ing = any(w.endswith("ing") for w in cue_text.lower().split())  # "referring to", "adding"
        if not according and ((ing and re.search(r",[”\"’']?[ \t]*$", text[max(para_s, cs - 4):cs]))
                              or re.search(r"[ \t](?:and|but)[ \t]+$", text[max(para_s, cs - 6):cs])):
            # "…, adding / saying / citing …": the speaker of the attribution before, content after
            prevq = next((p for p in reversed(out) if p["cue"][2] and p["spk"] is not None
                          and sent_s <= p["cue"][0] and p["cue"][1] <= cs), None)
            spk0 = prevq["spk"] if prevq is not None else _sentence_subject(text, sent_s, cs, ms)
            if spk0 is not None:
                q = dict(spk=spk0, cue=(cs, ce, cue_text), kind="indirect")
                m5 = re.match(r"[ \t]*(?::[ \t]*)?(?:that\s+)?", text[ce:sent_e])
                c_s, c_e = _strip_span(text, ce + m5.end(), _content_end(ce + m5.end(), sent_e))
                ka = bisect.bisect_left(seg_starts, c_s)
                if ka < len(segs) and segs[ka][0] == c_s and segs[ka][1] >= c_e - 1:
                    _attach(q, ka, segs, seg_owner, out)
                    continue
                if len(_WORDS.findall(text, c_s, c_e)) < 2:
                    continue
                q["start"], q["end"] = c_s, c_e
                if _ANYMARK.search(text, c_s, c_e):
                    q["kind"] = "mixed"
                _absorb(q, segs, seg_owner)
                out.append(q)
                continue
        if according:
            spk = _speaker_right(text, ce, para_e, ms) or _np_after(text, ce, para_e, ms)
            inverted = True
        else:
            # "Roe wouldn't discuss …", "the ministry has vigorously denied …", "Lee failed to
            # mention …": the speaker before the auxiliaries, modals and adverbs of the cue
            mv = _VGROUP_LEFT.search(text, lo, cs)
            v_s = mv.start() if mv and mv.start() > lo else cs
            spk = _speaker_left(text, v_s, lo, ms) if v_s < cs else None
            if spk is None:
                spk = _speaker_left(text, cs, lo, ms)
            if spk is None:
                # "said X" needs the content before it: ", said X" or a quote
                before = text[max(para_s, cs - 3):cs].rstrip()
                if before and (before[-1] in ",”\"—–" or before.endswith("''")):
                    spk = _speaker_right(text, ce, min(para_e, ce + 120), ms) or \
                        _chunk_right(text, ce, min(para_e, ce + 120), ms)
                    inverted = spk is not None
            if spk is None:  # any cue: "Federal officials familiar with the plan said / denied …"
                spk = _clause_subject(text, max(sent_s, lo), v_s)
        if spk is None:
            ma = _ASKED.match(text, cs, sent_e) if text[sent_s:cs].strip() in ("", "When", "when") else None
            if ma:
                # "Asked whether the plan works, Roe said …": the question is the content; the asker
                # ("Asked by Lee if …") is the source when named, else there is none
                c_s, c_e = _strip_span(text, ma.start(2), ma.end(2))
                kb = ms.starting_at(ma.start(1) + 3, ma.start(1) + 5) if ma.group(1) else -1
                if ma.group(1) and kb >= 0:
                    spk = (ms.start[kb], ms.end[kb])
                if c_e - c_s >= 6:
                    out.append(dict(start=c_s, end=c_e, spk=spk, cue=(cs, ce, cue_text), kind="indirect"))
            continue
        q = dict(spk=spk, cue=(cs, ce, cue_text), kind="according_to" if according else "indirect")
        # where is the content? before: the text up to the speaker / cue
        left_end = spk[0] if not inverted else cs
        if according:
            left_end = cs
        before = text[max(para_s, left_end - 4):left_end]
        after_from = spk[1] if inverted else ce
        # 1) a quote right before ("…,” she said / “…,” said X / “…,” according to X)
        kq = bisect.bisect_right(seg_starts, left_end) - 1
        if kq >= 0 and segs[kq][1] <= left_end and segs[kq][1] > para_s:
            gap = text[segs[kq][1]:left_end]
            q_s, q_e = segs[kq]
            comma = "," in gap[:3] or "," in text[q_e - 3:q_e]
            if re.fullmatch(r"[ \t,]*(?:[A-Z][\w'’.\-]*\s+){0,4}", gap):
                lead = text[sent_s:q_s]
                if len(_WORDS.findall(lead)) >= 2 and in_segment(sent_s) < 0 and \
                        not re.search(r"[:,—–]\s*$", lead) and not _CUE_RE.search(lead):
                    # 'Roe would have to "move to the center," said Lee': the sentence is the content
                    q["start"], q["end"] = _strip_span(text, sent_s, q_e)
                    q["kind"] = "mixed"
                    _absorb(q, segs, seg_owner)
                    out.append(q)
                    continue
                _attach(q, kq, segs, seg_owner, out)
                continue
            if not inverted and comma and len(gap) <= 80 and re.match(r"[ \t]*,?[ \t]+[\w(]", gap) and \
                    not re.search(r"[.!?;:\"“”]\s|[\"“”]", gap.strip(" ,")) and not _CUE_RE.search(gap):
                # "“…,” Mr. Morgan of the Sierra Club said": the whole phrase is the speaker
                g0 = segs[kq][1] + len(gap) - len(gap.lstrip(" \t,"))
                q["spk"] = (g0, spk[1])
                _attach(q, kq, segs, seg_owner, out)
                continue
        # 2) a quote right after ("she said: “…”", "said Roe, “…”")
        m2 = re.match(r"[\s,:—–-]*(?:that\s+)?(?=(?:''|[\"“]))", text[after_from:para_e + 1])
        ka = bisect.bisect_left(seg_starts, after_from)
        if m2 and ka < len(segs) and segs[ka][0] == after_from + m2.end() and not inverted:
            # "X said “A” and B" is mixed when text follows the quote in the sentence
            tail = text[segs[ka][1]:sent_e].strip(" .,;")
            if tail and len(tail.split()) > 2 and not _CUE_RE.match(tail) and not _TAIL_ADVERBIAL.match(tail):
                q.update(start=after_from + m2.start(), end=sent_e, kind="mixed")
                q["start"], q["end"] = _strip_span(text, after_from, _content_end(after_from, sent_e))
                _absorb(q, segs, seg_owner)
                out.append(q)
            else:
                _attach(q, ka, segs, seg_owner, out)
            continue
        # 3) "X said:" ending the paragraph → the next paragraph
        if not inverted and re.fullmatch(r"\s*:\s*", text[ce:para_e]) and para_e < len(text):
            ns, ne = _para_bounds(text, para_e + 1)
            kn = bisect.bisect_left(seg_starts, ns)
            if kn < len(segs) and segs[kn][0] == ns:
                _attach(q, kn, segs, seg_owner, out)
            else:
                q.update(start=ns, end=ne, kind="indirect")
                out.append(q)
            continue
        # 3b) naming verbs: "X called Y a “liar”" — the content runs to the end of the quote(s)
        if not inverted and cue_text.lower().split()[-1] in _NAMING:
            kn = bisect.bisect_left(all_starts, ce)
            if kn < len(all_segs) and all_segs[kn][0] < min(sent_e, ce + 120):
                c_e = all_segs[kn][1]
                while kn + 1 < len(all_segs) and all_segs[kn + 1][0] < sent_e and \
                        (re.fullmatch(r"[\s,]*(?:and|or)?\s*(?:(?:a|an|the|as)\s+){0,2}",
                                      text[c_e:all_segs[kn + 1][0]])
                         or re.fullmatch(r"[ \t,]*(?:who|which|that|and|or|for|to|as)\b[^.;:!?\"“”]{0,40}",
                                         text[c_e:all_segs[kn + 1][0]])):
                    # 'called them "fools" who "want a war"': the quotes of one description
                    kn += 1
                    c_e = all_segs[kn][1]
                q["start"], q["end"] = _strip_span(text, ce, c_e)
                q["kind"] = "mixed"
                _absorb(q, segs, seg_owner)
                out.append(q)
            continue
        # 4) reported speech: content after the cue ("X said (that) …", "According to X, …")
        tail_s = after_from
        if according:
            m4 = re.match(r"[^,.;\n]{0,80}?,\s*", text[spk[1]:sent_e])
            tail_s = spk[1] + m4.end() if m4 else spk[1]
        elif cue_text.lower().split()[-1] in ("told", "tell", "tells", "telling", "asked", "urged",
                                               "warned", "promised", "assured"):
            m4 = re.match(r"\s+(?:(?:the|a|an|his|her|their)\s+)?(?:[\w'’.\-]+\s+){0,3}?"
                          r"(?:reporters|journalists|supporters|voters|crowd|audience|him|her|them|us|me|"
                          r"[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*)*)(?=\s+(?:that|on|in|at|during|,|\"|“)|\s*[,.])",
                          text[ce:sent_e])
            if m4:
                tail_s = ce + m4.end()
        m5 = re.match(r"\s*(?:,\s*)?(?:(?:in|on|at|during|after|before)\s+[^,\"“]{1,50}?,?\s+)?(?:that\s+)?",
                      text[tail_s:sent_e])
        c_s = tail_s + (m5.end() if m5 else 0)
        c_s, c_e = _strip_span(text, c_s, _content_end(c_s, sent_e))
        lead = text[sent_s:left_end].strip(" \t,—–-")
        tail_words = len(_WORDS.findall(text[c_s:c_e]))
        if according and (spk[1] >= sent_e - 2 or re.search(r"\w[”\"’']?,[ \t]*$", text[sent_s:cs])):
            # "…, according to X." → the content is before
            c_s, c_e = _strip_span(text, sent_s, cs)
        elif (tail_words < 3 or (inverted and not according)) and lead and text[sent_s:left_end].rstrip().rstrip(_CLOSE + _STRAIGHT + "’'")[-1:] in ",—–":
            # "…, X said." / "…, said X."
            c_s, c_e = _strip_span(text, sent_s, left_end)
            kb = in_segment(c_s) if c_s < c_e else -1
            if kb >= 0:  # the sentence started inside a longer quote
                _attach(q, kb, segs, seg_owner, out)
                continue
        elif tail_words < 1 or (tail_words < 3 and head in _SAY):
            continue  # a speech verb needs a clause; "X attacked Clinton" is a stance with a short object
        if c_e - c_s < (8 if head in _SAY else 3):
            continue
        if not according and _PASSIVE_OBJ.match(text, c_s, c_e):
            continue  # "the meeting was first reported by Politico", "the plan opposed by Lee": a passive
        if spk is not None and not inverted and text[spk[0]:spk[1]].lower() in ("who", "which"):
            # "Lee, who endorsed Roe in May, said …": a relative clause ends at its comma or dash
            mr = _REL_END.search(text, c_s, c_e)
            if mr and mr.start() > c_s:
                c_e = _strip_span(text, c_s, mr.start())[1]
        q["start"], q["end"] = c_s, c_e
        if _ANYMARK.search(text, c_s, c_e):
            if not according:
                q["kind"] = "mixed"
        _absorb(q, segs, seg_owner)
        out.append(q)

    # ---- direct quotes nobody claimed: a paragraph-opening quote after a known speaker's quote
    last_by_para: dict[int, dict] = {}
    for q in sorted(out, key=lambda q: q["start"]):
        if q["kind"] in ("direct", "mixed"):  # "“A,” said Roe, who thinks … ¶ “B.”": Roe's quote
            last_by_para[_para_bounds(text, q["start"])[0]] = q
    for k, (s, e) in enumerate(segs):
        if k in seg_owner:
            continue
        q = dict(start=s, end=e, spk=None, cue=(-1, -1, ""), kind="direct")
        ps, _ = _para_bounds(text, s)
        prev = None
        if ps == s and ps > 0:
            pps, _ = _para_bounds(text, ps - 1)
            prev = last_by_para.get(pps)
        elif k > 0 and (k - 1) in seg_owner and _para_bounds(text, segs[k - 1][0])[0] == ps:
            prev = seg_owner[k - 1]
        _, pe = _para_bounds(text, e)
        md = _DASH_RIGHT.match(text, e, pe)
        if md:  # “…” ― Jane Roe (a signature line)
            q["spk"] = md.span(2)
            q["cue"] = (md.start(1), md.end(1), md.group(1))
        elif prev is not None and prev.get("spk") is not None and prev["kind"] in ("direct", "mixed"):
            q["spk"] = prev["spk"]
        elif not _starts_sentence(text, s) and len(_WORDS.findall(text, s, e)) <= 8:
            continue  # a quoted fragment inside a sentence with nobody saying it: a title, a term
        seg_owner[k] = q
        out.append(q)
        last_by_para[ps] = q
    # nested attributions: "Roe said she hopes the plan “works.”" is Roe's statement; the inner
    # cue's relation (same end, starting inside Roe's content) is not a statement of its own
    outer_ends: dict[int, list[dict]] = {}
    for q in out:
        if q["kind"] in ("indirect", "mixed") and q["cue"][2]:
            outer_ends.setdefault(q["end"], []).append(q)
    out = [q for q in out if not (q["kind"] in ("indirect", "mixed") and q["cue"][2] and any(
        o is not q and o["start"] < q["cue"][0] and o["start"] < q["start"] for o in outer_ends.get(q["end"], ())))]
    # pieces of one statement: a direct quote continuing, in the same paragraph, a quote of the same
    # speaker ("“A,” she said. “B.”") shares that quote's statement_id
    out.sort(key=lambda q: (q["start"], -q["end"]))
    last: dict | None = None
    for i, q in enumerate(out):
        q["stmt"] = i
        if q["kind"] != "direct":
            continue
        if last is not None and q["cue"][2] == "" and q["spk"] is not None and q["spk"] == last["spk"]:
            gap = text[last["end"]:q["start"]]
            if "\n" not in gap:
                q["stmt"] = last["stmt"]
            elif gap.count("\n") == 1 and gap.split("\n")[0].strip() and not gap.split("\n")[1].strip() \
                    and _para_bounds(text, q["start"])[1] <= q["end"] + 1:
                # “A,” she said.¶“B.” — a paragraph that is only a quote goes on with the statement
                # of the same speaker in the paragraph before
                q["stmt"] = last["stmt"]
        last = q
    return out


_DASH_RIGHT = re.compile(r"\s*([―—–]|--)\s*([A-Z][^\n\"“”]{1,80}?)\s*$")


def _starts_sentence(text: str, s: int) -> bool:
    j = s - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in "\n.!?:;—–―" or text[j] in _CLOSE + _STRAIGHT


_AUX_WORDS = set(re.findall(r"[a-z]+", _AUX)) - {"went", "on", "to", "long"}


_PARTICLE = re.compile(r"[ \t]+([A-Za-z]+)\b")


def _trie_pattern(words) -> str:
    """One regex alternation of ``words`` as a prefix tree ("sa(?:id|ys?)…"): Python's ``re`` tries an
    alternation's branches one by one, a tree shares their prefixes (5× faster than a flat list of 400)."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(tree)


_CUE_WORD = re.compile(r"(?<![A-Za-z])" + _trie_pattern(CUE_VERBS | set(CUE_PHRASES) | {"according"})
                       + r"(?![A-Za-z])", re.I | re.A)


def _cue_hits(text: str) -> list[tuple[int, int]]:
    """Spans of cue phrases: a :data:`CUE_VERBS` word with up to two auxiliaries / adverbs before
    it ("has also said"), a :data:`CUE_PHRASES` verb with its particle ("pointed out", "called
    for"), or "according to". Words are runs of ASCII letters; the candidates are found by one regex
    (a Python loop over every word cost ≈ a third of the quote step)."""
    out = []
    for m in _CUE_WORD.finditer(text):
        w = m.group().lower()
        s, e = m.span()
        if w == "according":
            if text.startswith(" to", e) and not text[e + 3:e + 4].isalpha():
                out.append((s, e + 3))
            continue
        parts = CUE_PHRASES.get(w)
        if parts:
            mp = _PARTICLE.match(text, e)
            if mp and mp.group(1).lower() in parts:
                e = mp.end()
            elif w not in CUE_VERBS:
                continue
        cs = s
        for _ in range(2):  # the auxiliaries / adverbs right before it, on the same line
            j = cs
            while j > 0 and text[j - 1] != "\n" and text[j - 1].isspace():
                j -= 1
            k = j
            while k > 0 and ("a" <= text[k - 1] <= "z" or "A" <= text[k - 1] <= "Z"):
                k -= 1
            if j == cs or k == j or text[k:j].lower() not in _AUX_WORDS:
                break
            cs = k
        out.append((cs, e))
    return out


def _np_after(text: str, ce: int, hi: int, ms: _Mentions) -> tuple[int, int] | None:
    """Any noun phrase after "according to" up to the next comma / period."""
    m = re.match(r"\s+([^,.;\n\"“”]{2,80}?)(?=\s*[,.;\n]|$)", text[ce:hi])
    if not m:
        return None
    return ce + m.start(1), ce + m.end(1)


def _attach(q: dict, k: int, segs: list[list[int]], owner: dict[int, dict], out: list[dict]) -> None:
    """Give quote segment ``k`` the speaker / cue of ``q`` (the first attribution wins)."""
    if k in owner:
        return
    q["start"], q["end"] = segs[k]
    q["kind"] = "direct"
    owner[k] = q
    out.append(q)


def _absorb(q: dict, segs: list[list[int]], owner: dict[int, dict]) -> None:
    """Segments inside an indirect / mixed content belong to it (no separate direct quote)."""
    for k, (s, e) in enumerate(segs):
        if s >= q["start"] and e <= q["end"] + 1 and k not in owner:
            owner[k] = q


def _rows(text: str, quotes: list[dict], ms: _Mentions, rows: dict[str, list]) -> None:
    for i, q in enumerate(quotes):
        rows["quote_id"].append(i)
        rows["statement_id"].append(q.get("stmt", i))
        rows["start"].append(q["start"])
        rows["end"].append(q["end"])
        spk = q.get("spk")
        cs, ce, cue = q["cue"]
        rows["cue_start"].append(cs)
        rows["cue_end"].append(ce)
        rows["cue"].append(cue)
        rows["kind"].append(q["kind"])
        if spk is None:
            rows["speaker_start"].append(-1)
            rows["speaker_end"].append(-1)
            rows["speaker"].append("")
            k = -1
        else:
            rows["speaker_start"].append(spk[0])
            rows["speaker_end"].append(spk[1])
            rows["speaker"].append(text[spk[0]:spk[1]])
            k = _resolve(text, spk[0], spk[1], ms)
        if k >= 0:
            rs, re_ = ms.start[k], ms.end[k]
            rows["resolved_start"].append(rs)
            rows["resolved_end"].append(re_)
            rows["resolved"].append(text[rs:re_])
            rows["speaker_label"].append(ms.label[k])
        else:
            rows["resolved_start"].append(-1)
            rows["resolved_end"].append(-1)
            rows["resolved"].append("")
            rows["speaker_label"].append("")


def _as_frame(rows: dict[str, list], columns: list[str] = QUOTE_COLUMNS) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    if "article_id" in df:
        df["article_id"] = df["article_id"].astype("object")
    for c in ("quote_id", "statement_id", "start", "end", "speaker_start", "speaker_end", "cue_start", "cue_end",
              "resolved_start", "resolved_end"):
        df[c] = df[c].astype("int64")
    return df


def quotes_table(articles: pd.DataFrame, sentences: pd.DataFrame | None,
                 mentions: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`find_quotes` over a batch of articles — the function the pipeline step calls.

    Parameters
    ----------
    articles : DataFrame
        ``article_id, text``.
    sentences : DataFrame or None
        ``article_id, start, end`` of every sentence (``None`` → split here).
    mentions : DataFrame or None
        ``article_id, start, end, text, label`` NER mentions (``None`` → no named speakers).

    Returns
    -------
    DataFrame
        ``article_id`` + :data:`QUOTE_COLUMNS`, ordered like ``articles`` then by ``start``.

    Raises
    ------
    ValueError
        When a required column is missing, naming the table and the column.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a1"], "text": ['"Prices will fall," Ann Lee said.']})
    >>> ments = pd.DataFrame({"article_id": ["a1"], "start": [20], "end": [27], "text": ["Ann Lee"],
    ...                       "label": ["PERSON"]})
    >>> quotes_table(arts, None, ments)[["article_id", "quote_id", "speaker", "speaker_label"]]
      article_id  quote_id  speaker speaker_label
    0         a1         0  Ann Lee        PERSON
    """
    for name, df, cols in (("articles", articles, ("article_id", "text")),
                           ("sentences", sentences, ("article_id", "start", "end")),
                           ("mentions", mentions, ("article_id", "start", "end", "label"))):
        if df is None:
            continue
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"quotes_table: the {name} table has no column(s) {missing}")
    def groups(df, cols):
        if df is None or len(df) == 0:
            return {}
        arrays = [df[c].tolist() for c in cols]
        return {a: tuple([arr[i] for i in ix] for arr in arrays)
                for a, ix in df.groupby("article_id", sort=False).indices.items()}

    s_by = groups(sentences, ("start", "end"))
    m_by = groups(mentions, ("start", "end", "label"))
    rows: dict[str, list] = {c: [] for c in ["article_id"] + QUOTE_COLUMNS}
    for aid, text in zip(articles["article_id"], articles["text"].fillna("").astype(str)):
        if sentences is None:
            s_starts, s_ends = _sentence_bounds(text, None)
        else:
            st, en = s_by.get(aid, ([], []))
            order = sorted(range(len(st)), key=st.__getitem__)
            s_starts, s_ends = [int(st[i]) for i in order], [int(en[i]) for i in order]
        ms = _Mentions(arrays=m_by.get(aid, ([], [], [])))
        n0 = len(rows["quote_id"])
        _rows(text, _find(text, ms, s_starts, s_ends), ms, rows)
        rows["article_id"].extend([aid] * (len(rows["quote_id"]) - n0))
    return _as_frame(rows, ["article_id"] + QUOTE_COLUMNS)


def mark_mentions(mentions: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """Mark mentions inside quotes and mentions that are speakers.

    Adds two columns to a copy of ``mentions``:

    * ``in_quote_of`` (int64): the ``quote_id`` of the innermost (shortest) quote of the same article
      whose content contains the mention, −1 outside quotes. The quote's speaker *actor* is the
      ``actor`` of that quote after :func:`resolve_speakers` (join on ``article_id, quote_id``).
    * ``is_speaker`` (bool): the mention overlaps a quote's speaker span (a speaker-turn label
      included). Sentiment does not score such mentions as portrayals of the speaker.

    Parameters
    ----------
    mentions : DataFrame
        ``article_id, start, end`` (+ anything).
    quotes : DataFrame
        :func:`quotes_table` output.

    Returns
    -------
    DataFrame
        ``mentions`` (same rows, same order) with ``in_quote_of`` and ``is_speaker``.

    Examples
    --------
    >>> m = pd.DataFrame({"article_id": ["a", "a"], "start": [1, 20], "end": [6, 27]})
    >>> q = pd.DataFrame({"article_id": ["a"], "quote_id": [0], "start": [0], "end": [18],
    ...                   "speaker_start": [20], "speaker_end": [27]})
    >>> mark_mentions(m, q)[["in_quote_of", "is_speaker"]].values.tolist()
    [[0, False], [-1, True]]
    """
    out = mentions.copy()
    in_q = np.full(len(out), -1, dtype=np.int64)
    is_spk = np.zeros(len(out), dtype=bool)
    if len(out) and len(quotes):
        pos = {a: np.asarray(ix) for a, ix in out.groupby("article_id", sort=False).indices.items()}
        ms = out["start"].to_numpy(dtype=np.int64)
        me = out["end"].to_numpy(dtype=np.int64)
        for aid, g in quotes.groupby("article_id", sort=False):
            ix = pos.get(aid)
            if ix is None:
                continue
            s, e = ms[ix], me[ix]
            best = np.full(len(ix), np.iinfo(np.int64).max)
            for qid, qs, qe, ss, se in zip(g["quote_id"], g["start"], g["end"], g["speaker_start"],
                                           g["speaker_end"]):
                inside = (s >= qs) & (e <= qe) & (qe - qs < best)
                in_q[ix[inside]] = qid
                best[inside] = qe - qs
                if ss >= 0:
                    is_spk[ix[(s < se) & (e > ss)]] = True
    out["in_quote_of"] = in_q
    out["is_speaker"] = is_spk
    return out


def resolve_speakers(quotes: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Fill the quotes' ``actor`` column from the corpus-level actor resolution of ``mentions``.

    The speaker's actor is the ``actor`` of the mention that overlaps the quote's resolved span
    (``resolved_start:resolved_end`` — the speaker itself when it is a named mention, else the
    mention a pronoun or title was resolved to); when there is no resolved span, of the mention
    overlapping the speaker span. ``""`` when no mention matches (a speaker like "officials").

    Parameters
    ----------
    quotes : DataFrame
        :func:`quotes_table` output (``article_id`` and the span columns).
    mentions : DataFrame
        ``article_id, start, end, actor`` (after actor resolution).

    Returns
    -------
    DataFrame
        A copy of ``quotes`` with ``actor`` (str) and ``actor_type`` (when ``mentions`` has it).

    Examples
    --------
    >>> q = pd.DataFrame({"article_id": ["a"], "quote_id": [0], "speaker_start": [30],
    ...                   "speaker_end": [32], "resolved_start": [0], "resolved_end": [7]})
    >>> m = pd.DataFrame({"article_id": ["a"], "start": [0], "end": [7], "actor": ["Ann Lee"]})
    >>> resolve_speakers(q, m)["actor"].tolist()
    ['Ann Lee']
    """
    out = quotes.copy()
    actor = [""] * len(out)
    atype = [""] * len(out)
    has_type = "actor_type" in mentions.columns
    if len(out) and len(mentions):
        # per article: numpy arrays of the mentions sorted by start (a pandas filter per quote was ~1 ms)
        by = {}
        for a, g in mentions.groupby("article_id", sort=False):
            g = g.sort_values("start", kind="stable")
            by[a] = (g["start"].to_numpy(), g["end"].to_numpy(), g["actor"].to_numpy(dtype=object),
                     g["actor_type"].to_numpy(dtype=object) if has_type else None)
        rs = out["resolved_start"].to_numpy() if "resolved_start" in out else np.full(len(out), -1)
        re_ = out["resolved_end"].to_numpy() if "resolved_end" in out else np.full(len(out), -1)
        for i, (aid, ss, se) in enumerate(zip(out["article_id"], out["speaker_start"], out["speaker_end"])):
            g = by.get(aid)
            if g is None:
                continue
            s, e = (int(rs[i]), int(re_[i])) if rs[i] >= 0 else (int(ss), int(se))
            if s < 0:
                continue
            hit = np.flatnonzero((g[0] < e) & (g[1] > s))
            if len(hit):
                a = g[2][hit[0]]
                actor[i] = "" if pd.isna(a) else str(a)
                if has_type:
                    t = g[3][hit[0]]
                    atype[i] = "" if pd.isna(t) else str(t)
    out["actor"] = actor
    if has_type:
        out["actor_type"] = atype
    return out
