"""Validate the sentiment model on your own corpus: sample mentions, label them, measure, correct.

The loop (see ``docs/validation.md`` and ``notebooks/05_validation.ipynb``):

1. :func:`sample` draws a stratified random sample of *items* — distinct (sentence text, actor)
   pairs — from the mentions the analysis reports (strata = the ``by`` groups, e.g. actor × outlet),
   and records each item's inclusion probability, weight and stratum size.
2. :func:`label_widget` (Jupyter) or any editor writes one CSV of answers per annotator into a
   folder; every answer is appended and fsync'ed at once, undo appends a retraction row.
3. :func:`read_labels` reads them back, checking each row against the sample.
4. :func:`agreement` measures the model (precision / recall / F1, macro-F1, accuracy, confusion
   matrix) and two annotators (Cohen's kappa, Krippendorff's alpha).
5. :func:`corrected` combines the model's scores on every mention with the human labels on the
   sample (prediction-powered inference) into per-group means and class shares with intervals that
   stay valid when the model is biased.

Everything is numpy / pandas; ``ipywidgets`` is imported only inside :func:`label_widget`.
"""
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
    m = ann.mentions.copy()
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column: resolve actors first (annotate does)")
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
    """The mentions the analysis reports, with ``item_id`` and a deterministic order."""
    m = _mentions_with_context(ann)
    m = m[m["actor"].notna()]
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
    m = ann.mentions
    h = hashlib.sha1()
    cols = [c for c in ("article_id", "sent_id", "start", "end", "actor") if c in m.columns]
    key = m[cols].astype(str).agg("\x1f".join, axis=1).sort_values(kind="mergesort")
    h.update("\n".join(key).encode("utf-8"))
    arts = getattr(ann, "articles", None)
    if arts is not None and "outlet" in arts.columns:
        a = arts[["article_id", "outlet"]].astype(str).agg("\x1f".join, axis=1).sort_values(kind="mergesort")
        h.update(b"\x00" + "\n".join(a).encode("utf-8"))
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


# --------------------------------------------------------------------------- sample
def sample(ann, *, n: int = 200, by: str | Sequence[str] | None = ("actor", "outlet"),
           actors: Sequence[str] | None = None, top: int | None = 10, seed: int = 0,
           allocation: str = "equal", min_per_stratum: int = 2) -> pd.DataFrame:
    """A stratified random sample of mentions to label by hand.

    The sampling unit is an *item*: a distinct (sentence text, actor) pair, so the same sentence
    about the same actor (repeated copy, two mentions in one sentence) is never shown twice; its
    label applies to every mention it stands for. Each item belongs to the stratum (``by`` group)
    of its first mention (by article id, then offset). Within each stratum a simple random sample
    without replacement is drawn: at least ``min_per_stratum`` items per stratum, the rest by
    ``allocation``. Rows are in a random order (column ``order``), so that labelling
    only the first k still gives a random sample within each stratum.

    Parameters
    ----------
    ann : Annotations
        Needs ``mentions`` (with ``actor``), ``sentences`` and ``articles`` (for ``outlet``).
    n : int
        Items to draw (at most the number of items).
    by : str or list of str
        Strata: the groups the analysis reports (default actor × outlet).
    actors : list of str, optional
        Only these actors; default: the ``top`` most mentioned.
    top : int or None
        Number of actors when ``actors`` is None (None: every actor).
    seed : int
        Random seed; each stratum gets its own generator derived from it.
    allocation : {"equal", "sqrt", "proportional"}
        How the ``n`` items are spread over the strata: the same number each (default — the
        analysis reports every group, so each needs labels; a stratum smaller than its share is
        labelled whole and the rest spread over the others), in proportion to the square root of
        the stratum size, or in proportion to it (best for one corpus-wide figure). The weights
        make every choice unbiased; only the precision per group changes.
    min_per_stratum : int
        Minimum items per stratum (a stratum without labels cannot be corrected).

    Returns
    -------
    DataFrame
        One row per item: ``item_id`` (stable hash of sentence text and actor), ``sample_id``
        (hash of the items and design), ``corpus_fingerprint``, ``order``, the first mention's
        ``article_id, sent_id, start, end``, ``sentence``, ``target`` with ``target_start,
        target_end`` inside the sentence, ``context_before``, ``context_after``, ``actor``, the
        ``by`` columns, ``stratum``, ``stratum_size`` (items N_h), ``stratum_n`` (drawn n_h),
        ``inclusion_prob`` (n_h / N_h), ``weight`` (N_h / n_h), ``n_mentions``. ``attrs`` holds
        ``sample_id``, ``corpus_fingerprint``, ``by``, ``seed`` and the table of every stratum
        (``attrs["strata"]``, also those with no draw) and the sampled population's ``actors``.

    Examples
    --------
    >>> s = sample(_toy_annotations(), n=4, by="actor", top=None, seed=1)
    >>> s.drop_duplicates("actor").sort_values("actor")[["actor", "stratum_size", "stratum_n", "weight"]].to_numpy().tolist()
    [['A', 3, 2, 1.5], ['B', 2, 2, 1.0]]
    >>> s["item_id"].is_unique
    True
    """
    by_l = _by_list(by)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    m = _population(ann, by=by_l, actors=actors, top=top)
    if m.empty:
        raise ValueError("no mentions to sample from (check actors / top / by)")
    m["stratum"] = _stratum_key(m, by_l)
    n_mentions = m.groupby("item_id").size()
    first = m.drop_duplicates("item_id", keep="first").reset_index(drop=True)
    strata = (first.groupby("stratum", sort=True).size().rename("stratum_size").reset_index())
    strata["stratum_n"] = _allocate(strata["stratum_size"].to_numpy(), n, minimum=min_per_stratum,
                                    allocation=allocation)
    picked = []
    for h, size, k in strata[["stratum", "stratum_size", "stratum_n"]].itertuples(index=False):
        if k == 0:
            continue
        rows = first.index[first["stratum"] == h].to_numpy()
        rng = np.random.default_rng([int(seed), zlib.crc32(str(h).encode("utf-8"))])
        picked.append(np.sort(rng.choice(rows, size=int(k), replace=False)))
    s = first.loc[np.concatenate(picked)].copy()
    s = s.merge(strata, on="stratum", how="left")
    s["inclusion_prob"] = s["stratum_n"] / s["stratum_size"]
    s["weight"] = s["stratum_size"] / s["stratum_n"]
    s["n_mentions"] = s["item_id"].map(n_mentions).astype("int64")
    # target offsets inside the sentence, and one sentence of context either side
    s["target_start"] = (s["start"] - s["sent_start"]).astype("int64")
    s["target_end"] = (s["end"] - s["sent_start"]).astype("int64")
    s["target"] = [t[a:b] for t, a, b in zip(s["sentence"], s["target_start"], s["target_end"])]
    sent = ann.sentences[["article_id", "sent_id", "text"]].assign(
        article_id=ann.sentences["article_id"].astype(str))
    lookup = dict(zip(zip(sent["article_id"], sent["sent_id"].astype(int)), sent["text"]))
    s["context_before"] = [lookup.get((a, int(i) - 1), "") for a, i in zip(s["article_id"], s["sent_id"])]
    s["context_after"] = [lookup.get((a, int(i) + 1), "") for a, i in zip(s["article_id"], s["sent_id"])]
    perm = np.random.default_rng([int(seed), 7]).permutation(len(s))
    s["order"] = np.empty(len(s), dtype=np.int64)
    s.loc[s.index[perm], "order"] = np.arange(len(s))
    s = s.sort_values("order").reset_index(drop=True)
    fp = corpus_fingerprint(ann)
    design = "|".join(f"{i}:{w!r}" for i, w in zip(s["item_id"], s["weight"]))
    population = sorted(m["actor"].astype(str).unique())
    sid = hashlib.sha1(f"{fp}\n{by_l}\n{population}\n{design}".encode("utf-8")).hexdigest()[:16]
    s["sample_id"] = sid
    s["corpus_fingerprint"] = fp
    cols = SAMPLE_COLUMNS[:14] + ["actor"] + [c for c in by_l if c != "actor"] + SAMPLE_COLUMNS[15:]
    s = s[cols]
    s.attrs.update(sample_id=sid, corpus_fingerprint=fp, by=by_l, seed=int(seed), allocation=allocation,
                   actors=population, strata=strata.to_dict(orient="list"))
    return s


def save_sample(s: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a sample as Parquet (``.parquet``) or CSV (``.csv``); :func:`load_sample` reads it back.

    The design (``attrs``: sample and corpus ids, ``by``, seed, allocation, the population's actors and
    every stratum's size, also strata with no draw) is written next to it as ``<name>.design.json``;
    :func:`corrected` needs it.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> p = save_sample(s, Path(tempfile.mkdtemp()) / "sample.csv")
    >>> load_sample(p).attrs["sample_id"] == s.attrs["sample_id"]
    True
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix == ".parquet":
        s.to_parquet(p, index=False)
    elif p.suffix == ".csv":
        s.to_csv(p, index=False)
    else:
        raise ValueError(f"{p}: use a .parquet or .csv file name")
    design = {k: s.attrs.get(k) for k in ("sample_id", "corpus_fingerprint", "by", "seed", "allocation", "actors",
                                          "strata")}
    design["strata"] = {k: [v.item() if hasattr(v, "item") else v for v in vals]
                        for k, vals in (design["strata"] or {}).items()}
    p.with_suffix(".design.json").write_text(json.dumps(design, indent=1, ensure_ascii=False), encoding="utf-8")
    return p


def load_sample(path: str | os.PathLike) -> pd.DataFrame:
    """Read a sample written by :func:`save_sample` (checks that it is one sample, ids unique)."""
    p = Path(path)
    if p.suffix == ".parquet":
        s = pd.read_parquet(p)
    elif p.suffix == ".csv":
        s = pd.read_csv(p, dtype={"item_id": str, "sample_id": str, "corpus_fingerprint": str,
                                  "article_id": str, "stratum": str, "sentence": str, "target": str,
                                  "context_before": str, "context_after": str, "actor": str},
                        keep_default_na=False, na_values=[])
    else:
        raise ValueError(f"{p}: use a .parquet or .csv file name")
    missing = [c for c in ("item_id", "sample_id", "corpus_fingerprint", "weight", "stratum") if c not in s]
    if missing:
        raise ValueError(f"{p}: not a newskit sample (missing columns {missing})")
    if s["sample_id"].nunique() != 1:
        raise ValueError(f"{p}: rows from {s['sample_id'].nunique()} different samples")
    dup = s["item_id"].duplicated()
    if dup.any():
        raise ValueError(f"{p}: row {int(np.flatnonzero(dup)[0]) + 2}: item_id {s.loc[dup, 'item_id'].iloc[0]} "
                         f"appears twice")
    # Parquet keeps the attrs (pandas metadata); CSV needs the design file beside it
    sid, fp = str(s["sample_id"].iloc[0]), str(s["corpus_fingerprint"].iloc[0])
    if s.attrs.get("sample_id") not in (None, sid):
        s.attrs.clear()
    s.attrs.update(sample_id=sid, corpus_fingerprint=fp)
    dp = p.with_suffix(".design.json")
    if dp.exists():
        design = json.loads(dp.read_text(encoding="utf-8"))
        if design.get("sample_id") != s.attrs["sample_id"]:
            raise ValueError(f"{dp}: design of sample {design.get('sample_id')}, but {p} holds sample "
                             f"{s.attrs['sample_id']}")
        s.attrs.update(design)
    return s


# --------------------------------------------------------------------------- label files
def _label_path(folder: str | os.PathLike, annotator: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", annotator or ""):
        raise ValueError(f"annotator {annotator!r}: use letters, digits, '_', '-' or '.' (it names the file)")
    return Path(folder) / f"labels_{annotator}.csv"


def append_label(path: str | os.PathLike, *, sample: pd.DataFrame, item_id: str, label: str,
                 annotator: str) -> int:
    """Append one answer (or a ``"retract"``) to a label file and fsync it; returns its ``seq``.

    The file is created with a header when missing; it is never rewritten.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> p = Path(tempfile.mkdtemp()) / "labels_ann.csv"
    >>> append_label(p, sample=s, item_id=s["item_id"][0], label="positive", annotator="ann")
    1
    >>> read_labels(p, sample=s)[["item_id", "label"]].shape
    (1, 2)
    """
    if label not in ANSWERS and label != RETRACT:
        raise ValueError(f"label {label!r}: expected one of {list(ANSWERS) + [RETRACT]}")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    seq = 1
    new = not p.exists() or p.stat().st_size == 0
    if not new:
        last = _last_seq(p)
        seq = last + 1
    row = [seq, sample.attrs.get("sample_id", sample["sample_id"].iloc[0]),
           sample.attrs.get("corpus_fingerprint", sample["corpus_fingerprint"].iloc[0]), item_id, label,
           annotator, datetime.now(timezone.utc).isoformat(timespec="seconds")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if new:
        w.writerow(LABEL_COLUMNS)
    w.writerow(row)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, buf.getvalue().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return seq


def _last_seq(p: Path) -> int:
    with open(p, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        tail = fh.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(tail):
        head = line.split(",", 1)[0]
        if head.isdigit():
            return int(head)
    return 0


def _read_label_file(p: Path, sample: pd.DataFrame) -> pd.DataFrame:
    sid = sample.attrs.get("sample_id", str(sample["sample_id"].iloc[0]))
    fp = sample.attrs.get("corpus_fingerprint", str(sample["corpus_fingerprint"].iloc[0]))
    items = set(sample["item_id"].astype(str))
    rows = []
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return pd.DataFrame(columns=LABEL_COLUMNS + ["file", "row"])
        if header != LABEL_COLUMNS:
            raise LabelError(f"{p}: row 1: header {header} is not {LABEL_COLUMNS}")
        seen_seq: dict[int, int] = {}
        last = 0
        for line_no, rec in enumerate(reader, start=2):
            if not rec:
                continue
            if len(rec) != len(LABEL_COLUMNS):
                raise LabelError(f"{p}: row {line_no}: {len(rec)} fields, expected {len(LABEL_COLUMNS)}")
            d = dict(zip(LABEL_COLUMNS, rec))
            if not d["seq"].isdigit():
                raise LabelError(f"{p}: row {line_no}: seq {d['seq']!r} is not a positive integer")
            seq = int(d["seq"])
            if seq in seen_seq:
                raise LabelError(f"{p}: row {line_no}: duplicate row: seq {seq} already on row {seen_seq[seq]}")
            if seq < last:
                raise LabelError(f"{p}: row {line_no}: seq {seq} after {last}: rows out of order "
                                 "(files concatenated or edited?)")
            seen_seq[seq] = line_no
            last = seq
            if d["corpus_fingerprint"] != fp:
                raise LabelError(f"{p}: row {line_no}: labels for another corpus (fingerprint "
                                 f"{d['corpus_fingerprint']}, this corpus {fp})")
            if d["sample_id"] != sid:
                raise LabelError(f"{p}: row {line_no}: labels for another sample (sample_id {d['sample_id']}, "
                                 f"this sample {sid})")
            if d["item_id"] not in items:
                raise LabelError(f"{p}: row {line_no}: item_id {d['item_id']!r} is not in the sample")
            if d["label"] not in ANSWERS and d["label"] != RETRACT:
                raise LabelError(f"{p}: row {line_no}: unknown label {d['label']!r} (expected one of "
                                 f"{', '.join(ANSWERS + (RETRACT,))})")
            rows.append({**d, "seq": seq, "file": str(p), "row": line_no})
    return pd.DataFrame(rows, columns=LABEL_COLUMNS + ["file", "row"])


def read_labels(folder_or_file: str | os.PathLike, *, sample: pd.DataFrame, history: bool = False) -> pd.DataFrame:
    """Read label files (one CSV per annotator) and check every row against ``sample``.

    Parameters
    ----------
    folder_or_file : path
        A folder of ``labels_<annotator>.csv`` files or one such file.
    sample : DataFrame
        The sample the labels belong to (:func:`sample` or :func:`load_sample`).
    history : bool
        True: every row as written (answers and retractions). False (default): the current answer
        per (annotator, item): the last row wins, a retraction removes the answer.

    Returns
    -------
    DataFrame
        ``annotator, item_id, label, seq, time, file, row`` plus the sample's ``actor``, ``stratum``,
        ``weight``, ``article_id``, ``start``, ``end`` (and ``by`` columns).

    Raises
    ------
    LabelError
        Naming the file, the row and the reason: a label file of another corpus or sample, an item
        not in the sample, an unknown label, a duplicate row (same ``seq`` twice), rows out of
        order, two files for one annotator, a malformed row. Nothing is dropped silently.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> d = Path(tempfile.mkdtemp())
    >>> for lab in ("negative", "positive"):
    ...     _ = append_label(d / "labels_a.csv", sample=s, item_id=s["item_id"][0], label=lab, annotator="a")
    >>> read_labels(d, sample=s)["label"].tolist()  # the last answer wins
    ['positive']
    """
    p = Path(folder_or_file)
    if p.is_dir():
        files = sorted(p.glob("labels_*.csv"))
    elif p.exists():
        files = [p]
    else:
        raise FileNotFoundError(f"{p}: no such label file or folder")
    tables = [_read_label_file(f, sample) for f in files]
    lab = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=LABEL_COLUMNS + ["file", "row"])
    # one annotator, one file
    owner: dict[str, str] = {}
    for r in lab[["annotator", "file", "row"]].itertuples(index=False):
        if owner.setdefault(r.annotator, r.file) != r.file:
            raise LabelError(f"{r.file}: row {r.row}: annotator {r.annotator!r} also labels in {owner[r.annotator]} "
                             "(one file per annotator)")
    lab["seq"] = lab["seq"].astype("int64")
    lab["row"] = lab["row"].astype("int64")
    if not history:
        lab = lab.sort_values(["file", "seq"], kind="mergesort").drop_duplicates(["annotator", "item_id"], keep="last")
        lab = lab[lab["label"] != RETRACT]
    keep = ["item_id", "actor", "stratum", "weight", "article_id", "sent_id", "start", "end"] + \
        [c for c in sample.attrs.get("by", []) if c != "actor" and c in sample.columns]
    out = lab.merge(sample[[c for c in keep if c in sample.columns]], on="item_id", how="left")
    cols = ["annotator", "item_id", "label", "seq", "time", "file", "row"]
    return out[cols + [c for c in out.columns if c not in cols]].reset_index(drop=True)


# --------------------------------------------------------------------------- labelling session
@dataclass
class LabelSession:
    """The state behind :func:`label_widget`, usable without a browser.

    Every :meth:`answer` and :meth:`back` appends one row to ``labels_<annotator>.csv`` in
    ``folder`` (fsync'ed); reopening a session on the same folder resumes at the first item
    without an answer.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> d = tempfile.mkdtemp()
    >>> ses = LabelSession(s, d, annotator="ann")
    >>> ses.answer("negative"); ses.answer("skip"); ses.progress()
    '2 of 3'
    >>> LabelSession(s, d, annotator="ann").position  # a new session resumes
    2
    """

    sample: pd.DataFrame
    folder: str | os.PathLike
    annotator: str = "annotator"
    position: int = 0
    answers: dict = field(default_factory=dict)

    def __post_init__(self):
        self.sample = self.sample.sort_values("order").reset_index(drop=True) if "order" in self.sample \
            else self.sample.reset_index(drop=True)
        self.path = _label_path(self.folder, self.annotator)
        self.items = self.sample["item_id"].astype(str).tolist()
        if self.path.exists():
            cur = read_labels(self.path, sample=self.sample)
            self.answers = dict(zip(cur["item_id"], cur["label"]))
        self.position = self._first_open(0)

    def _first_open(self, start: int) -> int:
        for k in list(range(start, len(self.items))) + list(range(0, start)):
            if self.items[k] not in self.answers:
                return k
        return len(self.items)

    @property
    def done(self) -> bool:
        return self.position >= len(self.items)

    def current(self) -> pd.Series | None:
        """The row of the sample shown now (None when every item has an answer)."""
        return None if self.done else self.sample.iloc[self.position]

    def progress(self) -> str:
        return f"{len(self.answers)} of {len(self.items)}"

    def answer(self, label: str) -> None:
        """Record ``label`` for the current item and move to the next item without an answer."""
        if label not in ANSWERS:
            raise ValueError(f"label {label!r}: expected one of {list(ANSWERS)}")
        if self.done:
            return
        item = self.items[self.position]
        append_label(self.path, sample=self.sample, item_id=item, label=label, annotator=self.annotator)
        self.answers[item] = label
        self.position = self._first_open(self.position + 1 if self.position + 1 < len(self.items) else 0)

    def back(self) -> None:
        """Undo: go to the previous item and retract its answer (a ``retract`` row is appended)."""
        k = (self.position if self.position < len(self.items) else len(self.items)) - 1
        if k < 0:
            return
        item = self.items[k]
        if item in self.answers:
            append_label(self.path, sample=self.sample, item_id=item, label=RETRACT, annotator=self.annotator)
            del self.answers[item]
        self.position = k


def item_html(row: pd.Series) -> str:
    """The sentence with the target highlighted, one sentence of context either side (escaped HTML).

    Examples
    --------
    >>> r = pd.Series({"sentence": "<b>Ana</b> won.", "target_start": 3, "target_end": 6,
    ...                "context_before": "", "context_after": "", "actor": "Ana"})
    >>> "&lt;b&gt;<mark" in item_html(r)
    True
    """
    s = str(row["sentence"])
    a, b = int(row["target_start"]), int(row["target_end"])
    main = (html.escape(s[:a]) + '<mark class="newskit-target" style="background:#ffe08a;font-weight:bold">'
            + html.escape(s[a:b]) + "</mark>" + html.escape(s[b:]))
    ctx = 'style="color:#777"'
    before = html.escape(str(row.get("context_before", "") or ""))
    after = html.escape(str(row.get("context_after", "") or ""))
    return (f'<div class="newskit-item" style="font-size:1.1em;line-height:1.5;max-width:60em">'
            f'<span {ctx}>{before}</span> <span class="newskit-sentence">{main}</span> '
            f'<span {ctx}>{after}</span><div style="color:#555;margin-top:.4em">target: '
            f'<b>{html.escape(str(row.get("actor", "")))}</b></div></div>')


KEYS = {"1": "negative", "2": "neutral", "3": "positive", "s": "skip", "u": "unsure"}


def label_widget(sample: pd.DataFrame, folder: str | os.PathLike, *, annotator: str = "annotator"):
    """A Jupyter widget to label the sample: how does the sentence portray the highlighted target?

    Buttons *negative / neutral / positive / skip / unsure / back*, and keyboard shortcuts typed
    into the focused key box: ``1`` negative, ``2`` neutral, ``3`` positive, ``s`` skip,
    ``u`` unsure, ``b`` back (undo). ipywidgets has no key events: the key box is a ``Text`` with
    ``continuous_update``, whose value is read and cleared at every keystroke. Each answer is
    appended to ``folder/labels_<annotator>.csv`` and fsync'ed at once, so nothing is lost if the
    kernel dies; reopening resumes at the first item without an answer. Two annotators label into
    two files (different ``annotator``).

    Parameters
    ----------
    sample : DataFrame
        From :func:`sample` or :func:`load_sample`.
    folder : path
        Folder of the label files (created).
    annotator : str
        Name of the person labelling (letters, digits, ``_-.``): the file name.

    Returns
    -------
    ipywidgets.VBox
        With ``.session`` (the :class:`LabelSession`), ``.key_box`` (the key box), ``.redraw()``.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> box = label_widget(s, tempfile.mkdtemp(), annotator="ann")
    >>> box.key_box.value = "3"  # what typing 3 in the key box does
    >>> box.session.progress(), box.session.answers[s["item_id"][0]]
    ('1 of 3', 'positive')
    """
    import ipywidgets as w

    ses = LabelSession(sample, folder, annotator=annotator)
    progress = w.HTML()
    text = w.HTML()
    status = w.HTML()
    keys = w.Text(value="", placeholder="click here, then type 1 / 2 / 3 / s / u / b", continuous_update=True,
                  description="keys", layout=w.Layout(width="28em"))
    keys.add_class("newskit-label-keys")
    buttons = []
    for key, lab, style in (("1", "negative", "danger"), ("2", "neutral", ""), ("3", "positive", "success"),
                            ("s", "skip", "warning"), ("u", "unsure", "info"), ("b", "back", "")):
        btn = w.Button(description=f"{lab} ({key})", button_style=style, layout=w.Layout(width="9em"))
        btn.add_class(f"newskit-label-{lab}")
        btn.on_click(lambda _b, k=key: act(k))
        buttons.append(btn)

    def redraw(msg: str = "") -> None:
        row = ses.current()
        progress.value = (f'<b class="newskit-label-progress">{ses.progress()}</b> labelled'
                          + ("" if row is None else f" — item {ses.position + 1}"))
        text.value = ("<p><b>Every item has an answer.</b> Press back (b) to revise the last one.</p>"
                      if row is None else item_html(row))
        status.value = f'<span class="newskit-label-status" style="color:#555">{html.escape(msg)}</span>'

    def act(key: str) -> None:
        if key == "b":
            ses.back()
            redraw("undone: the previous answer was retracted")
        elif key in KEYS:
            if ses.done:
                redraw("nothing left to label")
                return
            ses.answer(KEYS[key])
            redraw(f"saved: {KEYS[key]} → {ses.path.name}")

    def on_key(change) -> None:
        typed = change["new"]
        if not typed:
            return
        keys.value = ""
        for ch in typed.lower():
            if ch in KEYS or ch == "b":
                act(ch)

    keys.observe(on_key, names="value")
    redraw("resumed" if ses.answers else "")
    box = w.VBox([progress, text, w.HBox(buttons), keys, status])
    box.add_class("newskit-label-widget")
    box.session, box.key_box, box.redraw = ses, keys, redraw
    return box


def sample_table(s: pd.DataFrame, *, labels: pd.DataFrame | None = None, limit: int = 20) -> pd.DataFrame:
    """A static view of the sample (first ``limit`` rows in labelling order) with current answers.

    Examples
    --------
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> list(sample_table(s).columns)
    ['order', 'actor', 'sentence', 'weight', 'label']
    """
    t = s.sort_values("order").head(limit)
    lab = pd.Series(dtype=object)
    if labels is not None and len(labels):
        lab = labels.drop_duplicates("item_id", keep="last").set_index("item_id")["label"]
    return pd.DataFrame({"order": t["order"], "actor": t["actor"], "sentence": t["sentence"],
                         "weight": t["weight"], "label": t["item_id"].map(lab).fillna("")}).reset_index(drop=True)


# --------------------------------------------------------------------------- agreement
def _model_labels(ann_or_sample, labels: pd.DataFrame) -> pd.Series:
    """The model's label for every labelled item (its first mention's ``sentiment``)."""
    if isinstance(ann_or_sample, pd.DataFrame):
        t = ann_or_sample
        if "sentiment" not in t.columns or "item_id" not in t.columns:
            raise ValueError("a DataFrame passed as ann_or_sample needs 'item_id' and 'sentiment' columns")
        look = t.drop_duplicates("item_id").set_index("item_id")["sentiment"]
        return labels["item_id"].map(look)
    m = ann_or_sample.mentions
    key = pd.MultiIndex.from_arrays([m["article_id"].astype(str), m["start"].astype(int), m["end"].astype(int)])
    look = pd.Series(m["sentiment"].to_numpy(), index=key)
    look = look[~look.index.duplicated()]
    q = pd.MultiIndex.from_arrays([labels["article_id"].astype(str), labels["start"].astype(int),
                                   labels["end"].astype(int)])
    return pd.Series(look.reindex(q).to_numpy(), index=labels.index)


def confusion(y_true: Sequence[str], y_pred: Sequence[str], *, weights: Sequence[float] | None = None,
              classes: Sequence[str] = CLASSES) -> pd.DataFrame:
    """Confusion matrix (rows: human, columns: model), optionally weighted.

    Examples
    --------
    >>> confusion(["negative", "neutral", "neutral"], ["negative", "positive", "neutral"]).to_numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    """
    y, p = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    wt = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    k = len(classes)
    idx = {c: i for i, c in enumerate(classes)}
    mat = np.zeros((k, k))
    for a, b, x in zip(y, p, wt):
        if a in idx and b in idx:
            mat[idx[a], idx[b]] += x
    return pd.DataFrame(mat, index=pd.Index(list(classes), name="human"),
                        columns=pd.Index(list(classes), name="model"))


def per_class(conf: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per class from a confusion matrix (rows = truth).

    Examples
    --------
    >>> per_class(confusion(["negative", "positive"], ["negative", "negative"]))[["class", "precision", "recall"]]
          class  precision  recall
    0  negative        0.5     1.0
    1   neutral        0.0     0.0
    2  positive        0.0     0.0
    """
    mat = conf.to_numpy(dtype=float)
    tp = np.diag(mat)
    pred, true = mat.sum(axis=0), mat.sum(axis=1)
    prec = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    rec = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros_like(tp), where=(prec + rec) > 0)
    return pd.DataFrame({"class": list(conf.index), "precision": prec, "recall": rec, "f1": f1,
                         "support": true})


def cohen_kappa(a: Sequence[str], b: Sequence[str], *, classes: Sequence[str] = CLASSES) -> float:
    """Cohen's kappa of two raters on the same items: (p_o − p_e) / (1 − p_e).

    Examples
    --------
    >>> round(cohen_kappa(["negative", "negative", "positive", "positive"],
    ...                   ["negative", "positive", "positive", "positive"]), 4)
    0.5
    """
    c = confusion(a, b, classes=classes).to_numpy()
    n = c.sum()
    if n == 0:
        return float("nan")
    po = np.trace(c) / n
    pe = float((c.sum(axis=1) / n) @ (c.sum(axis=0) / n))
    return float("nan") if pe == 1 else float((po - pe) / (1 - pe))


def krippendorff_alpha(units: Sequence[Sequence[str | None]], *, classes: Sequence[str] = CLASSES) -> float:
    """Krippendorff's alpha (nominal) from the values each unit received (None = missing).

    Coincidence matrix o_ck = Σ_u Σ_{i≠j} [v_ui=c][v_uj=k] / (m_u − 1) over units with m_u ≥ 2
    values; alpha = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k.

    Examples
    --------
    >>> round(krippendorff_alpha([["negative", "negative"], ["positive", "positive"],
    ...                           ["negative", "positive"], ["neutral", None]]), 4)
    0.4444
    """
    idx = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    o = np.zeros((k, k))
    for vals in units:
        v = [idx[x] for x in vals if x is not None and x in idx]
        m = len(v)
        if m < 2:
            continue
        cnt = np.bincount(v, minlength=k).astype(float)
        o += (np.outer(cnt, cnt) - np.diag(cnt)) / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    d_o = o.sum() - np.trace(o)
    d_e = (n_c.sum() ** 2 - (n_c ** 2).sum())
    if d_e == 0:
        return float("nan")
    return float(1 - (n - 1) * d_o / d_e)


def agreement(ann_or_sample, labels: pd.DataFrame, *, other: pd.DataFrame | None = None,
              weighted: bool = False) -> dict[str, Any]:
    """How well the model agrees with the human labels (and two annotators with each other).

    Parameters
    ----------
    ann_or_sample : Annotations or DataFrame
        Annotations (the model's label of an item is its first mention's ``sentiment``), or a
        DataFrame with ``item_id`` and ``sentiment`` (the model's label per item).
    labels : DataFrame
        From :func:`read_labels` (one annotator; with several, the first file's answers are used and
        the rest are compared through ``other``). Only negative / neutral / positive answers count.
    other : DataFrame, optional
        A second annotator's labels: adds Cohen's kappa and Krippendorff's alpha (nominal) on the
        items both answered with a class.
    weighted : bool
        Weight items by their sampling weight (figures for the corpus rather than the sample).

    Returns
    -------
    dict
        ``per_class`` (class, precision, recall, f1, support), ``summary`` (one row: n, accuracy,
        macro_f1, and kappa / alpha / n_both with ``other``), ``confusion`` (rows human, columns model).

    Examples
    --------
    >>> s = sample(_toy_annotations(), n=5, by="actor", top=None)
    >>> lab = s[["item_id"]].assign(label=["negative", "neutral", "positive", "positive", "neutral"])
    >>> pred = s[["item_id"]].assign(sentiment=["negative", "neutral", "positive", "neutral", "neutral"])
    >>> agreement(pred, lab)["summary"][["n", "accuracy"]].to_dict("records")
    [{'n': 5, 'accuracy': 0.8}]
    """
    lab = labels[labels["label"].isin(CLASSES)].copy()
    if "annotator" in lab.columns and lab["annotator"].nunique() > 1:
        first = lab["annotator"].iloc[0]
        lab = lab[lab["annotator"] == first]
    lab["model"] = _model_labels(ann_or_sample, lab).to_numpy()
    miss = lab["model"].isna()
    if miss.any():
        raise ValueError(f"{int(miss.sum())} labelled items have no model label (first: item "
                         f"{lab.loc[miss, 'item_id'].iloc[0]}): the annotations do not match the sample")
    wt = lab["weight"].to_numpy(dtype=float) if weighted else None
    conf = confusion(lab["label"], lab["model"], weights=wt)
    pc = per_class(conf)
    total = conf.to_numpy().sum()
    summary = {"n": int(len(lab)), "accuracy": float(np.trace(conf.to_numpy()) / total) if total else np.nan,
               "macro_f1": float(pc["f1"].mean())}
    if other is not None:
        o = other[other["label"].isin(CLASSES)].drop_duplicates("item_id", keep="last")
        both = lab[["item_id", "label"]].merge(o[["item_id", "label"]], on="item_id", suffixes=("_a", "_b"))
        summary["n_both"] = int(len(both))
        summary["kappa"] = cohen_kappa(both["label_a"], both["label_b"])
        union = pd.concat([lab[["item_id", "label"]], o[["item_id", "label"]]]).groupby("item_id")["label"]
        summary["alpha"] = krippendorff_alpha([list(v) for _, v in union])
        summary["agreement"] = float((both["label_a"] == both["label_b"]).mean()) if len(both) else np.nan
    return {"per_class": pc, "summary": pd.DataFrame([summary]), "confusion": conf}


# --------------------------------------------------------------------------- corrected estimates
def _cluster_se(z: np.ndarray, denom: float) -> float:
    """Cluster-robust standard error of a ratio estimator from per-article influence sums ``z``."""
    j = np.count_nonzero(z) if len(z) else 0
    j = max(j, len(z))
    if j < 2 or denom <= 0:
        return float("nan")
    return float(np.sqrt(j / (j - 1) * np.sum(z ** 2)) / denom)


def corrected(ann, labels: pd.DataFrame, *, sample: pd.DataFrame, by: str | Sequence[str] = "actor",
              level: float = 0.95, estimator: str = "ppi++") -> pd.DataFrame:
    """Per-group mean sentiment and class shares: the raw model figures and the corrected ones.

    Corrected = prediction-powered inference (Angelopoulos et al., *Science* 2023) with the
    sampling design: the mean of the model's values over all N mentions of the group, plus the
    estimated mean of (human − model) from the labelled items, stratum by stratum,

        θ̂ = ( λ Σ_i f_i + Σ_h N_h · d̄_h ) / N,     d̄_h = (1/n_h) Σ_{k labelled in h} d_k,

    where d_k = Σ over item k's mentions in the group of (human value − λ · model value), N_h the
    items in sampling stratum h and n_h those labelled (skip / unsure answers count as not
    labelled: missing at random within the stratum). ``estimator="ppi"`` is λ = 1 (the difference
    estimator of the PPI paper); ``"ppi++"`` (default, Angelopoulos, Duchi & Zrnic 2023, "PPI++")
    tunes λ per group and quantity as the weighted slope of the human on the model value among the
    labelled mentions — the regression estimator of two-phase sampling, never less efficient
    than λ = 1 asymptotically (λ = 1 below 20 labelled mentions; λ shown in column ``lambda``).
    Unbiased whatever the model's bias: λ only changes the variance.

    The variance is **cluster-robust, with articles as clusters** (no bootstrap): the
    linearisation of θ̂ as a ratio of article totals (λ treated as fixed),

        z_j = λ F_j − θ̂ c_j + Σ_h [ M_hj d̄_h + (N_h / n_h)(T_hj − d̄_h L_hj) ],
        Var = J/(J−1) Σ_j z_j² / N²,

    (F_j model total and c_j mentions of the group in article j, M_hj items of stratum h whose
    first mention is in j, T_hj and L_hj the sum of d and the count of labelled items among them).
    This counts both the sampling of articles (the corpus as a sample of the coverage it stands
    for) and the sampling of items to label, and their covariance. The raw interval is the same
    cluster-robust interval of the model mean alone: it ignores the model's error, so it is too
    narrow and off centre when the model is biased. Intervals are normal (``level``).

    Human value: negative −1, neutral 0, positive +1; model value: its ``score``. Class shares use
    indicators (model: its ``sentiment`` label; human: the label).

    Parameters
    ----------
    ann : Annotations
        The annotations the sample was drawn from (checked by fingerprint).
    labels : DataFrame
        :func:`read_labels` output (one annotator; with several, each item's first annotator's
        answer is used).
    sample : DataFrame
        The sample (its strata sizes and items).
    by : str or list of str
        Groups: ``"actor"`` or ``["actor", "outlet"]`` (any mention or article column).
    level : float
        Confidence level.
    estimator : {"ppi++", "ppi"}
        Tuned λ (default) or λ = 1.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n`` (mentions), ``n_articles``, ``n_labelled`` (labelled items with
        mentions in the group), ``mean_raw, ci_low_raw, ci_high_raw, mean, ci_low, ci_high, lambda``, and for
        each class ``share_<class>_raw``, ``share_<class>``, ``share_<class>_ci_low``,
        ``share_<class>_ci_high``. Corrected columns are NaN when a stratum of the group has no
        label (label more, or draw the sample with fewer strata).

    Examples
    --------
    >>> a = _toy_annotations()
    >>> s = sample(a, n=6, by="actor", top=None)
    >>> lab = s[["item_id"]].assign(label="negative")
    >>> t = corrected(a, lab, sample=s)
    >>> t[["actor", "n", "n_labelled", "mean"]].to_string(index=False)  # every item labelled: the human mean
    'actor  n  n_labelled  mean\\n    A  4           3  -1.0\\n    B  2           2  -1.0'
    """
    by_l = _by_list(by)
    if estimator not in ("ppi", "ppi++"):
        raise ValueError(f"estimator={estimator!r}: use 'ppi' or 'ppi++'")
    fp = corpus_fingerprint(ann)
    sfp = sample.attrs.get("corpus_fingerprint", str(sample["corpus_fingerprint"].iloc[0]))
    if sfp != fp:
        raise ValueError(f"the sample was drawn from another corpus (fingerprint {sfp}, these annotations {fp})")
    missing = [k for k in ("by", "actors", "strata") if not sample.attrs.get(k)]
    if missing:
        raise ValueError(f"the sample has no design ({', '.join(missing)} missing from attrs): use the DataFrame "
                         "from sample(), or load_sample() with its <name>.design.json beside it")
    s_by = list(sample.attrs["by"])
    z = NormalDist().inv_cdf(0.5 + level / 2)
    # the population the sample was drawn from: the sampled actors (and strata)
    m = _mentions_with_context(ann)
    m = m[m["actor"].astype(str).isin(set(sample.attrs["actors"]))]
    for c in by_l + s_by:
        if c not in m.columns:
            raise ValueError(f"no column {c!r} in the mentions or articles")
    m = m[m[s_by].notna().all(axis=1)]
    if "score" not in m.columns:
        raise ValueError("mentions have no 'score' column")
    m = m.sort_values(["article_id", "start", "end"], kind="mergesort").reset_index(drop=True)
    m["item_id"] = _item_ids(m["sentence"], m["actor"])
    m["stratum"] = _stratum_key(m, s_by)
    home = m.drop_duplicates("item_id", keep="first")
    item_stratum = home.set_index("item_id")["stratum"]
    m["item_stratum"] = m["item_id"].map(item_stratum)  # an item's stratum is its first mention's
    strata_tab = pd.DataFrame(sample.attrs["strata"])
    N_h = home.groupby("stratum").size()
    expect = strata_tab.set_index("stratum")["stratum_size"]
    diff = [h for h in expect.index if int(N_h.get(h, 0)) != int(expect[h])]
    diff += [h for h in N_h.index if h not in expect.index]
    if diff:
        raise ValueError(f"stratum sizes differ from the sample's (e.g. {diff[0]!r}: {int(N_h.get(diff[0], 0))} "
                         f"items now, {int(expect.get(diff[0], 0))} when sampled): not the sampled corpus")
    arts = pd.Index(sorted(m["article_id"].unique()))
    n_art = len(arts)
    m["art"] = arts.get_indexer(m["article_id"])
    home_art = pd.Series(arts.get_indexer(home["article_id"]), index=home["item_id"].to_numpy())
    # labels: one answer per item, classes only
    lab = labels[labels["label"].isin(CLASSES)]
    if "annotator" in lab.columns:
        lab = lab.sort_values(["annotator"], kind="mergesort").drop_duplicates("item_id", keep="first")
    unknown = set(lab["item_id"]) - set(sample["item_id"])
    if unknown:
        raise ValueError(f"labels for items not in the sample: {sorted(unknown)[:3]}")
    human = lab.set_index("item_id")["label"]
    m["human"] = m["item_id"].map(human)
    m["labelled"] = m["human"].notna()
    n_h = human.groupby(human.index.map(item_stratum)).size()
    # every stratum's home-article counts
    M_all = {h: np.bincount(home_art[g["item_id"]].to_numpy(), minlength=n_art).astype(float)
             for h, g in home.groupby("stratum")}
    lab_items = pd.DataFrame({"item_id": human.index, "stratum": human.index.map(item_stratum),
                              "art": home_art[human.index].to_numpy()})
    model_val = {"mean": m["score"].to_numpy(dtype=float)}
    human_val = {"mean": m["human"].map(VALUES).to_numpy(dtype=float)}
    if "sentiment" not in m.columns:  # the model's label from its score (newskit's ±0.05 band)
        sc = m["score"].to_numpy(dtype=float)
        m["sentiment"] = np.where(sc >= 0.05, "positive", np.where(sc <= -0.05, "negative", "neutral"))
    for c in CLASSES:
        model_val[c] = (m["sentiment"] == c).to_numpy(dtype=float)
        human_val[c] = np.where(m["labelled"], (m["human"] == c).to_numpy(dtype=float), np.nan)
    rows = []
    for key, g in m.groupby(by_l, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        ix = g.index.to_numpy()
        row = dict(zip(by_l, key))
        row["n"] = len(g)
        row["n_articles"] = int(g["article_id"].nunique())
        lab_g = g[g["labelled"]]
        row["n_labelled"] = int(lab_g["item_id"].nunique())
        # strata touching the group: those of its items
        touched = sorted(set(g["item_stratum"]))
        li = lab_items.set_index("item_id")
        li = li[li["stratum"].isin(touched)]
        sizes = {h: (int(N_h[h]), int(n_h.get(h, 0)), M_all[h]) for h in touched}
        lab_mask = g["labelled"].to_numpy()
        lab_w = lab_g["item_stratum"].map(lambda h: sizes[h][0] / sizes[h][1]).to_numpy(dtype=float) \
            if len(lab_g) else np.zeros(0)
        for what in ["mean"] + list(CLASSES):
            f = model_val[what][ix]
            y_lab, f_lab = human_val[what][ix][lab_mask], f[lab_mask]
            lam = 1.0 if estimator == "ppi" else _tuned_lambda(y_lab, f_lab, lab_w)
            d_item = pd.Series(y_lab - lam * f_lab, index=lab_g["item_id"].to_numpy()).groupby(level=0).sum()
            d_all = d_item.reindex(li.index).fillna(0.0).to_numpy()
            raw, se_raw, est, se = _ppi_group_items(g["art"].to_numpy(), f, li["art"].to_numpy(),
                                                    li["stratum"].to_numpy(), d_all, sizes, n_art, lam=lam)
            if what == "mean":
                row["lambda"] = lam
            name = "mean" if what == "mean" else f"share_{what}"
            row[f"{name}_raw"] = raw
            if what == "mean":
                row["ci_low_raw"], row["ci_high_raw"] = raw - z * se_raw, raw + z * se_raw
                row["mean"], row["ci_low"], row["ci_high"] = est, est - z * se, est + z * se
            else:
                row[name] = est
                row[f"{name}_ci_low"], row[f"{name}_ci_high"] = est - z * se, est + z * se
        rows.append(row)
    cols = by_l + ["n", "n_articles", "n_labelled", "mean_raw", "ci_low_raw", "ci_high_raw", "mean", "ci_low",
                   "ci_high", "lambda"]
    for c in CLASSES:
        cols += [f"share_{c}_raw", f"share_{c}", f"share_{c}_ci_low", f"share_{c}_ci_high"]
    return pd.DataFrame(rows, columns=cols)


MIN_TUNED = 20  # labelled mentions a group needs before lambda is tuned (else plain PPI, lambda = 1)


def _tuned_lambda(y: np.ndarray, f: np.ndarray, w: np.ndarray) -> float:
    """PPI++ power tuning: the weighted regression slope of the human value on the model value.

    For a labelled subsample of the same mentions, Var(θ̂_λ) is smallest at λ = Cov(Y, f) / Var(f).
    Fewer than ``MIN_TUNED`` labelled mentions, or a constant model value: λ = 1 (plain PPI).
    """
    if len(y) < MIN_TUNED:
        return 1.0
    w = np.asarray(w, dtype=float)
    fm, ym = np.average(f, weights=w), np.average(y, weights=w)
    var = float(np.average((f - fm) ** 2, weights=w))
    if var <= 1e-12:
        return 1.0
    return float(np.average((f - fm) * (y - ym), weights=w) / var)


def _ppi_group_items(art, f, lab_art, lab_stratum, lab_d, sizes, n_art, *, lam: float = 1.0):
    """Raw and PPI estimates with cluster-robust SEs for one group (see :func:`corrected`).

    ``lab_*`` hold every labelled item of the strata touching the group (d = 0 for items with no
    mention in the group; else d = Σ over its mentions in the group of human − λ·model);
    ``sizes[h] = (N_h, n_h, M_h)`` with M_h the per-article count of stratum h's items (by first
    mention). λ is treated as fixed in the variance (as in PPI++).
    """
    N = len(f)
    F = np.bincount(art, weights=f, minlength=n_art)
    c = np.bincount(art, minlength=n_art).astype(float)
    raw = float(F.sum() / N)
    active = c > 0
    se_raw = _cluster_se((F - raw * c)[active], N)
    total = lam * F.sum()
    zz = lam * F
    for h, (N_h, n_h, M_h) in sizes.items():
        if n_h == 0:
            return raw, se_raw, float("nan"), float("nan")
        sel = lab_stratum == h
        w_h = N_h / n_h
        dbar = float(lab_d[sel].sum() / n_h)
        total += N_h * dbar
        T = np.bincount(lab_art[sel], weights=lab_d[sel], minlength=n_art)
        L = np.bincount(lab_art[sel], minlength=n_art).astype(float)
        zz += M_h * dbar + w_h * (T - dbar * L)
        active = active | (M_h > 0)
    est = float(total / N)
    zz -= est * c
    return raw, se_raw, est, _cluster_se(zz[active], N)


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
