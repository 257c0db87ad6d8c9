"""When: coverage over time, sentiment over time, and event dates against publication dates.

Peaks of a stacked figure are the peaks of what is drawn — the total over the stacked groups — and
they are marked at the total's height. Event dates far outside the coverage (a "1941" in a 2022
article) are left off the date axis and listed separately (:func:`split_event_dates`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from newskit.plot.style import COLOUR_NAMES, colour, date_axis, empty_note, group_kind, literal, new_axes

__all__ = ["plot_timeline", "total_peaks", "plot_sentiment_timeline", "plot_event_timeline",
           "plot_reported_vs_happened", "reported_vs_happened_caption", "split_event_dates",
           "coverage_window", "recent_events", "REPORTED_COLOUR", "EVENT_COLOUR", "PEAK_GID"]

#: colour of "when it was reported" (publication dates) in the event figures
REPORTED_COLOUR = "#1f77b4"
#: colour of "when it happened" (event dates) in the event figures
EVENT_COLOUR = "#d62728"
#: ``gid`` of the peak markers drawn by :func:`plot_timeline` (tests and callers find them by it)
PEAK_GID = "newskit-peaks"
_NOT_GROUPS = ("period", "value", "n", "low", "high", "ci_low", "ci_high", "rolling", "n_articles")


def _peaks(table, *, top: int, articles=None, total: bool = False):
    """``peaks`` of the analysis layer: per row (``total=False``) — totals are summed here."""
    from newskit.analysis.timelines import peaks

    return peaks(table, top=top, articles=articles, total=total)


def _timeline_group(table: pd.DataFrame) -> str | None:
    g = table.attrs.get("by")
    if g in table.columns:
        return g
    extra = [c for c in table.columns if c not in _NOT_GROUPS]
    return extra[0] if extra else None


def _wide(table: pd.DataFrame, col: str, group: str | None) -> pd.DataFrame:
    if group:
        wide = table.pivot_table(index="period", columns=group, values=col, aggfunc="sum", dropna=False)
        tot = wide.sum().rename("t").rename_axis("g").reset_index()
        tot["g_str"] = tot["g"].astype(str)
        order = tot.sort_values(["t", "g_str"], ascending=[False, True])["g"].tolist()
        return wide[order]
    return table.set_index("period")[[col]].rename(columns={col: table.attrs.get("metric", col)})


def total_peaks(table: pd.DataFrame, *, top: int = 3, headlines: Any = None, value: str | None = None
                ) -> pd.DataFrame:
    """The ``top`` periods of a timeline's total over its groups (what a stacked figure draws).

    Parameters
    ----------
    table : DataFrame
        A ``timeline`` result, with or without a group column.
    top : int
        Number of peaks.
    headlines : Annotations or articles DataFrame, optional
        Adds the period's first headline (or, for actor timelines, the headline of the article with
        most mentions of the actors) as ``headline``, ``article_id``, ``source``, ``date``.
    value : str, optional
        Column summed (default ``rolling`` when present, else ``value``).

    Returns
    -------
    DataFrame
        ``period``, ``value`` (the total), and the headline columns; highest first (ties: earliest).

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2023-01-01", "2023-01-01", "2023-01-02", "2023-01-02"]),
    ...                   "outlet": ["A", "B", "A", "B"], "value": [5, 0, 3, 4]})
    >>> total_peaks(t, top=1)
          period  value
    0 2023-01-02      7
    """
    col = value or ("rolling" if "rolling" in table.columns else "value")
    total = table.groupby("period", sort=True)[col].sum(min_count=1).rename("value").reset_index()
    total.attrs.update({k: v for k, v in table.attrs.items() if k in ("freq", "metric", "actors", "undated")})
    total.attrs["by"] = None
    return _peaks(total, top=top, articles=headlines)


def plot_timeline(table: pd.DataFrame, *, ax=None, kind: str = "line", annotate_peaks: int = 0,
                  headlines: Any = None, value: str | None = None, title: str | None = None,
                  palette: Mapping[str, str] | None = None):
    """Lines (one per group) or stacked areas of a ``timeline`` table, with the peaks marked.

    Parameters
    ----------
    table : DataFrame
        ``period``, optional group column (``source``/``outlet``/``actor``), ``value`` (and ``rolling``).
    ax : matplotlib Axes, optional
    kind : {"line", "stacked"}
    annotate_peaks : int
        Mark the N highest points of what is drawn: with ``kind="stacked"`` (or no group) the N highest
        periods of the **total**, at the total's height; with lines per group the N highest
        (period, group) points, each on its line. The note shows the date and, with ``headlines``,
        a headline of the period.
    headlines : Annotations, articles DataFrame or a peaks table (``headline`` column), optional
    value : str, optional
        Column to plot (default ``rolling`` when present, else ``value``).
    title : str, optional
    palette : mapping, optional
        Colours by group name (default: the report palette, :func:`newskit.plot.use_palette`).

    Returns
    -------
    matplotlib.axes.Axes
        Peak markers are one line with ``gid`` :data:`PEAK_GID`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"period": pd.date_range("2022-01-03", periods=3, freq="W-MON"), "value": [1, 4, 2]})
    >>> ax = plot_timeline(t, annotate_peaks=1)
    >>> [ln.get_ydata().tolist() for ln in ax.lines if ln.get_gid() == PEAK_GID]
    [[4.0]]
    """
    if kind not in ("line", "stacked"):
        raise ValueError(f"kind must be 'line' or 'stacked', not {kind!r}")
    ax = new_axes(ax, figsize=(9, 4.5))
    col = value or ("rolling" if "rolling" in table.columns else "value")
    group = _timeline_group(table)
    wide = _wide(table, col, group)
    pkind = group_kind(group)
    cols = [colour(c, kind=pkind, palette=palette) for c in wide.columns] if group else ["#4c72b0"]
    x = pd.to_datetime(wide.index)
    if kind == "stacked":
        ax.stackplot(x, *[wide[c].fillna(0).to_numpy(dtype=float) for c in wide.columns],
                     labels=[literal(c) for c in wide.columns], colors=cols, alpha=0.85)
    else:
        few = len(wide) <= 20
        for c, cc in zip(wide.columns, cols):
            ax.plot(x, wide[c].to_numpy(dtype=float), marker="o" if few else None, ms=3, lw=1.5,
                    label=literal(c), color=cc)
    if group:
        ax.legend(fontsize=8, ncol=2 if wide.shape[1] > 6 else 1, loc="upper left", frameon=False)
    metric = table.attrs.get("metric", "articles")
    ax.set_ylabel(literal(metric if col != "rolling" else f"{metric} (rolling mean)"))
    ax.set_ylim(bottom=0)
    if annotate_peaks:
        _mark_peaks(ax, table, wide, group=group, kind=kind, col=col, top=annotate_peaks, headlines=headlines)
    date_axis(ax)
    freq = {"D": "day", "W": "week", "M": "month"}.get(table.attrs.get("freq"), "period")
    ax.set_title(literal(title or f"{metric.capitalize()} per {freq}" + (f" by {group}" if group else "")))
    return ax


def _mark_peaks(ax, table, wide, *, group, kind, col, top, headlines) -> None:
    on_total = kind == "stacked" or not group
    given = isinstance(headlines, pd.DataFrame) and "headline" in headlines.columns
    if given:
        pk = headlines.head(top)
    elif on_total:
        pk = total_peaks(table, top=top, headlines=headlines, value=col)
    else:
        sub = table.rename(columns={col: "value"}) if col != "value" else table
        if col != "value" and "value" in table.columns:
            sub = table.drop(columns="value").rename(columns={col: "value"})
        sub.attrs.update(table.attrs)
        pk = _peaks(sub, top=top, articles=headlines)
    total = wide.sum(axis=1, min_count=1)
    xs, ys = [], []
    for i, r in enumerate(pk.itertuples(index=False)):
        when = pd.Timestamp(r.period)
        if on_total:
            y = float(total.loc[when]) if when in total.index else float(r.value)
        else:
            y = float(r.value)
        label = f"{when:%d %b %Y}"
        if group and not on_total and hasattr(r, group):
            label += f" · {getattr(r, group)}"
        head = getattr(r, "headline", None)
        if isinstance(head, str) and head:
            label += "\n" + (head if len(head) <= 60 else head[:57] + "…")
        ax.annotate(literal(label), (when, y), xytext=(8, -14 - 26 * i), textcoords="offset points",
                    fontsize=7, ha="left", va="top", arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.6},
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.7", "alpha": 0.9})
        xs.append(when)
        ys.append(y)
    if xs:
        (line,) = ax.plot(xs, ys, "o", color="black", ms=4, zorder=5, label="_peaks")
        line.set_gid(PEAK_GID)


def _band(table: pd.DataFrame) -> tuple[str, str] | None:
    for lo, hi in (("ci_low", "ci_high"), ("low", "high")):
        if {lo, hi} <= set(table.columns):
            return lo, hi
    return None


def plot_sentiment_timeline(table: pd.DataFrame, *, ax=None, title: str | None = None, band: bool = True,
                            palette: Mapping[str, str] | None = None):
    """Mean sentiment per period (one line per group, in the group's palette colour) with 95% bands.

    Parameters
    ----------
    table : DataFrame
        ``timeline(..., metric="sentiment")``: ``period``, optional group, ``value``, and ``ci_low``/``ci_high``
        (or ``low``/``high``).
    ax : matplotlib Axes, optional
    title : str, optional
    band : bool
        Shade the confidence interval.
    palette : mapping, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"period": pd.date_range("2022-01-03", periods=3, freq="W-MON"),
    ...                   "value": [0.1, None, -0.2], "low": [0.0, None, -0.3], "high": [0.2, None, -0.1]})
    >>> ax = plot_sentiment_timeline(t)
    >>> ax.get_ylabel(), ax.lines[0].get_ydata().tolist()[::2]
    ('mean sentiment (95% CI)', [0.1, -0.2])
    """
    ax = new_axes(ax, figsize=(9, 4.5))
    group = _timeline_group(table)
    parts = table.groupby(group, sort=False) if group else [(None, table)]
    bcols = _band(table)
    for name, g in parts:
        g = g.sort_values("period")
        x = pd.to_datetime(g["period"])
        y = g["value"].to_numpy(dtype=float)
        cc = colour(name, kind=group_kind(group), palette=palette) if group else "#4c72b0"
        ax.plot(x, y, marker="o", ms=3, lw=1.5, label=None if name is None else literal(name), color=cc)
        if band and bcols:
            ax.fill_between(x, g[bcols[0]].to_numpy(dtype=float), g[bcols[1]].to_numpy(dtype=float),
                            color=cc, alpha=0.18, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, ls="--")
    if group:
        ax.legend(fontsize=8, loc="best", frameon=False)
    ax.set_ylabel("mean sentiment (95% CI)")
    date_axis(ax)
    ax.set_title(literal(title or "Sentiment over time" + (f" by {group}" if group else "")))
    return ax


# --------------------------------------------------------------------------- event dates
def coverage_window(published: Any, *, margin_days: int = 31) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The date-axis window of event figures: first to last publication day, widened by ``margin_days``.

    Parameters
    ----------
    published : array-like of dates, articles DataFrame (``date``) or Annotations
    margin_days : int
        Days added before the first and after the last publication day (events reported a little
        later or announced a little ahead stay on the axis).

    Returns
    -------
    (Timestamp, Timestamp) or None
        None when there is no publication date.

    Examples
    --------
    >>> coverage_window([pd.Timestamp("2022-03-01"), pd.Timestamp("2022-06-30 18:00")], margin_days=1)
    (Timestamp('2022-02-28 00:00:00'), Timestamp('2022-07-01 00:00:00'))
    """
    if hasattr(published, "articles") and not isinstance(published, pd.DataFrame):
        published = published.articles
    if isinstance(published, pd.DataFrame):
        published = published["published"] if "published" in published.columns else published["date"]
    d = pd.Series(pd.to_datetime(pd.Series(published), errors="coerce")).dropna()
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    if len(d) == 0:
        return None
    pad = pd.Timedelta(days=int(margin_days))
    return d.min().normalize() - pad, d.max().normalize() + pad


def split_event_dates(events: pd.DataFrame, *, window: Any = "coverage", margin_days: int = 31
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Event dates inside the figure's window, and those outside it (historic or far-future dates).

    A day is inside when it lies in the window; a month or a year (``granularity``) when it overlaps it.

    Parameters
    ----------
    events : DataFrame
        ``event_timeline`` rows (``event_date``, ``published`` …).
    window : "coverage", (start, end) or None
        ``"coverage"``: :func:`coverage_window` of the rows' publication dates; a pair of dates;
        None keeps everything inside.
    margin_days : int
        For ``"coverage"``.

    Returns
    -------
    (DataFrame, DataFrame)
        Rows inside, rows outside (both in the input order).

    Examples
    --------
    >>> ev = pd.DataFrame({"event_date": pd.to_datetime(["1941-08-01", "2022-07-03"]),
    ...                    "published": pd.to_datetime(["2022-07-04", "2022-07-04"])})
    >>> inside, outside = split_event_dates(ev)
    >>> inside["event_date"].dt.year.tolist(), outside["event_date"].dt.year.tolist()
    ([2022], [1941])
    """
    if window is None or len(events) == 0:
        return events, events.iloc[:0]
    if isinstance(window, str):
        if window != "coverage":
            raise ValueError(f"window must be 'coverage', a (start, end) pair or None, not {window!r}")
        window = coverage_window(events["published"], margin_days=margin_days)
        if window is None:
            return events, events.iloc[:0]
    lo, hi = pd.Timestamp(window[0]).normalize(), pd.Timestamp(window[1]).normalize()
    start = pd.to_datetime(events["event_date"]).dt.normalize()
    end = start
    if "granularity" in events.columns:  # "in May", "in 2023": inside when the month / year overlaps
        g = events["granularity"].astype(str)
        end = end.where(g != "month", start + pd.offsets.MonthEnd(0))
        end = end.where(g != "year", start + pd.offsets.YearEnd(0))
    inside = (end >= lo) & (start <= hi)
    return events[inside], events[~inside]


def recent_events(events: pd.DataFrame, *, top: int | None = 15, window: Any = "coverage",
                  margin_days: int = 31, columns: Sequence[str] = ("event_date", "expression", "published",
                                                                     "lag_days", "source", "sentence")
                  ) -> pd.DataFrame:
    """The event-date table of a report: dates inside the window, **newest first** (then latest
    publication), so the top rows are the latest events; dates outside the window are in
    :func:`split_event_dates`' second table.

    Parameters
    ----------
    events : DataFrame
        ``event_timeline`` rows.
    top : int, optional
        Rows kept (None: all).
    window, margin_days
        See :func:`split_event_dates`.
    columns : sequence of str
        Columns shown (those present).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> ev = pd.DataFrame({"event_date": pd.to_datetime(["1941-08-01", "2022-07-01", "2022-07-03"]),
    ...                    "published": pd.to_datetime(["2022-07-04"] * 3), "expression": ["1941", "Friday", "Sunday"]})
    >>> recent_events(ev)["expression"].tolist()
    ['Sunday', 'Friday']
    """
    inside, _ = split_event_dates(events, window=window, margin_days=margin_days)
    keys = [c for c in ("event_date", "published") if c in inside.columns]
    out = inside.sort_values(keys, ascending=False, kind="stable")
    out = out[[c for c in columns if c in out.columns]].reset_index(drop=True)
    return out.head(top) if top is not None else out


def _outside_note(ax, n: int, window) -> None:
    if n:
        ax.text(0.99, 0.98, f"{n} dated sentence{'s' if n != 1 else ''} outside {window[0]:%d %b %Y} – "
                            f"{window[1]:%d %b %Y} not shown (listed below the figure)",
                transform=ax.transAxes, ha="right", va="top", fontsize=7, color="0.3", zorder=6,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})


def plot_event_timeline(events: pd.DataFrame, *, ax=None, actors=None, top: int = 8, title: str | None = None,
                        granularity=("day",), window: Any = "coverage", margin_days: int = 31):
    """Event dates vs publication dates: one row per actor, dots per day (size = number of sentences).

    Filled red dots are the dates the sentences talk about (``event_date``); hollow blue dots the
    publication dates of the same sentences. Dates outside the window (by default the coverage
    period ± ``margin_days``: historic dates such as "August 1941") are left off the axis and counted
    in a note; list them with :func:`split_event_dates`.

    Parameters
    ----------
    events : DataFrame
        ``event_timeline`` output (``event_date``, ``published``, ``actors``).
    ax : matplotlib Axes, optional
    actors : list of str, optional
        Rows to show (default: the ``top`` actors with most dated sentences; without actors one row).
    top : int
    title : str, optional
    granularity : str or tuple, optional
        Event-date granularities shown (default day-level only; None for all).
    window : "coverage", (start, end) or None
        See :func:`split_event_dates`; None draws every date.
    margin_days : int

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
    if window is not None and not isinstance(window, str):
        win = (pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    else:
        win = coverage_window(ev["published"], margin_days=margin_days) if window is not None and len(ev) else None
    ev, outside = split_event_dates(ev, window=win)
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
        counts = ev["actor"].value_counts().rename("n").rename_axis("actor").reset_index()
        rows = counts.sort_values(["n", "actor"], ascending=[False, True]).head(top)["actor"].tolist()
        ev = ev[ev["actor"].isin(rows)]
    ax = new_axes(ax, figsize=(9, max(2.5, 0.5 * len(rows) + 1.5)))
    ypos = {a: i for i, a in enumerate(rows[::-1])}
    if len(ev):
        ev_day = pd.to_datetime(ev["event_date"]).dt.normalize()
        pub_day = pd.to_datetime(ev["published"]).dt.normalize()
        e = ev.assign(day=ev_day).groupby(["actor", "day"]).size().reset_index(name="n")
        p = ev.assign(day=pub_day).dropna(subset=["day"]).groupby(["actor", "day"]).size().reset_index(name="n")
        scale = 60 / max(1, max(e["n"].max(), p["n"].max() if len(p) else 1)) ** 0.5
        ax.scatter(p["day"], p["actor"].map(ypos) - 0.15, s=10 + scale * p["n"] ** 0.5 * 4, facecolors="none",
                   edgecolors=REPORTED_COLOUR, lw=0.8, label="published")
        ax.scatter(e["day"], e["actor"].map(ypos) + 0.15, s=10 + scale * e["n"] ** 0.5 * 4, color=EVENT_COLOUR,
                   alpha=0.75, label="event date")
        ax.legend(fontsize=8, loc="upper left", frameon=False, markerscale=0.7)
        date_axis(ax)
    else:
        ax.scatter([], [])
        empty_note(ax, "no dated sentences")
    if win is not None:
        _outside_note(ax, len(outside), win)
    ax.set_yticks(list(ypos.values()), [literal(a) for a in ypos], fontsize=8)
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(literal(title or "When events happened (●) vs when they were reported (○)"))
    return ax


def plot_reported_vs_happened(events: pd.DataFrame, published: pd.DataFrame, *, place: str, ax=None,
                              window: Any = "coverage", margin_days: int = 31, title: str | None = None):
    """Two daily lines for one place: its mentions by publication day (blue) and the event
    dates those sentences talk about (red), on the coverage window (dates outside it are left out and
    counted in a note).

    Parameters
    ----------
    events : DataFrame
        ``event_timeline(ann, actors=[place])`` (day-level rows are drawn).
    published : DataFrame
        ``timeline(ann, freq="D", metric="mentions", actors=[place])`` (``period``, ``value``).
    place : str
        Shown in the title and legend.
    ax : matplotlib Axes, optional
    window : "coverage", (start, end) or None
        ``"coverage"``: the publication days of ``published`` ± ``margin_days``.
    margin_days : int
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Line 0 is "reported" (:data:`REPORTED_COLOUR`), line 1 "happened" (:data:`EVENT_COLOUR`); the
        caption to print with it is :func:`reported_vs_happened_caption`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> pub = pd.DataFrame({"period": pd.date_range("2022-07-01", periods=4), "value": [0, 2, 0, 1]})
    >>> ev = pd.DataFrame({"event_date": pd.to_datetime(["1941-08-01", "2022-07-01"]),
    ...                    "published": pd.to_datetime(["2022-07-02", "2022-07-02"]), "granularity": ["day", "day"]})
    >>> ax = plot_reported_vs_happened(ev, pub, place="Gradensk", margin_days=2)
    >>> ax.lines[1].get_ydata().tolist()
    [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    ax = new_axes(ax, figsize=(11, 4.5))
    day = events[events["granularity"] == "day"] if "granularity" in events.columns else events
    pub = published[["period", "value"]].copy()
    pub["period"] = pd.to_datetime(pub["period"]).dt.normalize()
    pub_days = pub.loc[pub["value"] > 0, "period"]
    if window is not None and isinstance(window, str):
        win = coverage_window(pub_days if len(pub_days) else day["published"], margin_days=margin_days)
    else:
        win = None if window is None else (pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    inside, outside = split_event_dates(day, window=win) if win is not None else (day, day.iloc[:0])
    evc = pd.to_datetime(inside["event_date"]).dt.normalize().value_counts()
    if win is not None:
        lo, hi = win
    else:
        cands = [d for d in (pub["period"].min(), evc.index.min() if len(evc) else None) if pd.notna(d)]
        lo = min(cands) if cands else None
        cands = [d for d in (pub["period"].max(), evc.index.max() if len(evc) else None) if pd.notna(d)]
        hi = max(cands) if cands else None
    if lo is None or hi is None:
        return empty_note(ax, f"no mentions of {place}")
    span = pd.date_range(pd.Timestamp(lo).normalize(), pd.Timestamp(hi).normalize(), freq="D")
    reported = pub.groupby("period")["value"].sum().reindex(span, fill_value=0)
    happened = evc.reindex(span, fill_value=0)
    ax.plot(span, reported.to_numpy(dtype=float), color=REPORTED_COLOUR, lw=1.4,
            label=literal(f"mentions of {place} (publication day)"))
    ax.plot(span, happened.to_numpy(dtype=float), color=EVENT_COLOUR, lw=1.4,
            label="event dates in those sentences")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("mentions / dated sentences")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    if win is not None:
        _outside_note(ax, len(outside), win)
    date_axis(ax)
    ax.set_title(literal(title or f"{place}: when reported vs when it happened"))
    return ax


def reported_vs_happened_caption(place: str) -> str:
    """The caption of :func:`plot_reported_vs_happened`, naming the colours it draws.

    >>> reported_vs_happened_caption("Gradensk").split(":")[0]
    'Blue'
    """
    rep, ev = COLOUR_NAMES[REPORTED_COLOUR].capitalize(), COLOUR_NAMES[EVENT_COLOUR].capitalize()
    return (f"{rep}: mentions of {place}, by publication day. {ev}: the dates the sentences naming it talk "
            f"about (day-level event dates). The gap between the two is how late the coverage reports "
            f"events. Dates outside the coverage period are not drawn; they are listed below.")
