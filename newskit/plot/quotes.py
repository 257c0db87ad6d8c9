"""Plots of the quote analyses (:mod:`newskit.analysis.quotes`): a table in, a matplotlib ``Axes`` out.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> t = pd.DataFrame({"actor": ["Ann Lee"], "actor_type": ["person"], "n": [3], "share": [0.5],
...                   "ci_low": [0.2], "ci_high": [0.8]})
>>> [float(b.get_width()) for b in plot_quote_frequency(t).patches]
[0.5]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from newskit.plot.style import TYPE_COLOURS, literal, new_axes

__all__ = ["plot_quote_frequency", "plot_quotes_by_type", "plot_who_talks_about_whom", "plot_quote_network"]

_COLOURS = dict(TYPE_COLOURS, **{"": TYPE_COLOURS["other"]})


def _axes(ax=None, figsize=(7, 4.5)):
    return new_axes(ax, figsize=figsize)


def plot_quote_frequency(table: pd.DataFrame, *, ax=None, top: int = 15, value: str = "share",
                         group: str | None = None, title: str | None = None):
    """Horizontal bars of the most quoted actors, with the bootstrap CI as error bars.

    Parameters
    ----------
    table : DataFrame
        :func:`newskit.analysis.quotes.quote_frequency` output: ``actor``, ``value`` (``share`` or ``n``),
        ``ci_low, ci_high`` (drawn when ``value="share"``), ``actor_type`` (bar colour).
    ax : matplotlib Axes, optional
    top : int
        Number of bars.
    value : {"share", "n"}
    group : str, optional
        A ``by`` column: one row of each group is drawn as ``"group · actor"`` bars.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A", "B"], "n": [4, 2], "share": [0.4, 0.2],
    ...                   "ci_low": [0.3, 0.1], "ci_high": [0.5, 0.3]})
    >>> [tick.get_text() for tick in plot_quote_frequency(t).get_yticklabels()]
    ['B', 'A']
    """
    t = table.sort_values(value, ascending=False).head(top).iloc[::-1]
    ax = _axes(ax, figsize=(7, max(2.5, 0.3 * len(t) + 1)))
    labels = t["actor"].astype(str)
    if group is not None:
        labels = t[group].astype(str) + " · " + labels
    labels = [literal(x) for x in labels]
    col = [_COLOURS.get(x, "#999999") for x in t["actor_type"]] if "actor_type" in t else "#4C72B0"
    err = None
    if value == "share" and {"ci_low", "ci_high"} <= set(t.columns):
        v = t[value].to_numpy(float)
        err = np.vstack([np.clip(v - t["ci_low"].to_numpy(float), 0, None),
                         np.clip(t["ci_high"].to_numpy(float) - v, 0, None)])
    ax.barh(labels, t[value], color=col, xerr=err, ecolor="#333333", capsize=2)
    ax.set_xlabel("share of quotes (95 % CI)" if value == "share" else "quotes")
    ax.set_title(literal(title) if title else f"Most quoted: top {len(t)}")
    ax.margins(y=0.01)
    return ax


def plot_quotes_by_type(table: pd.DataFrame, *, ax=None, group: str | None = None, title: str | None = None):
    """Share of quotes by speaker actor type (stacked per group when ``group`` is given).

    Parameters
    ----------
    table : DataFrame
        :func:`~newskit.analysis.quotes.quote_frequency` output with ``top=None`` (``actor_type, n``,
        optionally the ``group`` column).
    ax : matplotlib Axes, optional
    group : str, optional
        A ``by`` column (``"outlet"``): one stacked bar per group.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor_type": ["person", "person", "organisation"], "n": [3, 1, 4]})
    >>> [round(float(b.get_width()), 2) for b in plot_quotes_by_type(t).patches]
    [0.5, 0.5]
    """
    ax = _axes(ax)
    t = table.assign(actor_type=table["actor_type"].fillna("").replace("", "other"))
    if group is None:
        s = t.groupby("actor_type")["n"].sum()
        s = (s / s.sum()).sort_values()
        ax.barh(s.index.astype(str), s.to_numpy(), color=[_COLOURS.get(k, "#999999") for k in s.index])
    else:
        p = t.pivot_table(index=group, columns="actor_type", values="n", aggfunc="sum", fill_value=0)
        p = p.div(p.sum(axis=1), axis=0)
        left = np.zeros(len(p))
        for k in p.columns:
            ax.barh([literal(i) for i in p.index], p[k].to_numpy(), left=left, color=_COLOURS.get(k, "#999999"), label=k)
            left += p[k].to_numpy()
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("share of quotes with a resolved speaker")
    ax.set_xlim(0, 1)
    ax.set_title(title or "Who is quoted, by actor type")
    return ax


def plot_who_talks_about_whom(table: pd.DataFrame, *, ax=None, value: str = "n", top: int = 12,
                              annotate: bool = True, title: str | None = None):
    """Heatmap speaker (rows) × target (columns) from :func:`~newskit.analysis.quotes.who_talks_about_whom`.

    Parameters
    ----------
    table : DataFrame
        ``speaker, target`` and ``value`` (``n`` or ``mean_score``).
    ax : matplotlib Axes, optional
    value : {"n", "mean_score"}
        Cell value; ``mean_score`` uses a diverging map centred on 0.
    top : int
        Most frequent speakers and targets kept (by total ``n``).
    annotate : bool
        Write the value in each non-empty cell.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"speaker": ["A", "A", "B"], "target": ["X", "Y", "X"], "n": [3, 1, 2],
    ...                   "mean_score": [-0.5, 0.2, 0.1]})
    >>> ax = plot_who_talks_about_whom(t)
    >>> sorted(x.get_text() for x in ax.texts)
    ['1', '2', '3']
    """
    ax = _axes(ax)
    sp = table.groupby("speaker")["n"].sum().sort_values(ascending=False).head(top).index
    tg = table.groupby("target")["n"].sum().sort_values(ascending=False).head(top).index
    t = table[table["speaker"].isin(sp) & table["target"].isin(tg)]
    p = t.pivot_table(index="speaker", columns="target", values=value, aggfunc="sum" if value == "n" else "mean")
    p = p.reindex(index=[s for s in sp if s in p.index], columns=[c for c in tg if c in p.columns])
    data = p.to_numpy(float)
    if value == "mean_score":
        im = ax.imshow(np.ma.masked_invalid(data), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    else:
        im = ax.imshow(np.ma.masked_invalid(data), cmap="Blues", aspect="auto")
    ax.figure.colorbar(im, ax=ax, label="mentions inside quotes" if value == "n" else "mean target score")
    ax.set_xticks(range(len(p.columns)), [literal(c) for c in p.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(p.index)), [literal(i) for i in p.index])
    if annotate:
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                if np.isfinite(data[i, j]):
                    ax.text(j, i, f"{data[i, j]:.0f}" if value == "n" else f"{data[i, j]:+.2f}",
                            ha="center", va="center", fontsize=7)
    ax.set_xlabel("actor mentioned in the quotes")
    ax.set_ylabel("speaker")
    ax.set_title(title or "Who talks about whom")
    return ax


def plot_quote_network(table: pd.DataFrame, *, ax=None, top: int = 25, min_n: int = 1,
                       title: str | None = None, seed: int = 0):
    """Directed speaker → target network (edge width = mentions, colour = mean target score).

    Parameters
    ----------
    table : DataFrame
        :func:`~newskit.analysis.quotes.who_talks_about_whom` output.
    ax : matplotlib Axes, optional
    top : int
        Strongest edges drawn.
    min_n : int
        Edges with fewer mentions are not drawn.
    seed : int
        Layout seed (deterministic).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"speaker": ["A", "B"], "target": ["B", "C"], "n": [3, 1], "mean_score": [-0.5, 0.2]})
    >>> ax = plot_quote_network(t)
    >>> sorted(x.get_text() for x in ax.texts if x.get_text())
    ['A', 'B', 'C']
    """
    import matplotlib.pyplot as plt

    ax = _axes(ax, figsize=(7, 6))
    t = table[table["n"] >= min_n].sort_values("n", ascending=False).head(top)
    nodes: list[str] = list(dict.fromkeys(list(t["speaker"]) + list(t["target"])))
    k = len(nodes)
    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * np.pi, k, endpoint=False) + rng.uniform(0, 0.01)
    pos = {n: (np.cos(a), np.sin(a)) for n, a in zip(nodes, ang)}
    cmap = plt.get_cmap("RdBu")
    nmax = max(1, t["n"].max()) if len(t) else 1
    for s, g, n, sc in zip(t["speaker"], t["target"], t["n"],
                           t["mean_score"] if "mean_score" in t else [np.nan] * len(t)):
        colour = cmap((float(sc) + 1) / 2) if pd.notna(sc) else "#777777"
        ax.annotate("", xy=pos[g], xytext=pos[s],
                    arrowprops=dict(arrowstyle="-|>", lw=0.5 + 4 * n / nmax, color=colour,
                                    shrinkA=12, shrinkB=12, connectionstyle="arc3,rad=0.1"))
    speakers = set(t["speaker"])
    for n_ in nodes:
        x, y = pos[n_]
        ax.scatter([x], [y], s=120, color="#4C72B0" if n_ in speakers else "#BBBBBB", zorder=3)
        ax.text(x * 1.12, y * 1.12, literal(n_), ha="center", va="center", fontsize=8)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.4, 1.4)
    ax.set_axis_off()
    ax.set_title(title or "Speaker → actor mentioned (width: mentions, colour: mean score)")
    return ax
