"""When: coverage per period — articles, actor mentions or mean actor sentiment — and its peaks.

``timeline`` counts by publication date; :mod:`newskit.analysis.events` lists the dates the coverage
*talks about*. Periods are labelled by their first day (see :mod:`newskit._options`).

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

import sys

import pandas as pd

from newskit.analysis import parquet as _duck
from newskit._options import (FREQS, as_list, check_freq, check_top, check_where, date_mask, day_bounds, period_start,
                              where_mask)
from newskit.analysis._estimate import estimate
from newskit.analysis._frame import canonical_actors

__all__ = ["timeline", "peaks", "period_start"]

_METRICS = ("articles", "mentions", "sentiment")
_NORMALIZE = (None, "per_article", "share")


def _articles(ann: Any) -> pd.DataFrame:
    return ann if isinstance(ann, pd.DataFrame) else ann.articles


def _check(freq, by, metric, normalize) -> tuple[str, list[str]]:
    freq = check_freq(freq)
    groups = as_list(by)
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {_METRICS}, not {metric!r}")
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be None, 'per_article' or 'share', not {normalize!r}")
    if normalize and metric == "sentiment":
        raise ValueError("normalize does not apply to metric='sentiment'")
    return freq, groups


def _dated(arts: pd.DataFrame, freq: str, date_from, date_to, groups: list[str]) -> tuple[pd.DataFrame, int]:
    """Articles in the window with a ``period`` column; undated ones counted and warned about."""
    a = arts.copy()
    a["article_id"] = a["article_id"].astype(str)
    d = pd.to_datetime(a["date"], errors="coerce") if "date" in a.columns else pd.Series(pd.NaT, index=a.index)
    undated = int(d.isna().sum())
    if undated:
        warnings.warn(f"{undated} article(s) have no date and are not on the timeline "
                      f"(see df.attrs['undated'])", stacklevel=3)
    a = a[date_mask(d, date_from=date_from, date_to=date_to) & d.notna()]
    a["period"] = period_start(a["date"], freq).values
    for g in groups:
        if g == "source" and "source" not in a.columns and "outlet" in a.columns:
            raise ValueError("by='source': the articles have no 'source' column (use by='outlet')")
        if g != "actor":
            if g not in a.columns:
                raise ValueError(f"by={g!r}: no such article column; use 'actor' or one of {sorted(a.columns)}")
            a[g] = a[g].astype(str)
    return a, undated


def _period_range(periods: pd.Series, freq: str, date_from, date_to) -> pd.DatetimeIndex:
    lo, hi = day_bounds(date_from, date_to)
    start = period_start(pd.Series([lo]), freq).iloc[0] if lo is not None else (periods.min() if len(periods) else None)
    end = (period_start(pd.Series([hi - pd.Timedelta(days=1)]), freq).iloc[0] if hi is not None
           else (periods.max() if len(periods) else None))
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return pd.DatetimeIndex([], name="period")
    return pd.date_range(start, end, freq=FREQS[freq], name="period")


def _mentions(ann: Any, a: pd.DataFrame, *, metric: str, groups: list[str], actors, top: int,
              where: str = "body") -> tuple:
    """Actor mentions of the dated articles, joined with their period and groups; the actors used."""
    if isinstance(ann, pd.DataFrame) or getattr(ann, "mentions", None) is None:
        raise ValueError(f"metric={metric!r}, by={groups!r}, actors=... need Annotations with mentions")
    m = ann.mentions
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
    if metric == "sentiment" and "score" not in m.columns:
        raise ValueError("metric='sentiment' needs a 'score' column in mentions")
    m = m[m["actor"].notna()]
    known = m  # names resolve against every mention, title or text
    m = m[where_mask(m, where)].copy()
    m["article_id"] = m["article_id"].astype(str)
    if "actor" in groups and actors is None:
        actors = m[m["article_id"].isin(a["article_id"])]["actor"].value_counts().head(top).index.tolist()
    if actors is not None:
        actors = canonical_actors(ann, actors, m=known)
        m = m[m["actor"].isin(actors)]
    art_cols = ["article_id", "period"] + [g for g in groups if g != "actor"]
    return m.merge(a[art_cols], on="article_id", how="inner"), actors


def _index(periods, groups: list[str], a: pd.DataFrame, actors) -> pd.Index:
    if not groups:
        return periods
    levels = [periods] + [list(actors) if g == "actor" else sorted(a[g].dropna().unique()) for g in groups]
    return pd.MultiIndex.from_product(levels, names=["period"] + groups)


def _measure(metric: str, a, m, keys, index, *, errorbar, n_boot, seed) -> pd.DataFrame:
    if metric == "articles":
        src = a if m is None else m.drop_duplicates(keys + ["article_id"])
        return src.groupby(keys).size().reindex(index, fill_value=0).rename("value").reset_index()
    if metric == "mentions":
        return m.groupby(keys).size().reindex(index, fill_value=0).rename("value").reset_index()
    est = estimate(m, value="score", by=keys, errorbar=errorbar, n_boot=n_boot, seed=seed)
    est = est.set_index(keys).reindex(index)
    est["n"] = est["n"].fillna(0).astype("int64")
    est["n_articles"] = est["n_articles"].fillna(0).astype("int64")
    return est.rename(columns={"mean": "value"})[["value", "n", "n_articles", "ci_low", "ci_high"]].reset_index()


def _normalize(out: pd.DataFrame, how, a: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    if how == "per_article":
        akeys = ["period"] + [g for g in groups if g != "actor"]
        denom = a.groupby(akeys).size().rename("_n")
        out = out.merge(denom.reset_index(), on=akeys, how="left")
        out["value"] = out["value"] / out["_n"].where(out["_n"] > 0)
        return out.drop(columns="_n")
    if how == "share":
        tot = (out.groupby("period")["value"].transform("sum") if groups
               else pd.Series(out["value"].sum(), index=out.index))
        out["value"] = out["value"] / tot.where(tot > 0)
    return out


def _rolling(out: pd.DataFrame, rolling: int | None, groups: list[str]) -> pd.DataFrame:
    if not rolling:
        return out
    roll = lambda s: s.rolling(int(rolling), min_periods=1).mean()  # noqa: E731
    out["rolling"] = out.groupby(groups, sort=False)["value"].transform(roll) if groups else roll(out["value"])
    return out


def timeline(ann: Any, *, freq: str = "D", by: str | Sequence[str] | None = None, metric: str = "articles",
             actors: Sequence[str] | str | None = None, normalize: str | None = None,
             rolling: int | None = None, date_from: Any = None, date_to: Any = None,
             top: int = 5, errorbar: Any = ("ci", 95), n_boot: int = 1000, seed: int = 0,
             where: str = "body") -> pd.DataFrame:
    """Coverage per period: articles, actor mentions or mean actor sentiment, optionally by group.

    Parameters
    ----------
    ann : Annotations or DataFrame
        Annotations (``articles``, ``mentions`` with ``actor`` and ``score``), or a plain articles
        table (``metric="articles"`` without actor groups).
    freq : {"D", "W", "M"}
        Days, weeks (starting Monday) or months (starting on the 1st).
    by : str or list of str, optional
        Group columns: ``"actor"`` and/or article columns (``"source"``, ``"outlet"`` …), e.g.
        ``by=["actor", "outlet"]``. ``"actor"`` without ``actors`` takes the ``top`` most-mentioned actors.
    metric : {"articles", "mentions", "sentiment"}
        Articles (mentioning the actor(s), when actors are given or ``by`` has ``"actor"``), mentions of
        actors, or the mean target sentiment ``score`` of the mentions with its interval
        (:func:`newskit.analysis.estimate`: articles resampled).
    actors : list of str, optional
        Restrict to mentions of these actors (without an actor group: articles/mentions of any of them).
    normalize : {None, "per_article", "share"}
        ``per_article`` divides by the number of articles in the period (and article group);
        ``share`` divides by the period's total over the groups (no groups: by the total over all
        periods). Not for sentiment.
    rolling : int, optional
        Adds a ``rolling`` column: the mean of ``value`` over the last ``rolling`` periods (per group).
    date_from, date_to : date-like, optional
        Whole-day, inclusive publication-date bounds; the period range then spans them.
    top : int
        Number of actors for an actor group without ``actors``.
    errorbar, n_boot, seed
        Interval of ``metric="sentiment"`` (as in :func:`newskit.analysis.estimate`).
    where : {"body", "title", "all"}
        Which actor mentions count: the article text's (default; headlines are counted separately
        unless asked), the title's (``in_title``: articles *headlining* the actor) or both. Plain
        article counts (no actors) do not depend on it.

    Returns
    -------
    DataFrame
        ``period``, the ``by`` columns, ``value`` (+ ``n``, ``n_articles``, ``ci_low``, ``ci_high`` for
        sentiment, ``rolling`` when asked). Every period between the first and last is present for every
        group (counts zero-filled, sentiment NaN). ``df.attrs``: ``undated`` (articles without a date,
        also warned about), ``freq``, ``metric``, ``by``, ``actors``.

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
    >>> timeline(ann, metric="sentiment", by="actor", freq="W")[["actor", "value", "n", "n_articles"]]
      actor     value  n  n_articles
    0  Kyiv  0.133333  3           2
    1  Lviv  0.300000  1           1
    """
    freq, groups = _check(freq, by, metric, normalize)
    top = check_top(top)
    where = check_where(where)
    if isinstance(actors, str):
        actors = [actors]
    if _duck.is_out_of_core(ann):
        return _duck.timeline(ann, freq=freq, groups=groups, metric=metric, actors=actors, normalize=normalize,
                              rolling=rolling, date_from=date_from, date_to=date_to, top=top, errorbar=errorbar,
                              n_boot=n_boot, seed=seed, helpers=sys.modules[__name__], where=where)
    a, undated = _dated(_articles(ann), freq, date_from, date_to, groups)
    periods = _period_range(a["period"], freq, date_from, date_to)
    need_mentions = metric != "articles" or "actor" in groups or actors is not None
    m = None
    if need_mentions:
        m, actors = _mentions(ann, a, metric=metric, groups=groups, actors=actors, top=top, where=where)
    keys = ["period"] + groups
    out = _measure(metric, a, m, keys, _index(periods, groups, a, actors),
                   errorbar=errorbar, n_boot=n_boot, seed=seed)
    out = _rolling(_normalize(out, normalize, a, groups), rolling, groups)
    if metric != "sentiment" and normalize is None:
        out["value"] = out["value"].astype("int64")
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs.update({"undated": undated, "freq": freq, "metric": metric,
                      "by": (groups[0] if len(groups) == 1 else (groups or None)),
                      "actors": list(actors) if actors is not None else None})
    return out


# --------------------------------------------------------------------------- peaks
def _infer_freq(periods: pd.Series) -> str:
    p = pd.Series(pd.to_datetime(periods)).drop_duplicates().sort_values()
    if len(p) < 2:
        return "D"
    step = p.diff().dropna().min().days
    return "D" if step < 7 else ("W" if step == 7 else "M")


def _group_cols(table: pd.DataFrame) -> list[str]:
    by = table.attrs.get("by")
    if by is not None:
        return as_list(by)
    skip = {"period", "value", "n", "n_articles", "ci_low", "ci_high", "rolling"}
    return [c for c in table.columns if c not in skip][:1]


def peaks(table: pd.DataFrame, *, top: int = 5, articles: Any = None, total: bool | None = None) -> pd.DataFrame:
    """The ``top`` periods with the highest value, with the top headline of each.

    Parameters
    ----------
    table : DataFrame
        A :func:`timeline` result (``period``, optional group columns, ``value``).
    top : int
        Number of peaks.
    articles : Annotations or DataFrame, optional
        Where headlines come from. The top headline of a peak is the article of that period (and
        group) with the most mentions of the actor(s) (an actor group or the timeline's ``actors``),
        else the first article by date.
    total : bool, optional
        For a grouped count table: True (the default for counts) ranks the periods by their **total**
        over the groups — the busiest days of the whole coverage, as a stacked chart shows them; False
        ranks (period, group) rows. Sentiment tables always rank rows.

    Returns
    -------
    DataFrame
        ``period``, the group columns (rows) or none (totals), ``value``, and with ``articles``:
        ``headline``, ``article_id``, ``source``, ``date``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["A", "B", "C"], "source": ["x", "y", "x"],
    ...                      "date": pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-05"])})
    >>> peaks(timeline(arts, by="source"), top=1, articles=arts)[["period", "value", "headline"]]
          period  value headline
    0 2022-01-03      2        A
    """
    freq = table.attrs.get("freq") or _infer_freq(table["period"])
    groups = _group_cols(table)
    counts = table.attrs.get("metric", "articles") != "sentiment"
    if total is None:
        total = counts
    if groups and total:
        if not counts:
            raise ValueError("total=True sums counts over groups; a sentiment table has no total")
        base = table.groupby("period", as_index=False)["value"].sum()
        groups = []
    else:
        base = table
    pk = base.dropna(subset=["value"]).sort_values(["value", "period"], ascending=[False, True]).head(top)
    pk = pk[["period"] + groups + ["value"]].reset_index(drop=True)
    if articles is None:
        return pk
    return pd.concat([pk, _headlines(pk, groups, articles, freq, table.attrs.get("actors"))], axis=1)


def _headlines(pk: pd.DataFrame, groups: list[str], articles: Any, freq: str, table_actors) -> pd.DataFrame:
    arts = _articles(articles).copy()
    arts["article_id"] = arts["article_id"].astype(str)
    arts["_date"] = pd.to_datetime(arts["date"], errors="coerce")
    arts["period"] = period_start(arts["_date"], freq).values
    ment = None if isinstance(articles, pd.DataFrame) else getattr(articles, "mentions", None)
    rows = []
    for r in pk.to_dict("records"):
        cand = arts[arts["period"] == r["period"]]
        want = None
        for g in groups:
            if g == "actor":
                want = [r["actor"]]
            else:
                cand = cand[cand[g].astype(str) == str(r[g])]
        if want is None and table_actors:
            want = table_actors
        best = None
        if want and ment is not None and len(cand):
            mm = ment[ment["actor"].isin(want) & ment["article_id"].astype(str).isin(cand["article_id"])]
            if len(mm):
                counts = mm["article_id"].astype(str).value_counts()
                ids = set(counts[counts == counts.max()].index)
                best = cand[cand["article_id"].isin(ids)].sort_values("_date", kind="stable").iloc[0]
        if best is None and len(cand):
            best = cand.sort_values("_date", kind="stable").iloc[0]
        rows.append({"headline": None if best is None else best.get("title"),
                     "article_id": None if best is None else best["article_id"],
                     "source": None if best is None else best.get("source", best.get("outlet")),
                     "date": pd.NaT if best is None else best["_date"]})
    extra = pd.DataFrame(rows, columns=["headline", "article_id", "source", "date"])
    return extra.drop(columns="source") if "source" in groups else extra
