"""What happened when: the event dates the coverage talks about, next to when it was published.

Event dates come from the ``dates`` pipeline step (:mod:`newskit.dates`).
"""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from newskit.analysis import parquet as _duck

__all__ = ["event_timeline"]


def _published(arts: pd.DataFrame) -> dict:
    d = pd.to_datetime(arts["date"], errors="coerce") if "date" in arts.columns else \
        pd.Series(pd.NaT, index=arts.index)
    return dict(zip(arts["article_id"].astype(str), d))


def event_timeline(ann: Any, *, actors: Sequence[str] | str | None = None,
                   horizon_days: int | None = 366) -> pd.DataFrame:
    """What happened when: one row per (event date, sentence), with the sentence and the source.

    Parameters
    ----------
    ann : Annotations
        Uses ``ann.dates`` (from :func:`newskit.dates.sentence_dates` in the pipeline); when absent it
        is computed from ``ann.sentences`` and the article dates.
    actors : list of str, optional
        Keep sentences mentioning at least one of these actors.
    horizon_days : int or None
        Keep event dates at most this many days before the first or after the last publication date of
        the corpus (default one year), so historic dates ("August 1941") do not stretch the axis; the
        number left out is ``df.attrs["outside_horizon"]``. None keeps every date.

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

    if _duck.is_out_of_core(ann):  # joined, filtered and sorted by DuckDB; the result is fetched once
        if actors is not None:  # names resolved on the whole folder: an actor may have no dated sentence
            actors = _duck.canonical(ann, [actors] if isinstance(actors, str) else actors)
        return _duck.event_timeline(ann, actors=actors, horizon_days=horizon_days)
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
        from newskit.analysis._frame import canonical_actors

        want = set(canonical_actors(ann, actors))
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
    n_out = 0
    if horizon_days is not None and out["published"].notna().any():
        lo = out["published"].min().normalize() - pd.Timedelta(days=horizon_days)
        hi = out["published"].max().normalize() + pd.Timedelta(days=horizon_days)
        inside = out["event_date"].between(lo, hi)
        n_out = int((~inside).sum())
        out = out[inside]
    out = out.reset_index(drop=True)
    out.attrs["outside_horizon"] = n_out
    return out

