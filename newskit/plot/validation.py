"""Plots of the validation tables (:mod:`newskit.validation`): a table in, a matplotlib ``Axes`` out."""
from __future__ import annotations

import numpy as np
import pandas as pd


def _axes(ax=None, figsize=(4.8, 4.2)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_confusion(conf: pd.DataFrame, *, ax=None, normalize: str | None = "true", title: str | None = None):
    """Confusion matrix heatmap: rows the human label, columns the model's, each cell its count.

    Parameters
    ----------
    conf : DataFrame
        Square table (``agreement(...)["confusion"]``), index = human classes, columns = model classes.
    ax : matplotlib Axes, optional
    normalize : {"true", None}
        ``"true"``: colour by the share of each human class (row); the text shows the count and the
        row share. None: colour by count.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With one text per cell (``ax.texts``) in row-major order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> c = pd.DataFrame([[5, 1, 0], [2, 6, 2], [0, 1, 4]], index=["negative", "neutral", "positive"],
    ...                  columns=["negative", "neutral", "positive"])
    >>> ax = plot_confusion(c)
    >>> [t.get_text() for t in ax.texts][:2]
    ['5\\n83%', '1\\n17%']
    """
    ax = _axes(ax)
    mat = conf.to_numpy(dtype=float)
    rows = mat.sum(axis=1, keepdims=True)
    share = np.divide(mat, rows, out=np.zeros_like(mat), where=rows > 0)
    shown = share if normalize == "true" else mat
    vmax = 1.0 if normalize == "true" else max(float(mat.max()), 1.0)
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=vmax)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            count = f"{mat[i, j]:.0f}" if float(mat[i, j]).is_integer() else f"{mat[i, j]:.1f}"
            txt = f"{count}\n{share[i, j]:.0%}" if normalize == "true" else count
            ax.text(j, i, txt, ha="center", va="center",
                    color="white" if shown[i, j] > 0.6 * vmax else "black", fontsize=10)
    ax.set_xticks(range(mat.shape[1]), [str(c) for c in conf.columns])
    ax.set_yticks(range(mat.shape[0]), [str(c) for c in conf.index])
    ax.set_xlabel(conf.columns.name or "model")
    ax.set_ylabel(conf.index.name or "human")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                       label="share of the human class" if normalize == "true" else "items")
    ax.set_title(title or "Human label vs model label")
    return ax


def plot_corrected(table: pd.DataFrame, *, by: str | None = None, ax=None, top: int | None = 20,
                   title: str | None = None):
    """Raw and corrected mean sentiment per group with their intervals, side by side.

    Parameters
    ----------
    table : DataFrame
        :func:`newskit.validation.corrected` output.
    by : str, optional
        Label column (default: every column before ``n``, joined).
    ax : matplotlib Axes, optional
    top : int, optional
        Groups with most mentions.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Two error-bar series: ``ax.containers[0]`` raw, ``ax.containers[1]`` corrected.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"actor": ["A", "B"], "n": [50, 30], "mean_raw": [0.2, -0.1], "ci_low_raw": [0.1, -0.2],
    ...                   "ci_high_raw": [0.3, 0.0], "mean": [0.0, -0.3], "ci_low": [-0.2, -0.6],
    ...                   "ci_high": [0.2, 0.0]})
    >>> [t.get_text() for t in plot_corrected(t).get_yticklabels()]  # bottom to top: most mentions on top
    ['B (n=30)', 'A (n=50)']
    """
    t = table.sort_values("n", ascending=False)
    if top:
        t = t.head(top)
    t = t.iloc[::-1]
    keys = [by] if by else list(table.columns[:list(table.columns).index("n")])
    labels = [" × ".join(str(r[k]) for k in keys) + f" (n={r['n']})" for _, r in t.iterrows()]
    ax = _axes(ax, figsize=(7, max(2.5, 0.45 * len(t) + 1)))
    y = np.arange(len(t))
    for off, (mean, lo, hi, name, colour) in zip(
            (0.17, -0.17), (("mean_raw", "ci_low_raw", "ci_high_raw", "model only", "#999999"),
                            ("mean", "ci_low", "ci_high", "corrected with the labels", "#1f77b4"))):
        m = t[mean].to_numpy(dtype=float)
        err = np.vstack([m - t[lo].to_numpy(dtype=float), t[hi].to_numpy(dtype=float) - m])
        ax.errorbar(m, y + off, xerr=err, fmt="o", color=colour, capsize=3, label=name)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_yticks(y, labels)
    ax.set_xlabel("mean sentiment (−1 negative … +1 positive), 95% CI")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or "Mean sentiment: model only vs corrected")
    return ax
