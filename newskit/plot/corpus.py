"""Corpus-overview figures: counts per outlet and article lengths (with outliers listed, not hidden)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from newskit.plot.style import colour, literal, new_axes

__all__ = ["plot_counts", "plot_length_distribution", "length_outliers", "length_limit"]


def plot_counts(counts: pd.Series, *, ax=None, title: str | None = None, xlabel: str = "articles",
                colour_by: str | None = None):
    """Horizontal bars for a Series of counts (e.g. ``articles.outlet.value_counts()``), largest on top.

    Parameters
    ----------
    counts : Series
        Index = labels, values = counts.
    ax : matplotlib Axes, optional
    title, xlabel : str, optional
    colour_by : {None, "outlet", "actor"}
        Colour each bar from that palette (:func:`newskit.plot.use_palette`); None: one colour.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_counts(pd.Series({"A": 3, "B": 1}), title="Articles per outlet")
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(p.get_width()) for p in ax.patches]
    (['B', 'A'], [1.0, 3.0])
    """
    ax = new_axes(ax, figsize=(7, 0.35 * max(len(counts), 3) + 1))
    counts = counts.sort_values(kind="stable")
    labels = [str(i) for i in counts.index]
    col = [colour(n, kind=colour_by) for n in labels] if colour_by else "#4c72b0"
    ax.barh([literal(s) for s in labels], counts.to_numpy(dtype=float), color=col)
    for y, value in enumerate(counts.to_numpy()):
        ax.annotate(f"{value:,}", (value, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_xlabel(literal(xlabel))
    if title:
        ax.set_title(literal(title))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def length_limit(values: pd.Series | np.ndarray, *, clip: float | str | None = "auto") -> float | None:
    """The length above which articles are outliers (left out of the histogram and listed instead).

    Parameters
    ----------
    values : array-like of numbers
    clip : "auto", float or None
        ``"auto"``: Tukey's far-out fence, the third quartile plus 3 × the interquartile range (a
        single 29,000-word transcript among 800-word articles is beyond it; a corpus with no such
        article is not clipped). A number: that limit. None: no limit.

    Returns
    -------
    float or None
        The limit, or None when no value is above it.

    Examples
    --------
    >>> length_limit([100, 120, 130, 150, 160, 29289])
    262.5
    >>> length_limit([100, 120, 130]) is None
    True
    """
    v = pd.Series(np.asarray(values, dtype=float)).dropna()
    if clip is None or len(v) == 0:
        return None
    if isinstance(clip, str):
        if clip != "auto":
            raise ValueError(f"clip must be 'auto', a number or None, not {clip!r}")
        q1, q3 = v.quantile([0.25, 0.75])
        limit = float(q3 + 3 * (q3 - q1))
    else:
        limit = float(clip)
    return limit if (v > limit).any() else None


def length_outliers(articles: pd.DataFrame, *, column: str = "n_words", clip: float | str | None = "auto",
                    columns=("title", "outlet", "date")) -> pd.DataFrame:
    """The articles longer than :func:`length_limit`, longest first (the ones the histogram leaves out).

    Parameters
    ----------
    articles : DataFrame
    column : str
        Length column.
    clip : "auto", float or None
        See :func:`length_limit`.
    columns : sequence of str
        Other columns to keep (when present).

    Returns
    -------
    DataFrame
        ``article_id`` (when present), ``columns``, ``column``; empty when nothing is clipped.

    Examples
    --------
    >>> df = pd.DataFrame({"title": list("abcdef"), "n_words": [100, 120, 130, 150, 160, 29289]})
    >>> length_outliers(df)
      title  n_words
    0     f    29289
    """
    limit = length_limit(articles[column], clip=clip) if len(articles) else None
    keep = [c for c in ("article_id", *columns) if c in articles.columns] + [column]
    if limit is None:
        return articles.iloc[:0][keep].reset_index(drop=True)
    out = articles[articles[column].astype(float) > limit][keep]
    return out.sort_values(column, ascending=False, kind="stable").reset_index(drop=True)


def plot_length_distribution(articles: pd.DataFrame, *, by: str | None = "outlet", column: str = "n_words",
                             bins: int = 30, clip: float | str | None = "auto", log: bool = False, ax=None):
    """Histogram of article lengths, one outline per group; outliers beyond the limit are left out and
    counted in a note (list them with :func:`length_outliers`).

    Parameters
    ----------
    articles : DataFrame
    by : str, optional
        Group column (one outline per value, outlet colours); None or a single group: filled bars.
    column : str
        Length column (``n_words``).
    bins : int
    clip : "auto", float or None
        Upper limit (see :func:`length_limit`); None draws everything.
    log : bool
        Log-scaled length axis (logarithmic bins) instead of clipping; then nothing is left out.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> df = pd.DataFrame({"n_words": [100, 200, 300, 250, 29289], "outlet": ["A", "A", "B", "B", "B"]})
    >>> ax = plot_length_distribution(df, bins=5)
    >>> bool(ax.get_xlim()[1] < 1000), ax.texts[0].get_text()
    (True, '1 article longer than 600 words not shown')
    """
    ax = new_axes(ax)
    a = articles[articles[column].notna()]
    values = a[column].astype(float)
    limit = None if log else (length_limit(values, clip=clip) if len(values) else None)
    shown = a if limit is None else a[values <= limit]
    sv = shown[column].astype(float)
    if len(sv) == 0:
        edges = bins
    elif log:
        lo = max(1.0, float(sv.min()))
        edges = np.geomspace(lo, max(lo * 1.01, float(sv.max())), bins + 1)
    else:
        edges = np.histogram_bin_edges(sv, bins=bins)
    if by and by in shown and shown[by].nunique() > 1:
        kind = "outlet" if by in ("outlet", "source") else "actor"
        for name, group in shown.groupby(by, sort=True):
            ax.hist(group[column].astype(float), bins=edges, histtype="step", linewidth=1.5,
                    label=literal(name), color=colour(name, kind=kind))
        ax.legend(fontsize=8, frameon=False)
    else:
        ax.hist(sv, bins=edges, color="#4c72b0")
    if log:
        ax.set_xscale("log")
    label = "words per article" if column == "n_words" else column
    ax.set_xlabel(literal(label + (" (log scale)" if log else "")))
    ax.set_ylabel("articles")
    if limit is not None:
        n_out = int((values > limit).sum())
        unit = "words" if column == "n_words" else column
        ax.text(0.99, 0.97, f"{n_out} article{'s' if n_out != 1 else ''} longer than {limit:,.0f} {unit} not shown",
                transform=ax.transAxes, ha="right", va="top", fontsize=8, color="0.3")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
