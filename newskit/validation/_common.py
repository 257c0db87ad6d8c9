"""Shared constants and helpers of the validation loop (items, strata, fingerprints, allocation)."""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from statistics import NormalDist
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from newskit._options import where_mask
from newskit.analysis.parquet import _ident, is_out_of_core

CLASSES = ("negative", "neutral", "positive")
VALUES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
ANSWERS = CLASSES + ("skip", "unsure")
RETRACT = "retract"
LABEL_COLUMNS = ["seq", "sample_id", "corpus_fingerprint", "item_id", "label", "annotator", "time"]
SAMPLE_COLUMNS = ["item_id", "sample_id", "corpus_fingerprint", "order", "article_id", "sent_id",
                  "start", "end", "sentence", "target", "target_start", "target_end", "context_before",
                  "context_after", "actor", "stratum", "stratum_size", "stratum_n", "inclusion_prob",
                  "weight", "n_mentions"]


class LabelError(ValueError):
    """A label file that does not fit its sample: names the file, the row and the reason."""


# --------------------------------------------------------------------------- helpers
def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def _item_ids(sentences: pd.Series, actors: pd.Series) -> np.ndarray:
    """Stable id of a (sentence text, target actor) pair: 16 hex digits of SHA-1."""
    return np.array([hashlib.sha1(f"{_norm(s)}\x1f{a}".encode("utf-8")).hexdigest()[:16]
                     for s, a in zip(sentences, actors)], dtype=object)


def _mentions_with_context(ann) -> pd.DataFrame:
    """Mentions joined with their article's outlet/source/date and their sentence (text + offsets)."""
    m = ann.mentions
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column: resolve actors first (annotate does)")
    # the mentions the analyses report by default: the article text's (headlines are counted apart)
    m = m[where_mask(m, "body")].copy()
    m["article_id"] = m["article_id"].astype(str)
    arts = getattr(ann, "articles", None)
    if arts is not None and len(arts.columns):
        extra = [c for c in ("date", "source", "outlet") if c in arts.columns and c not in m.columns]
        if extra:
            a = arts[["article_id"] + extra].drop_duplicates("article_id")
            m = m.merge(a.assign(article_id=a["article_id"].astype(str)), on="article_id", how="left")
    s = ann.sentences[["article_id", "sent_id", "start", "text"]].rename(
        columns={"start": "sent_start", "text": "sentence"})
    s = s.assign(article_id=s["article_id"].astype(str))
    m = m.merge(s, on=["article_id", "sent_id"], how="left")
    missing = m["sentence"].isna()
    if missing.any():
        r = m[missing].iloc[0]
        raise ValueError(f"{int(missing.sum())} mentions have no sentence (first: article {r['article_id']!r}, "
                         f"sent_id {r['sent_id']}): the sentences table does not match the mentions")
    return m


def _population(ann, *, by: list[str], actors: Sequence[str] | None, top: int | None) -> pd.DataFrame:
    """The mentions the analysis reports (scored ones: speaker spans carry no portrayal score), with
    ``item_id`` and a deterministic order."""
    m = _mentions_with_context(ann)
    m = m[m["actor"].notna()]
    if "score" in m.columns:  # speaker spans (is_speaker) are not scored as portrayals: nothing to validate
        m = m[m["score"].notna()]
    for c in by:
        if c not in m.columns:
            raise ValueError(f"by={c!r}: no such column in the mentions or articles")
    if actors is not None:
        unknown = sorted(set(actors) - set(m["actor"]))
        if unknown:
            raise ValueError(f"actors not in the annotations: {unknown}")
        m = m[m["actor"].isin(list(actors))]
    elif top is not None:
        counts = m["actor"].value_counts()
        # ties at the cut: order by count then name, so the choice is deterministic
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        keep = [a for a, _ in order]
        m = m[m["actor"].isin(keep)]
    if by:
        m = m[m[by].notna().all(axis=1)]
    m = m.sort_values(["article_id", "start", "end"], kind="mergesort").reset_index(drop=True)
    m["item_id"] = _item_ids(m["sentence"], m["actor"])
    return m


def _stratum_key(m: pd.DataFrame, by: list[str]) -> pd.Series:
    if not by:
        return pd.Series(["(all)"] * len(m), index=m.index, dtype=object)
    return m[by].astype(str).agg(" | ".join, axis=1)


def corpus_fingerprint(ann) -> str:
    """A short hash of the mentions (article, offsets, actor) and article outlets of ``ann``.

    A label file records it, so that labels are never read against another corpus.

    Examples
    --------
    >>> a = _toy_annotations()
    >>> corpus_fingerprint(a) == corpus_fingerprint(a)
    True
    """
    if is_out_of_core(ann):  # an annotations folder: the same hash, the keys sorted and streamed by DuckDB
        return _fingerprint_sql(ann)
    m = ann.mentions
    h = hashlib.sha1()
    cols = [c for c in ("article_id", "sent_id", "start", "end", "actor") if c in m.columns]
    key = m[cols].astype(str).agg("\x1f".join, axis=1).sort_values(kind="mergesort")
    h.update("\n".join(key).encode("utf-8"))
    _articles_fingerprint(getattr(ann, "articles", None), h)
    return h.hexdigest()[:16]


def _articles_fingerprint(arts, h) -> None:
    if arts is not None and "outlet" in arts.columns:
        a = arts[["article_id", "outlet"]].astype(str).agg("\x1f".join, axis=1).sort_values(kind="mergesort")
        h.update(b"\x00" + "\n".join(a).encode("utf-8"))


def _fingerprint_sql(pf) -> str:
    """:func:`newskit.validation.corpus_fingerprint` of a folder: the mentions' keys sorted in DuckDB and
    hashed as they stream back (never all in memory); the articles' part from ``pf.articles``."""
    cols = [c for c in ("article_id", "sent_id", "start", "end", "actor") if c in pf.columns("mentions")]
    h = hashlib.sha1()
    if cols:
        key = "concat_ws(chr(31), " + ", ".join(f"coalesce(CAST({_ident(c)} AS VARCHAR), 'None')" for c in cols) + ")"
        reader = pf.con.sql(f"SELECT {key} AS k FROM {pf.scan('mentions')} ORDER BY k").to_arrow_reader(200_000)
        first = True
        for batch in reader:
            keys = batch.column(0).to_pylist()
            if not keys:
                continue
            h.update((("" if first else "\n") + "\n".join(keys)).encode("utf-8"))
            first = False
    _articles_fingerprint(pf.articles, h)
    return h.hexdigest()[:16]


ALLOCATIONS = {"proportional": 1.0, "sqrt": 0.5, "equal": 0.0}


def _allocate(sizes: np.ndarray, n: int, *, minimum: int = 2, allocation: str = "proportional") -> np.ndarray:
    """Items per stratum: at least ``min(minimum, size)`` each, the rest in proportion to
    size ** p (p = 1 proportional, 0.5 sqrt, 0 equal; largest remainders), never more than the
    stratum holds.

    Examples
    --------
    >>> _allocate(np.array([100, 10, 1]), 20).tolist(), _allocate(np.array([100, 10, 1]), 20, allocation="equal").tolist()
    ([17, 2, 1], [10, 9, 1])
    """
    if allocation not in ALLOCATIONS:
        raise ValueError(f"allocation={allocation!r}: use one of {list(ALLOCATIONS)}")
    power = ALLOCATIONS[allocation]
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(min(n, sizes.sum()))
    alloc = np.minimum(sizes, minimum)
    if alloc.sum() > n:  # not enough for the minimum everywhere: the largest strata first
        alloc = np.zeros_like(sizes)
        for i in np.argsort(-sizes, kind="mergesort"):
            if alloc.sum() >= n:
                break
            alloc[i] = min(minimum, sizes[i], n - alloc.sum())
        return alloc
    weight = sizes.astype(float) ** power
    target = np.zeros(len(sizes))
    free = np.ones(len(sizes), dtype=bool)
    left = float(n)
    while True:  # continuous target capped by size, the excess spread over the others
        share = np.where(free, weight, 0.0)
        share = share / share.sum() * left if share.sum() > 0 else share
        over = free & (share > sizes)
        if not over.any():
            target[free] = share[free]
            break
        target[over] = sizes[over]
        free &= ~over
        left = n - target[~free].sum()
    target = np.maximum(target, alloc)
    base = np.minimum(np.floor(target).astype(np.int64), sizes)
    rest = n - int(base.sum())
    if rest > 0:
        frac = np.where(base < sizes, target - base, -1.0)
        for i in np.lexsort((np.arange(len(sizes)), -frac))[:rest]:
            base[i] += 1
    while base.sum() > n:  # minimums pushed the total over: trim the largest
        i = int(np.argmax(base - alloc))
        base[i] -= 1
    return base



# --------------------------------------------------------------------------- doctest helper
def _toy_annotations():
    """Six mentions of two actors in four articles (sentences written for the examples; the first
    sentence of a4 repeats a1's, so A has 3 items for 4 mentions)."""
    from types import SimpleNamespace

    sents = ["Ana won the vote.", "Ana lost the case.", "Ana met Bo.", "Bo praised the plan.",
             "Ana won the vote.", "Bo left early."]
    arts = pd.DataFrame({"article_id": ["a1", "a1", "a2", "a3", "a4", "a4"],
                         "outlet": ["X", "X", "Y", "Y", "X", "X"]})
    sentences = pd.DataFrame({"article_id": arts["article_id"], "sent_id": [0, 1, 0, 0, 0, 1],
                              "start": [0, 18, 0, 0, 0, 18], "end": [17, 36, 11, 19, 17, 32], "text": sents})
    ment = pd.DataFrame({"article_id": ["a1", "a1", "a2", "a2", "a3", "a4"], "sent_id": [0, 1, 0, 0, 0, 0],
                         "start": [0, 18, 0, 8, 0, 0], "end": [3, 21, 3, 10, 2, 3],
                         "text": ["Ana", "Ana", "Ana", "Bo", "Bo", "Ana"],
                         "actor": ["A", "A", "A", "B", "B", "A"],
                         "score": [0.6, -0.4, 0.1, 0.2, 0.7, 0.0],
                         "sentiment": ["positive", "negative", "neutral", "positive", "positive", "neutral"]})
    return SimpleNamespace(articles=arts.drop_duplicates("article_id").reset_index(drop=True),
                           sentences=sentences, mentions=ment)

