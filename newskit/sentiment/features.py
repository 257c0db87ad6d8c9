"""Target-aware features of a sentence: the clause, windows, lexicon hits by distance, negation,
speech and victim cues, and hashed context n-grams with the target masked (:func:`target_features`).
"""
from __future__ import annotations

import re
import string
from typing import Sequence

import numpy as np

from newskit.sentiment.vader import _analyzer

__all__ = ["target_features"]

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


