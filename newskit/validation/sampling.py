"""The sample to label: stratified items with their weights, saved with their design."""
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

from newskit.validation._common import _toy_annotations  # noqa: F401 (doctests)

from newskit.analysis.parquet import is_out_of_core
from newskit.validation._common import SAMPLE_COLUMNS, _allocate, _by_list, _population, _stratum_key, corpus_fingerprint

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
    ann : Annotations or PartsFolder
        Needs ``mentions`` (with ``actor``), ``sentences`` and ``articles`` (for ``outlet``). An
        annotations folder (:class:`~newskit.analysis.parquet.PartsFolder`) is sampled in DuckDB: the
        same items, strata and draws as its in-memory annotations, reading only the drawn sentences.
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
    if is_out_of_core(ann):  # an annotations folder: drawn in DuckDB, only the drawn rows read
        from newskit.validation import _sql

        s, strata, population, lookup = _sql.draw(ann, n=n, by=by_l, actors=actors, top=top, seed=seed,
                                                  allocation=allocation, min_per_stratum=min_per_stratum)
        s = s.merge(strata, on="stratum", how="left")
    else:
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
        s["n_mentions"] = s["item_id"].map(n_mentions).astype("int64")
        population = sorted(m["actor"].astype(str).unique())
        sent = ann.sentences[["article_id", "sent_id", "text"]].assign(
            article_id=ann.sentences["article_id"].astype(str))
        lookup = dict(zip(zip(sent["article_id"], sent["sent_id"].astype(int)), sent["text"]))
    s["inclusion_prob"] = s["stratum_n"] / s["stratum_size"]
    s["weight"] = s["stratum_size"] / s["stratum_n"]
    # target offsets inside the sentence, and one sentence of context either side
    s["target_start"] = (s["start"] - s["sent_start"]).astype("int64")
    s["target_end"] = (s["end"] - s["sent_start"]).astype("int64")
    s["target"] = [t[a:b] for t, a, b in zip(s["sentence"], s["target_start"], s["target_end"])]
    # context within the same text: a title's sentences (sent_id < 0) are not the text's (0, 1 …)
    s["context_before"] = [lookup.get((a, int(i) - 1), "") if int(i) != 0 else ""
                           for a, i in zip(s["article_id"], s["sent_id"])]
    s["context_after"] = [lookup.get((a, int(i) + 1), "") if int(i) != -1 else ""
                          for a, i in zip(s["article_id"], s["sent_id"])]
    perm = np.random.default_rng([int(seed), 7]).permutation(len(s))
    s["order"] = np.empty(len(s), dtype=np.int64)
    s.loc[s.index[perm], "order"] = np.arange(len(s))
    s = s.sort_values("order").reset_index(drop=True)
    fp = corpus_fingerprint(ann)
    design = "|".join(f"{i}:{w!r}" for i, w in zip(s["item_id"], s["weight"]))
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


