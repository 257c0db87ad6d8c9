"""The one estimator of newskit: means and shares per group, with intervals that resample articles.

Mentions of one article are not independent (an article that calls an actor an aggressor does so
several times), so every interval treats **articles as clusters**: the bootstrap draws whole
articles with replacement (``units="article_id"``) and recomputes the ratio mean
``sum of values / number of values`` over the drawn articles. With ``units=None`` rows are resampled
one by one (the naive interval; only for comparison).

``errorbar`` follows seaborn's vocabulary:

* ``("ci", 95)`` — percentile interval of the cluster bootstrap (default);
* ``("se", 1)`` — mean ± k cluster-robust standard errors (analytic, no resampling);
* ``None`` — no interval (``ci_low``/``ci_high`` are NaN).

Output columns, everywhere: the ``by`` columns, ``n`` (rows), ``n_articles`` (distinct units),
``mean``, ``ci_low``, ``ci_high`` and, with ``shares=``, ``share_<class>`` per class.

>>> import pandas as pd
>>> df = pd.DataFrame({"actor": ["A"] * 4 + ["B"] * 2, "article_id": ["a1", "a1", "a1", "a2", "b1", "b2"],
...                    "score": [-1.0, -1.0, -1.0, 1.0, 0.5, 0.3]})
>>> estimate(df, value="score", by="actor", n_boot=200)[["actor", "n", "n_articles", "mean"]]
  actor  n  n_articles  mean
0     A  4           2  -0.5
1     B  2           2   0.4
"""
from __future__ import annotations

import zlib
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from newskit._options import as_list

__all__ = ["estimate", "group_interval", "cluster_bootstrap", "bootstrap_means", "group_rng", "ESTIMATE_COLUMNS", "check_errorbar"]

ESTIMATE_COLUMNS = ["n", "n_articles", "mean", "ci_low", "ci_high"]
_Z = {90: 1.6448536269514722, 95: 1.959963984540054, 99: 2.5758293035489004}


def group_rng(seed: int, *key: Any) -> np.random.Generator:
    """A generator per group, so a group's interval does not depend on which other groups exist.

    >>> int(group_rng(0, "A").integers(0, 100)) == int(group_rng(0, "A").integers(0, 100))
    True
    """
    h = zlib.crc32("\x1f".join(map(str, key)).encode("utf-8"))
    return np.random.default_rng([int(seed), h])


def check_errorbar(errorbar: Any) -> tuple[str, float] | None:
    """Normalise ``errorbar`` (``"ci"``, ``("ci", 90)``, ``("se", 2)``, ``None``).

    >>> check_errorbar("ci"), check_errorbar(("se", 2)), check_errorbar(None)
    (('ci', 95.0), ('se', 2.0), None)
    """
    if errorbar is None:
        return None
    if isinstance(errorbar, str):
        errorbar = (errorbar, 95 if errorbar == "ci" else 1)
    try:
        kind, level = errorbar
        level = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"errorbar must be ('ci', level), ('se', k) or None, not {errorbar!r}") from None
    if kind not in ("ci", "se"):
        raise ValueError(f"errorbar kind must be 'ci' or 'se', not {kind!r}")
    if kind == "ci" and not 0 < level < 100:
        raise ValueError(f"errorbar ('ci', level) needs 0 < level < 100, not {level}")
    if kind == "se" and level <= 0:
        raise ValueError(f"errorbar ('se', k) needs k > 0, not {level}")
    return kind, level


def cluster_bootstrap(sums: np.ndarray, counts: np.ndarray, *, n_boot: int, rng: np.random.Generator,
                      level: float = 95.0) -> tuple[float, float]:
    """Percentile interval of a ratio mean when whole clusters are resampled.

    Parameters
    ----------
    sums, counts : arrays of one entry per cluster (article)
        Sum of the values and number of values of each cluster.
    n_boot : int
        Resamples.
    rng : numpy Generator
    level : float
        Interval level in percent.

    Returns
    -------
    (low, high) : floats (NaN when there is nothing to resample)

    >>> cluster_bootstrap(np.array([2.0, -1.0, 0.0]), np.array([2, 1, 1]), n_boot=500,
    ...                   rng=np.random.default_rng(0))[0] < 0.25
    True
    """
    k = len(sums)
    if k == 0 or n_boot <= 0:
        return np.nan, np.nan
    if k == 1:
        m = float(sums[0] / counts[0])
        return m, m
    means = bootstrap_means(sums, counts, n_boot=n_boot, rng=rng)
    a = (100 - level) / 2
    lo, hi = np.percentile(means, [a, 100 - a])
    return float(lo), float(hi)


def bootstrap_means(sums: np.ndarray, counts: np.ndarray, *, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` ratio means of clusters drawn with replacement (chunked to bound memory).

    >>> bootstrap_means(np.array([1.0, 3.0]), np.array([1, 1]), n_boot=4, rng=np.random.default_rng(1)).shape
    (4,)
    """
    k = len(sums)
    if k == 0:
        return np.full(n_boot, np.nan)
    means = np.empty(n_boot)
    chunk = max(1, 4_000_000 // k)
    for s in range(0, n_boot, chunk):
        b = min(chunk, n_boot - s)
        idx = rng.integers(0, k, size=(b, k))
        means[s:s + b] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    return means


def _cluster_se(sums: np.ndarray, counts: np.ndarray) -> float:
    """Cluster-robust (linearised) standard error of the ratio mean."""
    k = len(sums)
    if k < 2:
        return np.nan
    total = counts.sum()
    m = sums.sum() / total
    resid = sums - m * counts
    return float(np.sqrt(k / (k - 1) * np.sum(resid ** 2)) / total)


def group_interval(sums: np.ndarray, counts: np.ndarray, *, errorbar: tuple[str, float] | None, n_boot: int,
                   seed: int, key: tuple) -> tuple[float, float, float]:
    """Ratio mean of one group and its interval from its per-article ``sums`` and ``counts`` (the core of
    :func:`estimate`, shared by the out-of-core path so both give the same numbers for the same seed).

    >>> group_interval(np.array([2.0, 0.0]), np.array([2.0, 2.0]), errorbar=("se", 1), n_boot=0, seed=0, key=("A",))
    (0.5, 0.0, 1.0)
    """
    mean = float(sums.sum() / counts.sum())
    if errorbar is None:
        return mean, np.nan, np.nan
    if errorbar[0] == "ci":
        lo, hi = cluster_bootstrap(sums, counts, n_boot=n_boot, rng=group_rng(seed, *key), level=errorbar[1])
        return mean, lo, hi
    se = _cluster_se(sums, counts)
    return mean, mean - errorbar[1] * se, mean + errorbar[1] * se


def estimate(df: pd.DataFrame, *, value: str, by: str | Sequence[str] | None = None,
             errorbar: Any = ("ci", 95), units: str | None = "article_id", n_boot: int = 1000,
             seed: int = 0, shares: str | None = None, classes: Iterable[str] | None = None,
             min_n: int = 1) -> pd.DataFrame:
    """Mean of ``value`` per group with an interval that resamples ``units`` (articles) — the one
    estimator behind ``actor_sentiment``, ``compare_sources``, ``timeline(metric="sentiment")``.

    Parameters
    ----------
    df : DataFrame
        One row per observation (a mention), with ``value``, the ``by`` columns and ``units``.
    value : str
        Numeric column to average (NaN rows are left out).
    by : str or list of str, optional
        Group columns; None → one row for the whole table.
    errorbar : ("ci", level) | ("se", k) | None
        Interval kind (see the module docstring).
    units : str or None
        Cluster column (default ``article_id``); None resamples rows.
    n_boot : int
        Bootstrap resamples for ``("ci", level)``.
    seed : int
        Seed; each group draws from its own generator derived from the seed and the group key.
    shares : str, optional
        A categorical column (e.g. ``sentiment``) whose class shares are added as ``share_<class>``.
    classes : iterable of str, optional
        The classes of ``shares`` (default: the sorted values present).
    min_n : int
        Groups with fewer rows are dropped.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n, n_articles, mean, ci_low, ci_high`` (+ ``share_*``), sorted by the groups.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["x", "x", "y"], "article_id": ["a", "b", "c"], "v": [1.0, 0.0, 0.5],
    ...                    "s": ["positive", "neutral", "neutral"]})
    >>> estimate(df, value="v", by="g", shares="s", errorbar=None)
       g  n  n_articles  mean  ci_low  ci_high  share_neutral  share_positive
    0  x  2           2   0.5     NaN      NaN            0.5             0.5
    1  y  1           1   0.5     NaN      NaN            1.0             0.0
    """
    keys = as_list(by)
    eb = check_errorbar(errorbar)
    missing = [c for c in keys + [value] + ([units] if units else []) + ([shares] if shares else [])
               if c not in df.columns]
    if missing:
        raise ValueError(f"estimate(): no column(s) {missing} in the table")
    d = df[df[value].notna()]
    if units is None:
        d = d.assign(_unit=np.arange(len(d)))
        ucol = "_unit"
    else:
        ucol = units
    class_list = sorted(d[shares].dropna().unique()) if shares and classes is None else list(classes or [])
    cols = keys + ESTIMATE_COLUMNS + [f"share_{c}" for c in class_list]
    rows = []
    groups = d.groupby(keys, sort=True, observed=True, dropna=True) if keys else [((), d)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        if len(g) < min_n or len(g) == 0:
            continue
        per = g.groupby(ucol, sort=False)[value].agg(["sum", "count"])
        mean, lo, hi = group_interval(per["sum"].to_numpy(dtype="float64"), per["count"].to_numpy(dtype="float64"),
                                      errorbar=eb, n_boot=n_boot, seed=seed, key=key)
        row = dict(zip(keys, key))
        row.update({"n": len(g), "n_articles": len(per), "mean": mean, "ci_low": lo, "ci_high": hi})
        if shares:
            vc = g[shares].value_counts(normalize=True)
            row.update({f"share_{c}": float(vc.get(c, 0.0)) for c in class_list})
        rows.append(row)
    if not rows:
        out = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("n", "n_articles") else
                                         (df[c].dtype if c in df.columns else "float64")) for c in cols})
        return out
    out = pd.DataFrame(rows, columns=cols)
    return out.reset_index(drop=True)


SHARE_COLUMNS = ["actor", "actor_type", "n", "n_articles", "share", "ci_low", "ci_high", "n_quotes"]


def share_rows(keys: list, gkey: tuple, actors: Sequence[str], types: Mapping[str, str], rows: np.ndarray,
               cols: np.ndarray, vals: np.ndarray, totals: np.ndarray, *, n_boot: int, seed: int) -> list[dict]:
    """One group's rows of a share table (``quote_frequency``): each actor with a non-zero count, its
    share of the group's ``totals`` and the article-resampled interval (:func:`_bootstrap_shares`)."""
    lo, hi = _bootstrap_shares(rows, cols, vals, len(actors), totals, n_boot=n_boot, rng=group_rng(seed, *gkey))
    n_per = np.bincount(cols, weights=vals, minlength=len(actors))
    arts_per = np.bincount(cols, minlength=len(actors))
    n_total = int(totals.sum())
    out = []
    for j, a in enumerate(actors):
        n = int(n_per[j])
        if n:
            out.append(dict(zip(keys, gkey)) | {
                "actor": a, "actor_type": types.get(a, ""), "n": n, "n_articles": int(arts_per[j]),
                "share": n / n_total if n_total else np.nan, "ci_low": float(lo[j]), "ci_high": float(hi[j]),
                "n_quotes": n_total})
    return out


def share_table(rows: list[dict], keys: list) -> pd.DataFrame:
    """The rows of :func:`share_rows` as a table: groups in order, most quoted actor first."""
    out = pd.DataFrame(rows, columns=keys + SHARE_COLUMNS)
    if not len(out):
        return out
    out = out.sort_values(keys + ["n", "actor"], ascending=[True] * len(keys) + [False, True])
    return out.reset_index(drop=True)


_BOOT_CELLS = 1 << 23  # resampled cells held at once (resamples × max(articles, non-zero counts))


def _bootstrap_shares(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_cols: int, totals: np.ndarray, *,
                      n_boot: int, rng: np.random.Generator, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile CI of ``counts.sum(0) / totals.sum()`` resampling articles (rows) with replacement.

    ``counts`` (articles × ``n_cols``) is given by its non-zero cells ``(rows, cols, vals)``: memory is
    one resample block of ``n_boot`` rows, or of as many as fit ``_BOOT_CELLS`` cells, never articles ×
    actors. Every resample draws ``rng.integers(0, n_art, n_art)``, one call per block: numpy's bounded
    int64 draws do not depend on how the calls split them, so the interval is that of one call for all
    ``n_boot`` resamples whatever the block size (tested). Counts are integers, so the sums are exact in
    any order: the result equals the dense ``w @ counts`` of earlier versions bit for bit.

    >>> lo, hi = _bootstrap_shares(np.array([0, 1]), np.array([0, 0]), np.array([1.0, 1.0]), 1,
    ...                            np.array([1.0, 2.0]), n_boot=200, rng=np.random.default_rng(0))
    >>> bool(0 <= lo[0] <= 2 / 3 <= hi[0] <= 1)
    True
    """
    n_art = len(totals)
    if n_art == 0:
        nan = np.full(n_cols, np.nan)
        return nan, nan
    order = np.argsort(cols, kind="stable")
    rows, cols, vals = np.asarray(rows)[order], np.asarray(cols)[order], np.asarray(vals, dtype=float)[order]
    ucols, starts = np.unique(cols, return_index=True)
    width = max(n_art, len(rows), 1)
    step = n_boot if n_boot * width <= _BOOT_CELLS else max(1, _BOOT_CELLS // width)
    shares = np.empty((n_boot, n_cols))
    for b0 in range(0, n_boot, step):
        b = min(step, n_boot - b0)
        idx = rng.integers(0, n_art, size=(b, n_art))
        w = np.bincount((np.arange(b)[:, None] * n_art + idx).ravel(), minlength=b * n_art)
        w = w.reshape(b, n_art).astype(float)
        del idx
        num = np.zeros((b, n_cols))
        if len(rows):
            num[:, ucols] = np.add.reduceat(w[:, rows] * vals, starts, axis=1)
        den = (w @ totals)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[b0:b0 + b] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    a = (1 - level) / 2
    return np.nanquantile(shares, a, axis=0), np.nanquantile(shares, 1 - a, axis=0)
