"""Timelines: coverage over time (articles, mentions, sentiment) and event timelines.

``timeline`` counts by publication date; ``event_timeline`` lists the dates the coverage *talks
about* (event dates resolved by :mod:`newskit.dates`), next to when it was published.

Periods are labelled by their first day: days, weeks starting on Monday (ISO weeks), months on the 1st.

>>> import pandas as pd
>>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "source": ["x.com", "y.com", "x.com"],
...                      "date": pd.to_datetime(["2022-12-30", "2022-12-31", "2023-01-10"])})
>>> timeline(arts, freq="W")
      period  value
0 2022-12-26      2
1 2023-01-02      0
2 2023-01-09      1
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = ["timeline", "event_timeline", "peaks", "period_start"]

_FREQS = {"D": "D", "W": "W-MON", "M": "MS"}
_Z95 = 1.959963984540054


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str = "D") -> pd.Series:
    """The first day of each date's period: the day, the Monday of its ISO week, or the 1st of its month.

    >>> period_start(pd.Series(pd.to_datetime(["2022-12-31", "2023-01-01", "2023-01-02"])), "W").tolist()
    [Timestamp('2022-12-26 00:00:00'), Timestamp('2022-12-26 00:00:00'), Timestamp('2023-01-02 00:00:00')]
    >>> period_start(pd.Series(pd.to_datetime(["2024-02-29 23:59"])), "M").tolist()
    [Timestamp('2024-02-01 00:00:00')]
    """
    freq = _check_freq(freq)
    d = pd.Series(pd.to_datetime(dates, errors="coerce"))
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    d = d.dt.normalize()
    if freq == "W":
        return d - pd.to_timedelta(d.dt.weekday, unit="D")
    if freq == "M":
        return d - pd.to_timedelta(d.dt.day - 1, unit="D")
    return d


def _check_freq(freq: str) -> str:
    f = str(freq).upper()[:1]
    if f not in _FREQS:
        raise ValueError(f"freq must be 'D', 'W' or 'M', not {freq!r}")
    return f


def _articles(ann: Any) -> pd.DataFrame:
    return ann if isinstance(ann, pd.DataFrame) else ann.articles


def _group_col(arts: pd.DataFrame, by: str) -> str:
    if by == "source":
        return "source" if "source" in arts.columns else "outlet"
    return by


def _dated(arts: pd.DataFrame, freq: str, date_from, date_to) -> tuple[pd.DataFrame, int]:
    """Articles with a ``period`` column; undated ones counted (and warned about), not silently dropped."""
    a = arts.copy()
    a["article_id"] = a["article_id"].astype(str)
    d = pd.to_datetime(a["date"], errors="coerce") if "date" in a.columns else pd.Series(pd.NaT, index=a.index)
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    a["_date"] = d
    undated = int(d.isna().sum())
    if undated:
        warnings.warn(f"{undated} article(s) have no date and are not on the timeline "
                      f"(see df.attrs['undated'])", stacklevel=3)
    a = a[d.notna()]
    if date_from is not None:
        a = a[a["_date"] >= pd.Timestamp(date_from)]
    if date_to is not None:
        a = a[a["_date"].dt.normalize() <= pd.Timestamp(date_to)]
    a["period"] = period_start(a["_date"], freq).values
    return a, undated


def _period_range(periods: pd.Series, freq: str, date_from, date_to) -> pd.DatetimeIndex:
    lo = [periods.min()] if len(periods) else []
    hi = [periods.max()] if len(periods) else []
    if date_from is not None:
        lo = [period_start(pd.Series([pd.Timestamp(date_from)]), freq).iloc[0]]
    if date_to is not None:
        hi = [period_start(pd.Series([pd.Timestamp(date_to)]), freq).iloc[0]]
    if not lo or not hi:
        return pd.DatetimeIndex([], name="period")
    return pd.date_range(lo[0], hi[0], freq=_FREQS[freq], name="period")


def _top_actors(mentions: pd.DataFrame, k: int = 5) -> list[str]:
    return mentions["actor"].value_counts().head(k).index.tolist()


def timeline(ann: Any, *, freq: str = "D", by: str | None = None, metric: str = "articles",
             actors: Sequence[str] | str | None = None, normalize: str | None = None,
             rolling: int | None = None, date_from: Any = None, date_to: Any = None,
             top: int = 5) -> pd.DataFrame:
    """Coverage per period: articles, actor mentions or mean actor sentiment, optionally by group.

    Parameters
    ----------
    ann : Annotations or DataFrame
        Annotations (``articles``, ``mentions`` with ``actor`` and ``score``), or a plain articles
        table (``metric="articles"`` only, ``by`` None or ``"source"``).
    freq : {"D", "W", "M"}
        Days, weeks (starting Monday) or months (starting on the 1st).
    by : {None, "source", "outlet", "actor"}
        Group column. ``"actor"`` without ``actors`` takes the ``top`` most-mentioned actors.
    metric : {"articles", "mentions", "sentiment"}
        Articles (mentioning the actor(s), when actors are given or ``by="actor"``), mentions of actors,
        or the mean target sentiment ``score`` of the mentions with a 95% confidence interval
        (normal approximation, ``low``/``high``) and the number of mentions ``n``.
    actors : list of str, optional
        Restrict to mentions of these actors (``by=None``: articles/mentions of any of them).
    normalize : {None, "per_article", "share"}
        ``per_article`` divides by the number of articles in the period (of the source for
        ``by="source"``); ``share`` divides by the period's total over the groups (``by=None``: by
        the total over all periods). Not for sentiment.
    rolling : int, optional
        Adds a ``rolling`` column: the mean of ``value`` over the last ``rolling`` periods (per group).
    date_from, date_to : date-like, optional
        Inclusive publication-date bounds; the period range then spans them.
    top : int
        Number of actors for ``by="actor"`` without ``actors``.

    Returns
    -------
    DataFrame
        ``period``, the ``by`` column when given, ``value`` (+ ``n``, ``low``, ``high`` for sentiment,
        ``rolling`` when asked). Every period between the first and last is present for every group
        (counts zero-filled, sentiment NaN). ``df.attrs``: ``undated`` (articles without a date, also
        warned about), ``freq``, ``metric``, ``by``, ``actors``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "source": ["x", "y", "x"],
    ...                      "date": pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-05"])})
    >>> ment = pd.DataFrame({"article_id": ["a", "a", "b", "c"], "actor": ["Kyiv", "Kyiv", "Kyiv", "Lviv"],
    ...                      "score": [0.5, 0.1, -0.2, 0.3]})
    >>> ann = SimpleNamespace(articles=arts, mentions=ment)
    >>> timeline(ann, by="source")
          period source  value
    0 2022-01-03      x      1
    1 2022-01-03      y      1
    2 2022-01-04      x      0
    3 2022-01-04      y      0
    4 2022-01-05      x      1
    5 2022-01-05      y      0
    >>> timeline(ann, metric="mentions", actors=["Kyiv"])["value"].tolist()
    [3, 0, 0]
    >>> timeline(ann, metric="sentiment", by="actor", freq="W")[["actor", "value", "n"]]
      actor     value  n
    0  Kyiv  0.133333  3
    1  Lviv  0.300000  1
    """
    freq = _check_freq(freq)
    if by == "outlet":
        pass
    elif by not in (None, "source", "actor"):
        raise ValueError(f"by must be None, 'source', 'outlet' or 'actor', not {by!r}")
    if metric not in ("articles", "mentions", "sentiment"):
        raise ValueError(f"metric must be 'articles', 'mentions' or 'sentiment', not {metric!r}")
    if normalize not in (None, "per_article", "share"):
        raise ValueError(f"normalize must be None, 'per_article' or 'share', not {normalize!r}")
    if normalize and metric == "sentiment":
        raise ValueError("normalize does not apply to metric='sentiment'")
    if isinstance(actors, str):
        actors = [actors]
    arts = _articles(ann)
    a, undated = _dated(arts, freq, date_from, date_to)
    periods = _period_range(a["period"], freq, date_from, date_to)
    gcol = _group_col(arts, by) if by in ("source", "outlet") else by

    need_mentions = metric != "articles" or by == "actor" or actors is not None
    if need_mentions:
        if isinstance(ann, pd.DataFrame) or getattr(ann, "mentions", None) is None:
            raise ValueError(f"metric={metric!r}, by={by!r}, actors=... need Annotations with mentions")
        m = ann.mentions
        if "actor" not in m.columns:
            raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
        m = m[m["actor"].notna()].copy()
        m["article_id"] = m["article_id"].astype(str)
        if by == "actor" and actors is None:
            actors = _top_actors(m[m["article_id"].isin(a["article_id"])], top)
        if actors is not None:
            m = m[m["actor"].isin(list(actors))]
        keep_cols = ["article_id", "period"] + ([gcol] if gcol and gcol != "actor" else [])
        m = m.merge(a[keep_cols], on="article_id", how="inner")
        if metric == "sentiment" and "score" not in m.columns:
            raise ValueError("metric='sentiment' needs a 'score' column in mentions")

    # groups
    if gcol is None:
        groups = None
    elif gcol == "actor":
        groups = list(actors)
    else:
        groups = sorted(a[gcol].dropna().astype(str).unique())
        a[gcol] = a[gcol].astype(str)
        if need_mentions:
            m[gcol] = m[gcol].astype(str)
    keys = ["period"] + ([gcol] if gcol else [])
    if groups is None:
        index = periods
    else:
        index = pd.MultiIndex.from_product([periods, groups], names=keys)

    if metric == "articles":
        src = m.drop_duplicates(keys + ["article_id"]) if need_mentions else a
        value = src.groupby(keys).size().reindex(index, fill_value=0)
        out = value.rename("value").reset_index()
    elif metric == "mentions":
        value = m.groupby(keys).size().reindex(index, fill_value=0)
        out = value.rename("value").reset_index()
    else:
        g = m.groupby(keys)["score"].agg(["mean", "std", "count"]).reindex(index)
        half = _Z95 * g["std"] / np.sqrt(g["count"])
        out = pd.DataFrame({"value": g["mean"], "n": g["count"].fillna(0).astype("int64"),
                            "low": (g["mean"] - half).clip(lower=-1), "high": (g["mean"] + half).clip(upper=1)},
                           index=index).reset_index()

    if normalize == "per_article":
        akeys = ["period"] + ([gcol] if gcol and gcol != "actor" else [])
        denom = a.groupby(akeys).size().rename("_n")
        out = out.merge(denom.reset_index(), on=akeys, how="left")
        out["value"] = out["value"] / out["_n"].where(out["_n"] > 0)
        out = out.drop(columns="_n")
    elif normalize == "share":
        if gcol:
            tot = out.groupby("period")["value"].transform("sum")
        else:
            tot = pd.Series(out["value"].sum(), index=out.index)
        out["value"] = out["value"] / tot.where(tot > 0)
    if rolling:
        if gcol:
            out["rolling"] = out.groupby(gcol, sort=False)["value"].transform(
                lambda s: s.rolling(int(rolling), min_periods=1).mean())
        else:
            out["rolling"] = out["value"].rolling(int(rolling), min_periods=1).mean()
    if metric != "sentiment" and normalize is None:
        out["value"] = out["value"].astype("int64")
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs.update({"undated": undated, "freq": freq, "metric": metric, "by": gcol,
                      "actors": list(actors) if actors is not None else None})
    return out


# --------------------------------------------------------------------------- events
def _published(arts: pd.DataFrame) -> dict:
    d = pd.to_datetime(arts["date"], errors="coerce") if "date" in arts.columns else \
        pd.Series(pd.NaT, index=arts.index)
    return dict(zip(arts["article_id"].astype(str), d))


def event_timeline(ann: Any, *, actors: Sequence[str] | str | None = None) -> pd.DataFrame:
    """What happened when: one row per (event date, sentence), with the sentence and the source.

    Parameters
    ----------
    ann : Annotations
        Uses ``ann.dates`` (from :func:`newskit.dates.sentence_dates` in the pipeline); when absent it
        is computed from ``ann.sentences`` and the article dates.
    actors : list of str, optional
        Keep sentences mentioning at least one of these actors.

    Returns
    -------
    DataFrame
        ``event_date``, ``granularity``, ``expression``, ``published``, ``lag_days`` (publication day −
        event date, in days), ``actors`` (sorted list of the actors mentioned in the sentence),
        ``sentence``, ``source``, ``title``, ``article_id``, ``sent_id`` — sorted by event date.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> arts = pd.DataFrame({"article_id": ["a"], "date": pd.to_datetime(["2022-07-04"]),
    ...                      "source": ["x.com"], "title": ["City falls"]})
    >>> sents = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0], "end": [29],
    ...                       "text": ["Lysychansk fell on Sunday."]})
    >>> ment = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "actor": ["Lysychansk"]})
    >>> ev = event_timeline(SimpleNamespace(articles=arts, sentences=sents, mentions=ment))
    >>> ev[["event_date", "published", "lag_days", "actors"]]
      event_date  published  lag_days        actors
    0 2022-07-03 2022-07-04       1.0  [Lysychansk]
    """
    from newskit.dates import sentence_dates

    arts = ann.articles.copy()
    arts["article_id"] = arts["article_id"].astype(str)
    dates = getattr(ann, "dates", None)
    if dates is None:
        dates = sentence_dates(ann.sentences, _published(arts))
    dates = dates.copy()
    dates["article_id"] = dates["article_id"].astype(str)
    if isinstance(actors, str):
        actors = [actors]
    ment = getattr(ann, "mentions", None)
    if ment is not None and len(ment) and "actor" in ment.columns:
        mm = ment[ment["actor"].notna()].copy()
        mm["article_id"] = mm["article_id"].astype(str)
        per_sent = mm.groupby(["article_id", "sent_id"])["actor"].agg(lambda s: sorted(set(s))).rename("actors")
        dates = dates.merge(per_sent.reset_index(), on=["article_id", "sent_id"], how="left")
    else:
        dates["actors"] = None
    dates["actors"] = [x if isinstance(x, list) else [] for x in dates["actors"]]
    if actors is not None:
        want = set(actors)
        dates = dates[[bool(want.intersection(x)) for x in dates["actors"]]]
    sents = getattr(ann, "sentences", None)
    if sents is not None and len(sents):
        s = sents[["article_id", "sent_id", "text"]].rename(columns={"text": "sentence"}).copy()
        s["article_id"] = s["article_id"].astype(str)
        dates = dates.merge(s, on=["article_id", "sent_id"], how="left")
    else:
        dates["sentence"] = None
    cols = [c for c in ("date", "source", "outlet", "title") if c in arts.columns]
    info = arts[["article_id"] + cols].rename(columns={"date": "published"})
    dates = dates.rename(columns={"date": "event_date", "text": "expression"}).merge(info, on="article_id",
                                                                                      how="left")
    if "published" not in dates:
        dates["published"] = pd.NaT
    dates["published"] = pd.to_datetime(dates["published"], errors="coerce")
    if getattr(dates["published"].dt, "tz", None) is not None:
        dates["published"] = dates["published"].dt.tz_localize(None)
    dates["event_date"] = pd.to_datetime(dates["event_date"])
    dates["lag_days"] = (dates["published"].dt.normalize() - dates["event_date"]).dt.days.astype(float)
    for c in ("source", "title"):
        if c not in dates:
            dates[c] = None
    order = ["event_date", "granularity", "expression", "published", "lag_days", "actors", "sentence",
             "source", "title", "article_id", "sent_id"] + (["outlet"] if "outlet" in dates else [])
    out = dates[order].sort_values(["event_date", "published", "article_id", "sent_id"], kind="stable")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- peaks
def peaks(table: pd.DataFrame, *, top: int = 5, articles: Any = None) -> pd.DataFrame:
    """The ``top`` periods (per group row) with the highest value, with the top headline of each.

    Parameters
    ----------
    table : DataFrame
        A :func:`timeline` result (``period``, optional group column, ``value``).
    top : int
        Number of peaks.
    articles : Annotations or DataFrame, optional
        Where headlines come from. The top headline of a peak is the article of that period (and
        source, for ``by="source"``) with the most mentions of the actor(s) (``by="actor"`` or the
        timeline's ``actors``), else the first article by date.

    Returns
    -------
    DataFrame
        ``period``, the group column, ``value``, and with ``articles``: ``headline``, ``article_id``,
        ``source``, ``date``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["A", "B", "C"],
    ...                      "date": pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-05"])})
    >>> peaks(timeline(arts), top=1, articles=arts)[["period", "value", "headline"]]
          period  value headline
    0 2022-01-03      2        A
    """
    freq = table.attrs.get("freq") or _infer_freq(table["period"])
    gcol = table.attrs.get("by")
    if gcol is None:
        extra = [c for c in table.columns if c not in ("period", "value", "n", "low", "high", "rolling")]
        gcol = extra[0] if extra else None
    pk = table.dropna(subset=["value"]).sort_values(["value", "period"], ascending=[False, True]).head(top)
    keep = ["period"] + ([gcol] if gcol else []) + ["value"]
    pk = pk[keep].reset_index(drop=True)
    if articles is None:
        return pk
    arts = _articles(articles).copy()
    arts["article_id"] = arts["article_id"].astype(str)
    arts["_date"] = pd.to_datetime(arts["date"], errors="coerce")
    if getattr(arts["_date"].dt, "tz", None) is not None:
        arts["_date"] = arts["_date"].dt.tz_localize(None)
    arts["period"] = period_start(arts["_date"], freq).values
    ment = None if isinstance(articles, pd.DataFrame) else getattr(articles, "mentions", None)
    table_actors = table.attrs.get("actors")
    rows = []
    for r in pk.itertuples(index=False):
        cand = arts[arts["period"] == r.period]
        want = None
        if gcol == "actor":
            want = [getattr(r, "actor")]
        elif gcol:
            cand = cand[cand[gcol].astype(str) == str(getattr(r, gcol))]
        if want is None and table_actors:
            want = table_actors
        best = None
        if want and ment is not None and len(cand):
            mm = ment[ment["actor"].isin(want) & ment["article_id"].astype(str).isin(cand["article_id"])]
            if len(mm):
                counts = mm["article_id"].astype(str).value_counts()
                top_n = counts.max()
                ids = set(counts[counts == top_n].index)
                best = cand[cand["article_id"].isin(ids)].sort_values("_date", kind="stable").iloc[0]
        if best is None and len(cand):
            best = cand.sort_values("_date", kind="stable").iloc[0]
        rows.append({"headline": None if best is None else best.get("title"),
                     "article_id": None if best is None else best["article_id"],
                     "source": None if best is None else best.get("source", best.get("outlet")),
                     "date": pd.NaT if best is None else best["_date"]})
    extra = pd.DataFrame(rows, columns=["headline", "article_id", "source", "date"])
    if gcol == "source":
        extra = extra.drop(columns="source")
    return pd.concat([pk, extra], axis=1)


class _CallableModule(__import__("types").ModuleType):
    """``newskit.timeline`` is both this module and, re-exported, the function: importing the submodule
    binds the module as the package attribute, so the module forwards calls to :func:`timeline`."""

    def __call__(self, *args, **kwargs):
        return timeline(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
__signature__ = __import__("inspect").signature(timeline)


def _infer_freq(periods: pd.Series) -> str:
    p = pd.Series(pd.to_datetime(periods)).drop_duplicates().sort_values()
    if len(p) < 2:
        return "D"
    step = p.diff().dropna().min().days
    return "D" if step < 7 else ("W" if step == 7 else "M")
