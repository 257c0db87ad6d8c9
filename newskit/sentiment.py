"""Sentence sentiment (VADER), target-aware actor sentiment, and aggregation with bootstrap CIs.

Three layers:

* :func:`sentence_sentiment` — VADER (Hutto & Gilbert 2014) through NLTK's
  ``SentimentIntensityAnalyzer`` with the lexicon shipped by the ``vaderSentiment`` wheel
  (no nltk_data needed). Scores are identical to NLTK's; the tokenisation step is
  re-implemented without NLTK's quadratic punctuation table so that it is fast enough for
  the annotation pipeline.
* :func:`score_targets` / :func:`score_mentions` — how a sentence portrays the entity at a
  character span (target-dependent sentiment), by default with a small linear model trained on
  NewsMTSC (``newskit/data/target_model.json``, retrain with ``scripts/train_target_model.py``).
* :func:`actor_sentiment` / :func:`compare_sources` — means per actor (per outlet, month or
  week) with percentile-bootstrap 95% confidence intervals.

>>> sentence_sentiment(["A good day.", "A terrible, awful day."])["compound"].round(3).tolist()
[0.44, -0.727]
"""
from __future__ import annotations

#: Bump when sentence_sentiment / score_mentions output changes: part of the annotation cache key.
PIPELINE_VERSION = "1"

import math
import os
import re
import string
import warnings
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "sentence_sentiment",
    "score_targets",
    "score_mentions",
    "actor_sentiment",
    "compare_sources",
    "label_scores",
    "target_features",
    "mention_examples",
    "examples_html",
    "SENTIMENT_COLUMNS",
    "LABELS",
]

SENTIMENT_COLUMNS = ["compound", "pos", "neg", "neu"]
LABELS = ("negative", "neutral", "positive")
MODEL_PATH = Path(__file__).resolve().parent / "data" / "target_model.json"

#: Thresholds of the whole-sentence baseline (``method="sentence"``): negative when
#: compound <= -0.02, positive when >= 0.36, else neutral; tuned for macro-F1 on NewsMTSC train
#: by ``scripts/eval_targets.py`` (news prose is mildly positive in VADER's lexicon).
SENTENCE_THRESHOLDS = (-0.02, 0.36)


# --------------------------------------------------------------------------- VADER
_ANALYZER: Any = None
_NONSPACE = re.compile(r"\S+")
_LAST_BATCH: dict[str, tuple] = {}


def _analyzer():
    """NLTK's VADER analyzer, loaded once per process (nltk_data lexicon if present, else the wheel's)."""
    global _ANALYZER
    if _ANALYZER is not None:
        return _ANALYZER
    import nltk
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    try:
        sia = SentimentIntensityAnalyzer()
    except LookupError:
        import vaderSentiment

        folder = os.path.dirname(vaderSentiment.__file__)
        if folder not in nltk.data.path:
            nltk.data.path.append(folder)
        sia = SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")
    _ANALYZER = _FastVader(sia)
    return _ANALYZER


class _FastVader:
    """NLTK's VADER algorithm, re-implemented for speed; output identical to ``polarity_scores``.

    NLTK's ``SentiText`` builds a table of every (punctuation, word) pair per text; the
    equivalent rule used here: a token loses a leading or trailing ``PUNC_LIST`` entry when the
    rest has no punctuation and at least two characters. The valence rules (boosters, ALL-CAPS,
    negation in the three preceding words, "never so/this", idioms, "least", "but", punctuation
    emphasis, normalisation) follow NLTK's code line by line, with lower-casing done once and a
    fast path for words outside the lexicon. ``tests/test_sentiment.py`` checks equality with
    NLTK and with the ``vaderSentiment`` package.
    """

    def __init__(self, sia):
        self.sia = sia
        self.lexicon = sia.lexicon
        c = sia.constants
        self.c = c
        self.boosters = c.BOOSTER_DICT
        self.negate = set(c.NEGATE)
        self.punc = set(c.PUNC_LIST)
        self.pchars = frozenset(string.punctuation)
        self.punct_re = re.compile(f"[{re.escape(string.punctuation)}]")
        words = set()
        for k in list(c.SPECIAL_CASE_IDIOMS) + [b for b in c.BOOSTER_DICT if " " in b]:
            words.update(k.split())
        self.idiom_words = frozenset(words)

    def _kept(self, we: str) -> tuple[int, int]:
        """The slice ``[lo, hi)`` of ``we`` VADER keeps: one run of leading or else trailing punctuation
        is dropped when it is a VADER punctuation token and the rest is a word without punctuation."""
        pch, n = self.pchars, len(we)
        if we[0] in pch:
            j = 1
            while j < n and we[j] in pch:
                j += 1
            if we[:j] in self.punc and n - j > 1 and self.punct_re.search(we, j) is None:
                return j, n
        if we[-1] in pch:
            j = n - 1
            while j > 0 and we[j - 1] in pch:
                j -= 1
            if we[j:] in self.punc and j > 1 and self.punct_re.search(we, 0, j) is None:
                return 0, j
        return 0, n

    def words(self, text: str) -> list[str]:
        out = []
        pch = self.pchars
        for we in text.split():
            if len(we) <= 1:
                continue
            if we[0] in pch or we[-1] in pch:  # hot path: most words need no stripping
                lo, hi = self._kept(we)
                we = we[lo:hi]
            out.append(we)
        return out

    def scores(self, text: str) -> tuple[float, float, float, float]:
        """(compound, pos, neg, neu) exactly as NLTK's ``polarity_scores``."""
        if not isinstance(text, str):
            text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        return self.analyse(text, self.words(text))[0]

    def analyse(self, text: str, words: list[str]):
        """((compound, pos, neg, neu), lower-cased words, per-word valences) of ``text`` tokenised as ``words``."""
        lows = [w.lower() for w in words]
        lex = self.lexicon
        hits = [k for k, w in enumerate(lows) if w in lex]
        if not hits:
            return (0.0, 0.0, 0.0, (1.0 if words else 0.0)), lows, None
        n = len(words)
        sentiments = [0.0] * n
        boosters = self.boosters
        n_upper = sum(1 for w in words if w.isupper())
        cap_diff = 0 < n - n_upper < n
        first_index: dict[str, int] = {}
        for idx, tok in enumerate(words):
            if tok not in first_index:
                first_index[tok] = idx
        c = self.c
        negate = self.negate
        idiom_words = self.idiom_words
        for k in hits:
            item = words[k]
            i = first_index[item]
            low = lows[k]
            if low in boosters or (i < n - 1 and low == "kind" and lows[i + 1] == "of"):
                continue
            valence = lex[low]
            if cap_diff and item.isupper():
                valence = valence + c.C_INCR if valence > 0 else valence - c.C_INCR
            for start_i in (0, 1, 2):
                if i > start_i and lows[i - (start_i + 1)] not in lex:
                    prev = words[i - (start_i + 1)]
                    plow = lows[i - (start_i + 1)]
                    s = 0.0
                    if plow in boosters:
                        s = boosters[plow]
                        if valence < 0:
                            s *= -1
                        if cap_diff and prev.isupper():
                            s = s + c.C_INCR if valence > 0 else s - c.C_INCR
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    # _never_check
                    neg_prev = plow in negate or "n't" in plow
                    if start_i == 0:
                        if neg_prev:
                            valence = valence * c.N_SCALAR
                    elif start_i == 1:
                        if words[i - 2] == "never" and (words[i - 1] == "so" or words[i - 1] == "this"):
                            valence = valence * 1.5
                        elif neg_prev:
                            valence = valence * c.N_SCALAR
                    else:
                        if (words[i - 3] == "never" and (words[i - 2] == "so" or words[i - 2] == "this")
                                or (words[i - 1] == "so" or words[i - 1] == "this")):
                            valence = valence * 1.25
                        elif neg_prev:
                            valence = valence * c.N_SCALAR
                        if any(w in idiom_words for w in words[i - 3:i + 3]):
                            valence = self.sia._idioms_check(valence, words, i)
            # _least_check
            if i > 1 and lows[i - 1] not in lex and lows[i - 1] == "least":
                if lows[i - 2] != "at" and lows[i - 2] != "very":
                    valence = valence * c.N_SCALAR
            elif i > 0 and lows[i - 1] not in lex and lows[i - 1] == "least":
                valence = valence * c.N_SCALAR
            sentiments[k] = valence
        if "but" in lows:
            bi = lows.index("but")
            sentiments = [x * 0.5 if j < bi else (x * 1.5 if j > bi else x) for j, x in enumerate(sentiments)]
        # score_valence
        sum_s = float(sum(sentiments))
        ep = min(text.count("!"), 4) * 0.292
        qc = text.count("?")
        qm = (qc * 0.18 if qc <= 3 else 0.96) if qc > 1 else 0
        amp = ep + qm
        if sum_s > 0:
            sum_s += amp
        elif sum_s < 0:
            sum_s -= amp
        compound = sum_s / math.sqrt(sum_s * sum_s + 15)
        pos_sum = neg_sum = 0.0
        neu_count = 0
        for x in sentiments:
            if x > 0:
                pos_sum += float(x) + 1
            elif x < 0:
                neg_sum += float(x) - 1
            else:
                neu_count += 1
        if pos_sum > math.fabs(neg_sum):
            pos_sum += amp
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= amp
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return (round(compound, 4), round(math.fabs(pos_sum / total), 3),
                round(math.fabs(neg_sum / total), 3), round(math.fabs(neu_count / total), 3)), lows, sentiments

    def tokens(self, text: str):
        """VADER's words with their character offsets: (words, starts, ends)."""
        words, starts, ends = [], [], []
        pch = self.pchars
        for m in _NONSPACE.finditer(text):
            we = m.group()
            if len(we) <= 1:
                continue
            a, b = m.start(), m.end()
            if we[0] in pch or we[-1] in pch:
                lo, hi = self._kept(we)
                words.append(we[lo:hi]), starts.append(a + lo), ends.append(a + hi)
                continue
            words.append(we), starts.append(a), ends.append(b)
        return words, starts, ends


def sentence_sentiment(texts: Iterable[str] | pd.Series | str) -> pd.DataFrame:
    """VADER scores of each text (a sentence): ``compound`` in [-1, 1] and the ``pos``/``neg``/``neu`` shares.

    Parameters
    ----------
    texts : iterable of str or Series
        One sentence per item. Never pass a whole article: VADER's compound saturates on long
        texts; aggregate sentence scores instead.

    Returns
    -------
    DataFrame
        ``compound, pos, neg, neu``, one row per text (index of a Series input is kept).

    Examples
    --------
    >>> sentence_sentiment(["The talks were not a success.", "The talks were a success."])
       compound    pos    neg    neu
    0   -0.4585  0.000  0.428  0.572
    1    0.5719  0.552  0.000  0.448
    """
    if isinstance(texts, str):
        texts = [texts]
    index = texts.index if isinstance(texts, pd.Series) else None
    A = _analyzer()
    cache: dict[str, tuple] = {}
    rows = []
    for t in texts:
        if not isinstance(t, str):
            rows.append(A.scores(t))
            continue
        words = A.words(t)
        sc, lows, vals = A.analyse(t, words)
        cache[t] = (words, lows, vals, sc[0])
        rows.append(sc)
    _LAST_BATCH.clear()
    _LAST_BATCH.update(cache)  # reused by score_mentions in the same worker (same article batch)
    arr = np.asarray(rows, dtype="float64").reshape(len(rows), 4)
    return pd.DataFrame(arr, columns=SENTIMENT_COLUMNS, index=index)


# --------------------------------------------------------------------------- target-aware scoring
def label_scores(scores, *, band: float = 0.05) -> np.ndarray:
    """Labels ``negative``/``neutral``/``positive`` for scores: neutral when ``|score| < band``.

    >>> label_scores([-0.5, 0.01, 0.3], band=0.05).tolist()
    ['negative', 'neutral', 'positive']
    """
    s = np.asarray(scores, dtype="float64")
    out = np.full(s.shape, "neutral", dtype=object)
    out[s <= -band] = "negative"
    out[s >= band] = "positive"
    return out


def _default_method() -> str:
    return "model" if MODEL_PATH.exists() else "sentence"


def _score_sentence_spans(sentence: str, spans: Sequence[tuple[int, int]], method: str,
                          compound: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels of spans (offsets into ``sentence``) with ``method``."""
    if method == "sentence":
        c = _analyzer().scores(sentence)[0] if compound is None else compound
        s = np.full(len(spans), float(c))
        lo, hi = SENTENCE_THRESHOLDS
        lab = np.where(s >= hi, "positive", np.where(s <= lo, "negative", "neutral")).astype(object)
        return s, lab
    if method == "model":
        return _model().score(sentence, spans, analysis=_cached_analysis(sentence))
    raise ValueError(f"unknown method {method!r}: use 'model' or 'sentence'")


def _cached_analysis(sentence: str):
    """VADER analysis of a sentence scored by the last :func:`sentence_sentiment` call, with offsets."""
    hit = _LAST_BATCH.get(sentence)
    if hit is None:
        return None
    words, lows, vals, compound = hit
    starts, ends = [], []
    pos = 0
    find = sentence.find
    for w in words:
        pos = find(w, pos)
        if pos < 0:  # pragma: no cover - cannot happen: words are substrings in order
            return None
        starts.append(pos)
        pos += len(w)
        ends.append(pos)
    return words, starts, ends, compound, lows, vals


def score_targets(text: str, spans: Sequence[tuple[int, int]], *, method: str | None = None) -> pd.DataFrame:
    """How ``text`` portrays the target at each character span.

    Parameters
    ----------
    text : str
        A sentence (or a short passage; longer texts are scored sentence by sentence).
    spans : sequence of (start, end)
        Character offsets of the targets in ``text``.
    method : {"model", "sentence"}, optional
        ``"model"`` (default): the target-aware linear model shipped in
        ``newskit/data/target_model.json``. ``"sentence"``: the whole-sentence VADER compound with
        a neutral band (baseline).

    Returns
    -------
    DataFrame
        ``start, end, score`` (in [-1, 1]; P(positive) − P(negative) for the model) and ``label``
        (negative / neutral / positive), one row per span.

    Examples
    --------
    >>> score_targets("The talks were a success.", [(4, 9)], method="sentence")[["score", "label"]]
        score     label
    0  0.5719  positive
    """
    method = method or _default_method()
    spans = [(int(s), int(e)) for s, e in spans]
    cols = ["start", "end", "score", "label"]
    if not spans:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else
                                          ("float64" if c == "score" else "object")) for c in cols})
    scores = np.zeros(len(spans))
    labels = np.empty(len(spans), dtype=object)
    # group spans by sentence when a long text is given
    if len(text) > 600:
        from newskit.text import sentence_spans

        sents = sentence_spans(text) or [(0, len(text))]
        starts = [s for s, _ in sents]
        import bisect

        groups: dict[int, list[int]] = {}
        for k, (s, _) in enumerate(spans):
            groups.setdefault(max(bisect.bisect_right(starts, s) - 1, 0), []).append(k)
        for g, ks in groups.items():
            s0, e0 = sents[g]
            sub = [(max(spans[k][0], s0) - s0, min(spans[k][1], e0) - s0) for k in ks]
            sc, lb = _score_sentence_spans(text[s0:e0], sub, method)
            scores[ks] = sc
            labels[ks] = lb
    else:
        scores, labels = _score_sentence_spans(text, spans, method)
    return pd.DataFrame({"start": [s for s, _ in spans], "end": [e for _, e in spans],
                         "score": np.asarray(scores, dtype="float64"), "label": labels})


def score_mentions(sentences: pd.DataFrame, mentions: pd.DataFrame, *, method: str | None = None) -> pd.DataFrame:
    """Target sentiment of every mention (pipeline step), with the method of :func:`score_targets`.

    Parameters
    ----------
    sentences : DataFrame
        ``article_id, sent_id, start, end, text`` (+ ``compound`` reused by ``method="sentence"``).
    mentions : DataFrame
        ``article_id, sent_id, start, end`` (article offsets).

    Returns
    -------
    DataFrame
        ``score`` and ``sentiment``, aligned with ``mentions`` (same index).

    Examples
    --------
    >>> sents = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [10], "end": [35],
    ...                       "text": ["The talks were a success."]})
    >>> ments = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [14], "end": [19]})
    >>> score_mentions(sents, ments, method="sentence")
        score sentiment
    0  0.5719  positive
    """
    method = method or _default_method()
    n = len(mentions)
    if n == 0:
        return pd.DataFrame({"score": pd.Series(dtype="float64"), "sentiment": pd.Series(dtype="object")},
                            index=mentions.index)
    skey = {(a, i): k for k, (a, i) in enumerate(zip(sentences["article_id"].tolist(),
                                                      sentences["sent_id"].tolist()))}
    s_text = sentences["text"].tolist()
    s_start = sentences["start"].tolist()
    s_comp = sentences["compound"].tolist() if "compound" in sentences.columns else None
    groups: dict[int, list[int]] = {}
    for j, key in enumerate(zip(mentions["article_id"].tolist(), mentions["sent_id"].tolist())):
        groups.setdefault(skey.get(key, -1), []).append(j)
    m_start = mentions["start"].tolist()
    m_end = mentions["end"].tolist()
    scores = np.zeros(n)
    labels = np.full(n, "neutral", dtype=object)
    if method == "model":
        texts, spans_list, analyses, order = [], [], [], []
        for k, js in groups.items():
            if k < 0:
                continue
            off = s_start[k]
            texts.append(s_text[k])
            spans_list.append([(m_start[j] - off, m_end[j] - off) for j in js])
            analyses.append(_cached_analysis(s_text[k]))
            order.extend(js)
        if order:
            sc, lb = _model().score_batch(texts, spans_list, analyses)
            scores[order] = sc
            labels[order] = lb
        return pd.DataFrame({"score": scores, "sentiment": labels}, index=mentions.index)
    for k, js in groups.items():
        if k < 0:
            continue
        off = int(s_start[k])
        spans = [(int(m_start[j]) - off, int(m_end[j]) - off) for j in js]
        sc, lb = _score_sentence_spans(s_text[k], spans, method,
                                       compound=None if s_comp is None else s_comp[k])
        scores[js] = sc
        labels[js] = lb
    return pd.DataFrame({"score": scores, "sentiment": labels}, index=mentions.index)


# --------------------------------------------------------------------------- the linear model
_WORD_RE = re.compile(r"\[TGT\]|[A-Za-z]+(?:['’][A-Za-z]+)?|\d+|[^\sA-Za-z\d]")


_STRIP = string.punctuation + "“”‘’—–…"
_QUOTES = re.compile("[\"“”]")
_NEGATORS = frozenset({"not", "no", "never", "n't", "cannot", "nor", "without", "neither"})


_CLAUSE_PUNCT = frozenset(",;:—–()\"“”")
_CLAUSE_RE = re.compile("[" + re.escape("".join(sorted(_CLAUSE_PUNCT))) + "]")
_CLAUSE_WORDS = frozenset({"while", "but", "whereas", "although", "though", "however", "because", "after",
                           "before", "when", "which", "who"})


def _clauses(sentence: str, lows: Sequence[str], starts: Sequence[int], ends: Sequence[int]) -> list[int]:
    """Clause number of each token: a new clause after , ; : dashes, brackets or quotes and before
    subordinating / contrasting words (while, but, although, which, ...)."""
    n = len(lows)
    has_p = _CLAUSE_RE.search(sentence) is not None
    if not has_p and _CLAUSE_WORDS.isdisjoint(lows):
        return [0] * n
    out = [0] * n
    c = 0
    search = _CLAUSE_RE.search
    for k in range(1, n):
        if lows[k] in _CLAUSE_WORDS or (has_p and search(sentence, ends[k - 1], starts[k]) is not None):
            c += 1
        out[k] = c
    return out


def target_features(sentence: str, spans: Sequence[tuple[int, int]], *, analysis=None) -> list[list[str]]:
    """Target-aware features of each span (offsets into ``sentence``) for the linear model.

    Words of the sentence (VADER's tokenisation, lower-cased, edge punctuation stripped) with the
    target masked and other targets replaced by ``[OTH]``, tagged by side (left/right of the
    target), nearness (≤ 3 words) and adjacency; VADER valences (after VADER's own negation and
    booster rules) summed left / right / near and binned; the whole-sentence compound (binned);
    position (sentence start/end), inside-quotation and number of targets.

    >>> target_features("Critics attacked Smith.", [(17, 22)])[0][:4]
    ['C|-3', 'T|1', 'B|critics', 'S|L|critics']
    """
    A = _analyzer()
    if analysis is None:
        words, starts, ends = A.tokens(sentence)
        (compound, *_), lows, vals = A.analyse(sentence, words)
    else:
        words, starts, ends, compound, lows, vals = analysis
    n = len(words)
    clean = [w.strip(_STRIP) or w for w in lows]
    # token index ranges of every span
    import bisect

    ranges = []
    for a, b in spans:
        i0 = bisect.bisect_right(ends, a)          # first token ending after a
        i1 = bisect.bisect_left(starts, b) - 1     # last token starting before b
        if i1 < i0:                                # span inside whitespace/punctuation
            i1 = i0 - 1
        ranges.append((i0, i1))
    is_tgt = [0] * n
    for i0, i1 in ranges:
        for k in range(max(i0, 0), min(i1 + 1, n)):
            is_tgt[k] = 1
    cb = int(round(compound * 5))
    ntg = f"T|{min(len(spans), 4)}"
    quotes = [m.start() for m in _QUOTES.finditer(sentence)]
    cid = _clauses(sentence, lows, starts, ends)
    out = []
    for (a, b), (i0, i1) in zip(spans, ranges):
        f = [f"C|{cb}", ntg]
        vl = vr = vn = 0.0
        for k in range(n):
            if i0 <= k <= i1:
                continue
            w = "[OTH]" if is_tgt[k] else clean[k]
            if k < i0:
                d = i0 - k
                side = "L"
            else:
                d = k - i1
                side = "R"
            f.append("B|" + w)
            f.append(f"S|{side}|{w}")
            near = d <= 3
            if near:
                f.append(f"N|{side}|{w}")
                if d == 1:
                    f.append(f"A|{side}|{w}")
            if w in _NEGATORS or w.endswith("n't"):
                f.append(f"NEG|{side}|{'n' if near else 'f'}")
            if vals is not None:
                v = vals[k]
                if v:
                    pol = "p" if v > 0 else "n"
                    f.append(f"V|{side}|{'n' if near else 'f'}|{pol}")
                    if side == "L":
                        vl += v
                    else:
                        vr += v
                    if d <= 4:
                        vn += v
        vl, vr, vn = round(vl, 6), round(vr, 6), round(vn, 6)  # bins must not depend on summation order
        if vals is not None and n:
            c = cid[min(max(i0, 0), n - 1)]
            kin = round(sum(x for x, cc in zip(vals, cid) if cc == c), 6)
            kout = round(sum(vals) - kin, 6)
        else:
            kin = kout = 0.0
        f.append(f"K|{max(-4, min(4, int(round(kin))))}")
        f.append(f"KX|{max(-4, min(4, int(round(kout))))}")
        if n:
            c = cid[min(max(i0, 0), n - 1)]
            for k in range(n):
                if cid[k] == c and not (i0 <= k <= i1):
                    f.append("KW|" + ("[OTH]" if is_tgt[k] else clean[k]))
        f.append(f"VL|{max(-4, min(4, int(round(vl))))}")
        f.append(f"VR|{max(-4, min(4, int(round(vr))))}")
        f.append(f"VN|{max(-4, min(4, int(round(vn))))}")
        f.append(f"VLR|{int(np.sign(round(vl)))}|{int(np.sign(round(vr)))}")
        if i0 <= 0:
            f.append("P|first")
        if i1 >= n - 1:
            f.append("P|last")
        f.append(f"P|{int(4 * i0 / max(n, 1))}")
        if sum(1 for q in quotes if q < a) % 2 == 1:
            f.append("Q|in")
        out.append(f)
    return out


@lru_cache(maxsize=1)
def _model() -> "_TargetModel":
    return _TargetModel.load(MODEL_PATH)


_SLOTS = {"B": 0, "S|L": 1, "S|R": 2, "N|L": 3, "N|R": 4, "A|L": 5, "A|R": 6, "KW": 7}


class _TargetModel:
    """Multinomial logistic regression over :func:`target_features`, scored without building strings.

    Word features are gathered into a (words, 7 slots, 3 classes) table; per sentence the word
    weights are looked up once and summed with prefix sums, so each extra target costs O(1).
    ``score_slow`` scores the feature strings directly (reference for the tests).
    """

    def __init__(self, meta: dict, features: list[str], W: np.ndarray, b: np.ndarray):
        self.meta = meta
        self.vocab = {f: i for i, f in enumerate(features)}
        self.W = W
        self.b = b
        words: dict[str, int] = {}
        slots = []
        glob: dict[str, np.ndarray] = {}
        for f, i in self.vocab.items():
            head, _, rest = f.partition("|")
            key = head if head in ("B", "KW") else None
            if head in ("S", "N", "A") and rest[:2] in ("L|", "R|"):
                key, rest = f"{head}|{rest[0]}", rest[2:]
            if key is not None:
                slots.append((words.setdefault(rest, len(words)), _SLOTS[key], i))
            else:
                glob[f] = W[i]
        table = np.zeros((len(words) + 1, 8, 3))  # last row: unknown word
        for r, slot, i in slots:
            table[r, slot] = W[i]
        self.words = words
        self.table = table
        self.glob = glob
        self.zero = np.zeros(3)
        self._memo: dict[str, tuple[int, int]] = {}

    @classmethod
    def load(cls, path: Path) -> "_TargetModel":
        import json

        with open(path, encoding="utf-8") as fh:
            d = json.load(fh)
        W = np.asarray(d["weights"], dtype="float64").reshape(-1, 3)  # (n_features, 3)
        b = np.asarray(d["bias"], dtype="float64")
        return cls(d.get("meta", {}), list(d["features"]), W, b)

    @staticmethod
    def _finish(logits: np.ndarray):
        logits = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        score = p[:, 2] - p[:, 0]
        lab = np.asarray(LABELS, dtype=object)[p.argmax(axis=1)]
        return score, lab

    def score_slow(self, sentence: str, spans):
        rows = target_features(sentence, spans)
        logits = np.tile(self.b, (len(spans), 1))
        for r, feats in enumerate(rows):
            idx = [self.vocab[f] for f in feats if f in self.vocab]
            if idx:
                logits[r] += self.W[idx].sum(axis=0)
        return self._finish(logits)

    def _globals(self):
        """Small weight arrays of the non-word features (built once)."""
        if getattr(self, "_G", None) is not None:
            return self._G
        g = self.glob

        def arr(fmt, values):
            return np.array([g.get(fmt.format(v), self.zero) for v in values])

        G = {
            "C": arr("C|{}", range(-5, 6)), "T": arr("T|{}", range(0, 5)),
            "VL": arr("VL|{}", range(-4, 5)), "VR": arr("VR|{}", range(-4, 5)), "VN": arr("VN|{}", range(-4, 5)),
            "K": arr("K|{}", range(-4, 5)), "KX": arr("KX|{}", range(-4, 5)),
            "VLR": np.array([[g.get(f"VLR|{x}|{y}", self.zero) for y in (-1, 0, 1)] for x in (-1, 0, 1)]),
            "P": arr("P|{}", range(0, 5)),
            "first": g.get("P|first", self.zero), "last": g.get("P|last", self.zero), "Q": g.get("Q|in", self.zero),
            "counts": np.array([g.get(k, self.zero) for k in _COUNT_FEATURES]),
        }
        self._G = G
        return G

    def score(self, sentence: str, spans, *, analysis=None):
        """Scores and labels of ``spans`` in one sentence."""
        return self.score_batch([sentence], [spans], [analysis])

    def score_batch(self, sentences: Sequence[str], spans_list: Sequence, analyses: Sequence | None = None):
        """Scores and labels of the spans of many sentences (all targets vectorised at once).

        Equivalent to summing the weights of :func:`target_features`; word features use prefix
        sums over the token stream, so the cost per target is a handful of array lookups.
        """
        import bisect

        A = _analyzer()
        wget = self.words.get
        unk = len(self.words)
        rows_all: list[int] = []
        negf: list[int] = []
        valf: list[float] = []
        oth = wget("[OTH]", unk)
        if len(self._memo) > 200_000:
            self._memo.clear()
        T_off, T_n, T_lo, T_hi, T_i0, T_i1, T_q, T_cb, T_nt, T_kin, T_kout, T_cs, T_ce = ([] for _ in range(13))
        off = 0
        for j, (sentence, spans) in enumerate(zip(sentences, spans_list)):
            an = analyses[j] if analyses is not None else None
            if an is None:
                words, starts, ends = A.tokens(sentence)
                (compound, *_), lows, vals = A.analyse(sentence, words)
            else:
                words, starts, ends, compound, lows, vals = an
            n = len(words)
            ranges = []
            is_tgt = [0] * n
            for a, b in spans:
                i0 = bisect.bisect_right(ends, a)
                i1 = bisect.bisect_left(starts, b) - 1
                if i1 < i0:
                    i1 = i0 - 1
                ranges.append((i0, i1))
                for k in range(i0, min(i1 + 1, n)):
                    is_tgt[k] = 1
            memo = self._memo
            for w in lows:
                info = memo.get(w)
                if info is None:
                    c = w.strip(_STRIP) or w
                    info = memo[w] = (wget(c, unk), 1 if (c in _NEGATORS or c.endswith("n't")) else 0)
                rows_all.append(info[0])
                negf.append(info[1])
            if any(is_tgt):
                for k in range(n):
                    if is_tgt[k]:
                        rows_all[off + k] = oth
                        negf[off + k] = 0
            valf.extend(vals if vals is not None else [0.0] * n)
            quotes = [m.start() for m in _QUOTES.finditer(sentence)] if ('"' in sentence or "“" in sentence
                                                                          or "”" in sentence) else []
            cb = int(round(compound * 5))
            nt = min(len(spans), 4)
            cid_all = _clauses(sentence, lows, starts, ends) if n else []
            if n and cid_all[-1] == 0:
                c_start, c_end = [0], [n]
            else:
                c_start, c_end = [], []
                for k, c in enumerate(cid_all):
                    if c == len(c_start):
                        c_start.append(k)
                        if c:
                            c_end.append(k)
                c_end.append(n)
            if vals is not None and n:
                cid = cid_all
                csum: dict[int, float] = {}
                for x, cc in zip(vals, cid):
                    if x:
                        csum[cc] = csum.get(cc, 0.0) + x
                tot = sum(vals)
            else:
                cid, csum, tot = None, {}, 0.0
            for (a, _), (i0, i1) in zip(spans, ranges):
                T_off.append(off)
                T_n.append(n)
                T_lo.append(min(i0, n))
                T_hi.append(max(i1 + 1, 0))
                T_i0.append(i0)
                T_i1.append(i1)
                T_q.append(sum(1 for q in quotes if q < a) % 2 if quotes else 0)
                T_cb.append(cb)
                T_nt.append(nt)
                if n:
                    c = cid_all[min(max(i0, 0), n - 1)]
                    T_cs.append(c_start[c])
                    T_ce.append(c_end[c])
                else:
                    T_cs.append(0)
                    T_ce.append(0)
                if cid is not None:
                    kin = round(csum.get(cid[min(max(i0, 0), n - 1)], 0.0), 6)
                    kout = round(tot - kin, 6)
                    T_kin.append(max(-4, min(4, int(round(kin)))) + 4)
                    T_kout.append(max(-4, min(4, int(round(kout)))) + 4)
                else:
                    T_kin.append(4)
                    T_kout.append(4)
            off += n
        n_t = len(T_off)
        if n_t == 0:
            return np.zeros(0), np.empty(0, dtype=object)
        G = self._globals()
        R = np.asarray(rows_all, dtype=np.intp)
        M = self.table[R] if len(R) else np.zeros((0, 8, 3))
        z = np.zeros((1, 3))
        PL = np.concatenate([z, np.cumsum(M[:, 0] + M[:, 1], axis=0)])
        PR = np.concatenate([z, np.cumsum(M[:, 0] + M[:, 2], axis=0)])
        P3 = np.concatenate([z, np.cumsum(M[:, 3], axis=0)])
        P4 = np.concatenate([z, np.cumsum(M[:, 4], axis=0)])
        o = np.asarray(T_off)
        nn = np.asarray(T_n)
        lo = np.asarray(T_lo)
        hi = np.asarray(T_hi)
        i0 = np.asarray(T_i0)
        i1 = np.asarray(T_i1)
        ln = np.maximum(lo - 3, 0)
        rn = np.minimum(hi + 3, nn)
        logits = (self.b + (PL[o + lo] - PL[o]) + (PR[o + nn] - PR[o + hi])
                  + (P3[o + lo] - P3[o + ln]) + (P4[o + rn] - P4[o + hi]))
        P7 = np.concatenate([z, np.cumsum(M[:, 7], axis=0)])
        cs = np.asarray(T_cs)
        ce = np.asarray(T_ce)
        xs = np.minimum(np.maximum(cs, lo), ce)          # target tokens inside the clause: [xs, xe)
        xe = np.maximum(np.minimum(ce, hi), xs)
        logits += (P7[o + ce] - P7[o + cs]) - (P7[o + xe] - P7[o + xs])
        top = max(len(R) - 1, 0)
        if len(R):
            logits += np.where((lo > 0)[:, None], M[np.clip(o + lo - 1, 0, top), 5], 0.0)
            logits += np.where((hi < nn)[:, None], M[np.clip(o + hi, 0, top), 6], 0.0)

        def pref(x, dtype):
            return np.concatenate([[0], np.cumsum(np.asarray(x, dtype=dtype))])

        va = np.asarray(valf, dtype=np.float64)
        pn, pp, pq, ps = pref(negf, np.int64), pref(va > 0, np.int64), pref(va < 0, np.int64), pref(va, np.float64)
        counts = np.stack([
            pn[o + lo] - pn[o + ln], pn[o + ln] - pn[o], pn[o + rn] - pn[o + hi], pn[o + nn] - pn[o + rn],
            pp[o + lo] - pp[o + ln], pp[o + ln] - pp[o], pp[o + rn] - pp[o + hi], pp[o + nn] - pp[o + rn],
            pq[o + lo] - pq[o + ln], pq[o + ln] - pq[o], pq[o + rn] - pq[o + hi], pq[o + nn] - pq[o + rn],
        ], axis=1).astype(np.float64)
        logits += counts @ G["counts"]
        vl = np.round(ps[o + lo] - ps[o], 6)
        vr = np.round(ps[o + nn] - ps[o + hi], 6)
        vn = np.round(ps[o + lo] - ps[o + np.maximum(lo - 4, 0)] + ps[o + np.minimum(hi + 4, nn)] - ps[o + hi], 6)
        b4 = lambda x: np.clip(np.rint(x), -4, 4).astype(np.intp) + 4  # noqa: E731
        logits += G["VL"][b4(vl)] + G["VR"][b4(vr)] + G["VN"][b4(vn)]
        logits += G["VLR"][np.sign(np.rint(vl)).astype(np.intp) + 1, np.sign(np.rint(vr)).astype(np.intp) + 1]
        logits += G["P"][np.clip((4 * i0) // np.maximum(nn, 1), 0, 4)]
        logits += (i0 <= 0)[:, None] * G["first"] + (i1 >= nn - 1)[:, None] * G["last"]
        logits += np.asarray(T_q)[:, None] * G["Q"]
        logits += G["C"][np.clip(np.asarray(T_cb), -5, 5) + 5] + G["T"][np.asarray(T_nt)]
        logits += G["K"][np.asarray(T_kin)] + G["KX"][np.asarray(T_kout)]
        return self._finish(logits)


_COUNT_FEATURES = ("NEG|L|n", "NEG|L|f", "NEG|R|n", "NEG|R|f", "V|L|n|p", "V|L|f|p", "V|R|n|p", "V|R|f|p",
                   "V|L|n|n", "V|L|f|n", "V|R|n|n", "V|R|f|n")


# --------------------------------------------------------------------------- aggregation
AGG_COLUMNS = ["n", "mean", "ci_low", "ci_high", "share_negative", "share_neutral", "share_positive"]


def _mention_table(ann) -> pd.DataFrame:
    """Mentions with article ``date``/``source``/``outlet`` merged (accepts Annotations or a DataFrame)."""
    if isinstance(ann, pd.DataFrame):
        m = ann.copy()
        arts = None
    else:
        m = ann.mentions.copy()
        arts = getattr(ann, "articles", None)
    if arts is not None and "article_id" in m.columns:
        extra = [c for c in ("date", "source", "outlet") if c in arts.columns and c not in m.columns]
        if extra:
            a = arts[["article_id"] + extra].drop_duplicates("article_id")
            a = a.assign(article_id=a["article_id"].astype(str))
            m = m.assign(article_id=m["article_id"].astype(str)).merge(a, on="article_id", how="left")
    if "actor" not in m.columns:
        m["actor"] = m["text"] if "text" in m.columns else pd.Series(dtype="object")
    if "score" not in m.columns:
        raise ValueError("mentions have no 'score' column: annotate with newskit.sentiment available")
    if "sentiment" not in m.columns:
        m["sentiment"] = label_scores(m["score"].to_numpy(), band=0.05)
    m = m[m["actor"].notna() & m["score"].notna()]
    return m


def _boot_ci(values: np.ndarray, *, n_boot: int, rng: np.random.Generator, level: float = 0.95):
    """Percentile bootstrap CI of the mean (vectorised, chunked to bound memory)."""
    n = len(values)
    if n == 0:
        return np.nan, np.nan
    if n == 1 or n_boot <= 0:
        return float(values[0]) if n == 1 else np.nan, float(values[0]) if n == 1 else np.nan
    means = np.empty(n_boot)
    chunk = max(1, 4_000_000 // n)
    for s in range(0, n_boot, chunk):
        k = min(chunk, n_boot - s)
        idx = rng.integers(0, n, size=(k, n))
        means[s:s + k] = values[idx].mean(axis=1)
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(means, [a, 100 - a])
    return float(lo), float(hi)


def _rng(seed: int, *key) -> np.random.Generator:
    """A generator per group: results do not depend on which other groups are present."""
    h = zlib.crc32("\x1f".join(map(str, key)).encode("utf-8"))
    return np.random.default_rng([int(seed), h])


def _period(dates: pd.Series, by: str) -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    if by == "month":
        return d.dt.to_period("M").dt.start_time
    return d.dt.to_period("W-SUN").dt.start_time  # weeks start on Monday


def _grouped(m: pd.DataFrame, by: str | None) -> tuple[pd.DataFrame, list[str]]:
    if by is None:
        return m, []
    if by in ("month", "week"):
        if "date" not in m.columns:
            raise ValueError(f"by={by!r} needs article dates: pass Annotations or merge a 'date' column")
        per = _period(m["date"], by)
        bad = int(per.isna().sum())
        if bad:
            warnings.warn(f"{bad} of {len(m)} mentions have no date and are excluded from by={by!r}",
                          stacklevel=3)
        m = m.assign(**{by: per})[per.notna().to_numpy()]
        return m, [by]
    if by not in m.columns:
        raise ValueError(f"no column {by!r} in the mentions (or articles)")
    bad = int(m[by].isna().sum())
    if bad:
        warnings.warn(f"{bad} of {len(m)} mentions have no {by!r} and are excluded", stacklevel=3)
        m = m[m[by].notna()]
    return m, [by]


def _summarise(scores: np.ndarray, labels: np.ndarray, *, n_boot: int, rng) -> dict[str, float]:
    lo, hi = _boot_ci(scores, n_boot=n_boot, rng=rng)
    n = len(scores)
    return {"n": n, "mean": float(scores.mean()), "ci_low": lo, "ci_high": hi,
            "share_negative": float((labels == "negative").mean()),
            "share_neutral": float((labels == "neutral").mean()),
            "share_positive": float((labels == "positive").mean())}


def actor_sentiment(ann, *, by: str | None = None, actors: Sequence[str] | None = None,
                    min_mentions: int = 5, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Mean target sentiment per actor (optionally per outlet, month or week) with bootstrap 95% CIs.

    Parameters
    ----------
    ann : Annotations or DataFrame
        Annotations (mentions with ``actor``, ``score``, ``sentiment``; article ``date`` and
        ``source`` are merged in), or a mentions DataFrame that already carries them.
    by : {None, "source", "outlet", "month", "week"} or a column name
        Second grouping. Mentions without a date (NaT) are excluded from time groupings with a
        warning.
    actors : list of str, optional
        Restrict to these actors (default: every actor).
    min_mentions : int
        Rows (actor × group) with fewer mentions are dropped.
    n_boot : int
        Bootstrap resamples (percentile interval of the mean).
    seed : int
        Seed; each group gets its own generator derived from it, so results are deterministic.

    Returns
    -------
    DataFrame
        ``actor`` (+ the ``by`` column), ``n, mean, ci_low, ci_high, share_negative, share_neutral,
        share_positive``; sorted by actor then group (by mean, descending, when ``by`` is None).

    Examples
    --------
    >>> m = pd.DataFrame({"actor": ["A", "A", "A", "B"], "score": [-0.5, -0.1, 0.0, 0.6],
    ...                   "sentiment": ["negative", "negative", "neutral", "positive"]})
    >>> actor_sentiment(m, min_mentions=1, n_boot=200)[["actor", "n", "mean", "share_negative"]]
      actor  n  mean  share_negative
    0     B  1   0.6        0.000000
    1     A  3  -0.2        0.666667
    """
    m = _mention_table(ann)
    if actors is not None:
        m = m[m["actor"].isin(list(actors))]
    m, keys = _grouped(m, by)
    cols = ["actor"] + keys + AGG_COLUMNS
    rows = []
    if len(m):
        for key, g in m.groupby(["actor"] + keys, sort=True, observed=True):
            key = key if isinstance(key, tuple) else (key,)
            if len(g) < min_mentions:
                continue
            s = g["score"].to_numpy(dtype="float64")
            lab = g["sentiment"].to_numpy(dtype=object)
            rows.append({**dict(zip(["actor"] + keys, key)),
                         **_summarise(s, lab, n_boot=n_boot, rng=_rng(seed, *key))})
    if not rows:
        out = pd.DataFrame({c: pd.Series(dtype="int64" if c == "n" else ("object" if c in ("actor", by)
                                                                         else "float64")) for c in cols})
        if by in ("month", "week"):
            out[by] = out[by].astype("datetime64[ns]")
        return out
    out = pd.DataFrame(rows, columns=cols)
    if by is None:
        out = out.sort_values(["mean", "actor"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def compare_sources(ann, actor: str, *, by: str = "source", pairwise: bool = False,
                    min_mentions: int = 5, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """How outlets differ in their portrayal of ``actor``: mean-score differences with bootstrap 95% CIs.

    Parameters
    ----------
    ann : Annotations or DataFrame
    actor : str
    by : str
        Outlet column (``source`` or ``outlet``).
    pairwise : bool
        False (default): each outlet against all other outlets pooled (``mean − mean_others``).
        True: every pair of outlets (``mean_a − mean_b``).
    min_mentions : int
        Outlets with fewer mentions of the actor are left out.

    Returns
    -------
    DataFrame
        Not pairwise: ``source, n, mean, n_other, mean_other, diff, ci_low, ci_high``.
        Pairwise: ``source_a, source_b, n_a, n_b, diff, ci_low, ci_high``. A CI excluding 0
        suggests a real difference (no correction for multiple comparisons).

    Examples
    --------
    >>> m = pd.DataFrame({"actor": ["A"] * 6, "source": ["x", "x", "x", "y", "y", "y"],
    ...                   "score": [0.5, 0.4, 0.6, -0.2, -0.1, -0.3]})
    >>> compare_sources(m, "A", min_mentions=2, n_boot=200)[["source", "diff"]].round(2)
      source  diff
    0      x   0.7
    1      y  -0.7
    """
    m = _mention_table(ann)
    m = m[m["actor"] == actor]
    m, _ = _grouped(m, by)
    counts = m[by].value_counts()
    keep = sorted(counts[counts >= min_mentions].index.astype(str)) if len(m) else []
    m = m[m[by].astype(str).isin(keep)]
    vals = {k: g["score"].to_numpy(dtype="float64") for k, g in m.groupby(m[by].astype(str))}
    rows = []

    def boot_means(x, rng):
        if len(x) == 0:
            return np.full(n_boot, np.nan)
        means = np.empty(n_boot)
        chunk = max(1, 4_000_000 // len(x))
        for s in range(0, n_boot, chunk):
            k = min(chunk, n_boot - s)
            means[s:s + k] = x[rng.integers(0, len(x), size=(k, len(x)))].mean(axis=1)
        return means

    if not pairwise:
        cols = [by, "n", "mean", "n_other", "mean_other", "diff", "ci_low", "ci_high"]
        for k in keep:
            x = vals[k]
            y = np.concatenate([vals[o] for o in keep if o != k]) if len(keep) > 1 else np.array([])
            rng = _rng(seed, actor, k)
            if len(y) and n_boot > 0:
                d = boot_means(x, rng) - boot_means(y, rng)
                lo, hi = np.percentile(d, [2.5, 97.5])
            else:
                lo = hi = np.nan
            rows.append({by: k, "n": len(x), "mean": x.mean(), "n_other": len(y),
                         "mean_other": y.mean() if len(y) else np.nan,
                         "diff": x.mean() - y.mean() if len(y) else np.nan,
                         "ci_low": float(lo), "ci_high": float(hi)})
    else:
        cols = [f"{by}_a", f"{by}_b", "n_a", "n_b", "diff", "ci_low", "ci_high"]
        for i, a in enumerate(keep):
            for b in keep[i + 1:]:
                rng = _rng(seed, actor, a, b)
                x, y = vals[a], vals[b]
                d = boot_means(x, rng) - boot_means(y, rng)
                lo, hi = np.percentile(d, [2.5, 97.5]) if n_boot > 0 else (np.nan, np.nan)
                rows.append({f"{by}_a": a, f"{by}_b": b, "n_a": len(x), "n_b": len(y),
                             "diff": x.mean() - y.mean(), "ci_low": float(lo), "ci_high": float(hi)})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- examples
def mention_examples(ann, actor: str, *, k: int = 3, source: str | None = None) -> pd.DataFrame:
    """The ``k`` most negative and ``k`` most positive mentions of ``actor``, with their sentence.

    Returns
    -------
    DataFrame
        ``kind`` (most negative / most positive), ``score``, ``sentiment``, ``sentence``,
        ``m_start``, ``m_end`` (mention offsets inside ``sentence``), ``article_id``, and ``date``,
        ``source``, ``outlet`` when known. A sentence appears once per kind.
    """
    m = _mention_table(ann)
    m = m[m["actor"] == actor]
    if source is not None:
        col = "source" if "source" in m.columns and (m["source"] == source).any() else "outlet"
        m = m[m[col] == source] if col in m.columns else m.iloc[:0]
    cols = ["kind", "score", "sentiment", "sentence", "m_start", "m_end", "article_id", "date", "source", "outlet"]
    sents = getattr(ann, "sentences", None)
    if len(m) == 0 or sents is None or len(sents) == 0:
        return pd.DataFrame(columns=cols)
    s = sents[["article_id", "sent_id", "start", "text"]].rename(columns={"start": "s_start", "text": "sentence"})
    s = s.assign(article_id=s["article_id"].astype(str))
    m = m.assign(article_id=m["article_id"].astype(str)).merge(s, on=["article_id", "sent_id"], how="inner")
    m = m.assign(m_start=m["start"] - m["s_start"], m_end=m["end"] - m["s_start"])
    out = []
    for kind, asc in (("most negative", True), ("most positive", False)):
        part = m.sort_values("score", ascending=asc, kind="mergesort")
        part = part.drop_duplicates(["sentence"]).head(k)
        out.append(part.assign(kind=kind))
    res = pd.concat(out, ignore_index=True)
    for c in cols:
        if c not in res.columns:
            res[c] = None
    return res[cols]


def examples_html(examples: pd.DataFrame) -> str:
    """HTML list of example sentences with the mention in ``<mark>`` (every text piece escaped).

    >>> ex = pd.DataFrame({"kind": ["most negative"], "score": [-0.5], "sentence": ["<b>Smith</b> lied."],
    ...                    "m_start": [3], "m_end": [8], "source": ["x.example"], "date": [pd.Timestamp("2023-05-01")]})
    >>> print(examples_html(ex))
    <div class="newskit-examples"><h4>most negative</h4><ul><li><span>&lt;b&gt;<mark>Smith</mark>&lt;/b&gt; lied.</span> <small>(score -0.50; x.example; 2023-05-01)</small></li></ul></div>
    """
    import html

    if len(examples) == 0:
        return '<div class="newskit-examples"><p>No examples.</p></div>'
    parts = ['<div class="newskit-examples">']
    for kind, g in examples.groupby("kind", sort=False):
        parts.append(f"<h4>{html.escape(str(kind))}</h4><ul>")
        for r in g.itertuples(index=False):
            text = str(r.sentence)
            a, b = int(r.m_start), int(r.m_end)
            body = (html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:]))
            meta = [f"score {float(r.score):+.2f}"]
            src = getattr(r, "outlet", None) or getattr(r, "source", None)
            if isinstance(src, str) and src:
                meta.append(html.escape(src))
            d = getattr(r, "date", None)
            if d is not None and pd.notna(d):
                meta.append(html.escape(str(pd.Timestamp(d).date())))
            parts.append(f"<li><span>{body}</span> <small>({'; '.join(meta)})</small></li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)
