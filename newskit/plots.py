"""Every plot of the kit: a table in, a matplotlib ``Axes`` out.

Functions take the tables returned by the analysis functions (``entity_frequency``,
``cooccurrence``, timelines, sentiment tables …) and an optional ``ax``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _axes(ax=None, figsize=(7, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --------------------------------------------------------------------------- entities
def plot_entity_frequency(table: pd.DataFrame, *, ax=None, top: int = 15, value: str = "mentions",
                          title: str | None = None):
    """Horizontal bars of the most frequent actors (from ``entity_frequency``).

    Parameters
    ----------
    table : DataFrame
        ``actor`` and ``value`` columns (``mentions``, ``articles`` or ``share``); ``actor_type`` colours bars.
    ax : matplotlib Axes, optional
    top : int
        Number of bars.
    value : str
        Column to plot.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["Kyiv", "Putin"], "actor_type": ["place", "person"],
    ...                   "mentions": [5, 3]})
    >>> plot_entity_frequency(t).get_xlabel()
    'mentions'
    """
    t = table.sort_values(value, ascending=False).head(top).iloc[::-1]
    ax = _axes(ax, figsize=(7, max(2.5, 0.3 * len(t) + 1)))
    colours = {"person": "#4C72B0", "place": "#55A868", "organisation": "#C44E52", "group": "#8172B2",
               "event": "#CCB974", "other": "#999999"}
    col = [colours.get(x, "#999999") for x in t["actor_type"]] if "actor_type" in t else "#4C72B0"
    ax.barh(t["actor"].astype(str), t[value], color=col)
    ax.set_xlabel(value)
    if "actor_type" in t:
        from matplotlib.patches import Patch

        present = [k for k in colours if k in set(t["actor_type"])]
        ax.legend(handles=[Patch(color=colours[k], label=k) for k in present], loc="lower right", fontsize=8)
    ax.set_title(title or f"Top {len(t)} actors by {value}")
    ax.margins(y=0.01)
    return ax


def _spring_layout(names, weights, *, iterations: int = 200, seed: int = 0):
    """Fruchterman–Reingold layout in numpy (no networkx)."""
    n = len(names)
    rng = np.random.default_rng(seed)
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(scale=0.01, size=(n, 2))
    if n <= 2:
        return pos
    k = 1.0 / np.sqrt(n)
    w = weights / (weights.max() or 1)
    t = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1) + 1e-9
        rep = (k * k / dist ** 2)[..., None] * delta
        att = -(w * dist / k)[..., None] * delta
        disp = (rep + att).sum(axis=1)
        length = np.linalg.norm(disp, axis=1) + 1e-9
        pos += disp / length[:, None] * np.minimum(length, t)[:, None]
        pos -= pos.mean(axis=0)
        t *= 0.98
    return pos


def plot_cooccurrence(table: pd.DataFrame, *, ax=None, kind: str = "heatmap", value: str = "count",
                      top: int = 15, layout: str = "spring", title: str | None = None):
    """Co-occurrence of actors (from ``cooccurrence``) as a heatmap or a network.

    Parameters
    ----------
    table : DataFrame
        ``actor_a``, ``actor_b`` and ``value`` (``count``, ``pmi``, ``jaccard`` …).
    kind : {"heatmap", "network"}
    value : str
        Cell colour (heatmap) or edge width (network).
    top : int
        Actors shown: those in the most pairs by total ``count``.
    layout : {"spring", "circular"}
        Network layout (numpy only).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor_a": ["A", "A"], "actor_b": ["B", "C"], "count": [3, 1]})
    >>> plot_cooccurrence(t, kind="network").get_title()
    'Actor co-occurrence (count)'
    """
    if kind not in ("heatmap", "network"):
        raise ValueError("kind must be 'heatmap' or 'network'")
    tot = pd.concat([table[["actor_a", "count"]].rename(columns={"actor_a": "actor"}),
                     table[["actor_b", "count"]].rename(columns={"actor_b": "actor"})])
    keep = tot.groupby("actor")["count"].sum().sort_values(ascending=False).head(top).index.tolist()
    t = table[table["actor_a"].isin(keep) & table["actor_b"].isin(keep)]
    title = title or f"Actor co-occurrence ({value})"
    if kind == "heatmap":
        ax = _axes(ax, figsize=(7, 6))
        mat = pd.DataFrame(np.nan, index=keep, columns=keep)
        for a, b, v in zip(t["actor_a"], t["actor_b"], t[value]):
            mat.loc[a, b] = mat.loc[b, a] = v
        arr = mat.to_numpy(dtype=float)
        norm = None
        if value == "count" and np.nanmin(arr, initial=np.inf) > 0 and np.nanmax(arr, initial=0) > 20 * np.nanmin(arr, initial=np.inf):
            from matplotlib.colors import LogNorm

            norm = LogNorm()
        im = ax.imshow(arr, cmap="viridis", norm=norm)
        ax.set_xticks(range(len(keep)), keep, rotation=90, fontsize=8)
        ax.set_yticks(range(len(keep)), keep, fontsize=8)
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label=value)
        ax.set_title(title)
        return ax
    ax = _axes(ax, figsize=(7, 7))
    idx = {n: i for i, n in enumerate(keep)}
    w = np.zeros((len(keep), len(keep)))
    for a, b, v in zip(t["actor_a"], t["actor_b"], t["count"]):
        w[idx[a], idx[b]] = w[idx[b], idx[a]] = v
    if layout == "circular" or len(keep) <= 2:
        ang = np.linspace(0, 2 * np.pi, len(keep), endpoint=False)
        pos = np.c_[np.cos(ang), np.sin(ang)]
    else:
        pos = _spring_layout(keep, np.log1p(w))
    t = t.sort_values("count", ascending=False).head(3 * len(keep))  # strongest edges only
    vals = t[value].astype(float)
    vmax = vals.abs().max() if len(vals) else 1.0
    for (a, b, v) in zip(t["actor_a"], t["actor_b"], vals):
        i, j = idx[a], idx[b]
        ax.plot(pos[[i, j], 0], pos[[i, j], 1], color="#777777", alpha=0.6,
                lw=0.5 + 4 * abs(v) / (vmax or 1), zorder=1)
    size = tot.groupby("actor")["count"].sum().reindex(keep).fillna(0).to_numpy()
    ax.scatter(pos[:, 0], pos[:, 1], s=80 + 600 * size / (size.max() or 1), color="#4C72B0", zorder=2)
    for n, (x, y) in zip(keep, pos):
        ax.annotate(n, (x, y), fontsize=8, ha="center", va="bottom", xytext=(0, 6), textcoords="offset points")
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def plot_actor_by_group(table: pd.DataFrame, *, group: str | None = None, value: str = "share", ax=None,
                        title: str | None = None):
    """Heatmap of actors × groups (outlets, months …) from ``entity_frequency(ann, by=...)``.

    ``value="share"`` is normalised per article of the group (articles mentioning the actor /
    articles in the group).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"outlet": ["A", "B"], "actor": ["Kyiv", "Kyiv"], "share": [0.5, 0.2]})
    >>> plot_actor_by_group(t).get_xlabel()
    'outlet'
    """
    group = group or table.columns[0]
    mat = table.pivot_table(index="actor", columns=group, values=value, aggfunc="sum").fillna(0)
    mat = mat.loc[mat.sum(axis=1).sort_values(ascending=False).index]
    ax = _axes(ax, figsize=(1.2 * mat.shape[1] + 4, 0.3 * mat.shape[0] + 2))
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    labels = [c.strftime("%Y-%m-%d") if hasattr(c, "strftime") else str(c) for c in mat.columns]
    ax.set_xticks(range(mat.shape[1]), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(mat.shape[0]), mat.index, fontsize=8)
    ax.set_xlabel(group)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=value)
    ax.set_title(title or f"Actors by {group} ({value})")
    return ax


# --- corpus overview -------------------------------------------------------------------------


def plot_counts(counts: pd.Series, *, ax=None, title: str | None = None, xlabel: str = "articles"):
    """Horizontal bars for a Series of counts (e.g. ``articles.outlet.value_counts()``).

    >>> import pandas as pd
    >>> ax = plot_counts(pd.Series({"A": 3, "B": 1}), title="Articles per outlet")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['B', 'A']
    """
    ax = _axes(ax, figsize=(7, 0.35 * max(len(counts), 3) + 1))
    counts = counts.sort_values()
    ax.barh([str(i) for i in counts.index], counts.to_numpy(), color="#4c72b0")
    for y, value in enumerate(counts.to_numpy()):
        ax.annotate(f"{value:,}", (value, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_length_distribution(articles: pd.DataFrame, *, by: str | None = "outlet", column: str = "n_words",
                             bins: int = 30, ax=None):
    """Histogram of article lengths (words), one outline per group.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"n_words": [100, 200, 300, 800], "outlet": ["A", "A", "B", "B"]})
    >>> plot_length_distribution(df).get_xlabel()
    'words per article'
    """
    ax = _axes(ax)
    values = articles[column].astype(float)
    edges = np.histogram_bin_edges(values, bins=bins) if len(values) else bins
    if by and by in articles and articles[by].nunique() > 1:
        for name, group in articles.groupby(by, sort=True):
            ax.hist(group[column], bins=edges, histtype="step", linewidth=1.5, label=str(name))
        ax.legend(fontsize=8, frameon=False)
    else:
        ax.hist(values, bins=edges, color="#4c72b0")
    ax.set_xlabel("words per article" if column == "n_words" else column)
    ax.set_ylabel("articles")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# --------------------------------------------------------------------------- timelines
def _date_axis(ax) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def _timeline_group(table: pd.DataFrame) -> str | None:
    g = table.attrs.get("by")
    if g in table.columns:
        return g
    extra = [c for c in table.columns if c not in ("period", "value", "n", "n_articles", "ci_low", "ci_high", "rolling")]
    return extra[0] if extra else None


def plot_timeline(table: pd.DataFrame, *, ax=None, kind: str = "line", annotate_peaks: int = 0,
                  headlines=None, value: str | None = None, title: str | None = None):
    """Lines (one per group) or stacked areas of a :func:`newskit.timeline` table, with peak notes.

    Parameters
    ----------
    table : DataFrame
        ``period``, optional group column (``source``/``outlet``/``actor``), ``value`` (and ``rolling``).
    ax : matplotlib Axes, optional
    kind : {"line", "stacked"}
    annotate_peaks : int
        Mark the N highest periods; with ``headlines`` the note shows the top headline of the period.
    headlines : Annotations, articles DataFrame or a ``newskit.timeline.peaks`` table, optional
    value : str, optional
        Column to plot (default ``rolling`` when present, else ``value``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"period": pd.date_range("2022-01-03", periods=3, freq="W-MON"), "value": [1, 4, 2]})
    >>> plot_timeline(t, annotate_peaks=1).get_ylabel()
    'articles'
    """
    if kind not in ("line", "stacked"):
        raise ValueError(f"kind must be 'line' or 'stacked', not {kind!r}")
    ax = _axes(ax, figsize=(9, 4.5))
    col = value or ("rolling" if "rolling" in table.columns else "value")
    group = _timeline_group(table)
    if group:
        wide = table.pivot_table(index="period", columns=group, values=col, aggfunc="sum", dropna=False)
        wide = wide[wide.sum().sort_values(ascending=False).index]
    else:
        wide = table.set_index("period")[[col]].rename(columns={col: table.attrs.get("metric", col)})
    x = pd.to_datetime(wide.index)
    if kind == "stacked":
        ax.stackplot(x, *[wide[c].fillna(0).to_numpy(dtype=float) for c in wide.columns],
                     labels=[str(c) for c in wide.columns], alpha=0.85)
    else:
        one = len(wide) == 1
        for c in wide.columns:
            ax.plot(x, wide[c].to_numpy(dtype=float), marker="o" if one or len(wide) <= 20 else None,
                    ms=3, lw=1.5, label=str(c))
    if group:
        ax.legend(fontsize=8, ncol=2 if wide.shape[1] > 6 else 1, loc="upper left", frameon=False)
    metric = table.attrs.get("metric", "articles")
    ax.set_ylabel(metric if col != "rolling" else f"{metric} (rolling mean)")
    ax.set_ylim(bottom=0)
    if annotate_peaks:
        from newskit.analysis.timelines import peaks as _peaks

        if isinstance(headlines, pd.DataFrame) and "headline" in headlines.columns:
            pk = headlines.head(annotate_peaks)
        else:
            # stacked: the busiest periods of the plotted total; lines: the highest points of the lines
            pk = _peaks(table, top=annotate_peaks, articles=headlines,
                        total=kind == "stacked" and table.attrs.get("metric") != "sentiment")
        total = wide.sum(axis=1) if kind == "stacked" else None
        for i, r in enumerate(pk.itertuples(index=False)):
            y = float(total.loc[r.period]) if total is not None else float(r.value)
            label = f"{pd.Timestamp(r.period):%d %b %Y}"
            if group and group in pk.columns:
                label += f" · {getattr(r, group)}"
            head = getattr(r, "headline", None)
            if isinstance(head, str) and head:
                label += "\n" + (head if len(head) <= 60 else head[:57] + "…")
            ax.annotate(label, (pd.Timestamp(r.period), y), xytext=(8, -14 - 26 * i), textcoords="offset points",
                        fontsize=7, ha="left", va="top",
                        arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.6},
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.7", "alpha": 0.9})
            ax.plot([pd.Timestamp(r.period)], [y], "o", color="black", ms=4)
    _date_axis(ax)
    freq = {"D": "day", "W": "week", "M": "month"}.get(table.attrs.get("freq"), "period")
    ax.set_title(title or f"{metric.capitalize()} per {freq}" + (f" by {group}" if group else ""))
    return ax


def plot_sentiment_timeline(table: pd.DataFrame, *, ax=None, title: str | None = None, band: bool = True):
    """Mean sentiment per period (one line per group) with shaded 95% confidence bands.

    Parameters
    ----------
    table : DataFrame
        ``timeline(..., metric="sentiment")``: ``period``, optional group, ``value``, ``ci_low``, ``ci_high``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"period": pd.date_range("2022-01-03", periods=3, freq="W-MON"),
    ...                   "value": [0.1, None, -0.2], "ci_low": [0.0, None, -0.3], "ci_high": [0.2, None, -0.1]})
    >>> plot_sentiment_timeline(t).get_ylabel()
    'mean sentiment (95% CI)'
    """
    ax = _axes(ax, figsize=(9, 4.5))
    group = _timeline_group(table)
    parts = table.groupby(group, sort=False) if group else [(None, table)]
    for name, g in parts:
        g = g.sort_values("period")
        x = pd.to_datetime(g["period"])
        y = g["value"].to_numpy(dtype=float)
        line, = ax.plot(x, y, marker="o", ms=3, lw=1.5, label=None if name is None else str(name))
        if band and {"ci_low", "ci_high"} <= set(g.columns):
            ax.fill_between(x, g["ci_low"].to_numpy(dtype=float), g["ci_high"].to_numpy(dtype=float),
                            color=line.get_color(), alpha=0.18, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, ls="--")
    if group:
        ax.legend(fontsize=8, loc="best", frameon=False)
    ax.set_ylabel("mean sentiment (95% CI)")
    _date_axis(ax)
    ax.set_title(title or "Sentiment over time" + (f" by {group}" if group else ""))
    return ax


def plot_event_timeline(events: pd.DataFrame, *, ax=None, actors=None, top: int = 8, title: str | None = None,
                        granularity=("day",)):
    """Event dates vs publication dates: one row per actor, dots per day (size = number of sentences).

    Filled dots are the dates the sentences talk about (``event_date``); hollow dots the publication
    dates of the same sentences; a thin line joins the two for the busiest days.

    Parameters
    ----------
    events : DataFrame
        ``newskit.event_timeline`` output (``event_date``, ``published``, ``actors``).
    actors : list of str, optional
        Rows to show (default: the ``top`` actors with most dated sentences; without actors one row).
    granularity : str or tuple, optional
        Event-date granularities shown (default day-level only; None for all).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ev = pd.DataFrame({"event_date": pd.to_datetime(["2022-07-03"]), "published": pd.to_datetime(["2022-07-04"]),
    ...                    "actors": [["Lysychansk"]]})
    >>> plot_event_timeline(ev).get_yticklabels()[0].get_text()
    'Lysychansk'
    """
    ev = events.copy()
    if granularity is not None and "granularity" in ev.columns:
        ev = ev[ev["granularity"].isin([granularity] if isinstance(granularity, str) else list(granularity))]
    if "actors" in ev.columns and ev["actors"].map(lambda a: isinstance(a, (list, tuple, np.ndarray))).any():
        ev = ev.explode("actors").rename(columns={"actors": "actor"})
    elif "actor" not in ev.columns:
        ev["actor"] = "all"
    ev["actor"] = ev["actor"].fillna("(no actor)")
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        ev = ev[ev["actor"].isin(actors)]
        rows = actors
    else:
        rows = ev["actor"].value_counts().head(top).index.tolist()
        ev = ev[ev["actor"].isin(rows)]
    ax = _axes(ax, figsize=(9, max(2.5, 0.5 * len(rows) + 1.5)))
    ypos = {a: i for i, a in enumerate(rows[::-1])}
    if len(ev):
        ev_day = pd.to_datetime(ev["event_date"]).dt.normalize()
        pub_day = pd.to_datetime(ev["published"]).dt.normalize()
        e = ev.assign(day=ev_day).groupby(["actor", "day"]).size().reset_index(name="n")
        p = ev.assign(day=pub_day).dropna(subset=["day"]).groupby(["actor", "day"]).size().reset_index(name="n")
        scale = 60 / max(1, max(e["n"].max(), p["n"].max() if len(p) else 1)) ** 0.5
        ax.scatter(p["day"], p["actor"].map(ypos) - 0.15, s=10 + scale * p["n"] ** 0.5 * 4, facecolors="none",
                   edgecolors="#4C72B0", lw=0.8, label="published")
        ax.scatter(e["day"], e["actor"].map(ypos) + 0.15, s=10 + scale * e["n"] ** 0.5 * 4, color="#C44E52",
                   alpha=0.75, label="event date")
        ax.legend(fontsize=8, loc="upper left", frameon=False, markerscale=0.7)
        _date_axis(ax)
    else:
        ax.scatter([], [])
        ax.text(0.5, 0.5, "no dated sentences", transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_yticks(list(ypos.values()), list(ypos.keys()), fontsize=8)
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "When events happened (●) vs when they were reported (○)")
    return ax


# --------------------------------------------------------------------------- sentiment by actor
def plot_actor_sentiment(table: pd.DataFrame, *, ax=None, top: int | None = 20, title: str | None = None):
    """Actors ranked by mean target sentiment with bootstrap 95% CI error bars (from ``actor_sentiment``).

    Parameters
    ----------
    table : DataFrame
        ``actor, n, mean, ci_low, ci_high`` (one row per actor).
    top : int, optional
        Keep the ``top`` actors with most mentions (then rank them by mean).
    """
    t = table.dropna(subset=["mean"])
    if top is not None and "n" in t.columns:
        t = t.nlargest(top, "n")
    t = t.sort_values("mean")
    ax = _axes(ax, figsize=(7, max(2.5, 0.32 * len(t) + 1.2)))
    if len(t) == 0:
        ax.text(0.5, 0.5, "no actor with enough mentions", transform=ax.transAxes, ha="center", va="center",
                color="0.4")
        ax.set_axis_off()
        return ax
    y = np.arange(len(t))
    m = t["mean"].to_numpy(float)
    lo = np.clip(m - t["ci_low"].to_numpy(float), 0, None)
    hi = np.clip(t["ci_high"].to_numpy(float) - m, 0, None)
    colours = np.where(m < 0, "#C44E52", "#4C72B0")
    ax.barh(y, m, color=colours, alpha=0.35, height=0.6)
    ax.errorbar(m, y, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], fmt="o", color="0.15", ms=4, capsize=2, lw=1)
    labels = [f"{a}  (n={n:,})" for a, n in zip(t["actor"], t["n"])] if "n" in t.columns else t["actor"]
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("mean target sentiment (−1 negative … +1 positive), 95% bootstrap CI")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "How each actor is portrayed")
    return ax


def plot_sentiment_heatmap(table: pd.DataFrame, *, by: str | None = None, ax=None, annotate: bool = True,
                           title: str | None = None):
    """Outlet × actor heatmap of mean target sentiment (from ``actor_sentiment(ann, by="source")``).

    Cells are coloured on a diverging scale centred on 0 (fixed to ±0.6 so figures compare);
    annotations show the mean and the number of mentions. Missing cells (too few mentions) are blank.
    """
    import matplotlib.colors as mcolors

    by = by or next((c for c in ("outlet", "source", "month", "week") if c in table.columns), None)
    if by is None:
        raise ValueError("table needs a grouping column (source/outlet/month/week)")
    ax = _axes(ax)
    if len(table) == 0:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.4")
        ax.set_axis_off()
        return ax
    mean = table.pivot_table(index="actor", columns=by, values="mean", aggfunc="first")
    n = table.pivot_table(index="actor", columns=by, values="n", aggfunc="first").reindex_like(mean)
    order = mean.mean(axis=1).sort_values().index
    mean, n = mean.loc[order], n.loc[order]
    vmax = max(0.6, float(np.nanmax(np.abs(mean.to_numpy()))) if mean.notna().any().any() else 0.6)
    im = ax.imshow(mean.to_numpy(float), cmap="RdBu", norm=mcolors.TwoSlopeNorm(0, -vmax, vmax), aspect="auto")
    ax.set_xticks(range(mean.shape[1]), [str(c)[:10] if by in ("month", "week") else str(c) for c in mean.columns],
                  rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(mean.shape[0]), mean.index, fontsize=8)
    if annotate and mean.size <= 400:
        for i in range(mean.shape[0]):
            for j in range(mean.shape[1]):
                v = mean.iat[i, j]
                if pd.notna(v):
                    ax.text(j, i, f"{v:+.2f}\n{int(n.iat[i, j])}", ha="center", va="center", fontsize=6.5,
                            color="white" if abs(v) > 0.6 * vmax else "black")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="mean target sentiment")
    ax.set_title(title or f"Mean target sentiment by {by} (number = mentions)")
    return ax


def plot_sentiment_lines(table: pd.DataFrame, *, actors=None, time: str | None = None, ax=None, band: bool = True,
                         title: str | None = None):
    """Sentiment over time per actor: mean lines with 95% CI bands (from ``actor_sentiment(ann, by="month")``)."""
    time = time or next((c for c in ("month", "week") if c in table.columns), None)
    if time is None:
        raise ValueError("table needs a 'month' or 'week' column")
    t = table
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        t = t[t["actor"].isin(actors)]
    ax = _axes(ax, figsize=(9, 4.5))
    if len(t) == 0:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.4")
        return ax
    for actor, g in t.groupby("actor", sort=False):
        g = g.sort_values(time)
        x = pd.to_datetime(g[time])
        (line,) = ax.plot(x, g["mean"], marker="o", ms=3, lw=1.6, label=f"{actor}")
        if band:
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=line.get_color(), alpha=0.18, lw=0)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("mean target sentiment (95% CI)")
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax.grid(alpha=0.3)
    try:
        _date_axis(ax)
    except Exception:  # pragma: no cover - formatting only
        pass
    ax.set_title(title or f"Target sentiment per {time}")
    return ax
