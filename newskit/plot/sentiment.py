"""How each actor is portrayed: ranked means with intervals, outlet × actor heatmaps, lines over time
(per actor, or per outlet for one actor)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from newskit.plot.style import colour, date_axis, empty_note, group_kind, literal, new_axes

__all__ = ["select_actors", "plot_actor_sentiment", "plot_sentiment_heatmap", "plot_sentiment_lines",
           "plot_sentiment_by_outlet"]


def _ci(table: pd.DataFrame) -> tuple[str, str]:
    for lo, hi in (("ci_low", "ci_high"), ("low", "high")):
        if {lo, hi} <= set(table.columns):
            return lo, hi
    raise ValueError("table needs ci_low / ci_high columns")


def select_actors(table: pd.DataFrame, *, top: int | None = 20) -> pd.DataFrame:
    """The rows :func:`plot_actor_sentiment` draws, in its order from the top of the chart down:
    the ``top`` actors with most mentions (``n``), then by mean score, highest first.

    Show this table under the chart: it lists the same actors in the same order.

    Parameters
    ----------
    table : DataFrame
        ``actor_sentiment`` output (``actor, n, mean, …``).
    top : int, optional
        None keeps every actor with a mean.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"actor": ["A", "B", "C"], "n": [50, 5, 20], "mean": [-0.2, 0.9, 0.1]})
    >>> select_actors(t, top=2)["actor"].tolist()
    ['C', 'A']
    """
    t = table.dropna(subset=["mean"])
    if top is not None and "n" in t.columns:
        t = t.sort_values(["n", "actor"], ascending=[False, True], kind="stable").head(top)
    return t.sort_values(["mean", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def plot_actor_sentiment(table: pd.DataFrame, *, ax=None, top: int | None = 20, title: str | None = None,
                         colour_by: str = "actor"):
    """Actors ranked by mean target sentiment with 95% CI error bars (from ``actor_sentiment``).

    Parameters
    ----------
    table : DataFrame
        ``actor, n, mean, ci_low, ci_high`` (one row per actor).
    ax : matplotlib Axes, optional
    top : int, optional
        Keep the ``top`` actors with most mentions, then rank them by mean (:func:`select_actors`:
        show that table next to the chart).
    title : str, optional
    colour_by : {"actor", "sign"}
        Bars in the actor's report colour (default), or red / blue for negative / positive means.

    Returns
    -------
    matplotlib.axes.Axes
        Bars from the top of the chart down in :func:`select_actors` order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A", "B"], "n": [9, 4], "mean": [-0.5, 0.25],
    ...                   "ci_low": [-0.7, 0.0], "ci_high": [-0.3, 0.5]})
    >>> ax = plot_actor_sentiment(t)
    >>> [l.get_text() for l in ax.get_yticklabels()][::-1], [float(p.get_width()) for p in ax.patches][::-1]
    (['B  (n=4)', 'A  (n=9)'], [0.25, -0.5])
    """
    if colour_by not in ("actor", "sign"):
        raise ValueError(f"colour_by must be 'actor' or 'sign', not {colour_by!r}")
    t = select_actors(table, top=top).iloc[::-1]
    ax = new_axes(ax, figsize=(7, max(2.5, 0.32 * len(t) + 1.2)))
    if len(t) == 0:
        return empty_note(ax, "no actor with enough mentions", hide_axes=True)
    lo_c, hi_c = _ci(t)
    y = np.arange(len(t))
    m = t["mean"].to_numpy(float)
    lo = np.clip(m - t[lo_c].to_numpy(float), 0, None)
    hi = np.clip(t[hi_c].to_numpy(float) - m, 0, None)
    if colour_by == "sign":
        cols = np.where(m < 0, "#C44E52", "#4C72B0").tolist()
    else:
        cols = [colour(a) for a in t["actor"]]
    ax.barh(y, m, color=cols, alpha=0.55, height=0.6)
    ax.errorbar(m, y, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], fmt="o", color="0.15", ms=4, capsize=2, lw=1)
    names = t["actor"].astype(str)
    labels = [f"{a}  (n={int(n):,})" for a, n in zip(names, t["n"])] if "n" in t.columns else list(names)
    ax.set_yticks(y, [literal(x) for x in labels], fontsize=8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean target sentiment (−1 negative … +1 positive), 95% CI")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(literal(title or "How each actor is portrayed"))
    return ax


def plot_sentiment_heatmap(table: pd.DataFrame, *, by: str | None = None, ax=None, annotate: bool = True,
                           title: str | None = None):
    """Outlet × actor heatmap of mean target sentiment (from ``actor_sentiment(ann, by="outlet")``).

    Cells are coloured on a diverging scale centred on 0 (at least ±0.6 so figures compare);
    annotations show the mean and the number of mentions. Missing cells (too few mentions) are blank.

    Parameters
    ----------
    table : DataFrame
        ``actor``, the ``by`` column, ``mean``, ``n``.
    by : str, optional
        Column of the x axis (default: outlet, source, month or week, the first present).
    ax : matplotlib Axes, optional
    annotate : bool
        Write mean and count in each cell (up to 400 cells).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A", "A", "B"], "outlet": ["x", "y", "x"], "mean": [0.1, -0.4, 0.3],
    ...                   "n": [5, 6, 7]})
    >>> ax = plot_sentiment_heatmap(t)
    >>> [l.get_text() for l in ax.get_yticklabels()], ax.texts[0].get_text()
    (['A', 'B'], '+0.10\\n5')
    """
    import matplotlib.colors as mcolors

    by = by or next((c for c in ("outlet", "source", "month", "week") if c in table.columns), None)
    if by is None:
        raise ValueError("table needs a grouping column (source/outlet/month/week)")
    ax = new_axes(ax)
    if len(table) == 0:
        return empty_note(ax, "no data", hide_axes=True)
    mean = table.pivot_table(index="actor", columns=by, values="mean", aggfunc="first")
    n = table.pivot_table(index="actor", columns=by, values="n", aggfunc="first").reindex_like(mean)
    order = mean.mean(axis=1).rename("m").reset_index().sort_values(["m", "actor"])["actor"]
    mean, n = mean.loc[order], n.loc[order]
    vmax = max(0.6, float(np.nanmax(np.abs(mean.to_numpy()))) if mean.notna().any().any() else 0.6)
    im = ax.imshow(mean.to_numpy(float), cmap="RdBu", norm=mcolors.TwoSlopeNorm(0, -vmax, vmax), aspect="auto")
    xlabels = [str(c)[:10] if by in ("month", "week") else literal(c) for c in mean.columns]
    ax.set_xticks(range(mean.shape[1]), xlabels, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(mean.shape[0]), [literal(a) for a in mean.index], fontsize=8)
    if annotate and mean.size <= 400:
        for i in range(mean.shape[0]):
            for j in range(mean.shape[1]):
                v = mean.iat[i, j]
                if pd.notna(v):
                    ax.text(j, i, f"{v:+.2f}\n{int(n.iat[i, j])}", ha="center", va="center", fontsize=6.5,
                            color="white" if abs(v) > 0.6 * vmax else "black")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="mean target sentiment")
    ax.set_title(literal(title or f"Mean target sentiment by {by} (number = mentions)"))
    return ax


def _time_column(table: pd.DataFrame, time: str | None) -> str:
    time = time or next((c for c in ("month", "week", "period") if c in table.columns), None)
    if time is None:
        raise ValueError("table needs a 'month', 'week' or 'period' column")
    return time


def _lines(ax, table: pd.DataFrame, *, group: str, time: str, band: bool, palette) -> None:
    lo_c, hi_c = _ci(table) if band else (None, None)
    for name, g in table.groupby(group, sort=True):
        g = g.sort_values(time)
        x = pd.to_datetime(g[time])
        cc = colour(name, kind=group_kind(group), palette=palette)
        ax.plot(x, g["mean"].to_numpy(dtype=float), marker="o", ms=3, lw=1.6, label=literal(name), color=cc)
        if band:
            ax.fill_between(x, g[lo_c].to_numpy(dtype=float), g[hi_c].to_numpy(dtype=float), color=cc,
                            alpha=0.18, lw=0)


def plot_sentiment_lines(table: pd.DataFrame, *, actors=None, time: str | None = None, ax=None, band: bool = True,
                         title: str | None = None, palette: Mapping[str, str] | None = None):
    """Sentiment over time per actor: mean lines with 95% CI bands (from ``actor_sentiment(ann, by="month")``).

    Each actor is drawn in its report colour. A table that also has an outlet column mixes outlets in
    each point; to compare outlets use :func:`plot_sentiment_by_outlet`.

    Parameters
    ----------
    table : DataFrame
        ``actor``, a time column (``month``/``week``), ``mean``, ``ci_low``, ``ci_high``.
    actors : list of str, optional
        Actors drawn (default: all).
    time : str, optional
        Time column (default ``month``, else ``week``).
    ax : matplotlib Axes, optional
    band : bool
    title : str, optional
    palette : mapping, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A", "A"], "month": pd.to_datetime(["2023-01-01", "2023-02-01"]),
    ...                   "mean": [0.2, -0.1], "ci_low": [0.0, -0.3], "ci_high": [0.4, 0.1]})
    >>> plot_sentiment_lines(t).lines[0].get_ydata().tolist()
    [0.2, -0.1]
    """
    time = _time_column(table, time)
    t = table
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        t = t[t["actor"].isin(actors)]
    ax = new_axes(ax, figsize=(9, 4.5))
    if len(t) == 0:
        return empty_note(ax, "no data")
    _lines(ax, t, group="actor", time=time, band=band, palette=palette)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("mean target sentiment (95% CI)")
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    date_axis(ax)
    ax.set_title(literal(title or f"Target sentiment per {time}"))
    return ax


def plot_sentiment_by_outlet(table: pd.DataFrame, *, actor: str, by: str | None = None, time: str | None = None,
                             ax=None, band: bool = True, title: str | None = None,
                             palette: Mapping[str, str] | None = None):
    """One actor's sentiment over time, one line per outlet (actor × outlet × period), so a line's level
    does not depend on each period's outlet mix. Draw one per actor for small multiples.

    Parameters
    ----------
    table : DataFrame
        ``actor``, the outlet column, a time column, ``mean``, ``ci_low``, ``ci_high`` — e.g.
        ``actor_sentiment(ann, by=["outlet", "month"])``.
    actor : str
        The actor drawn.
    by : str, optional
        Outlet column (default ``outlet``, else ``source``).
    time : str, optional
        Time column (default ``month``, else ``week``).
    ax : matplotlib Axes, optional
    band : bool
    title : str, optional
        Default: the actor's name.
    palette : mapping, optional
        Colours by outlet (default: the report's outlet palette).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A"] * 3, "outlet": ["x", "x", "y"],
    ...                   "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-01-01"]),
    ...                   "mean": [0.2, -0.1, 0.5], "ci_low": [0.0, -0.3, 0.4], "ci_high": [0.4, 0.1, 0.6]})
    >>> ax = plot_sentiment_by_outlet(t, actor="A")
    >>> [(l.get_label(), l.get_ydata().tolist()) for l in ax.lines[:2]]
    [('x', [0.2, -0.1]), ('y', [0.5])]
    """
    by = by or next((c for c in ("outlet", "source") if c in table.columns), None)
    if by is None:
        raise ValueError("table needs an 'outlet' or 'source' column")
    time = _time_column(table, time)
    t = table[table["actor"] == actor]
    ax = new_axes(ax, figsize=(9, 4))
    if len(t) == 0:
        empty_note(ax, f"no {time} with enough mentions of {actor}")
    else:
        _lines(ax, t, group=by, time=time, band=band, palette=palette)
        ax.legend(fontsize=7, frameon=False, loc="best")
        date_axis(ax)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("mean target sentiment")
    ax.grid(alpha=0.3)
    ax.set_title(literal(title or actor))
    return ax
