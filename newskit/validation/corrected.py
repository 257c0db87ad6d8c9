"""Corrected estimates: prediction-powered inference with the sampling design and article clusters."""
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
from newskit.validation._common import CLASSES, VALUES, _by_list, _item_ids, _mentions_with_context, _stratum_key, corpus_fingerprint

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
    ann : Annotations or PartsFolder
        The annotations the sample was drawn from (checked by fingerprint). Of a folder, the mentions
        of the sampled actors and their sentences are read into memory (the estimator needs each of them).
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
    if is_out_of_core(ann):  # a folder: the sampled actors' mentions and sentences in memory (not the corpus's)
        from newskit.validation import _sql

        ann = _sql.subset(ann, sample.attrs["actors"])
    m = _mentions_with_context(ann)
    m = m[m["actor"].astype(str).isin(set(sample.attrs["actors"]))]
    for c in by_l + s_by:
        if c not in m.columns:
            raise ValueError(f"no column {c!r} in the mentions or articles")
    m = m[m[s_by].notna().all(axis=1)]
    if "score" not in m.columns:
        raise ValueError("mentions have no 'score' column")
    m = m[m["score"].notna()]  # the population of the sample: scored mentions (speaker spans carry no score)
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




from newskit.validation.sampling import sample  # noqa: E402,F401 (used by the examples above)
