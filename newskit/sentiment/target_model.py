"""Target-dependent sentiment: how a sentence portrays the entity at a character span.

The ``"fast"`` model (``annotate(sentiment_model="fast")``; the pipeline default is the transformer of
:mod:`newskit.sentiment.transformer`) is a multinomial logistic regression trained on NewsMTSC over
:func:`newskit.sentiment.features.target_features` (``newskit/data/target_model.json``, retrain with
``scripts/train_target_model.py``); ``method="sentence"`` is the whole-sentence VADER baseline.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from newskit.sentiment.features import _NEGATORS, _QUOTES, _STRIP, _clauses, target_features
from newskit.sentiment.labels import LABELS, SENTENCE_THRESHOLDS
from newskit.sentiment.vader import _analyzer

__all__ = ["score_targets", "score_mentions", "MODEL_PATH", "model_version"]

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "target_model.json"


def model_version() -> str:
    """Identity of the shipped fast model (part of the cache key of the mention-sentiment step)."""
    import hashlib

    h = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()[:12] if MODEL_PATH.exists() else "none"
    return f"fast-{h}"


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
        return _model().score(sentence, spans)
    raise ValueError(f"unknown method {method!r}: use 'model' or 'sentence'")


def _cached_analysis(sentence: str, analyses: Mapping | None):
    """VADER analysis of a sentence from ``analyses`` (filled by ``sentence_sentiment(..., analyses=)``),
    with offsets; None when absent (the model then analyses the sentence itself — same result)."""
    hit = analyses.get(sentence) if analyses is not None else None
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
        ``start, end, score`` (in [-1, 1]; P(positive) − P(negative) for the model) and ``sentiment``
        (negative / neutral / positive), one row per span. (Until 0.1 this column was called
        ``label``, which in ``mentions`` is spaCy's entity label.)

    Examples
    --------
    >>> score_targets("The talks were a success.", [(4, 9)], method="sentence")[["score", "sentiment"]]
        score sentiment
    0  0.5719  positive
    """
    method = method or _default_method()
    spans = [(int(s), int(e)) for s, e in spans]
    cols = ["start", "end", "score", "sentiment"]
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
                         "score": np.asarray(scores, dtype="float64"), "sentiment": labels})


def score_mentions(sentences: pd.DataFrame, mentions: pd.DataFrame, *, method: str | None = None,
                   analyses: Mapping | None = None) -> pd.DataFrame:
    """Target sentiment of every mention (pipeline step), with the method of :func:`score_targets`.

    Parameters
    ----------
    sentences : DataFrame
        ``article_id, sent_id, start, end, text`` (+ ``compound`` reused by ``method="sentence"``).
    mentions : DataFrame
        ``article_id, sent_id, start, end`` (article offsets).
    method : {"model", "sentence"}, optional
        As in :func:`score_targets`.
    analyses : mapping, optional
        VADER analyses of the sentences from ``sentence_sentiment(..., analyses=...)`` (saves
        re-tokenising; the scores are the same without it).

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
        texts, spans_list, sent_analyses, order = [], [], [], []
        for k, js in groups.items():
            if k < 0:
                continue
            off = s_start[k]
            texts.append(s_text[k])
            spans_list.append([(m_start[j] - off, m_end[j] - off) for j in js])
            sent_analyses.append(_cached_analysis(s_text[k], analyses))
            order.extend(js)
        if order:
            sc, lb = _model().score_batch(texts, spans_list, sent_analyses)
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
        sums over the token stream, so the cost per target is a handful of array lookups. Three named
        steps: :meth:`_gather` (one pass over the tokens of every sentence), then the word-window
        weights (:meth:`_window_logits`) and the count, valence and sentence-level weights
        (:meth:`_feature_logits`).
        """
        g = self._gather(sentences, spans_list, analyses)
        if len(g["T_off"]) == 0:
            return np.zeros(0), np.empty(0, dtype=object)
        logits = self._window_logits(g)
        logits += self._feature_logits(g)
        return self._finish(logits)

    def _gather(self, sentences: Sequence[str], spans_list: Sequence, analyses: Sequence | None) -> dict:
        """Token rows, negation/valence flags and per-target positions of every sentence (pure Python)."""
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
        return {"rows": rows_all, "negf": negf, "valf": valf, "T_off": T_off, "T_n": T_n, "T_lo": T_lo,
                "T_hi": T_hi, "T_i0": T_i0, "T_i1": T_i1, "T_q": T_q, "T_cb": T_cb, "T_nt": T_nt,
                "T_kin": T_kin, "T_kout": T_kout, "T_cs": T_cs, "T_ce": T_ce}

    def _window_logits(self, g: dict) -> np.ndarray:
        """Weights of the words left/right of each target, near it, in its clause, and next to it."""
        R = np.asarray(g["rows"], dtype=np.intp)
        M = self.table[R] if len(R) else np.zeros((0, 8, 3))
        z = np.zeros((1, 3))
        PL = np.concatenate([z, np.cumsum(M[:, 0] + M[:, 1], axis=0)])
        PR = np.concatenate([z, np.cumsum(M[:, 0] + M[:, 2], axis=0)])
        P3 = np.concatenate([z, np.cumsum(M[:, 3], axis=0)])
        P4 = np.concatenate([z, np.cumsum(M[:, 4], axis=0)])
        o, nn, lo, hi = (np.asarray(g[k]) for k in ("T_off", "T_n", "T_lo", "T_hi"))
        ln = np.maximum(lo - 3, 0)
        rn = np.minimum(hi + 3, nn)
        logits = (self.b + (PL[o + lo] - PL[o]) + (PR[o + nn] - PR[o + hi])
                  + (P3[o + lo] - P3[o + ln]) + (P4[o + rn] - P4[o + hi]))
        P7 = np.concatenate([z, np.cumsum(M[:, 7], axis=0)])
        cs = np.asarray(g["T_cs"])
        ce = np.asarray(g["T_ce"])
        xs = np.minimum(np.maximum(cs, lo), ce)          # target tokens inside the clause: [xs, xe)
        xe = np.maximum(np.minimum(ce, hi), xs)
        logits += (P7[o + ce] - P7[o + cs]) - (P7[o + xe] - P7[o + xs])
        top = max(len(R) - 1, 0)
        if len(R):
            logits += np.where((lo > 0)[:, None], M[np.clip(o + lo - 1, 0, top), 5], 0.0)
            logits += np.where((hi < nn)[:, None], M[np.clip(o + hi, 0, top), 6], 0.0)
        return logits

    def _feature_logits(self, g: dict) -> np.ndarray:
        """Weights of negation/valence counts by side and distance, valence sums, position, quotes,
        sentence compound, number of targets and clause valence."""
        G = self._globals()
        o, nn, lo, hi, i0, i1 = (np.asarray(g[k]) for k in ("T_off", "T_n", "T_lo", "T_hi", "T_i0", "T_i1"))
        ln = np.maximum(lo - 3, 0)
        rn = np.minimum(hi + 3, nn)

        def pref(x, dtype):
            return np.concatenate([[0], np.cumsum(np.asarray(x, dtype=dtype))])

        va = np.asarray(g["valf"], dtype=np.float64)
        pn, pp, pq, ps = pref(g["negf"], np.int64), pref(va > 0, np.int64), pref(va < 0, np.int64), pref(va, np.float64)
        counts = np.stack([
            pn[o + lo] - pn[o + ln], pn[o + ln] - pn[o], pn[o + rn] - pn[o + hi], pn[o + nn] - pn[o + rn],
            pp[o + lo] - pp[o + ln], pp[o + ln] - pp[o], pp[o + rn] - pp[o + hi], pp[o + nn] - pp[o + rn],
            pq[o + lo] - pq[o + ln], pq[o + ln] - pq[o], pq[o + rn] - pq[o + hi], pq[o + nn] - pq[o + rn],
        ], axis=1).astype(np.float64)
        logits = counts @ G["counts"]
        vl = np.round(ps[o + lo] - ps[o], 6)
        vr = np.round(ps[o + nn] - ps[o + hi], 6)
        vn = np.round(ps[o + lo] - ps[o + np.maximum(lo - 4, 0)] + ps[o + np.minimum(hi + 4, nn)] - ps[o + hi], 6)
        b4 = lambda x: np.clip(np.rint(x), -4, 4).astype(np.intp) + 4  # noqa: E731
        logits = logits + G["VL"][b4(vl)] + G["VR"][b4(vr)] + G["VN"][b4(vn)]
        logits += G["VLR"][np.sign(np.rint(vl)).astype(np.intp) + 1, np.sign(np.rint(vr)).astype(np.intp) + 1]
        logits += G["P"][np.clip((4 * i0) // np.maximum(nn, 1), 0, 4)]
        logits += (i0 <= 0)[:, None] * G["first"] + (i1 >= nn - 1)[:, None] * G["last"]
        logits += np.asarray(g["T_q"])[:, None] * G["Q"]
        logits += G["C"][np.clip(np.asarray(g["T_cb"]), -5, 5) + 5] + G["T"][np.asarray(g["T_nt"])]
        logits += G["K"][np.asarray(g["T_kin"])] + G["KX"][np.asarray(g["T_kout"])]
        return logits


_COUNT_FEATURES = ("NEG|L|n", "NEG|L|f", "NEG|R|n", "NEG|R|f", "V|L|n|p", "V|L|f|p", "V|R|n|p", "V|R|f|p",
                   "V|L|n|n", "V|L|f|n", "V|R|n|n", "V|R|f|n")

