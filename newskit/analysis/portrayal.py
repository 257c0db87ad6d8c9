"""How each actor is portrayed: mean target sentiment per actor (and group), outlet comparisons, and
example sentences. Every interval comes from :func:`newskit.analysis.estimate` (articles resampled).

>>> import pandas as pd
>>> m = pd.DataFrame({"actor": ["A", "A", "A", "B"], "article_id": ["1", "1", "2", "3"],
...                   "score": [-0.5, -0.1, 0.0, 0.6],
...                   "sentiment": ["negative", "negative", "neutral", "positive"]})
>>> actor_sentiment(m, min_mentions=1, n_boot=200)[["actor", "n", "n_articles", "mean", "share_negative"]]
  actor  n  n_articles  mean  share_negative
0     B  1           1   0.6        0.000000
1     A  3           2  -0.2        0.666667
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from newskit._options import PERIOD_GROUPS, as_list, check_where, period_start, renamed, where_mask
from newskit.analysis._estimate import ESTIMATE_COLUMNS, bootstrap_means, check_errorbar, estimate, group_rng
from newskit.analysis import parquet as _duck
from newskit.analysis._frame import add_groups, canonical_actors, mention_table
from newskit.sentiment.labels import LABELS, label_scores

__all__ = ["actor_sentiment", "compare_sources", "mention_examples", "AGG_COLUMNS"]

AGG_COLUMNS = ESTIMATE_COLUMNS + [f"share_{c}" for c in LABELS]


def _scored(ann: Any, where: str = "all") -> pd.DataFrame:
    m = mention_table(ann, need=())
    if "actor" not in m.columns:
        m["actor"] = m["text"] if "text" in m.columns else pd.Series(dtype="object")
    if "score" not in m.columns:
        raise ValueError("mentions have no 'score' column: annotate with a sentiment step")
    if "sentiment" not in m.columns:
        m["sentiment"] = label_scores(m["score"].to_numpy(), band=0.05)
    if "article_id" not in m.columns:  # a bare mentions table: every row its own unit
        m["article_id"] = np.arange(len(m)).astype(str)
    return m[m["actor"].notna() & m["score"].notna() & where_mask(m, where)]


def _article_groups(per: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per (group, article) rows of :func:`compare_sources` → the ``by`` column (a period of ``date`` for
    ``day``/``week``/``month``); rows without a group are left out with a warning that counts their mentions."""
    if by in PERIOD_GROUPS:
        per = per.assign(**{by: period_start(per["date"], PERIOD_GROUPS[by]).to_numpy()})
    bad = per[by].isna().to_numpy()
    if bad.any():
        why = "no date" if by in PERIOD_GROUPS else f"no {by!r}"
        warnings.warn(f"{int(per['count'][bad].sum())} of {int(per['count'].sum())} mentions have {why} and are "
                      f"left out of by={by!r}", stacklevel=3)
        per = per[~bad]
    return per


def actor_sentiment(ann: Any, *, by: str | Sequence[str] | None = None, actors: Sequence[str] | None = None,
                    min_mentions: int = 5, errorbar: Any = ("ci", 95), n_boot: int = 1000,
                    seed: int = 0, where: str = "body") -> pd.DataFrame:
    """Mean target sentiment per actor (optionally per outlet, month … or several of them).

    Parameters
    ----------
    ann : Annotations or DataFrame
        Annotations (mentions with ``actor``, ``score``, ``sentiment``; article ``date``, ``source``,
        ``outlet`` are merged in), or a mentions table that already carries the columns.
    by : str or list of str, optional
        Further groups: ``"outlet"``, ``"source"``, ``"month"``, ``"week"``, ``"day"`` or any column —
        ``by=["outlet", "month"]`` gives actor × outlet × month. Rows without the group (undated
        mentions for periods) are left out with a warning.
    actors : list of str, optional
        Restrict to these actors (names, surface forms or aliases; an unknown name raises
        ``UnknownActorError`` with the closest names).
    min_mentions : int
        Groups with fewer mentions are dropped.
    errorbar : ("ci", level) | ("se", k) | None
        Interval (see :func:`newskit.analysis.estimate`); articles are resampled, not mentions.
    n_boot, seed
        Bootstrap resamples and seed (deterministic per group).
    where : {"body", "title", "all"}
        Which mentions are scored: the article text's (default; headlines are counted separately
        unless asked), the title's (how the headlines portray the actor) or both.

    Returns
    -------
    DataFrame
        ``actor`` (+ the ``by`` columns), ``n, n_articles, mean, ci_low, ci_high, share_negative,
        share_neutral, share_positive``; sorted by mean (descending) when ``by`` is None, else by actor
        and groups.

    Examples
    --------
    >>> m = pd.DataFrame({"actor": ["A"] * 4, "article_id": ["1", "1", "2", "3"], "outlet": ["X", "X", "X", "Y"],
    ...                   "score": [-0.5, -0.3, 0.1, 0.6]})
    >>> actor_sentiment(m, by="outlet", min_mentions=1, errorbar=None)[["actor", "outlet", "n", "n_articles", "mean"]]
      actor outlet  n  n_articles  mean
    0     A      X  3           2  -0.2
    1     A      Y  1           1   0.6
    """
    where = check_where(where)
    if _duck.is_out_of_core(ann):
        return _duck.actor_sentiment(ann, by=by, actors=actors, min_mentions=min_mentions, errorbar=errorbar,
                                     n_boot=n_boot, seed=seed, where=where)
    m = _scored(ann)
    if actors is not None:
        m = m[m["actor"].isin(canonical_actors(ann, actors, m=m))]
    m = m[where_mask(m, where)]
    keys = as_list(by)
    m = add_groups(m, keys)
    out = estimate(m, value="score", by=["actor"] + keys, errorbar=errorbar, n_boot=n_boot, seed=seed,
                   shares="sentiment", classes=LABELS, min_n=min_mentions)
    if not keys:
        out = out.sort_values(["mean", "actor"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def compare_sources(ann: Any, actor: str, *, by: str = "source", pairwise: bool = False,
                    min_mentions: int = 5, errorbar: Any = ("ci", 95), n_boot: int = 1000,
                    seed: int = 0, where: str = "body") -> pd.DataFrame:
    """How outlets differ in their portrayal of ``actor``: differences of mean scores with intervals.

    The interval of a difference resamples the articles of each side independently (outlets hold
    disjoint articles), so it reflects article-level clustering.

    Parameters
    ----------
    ann : Annotations or DataFrame
    actor : str
    by : str
        Outlet column (``source`` or ``outlet``).
    pairwise : bool
        False (default): each outlet against all other outlets pooled (``mean − mean_other``).
        True: every pair of outlets (``mean_a − mean_b``).
    min_mentions : int
        Outlets with fewer mentions of the actor are left out.
    errorbar, n_boot, seed
        As in :func:`actor_sentiment` (``("se", k)`` combines the two cluster-robust SEs).
    where : {"body", "title", "all"}
        As in :func:`actor_sentiment` (default: the article text's mentions).

    Returns
    -------
    DataFrame
        Not pairwise: ``<by>, n, n_articles, mean, n_other, mean_other, diff, ci_low, ci_high``.
        Pairwise: ``<by>_a, <by>_b, n_a, n_b, diff, ci_low, ci_high``. An interval excluding 0
        suggests a real difference (no correction for multiple comparisons).

    Examples
    --------
    >>> m = pd.DataFrame({"actor": ["A"] * 6, "source": ["x", "x", "x", "y", "y", "y"],
    ...                   "article_id": ["1", "2", "3", "4", "5", "6"],
    ...                   "score": [0.5, 0.4, 0.6, -0.2, -0.1, -0.3]})
    >>> compare_sources(m, "A", min_mentions=2, n_boot=200)[["source", "diff"]].round(2)
      source  diff
    0      x   0.7
    1      y  -0.7
    """
    eb = check_errorbar(errorbar)
    where = check_where(where)
    if _duck.is_out_of_core(ann):  # per (outlet, article) sums and counts of the actor's scores, from DuckDB
        actor, per_article = _duck.compare_per_article(ann, actor, by=by, where=where)
    else:
        m = _scored(ann)
        actor = canonical_actors(ann, actor, m=m)[0]
        m = m[(m["actor"] == actor) & where_mask(m, where)]
        gcol = "date" if by in PERIOD_GROUPS else by
        if gcol not in m.columns:
            add_groups(m, [by])  # raises the error naming the columns there are
        per_article = (m.groupby([gcol, "article_id"], sort=False, dropna=False)["score"].agg(["sum", "count"])
                       .reset_index())
    per_article = _article_groups(per_article, by)
    counts = per_article.groupby(per_article[by].astype(str))["count"].sum()
    keep = sorted(counts[counts >= min_mentions].index) if len(per_article) else []
    per = {k: g for k, g in per_article.groupby(per_article[by].astype(str), sort=False) if k in keep}

    def side(names):
        parts = [per[k] for k in names]
        if not parts:
            return np.array([]), np.array([])
        t = pd.concat(parts)
        return t["sum"].to_numpy(float), t["count"].to_numpy(float)

    def interval(x, y, rng):
        if eb is None or not len(x[0]) or not len(y[0]):
            return np.nan, np.nan
        if eb[0] == "se":
            from newskit.analysis._estimate import _cluster_se

            se = np.hypot(_cluster_se(*x), _cluster_se(*y))
            d = x[0].sum() / x[1].sum() - y[0].sum() / y[1].sum()
            return d - eb[1] * se, d + eb[1] * se
        d = bootstrap_means(*x, n_boot=n_boot, rng=rng) - bootstrap_means(*y, n_boot=n_boot, rng=rng)
        a = (100 - eb[1]) / 2
        lo, hi = np.percentile(d, [a, 100 - a])
        return float(lo), float(hi)

    rows = []
    if not pairwise:
        cols = [by, "n", "n_articles", "mean", "n_other", "mean_other", "diff", "ci_low", "ci_high"]
        for k in keep:
            x, y = side([k]), side([o for o in keep if o != k])
            mx = x[0].sum() / x[1].sum()
            my = y[0].sum() / y[1].sum() if len(y[0]) else np.nan
            lo, hi = interval(x, y, group_rng(seed, actor, k))
            rows.append({by: k, "n": int(x[1].sum()), "n_articles": len(x[0]), "mean": mx,
                         "n_other": int(y[1].sum()), "mean_other": my, "diff": mx - my,
                         "ci_low": lo, "ci_high": hi})
    else:
        cols = [f"{by}_a", f"{by}_b", "n_a", "n_b", "diff", "ci_low", "ci_high"]
        for i, a in enumerate(keep):
            for b in keep[i + 1:]:
                x, y = side([a]), side([b])
                lo, hi = interval(x, y, group_rng(seed, actor, a, b))
                rows.append({f"{by}_a": a, f"{by}_b": b, "n_a": int(x[1].sum()), "n_b": int(y[1].sum()),
                             "diff": x[0].sum() / x[1].sum() - y[0].sum() / y[1].sum(),
                             "ci_low": lo, "ci_high": hi})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    return pd.DataFrame(rows, columns=cols)


@renamed(k="top")
def mention_examples(ann: Any, actor: str, *, top: int = 3, source: str | None = None,
                     where: str = "body") -> pd.DataFrame:
    """The ``top`` most negative and ``top`` most positive mentions of ``actor``, with their sentence.

    Parameters
    ----------
    ann : Annotations
    actor : str
        Actor name (resolved as everywhere; an unknown name raises with the closest names).
    top : int
        Examples per kind.
    source : str, optional
        Only mentions of this source (or outlet).
    where : {"body", "title", "all"}
        The article text's mentions (default), the headline's (the "sentence" is then the title) or both.

    Returns
    -------
    DataFrame
        ``kind`` (most negative / most positive), ``score``, ``sentiment``, ``sentence``,
        ``m_start``, ``m_end`` (mention offsets inside ``sentence``), ``article_id``, and ``date``,
        ``source``, ``outlet`` when known. A sentence appears once per kind.

    Examples
    --------
    >>> from newskit.annotations import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a"], "text": ["Smith won. Smith lied."]})
    >>> sents = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [0, 1], "start": [0, 11], "end": [10, 22],
    ...                       "text": ["Smith won.", "Smith lied."]})
    >>> ments = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [0, 1], "start": [0, 11], "end": [5, 16],
    ...                       "text": ["Smith"] * 2, "label": ["PERSON"] * 2, "actor": ["Smith"] * 2,
    ...                       "score": [0.6, -0.7], "sentiment": ["positive", "negative"]})
    >>> ann = Annotations(articles=arts, sentences=sents, mentions=ments)
    >>> mention_examples(ann, "Smith", top=1)[["kind", "sentence", "m_start", "m_end"]]
                kind     sentence  m_start  m_end
    0  most negative  Smith lied.        0      5
    1  most positive   Smith won.        0      5
    """
    where = check_where(where)
    if _duck.is_out_of_core(ann):  # the actor's scored mentions ranked in DuckDB, 2 × top rows read
        return _duck.mention_examples(ann, actor, top=top, source=source, where=where)
    m = _scored(ann)
    actor = canonical_actors(ann, actor, m=m)[0]
    m = m[(m["actor"] == actor) & where_mask(m, where)]
    if source is not None:
        col = "source" if "source" in m.columns and (m["source"] == source).any() else "outlet"
        m = m[m[col] == source] if col in m.columns else m.iloc[:0]
    cols = ["kind", "score", "sentiment", "sentence", "m_start", "m_end", "article_id", "date", "source", "outlet"]
    sents = getattr(ann, "sentences", None)
    if len(m) == 0 or sents is None or len(sents) == 0:
        return pd.DataFrame(columns=cols)
    s = sents[["article_id", "sent_id", "start", "text"]].rename(columns={"start": "s_start", "text": "sentence"})
    s = s.assign(article_id=s["article_id"].astype(str))
    m = m.assign(article_id=m["article_id"].astype(str)).merge(s, on=["article_id", "sent_id"], how="inner")
    m = m.assign(m_start=m["start"] - m["s_start"], m_end=m["end"] - m["s_start"])
    out = []
    for kind, asc in (("most negative", True), ("most positive", False)):
        part = m.sort_values("score", ascending=asc, kind="mergesort")
        part = part.drop_duplicates(["sentence"]).head(top)
        out.append(part.assign(kind=kind))
    res = pd.concat(out, ignore_index=True)
    for c in cols:
        if c not in res.columns:
            res[c] = None
    return res[cols]
