"""Agreement of the model with people, and between people (kappa, alpha)."""
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

from newskit.analysis.parquet import is_out_of_core
from newskit.validation._common import _toy_annotations  # noqa: F401 (doctests)

from newskit.validation._common import CLASSES

# --------------------------------------------------------------------------- agreement
def _model_labels(ann_or_sample, labels: pd.DataFrame) -> pd.Series:
    """The model's label for every labelled item (its first mention's ``sentiment``)."""
    if isinstance(ann_or_sample, pd.DataFrame):
        t = ann_or_sample
        if "sentiment" not in t.columns or "item_id" not in t.columns:
            raise ValueError("a DataFrame passed as ann_or_sample needs 'item_id' and 'sentiment' columns")
        look = t.drop_duplicates("item_id").set_index("item_id")["sentiment"]
        return labels["item_id"].map(look)
    if is_out_of_core(ann_or_sample):  # an annotations folder: the labelled mentions read in DuckDB
        from newskit.validation import _sql

        return _sql.model_labels(ann_or_sample, labels)
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
    ann_or_sample : Annotations, PartsFolder or DataFrame
        Annotations or an annotations folder (the model's label of an item is its first mention's
        ``sentiment``; a folder's labelled mentions are looked up in DuckDB), or a
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




from newskit.validation.sampling import sample  # noqa: E402,F401 (used by the examples above)
