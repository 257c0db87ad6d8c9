"""Sentence sentiment with VADER (Hutto & Gilbert 2014) through NLTK's ``SentimentIntensityAnalyzer``.

The lexicon is the one shipped by the ``vaderSentiment`` wheel (no nltk_data needed). Scores are
identical to NLTK's; the tokenisation step is re-implemented without NLTK's quadratic punctuation
table so that it is fast enough for the annotation pipeline.

>>> sentence_sentiment(["A good day.", "A terrible, awful day."])["compound"].round(3).tolist()
[0.44, -0.727]
"""
from __future__ import annotations

import math
import os
import re
import string
from typing import Any, Iterable

import numpy as np
import pandas as pd

from newskit.sentiment.labels import SENTIMENT_COLUMNS

__all__ = ["sentence_sentiment", "VERSION"]

#: Bump when sentence_sentiment output changes: part of the annotation cache key of its step.
VERSION = "1"

_ANALYZER: Any = None
_NONSPACE = re.compile(r"\S+")


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


def sentence_sentiment(texts: Iterable[str] | pd.Series | str, *,
                       analyses: dict | None = None) -> pd.DataFrame:
    """VADER scores of each text (a sentence): ``compound`` in [-1, 1] and the ``pos``/``neg``/``neu`` shares.

    Parameters
    ----------
    texts : iterable of str or Series
        One sentence per item. Never pass a whole article: VADER's compound saturates on long
        texts; aggregate sentence scores instead.
    analyses : dict, optional
        When given, filled with each sentence's VADER analysis (words, lower-cased words, valences,
        compound) so that :func:`newskit.sentiment.score_mentions` can reuse it (the pipeline keeps it
        on the batch; nothing is kept in module state).

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
    if analyses is not None:
        analyses.update(cache)
    arr = np.asarray(rows, dtype="float64").reshape(len(rows), 4)
    return pd.DataFrame(arr, columns=SENTIMENT_COLUMNS, index=index)


