"""Who the coverage is about: actor frequency bars, actor × group heatmaps, co-occurrence."""
from __future__ import annotations

import numpy as np
import pandas as pd

from newskit.plot.style import TYPE_COLOURS, colour, literal, new_axes

__all__ = ["plot_entity_frequency", "plot_cooccurrence", "plot_actor_by_group"]


def plot_entity_frequency(table: pd.DataFrame, *, ax=None, top: int = 15, value: str = "mentions",
                          title: str | None = None, colour_by: str = "actor"):
    """Horizontal bars of the most frequent actors (from ``entity_frequency``), largest on top.

    Parameters
    ----------
    table : DataFrame
        ``actor`` and ``value`` columns (``mentions``, ``articles`` or ``share``); ``actor_type`` optional.
    ax : matplotlib Axes, optional
    top : int
        Number of bars.
    value : str
        Column to plot.
    title : str, optional
    colour_by : {"actor", "type"}
        ``"actor"`` (default): each bar in its actor's colour from the report palette
        (:func:`newskit.plot.use_palette`), the type written after the name when the bars mix types;
        ``"type"``: one colour per actor type, with a legend.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["Kyiv", "Putin"], "actor_type": ["place", "person"],
    ...                   "mentions": [5, 3]})
    >>> ax = plot_entity_frequency(t)
    >>> [l.get_text() for l in ax.get_yticklabels()], [float(p.get_width()) for p in ax.patches]
    (['Putin (person)', 'Kyiv (place)'], [3.0, 5.0])
    """
    if colour_by not in ("actor", "type"):
        raise ValueError(f"colour_by must be 'actor' or 'type', not {colour_by!r}")
    t = table.sort_values([value, "actor"], ascending=[False, True], kind="stable").head(top).iloc[::-1]
    ax = new_axes(ax, figsize=(7, max(2.5, 0.3 * len(t) + 1)))
    has_type = "actor_type" in t.columns
    names = t["actor"].astype(str).tolist()
    labels = names
    if colour_by == "type" and has_type:
        col = [TYPE_COLOURS.get(x, "#999999") for x in t["actor_type"]]
    else:
        col = [colour(n) for n in names]
        if has_type and t["actor_type"].nunique() > 1:
            labels = [f"{n} ({ty})" for n, ty in zip(names, t["actor_type"])]
    ax.barh(range(len(t)), t[value].to_numpy(dtype=float), color=col)
    ax.set_yticks(range(len(t)), [literal(x) for x in labels])
    ax.set_xlabel(literal(value))
    if colour_by == "type" and has_type:
        from matplotlib.patches import Patch

        present = [k for k in TYPE_COLOURS if k in set(t["actor_type"])]
        ax.legend(handles=[Patch(color=TYPE_COLOURS[k], label=k) for k in present], loc="lower right",
                  fontsize=8)
    ax.set_title(literal(title or f"Top {len(t)} actors by {value}"))
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
    ax : matplotlib Axes, optional
    kind : {"heatmap", "network"}
    value : str
        Cell colour (heatmap) or edge width (network).
    top : int
        Actors shown: those in the most pairs by total ``count``.
    layout : {"spring", "circular"}
        Network layout (numpy only).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Network nodes are drawn in each actor's palette colour.

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
    totals = tot.groupby("actor")["count"].sum()
    keep = (totals.rename("n").reset_index().sort_values(["n", "actor"], ascending=[False, True])
            .head(top)["actor"].tolist())
    t = table[table["actor_a"].isin(keep) & table["actor_b"].isin(keep)]
    title = literal(title or f"Actor co-occurrence ({value})")
    shown = [literal(k) for k in keep]
    if kind == "heatmap":
        ax = new_axes(ax, figsize=(7, 6))
        mat = pd.DataFrame(np.nan, index=keep, columns=keep)
        for a, b, v in zip(t["actor_a"], t["actor_b"], t[value]):
            mat.loc[a, b] = mat.loc[b, a] = v
        arr = mat.to_numpy(dtype=float)
        norm = None
        finite = arr[np.isfinite(arr)]
        if value == "count" and len(finite) and finite.min() > 0 and finite.max() > 20 * finite.min():
            from matplotlib.colors import LogNorm

            norm = LogNorm()
        im = ax.imshow(arr, cmap="viridis", norm=norm)
        ax.set_xticks(range(len(keep)), shown, rotation=90, fontsize=8)
        ax.set_yticks(range(len(keep)), shown, fontsize=8)
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label=literal(value))
        ax.set_title(title)
        return ax
    ax = new_axes(ax, figsize=(7, 7))
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
    size = totals.reindex(keep).fillna(0).to_numpy(dtype=float)
    ax.scatter(pos[:, 0], pos[:, 1], s=80 + 600 * size / (size.max() or 1), color=[colour(k) for k in keep],
               zorder=2)
    for n, (x, y) in zip(shown, pos):
        ax.annotate(n, (x, y), fontsize=8, ha="center", va="bottom", xytext=(0, 6), textcoords="offset points")
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def plot_actor_by_group(table: pd.DataFrame, *, by: str | None = None, value: str = "share", ax=None,
                        title: str | None = None, group: str | None = None):
    """Heatmap of actors × groups (outlets, months …) from ``entity_frequency(ann, by=...)``.

    ``value="share"`` is normalised per article of the group (articles mentioning the actor /
    articles in the group).

    Parameters
    ----------
    table : DataFrame
        The group column, ``actor`` and ``value``.
    by : str, optional
        Group column (default: the table's first column). ``group=`` is the old name.
    value : str
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"outlet": ["A", "B"], "actor": ["Kyiv", "Kyiv"], "share": [0.5, 0.2]})
    >>> ax = plot_actor_by_group(t)
    >>> ax.get_xlabel(), ax.images[0].get_array().tolist()
    ('outlet', [[0.5, 0.2]])
    """
    if group is not None:
        import warnings

        warnings.warn("plot_actor_by_group(group=...) is deprecated: use by=...", DeprecationWarning,
                      stacklevel=2)
        by = by or group
    by = by or table.columns[0]
    mat = table.pivot_table(index="actor", columns=by, values=value, aggfunc="sum").fillna(0)
    tot = mat.sum(axis=1).rename("t").reset_index().sort_values(["t", "actor"], ascending=[False, True])
    mat = mat.loc[tot["actor"]]
    ax = new_axes(ax, figsize=(1.2 * mat.shape[1] + 4, 0.3 * mat.shape[0] + 2))
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    labels = [c.strftime("%Y-%m-%d") if hasattr(c, "strftime") else literal(c) for c in mat.columns]
    ax.set_xticks(range(mat.shape[1]), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(mat.shape[0]), [literal(a) for a in mat.index], fontsize=8)
    ax.set_xlabel(literal(by))
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=literal(value))
    ax.set_title(literal(title or f"Actors by {by} ({value})"))
    return ax
