"""Who the coverage is about: actor frequencies, co-occurrence, and keyword in context.

>>> import pandas as pd
>>> from newskit.annotations import Annotations
>>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["", ""], "outlet": ["X", "Y"]})
>>> men = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [0, 0, 0], "start": [0, 5, 0],
...     "end": [4, 9, 4], "text": ["Kyiv", "Kiev", "Kyiv"], "label": ["GPE"] * 3,
...     "actor": ["Kyiv"] * 3, "actor_type": ["place"] * 3})
>>> entity_frequency(Annotations(articles=arts, mentions=men), by="outlet")
  outlet actor actor_type  mentions  articles  n_articles  share
0      X  Kyiv      place         2         1           1    1.0
1      Y  Kyiv      place         1         1           1    1.0
"""
from __future__ import annotations

import hashlib
from typing import Any, Sequence

import numpy as np
import pandas as pd

from newskit._options import as_list, check_top, check_where, renamed, where_mask
from newskit.analysis import parquet as _duck
from newskit.analysis._frame import add_groups, canonical_actors

__all__ = ["entity_frequency", "cooccurrence", "kwic"]


def _actor_mentions(ann: Any, types: Sequence[str] | str | None = None, where: str = "body") -> pd.DataFrame:
    m = ann.mentions
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
    m = m[m["actor"].notna() & where_mask(m, where)]
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        types = ["organisation" if t == "organization" else t for t in types]
        m = m[m["actor_type"].isin(types)]
    return m


def _modal_type(m: pd.DataFrame) -> pd.Series:
    """Most frequent ``actor_type`` per actor (ties: alphabetical, as ``Series.mode``), vectorised."""
    c = m.groupby(["actor", "actor_type"], sort=False).size().rename("n").reset_index()
    c = c.sort_values(["actor", "n", "actor_type"], ascending=[True, False, True]).drop_duplicates("actor")
    return pd.Series(c["actor_type"].to_numpy(), index=pd.Index(c["actor"].to_numpy(), name="actor"),
                     name="actor_type")



def entity_frequency(ann: Any, *, by: str | Sequence[str] | None = None, types: Sequence[str] | str | None = None,
                     top: int | None = None, where: str = "body") -> pd.DataFrame:
    """Actor frequency table.

    Parameters
    ----------
    ann : Annotations
    by : str or list of str, optional
        Group by article columns (``"source"``, ``"outlet"`` …) and/or publication periods
        (``"day"``, ``"week"``, ``"month"``); ``by=["outlet", "month"]`` crosses them. Articles without
        the group (e.g. undated ones for periods) are reported in a warning and left out.
    types : str or list, optional
        Keep only these actor types (person, place, organisation, group, event, other).
    top : int, optional
        Keep the ``top`` actors overall (by mentions); with ``by`` the same actors in every group.
    where : {"body", "title", "all"}
        Which mentions count: **the article text's only by default** (headlines are counted separately
        unless asked); ``"title"``: the headline's (mentions with ``in_title`` — who makes the
        headlines; ``share`` is then the share of headlines naming the actor); ``"all"``: both.

    Returns
    -------
    DataFrame
        ``actor, actor_type, mentions, articles, share`` (share = articles mentioning the actor /
        articles in the group), sorted by mentions; with ``by`` leading group columns and
        ``n_articles`` (articles in the group), so per-article normalisation is one division.

    Examples
    --------
    >>> from newskit.annotations import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["", ""]})
    >>> men = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [0, 0, 0], "start": [0, 5, 0],
    ...     "end": [4, 9, 4], "text": ["Kyiv", "Kiev", "Kyiv"], "label": ["GPE"] * 3,
    ...     "actor": ["Kyiv"] * 3, "actor_type": ["place"] * 3})
    >>> entity_frequency(Annotations(articles=arts, mentions=men))
      actor actor_type  mentions  articles  share
    0  Kyiv      place         3         2    1.0
    >>> head = men.assign(in_title=[True, False, False])   # "Kyiv" in the headline of article a
    >>> entity_frequency(Annotations(articles=arts, mentions=head), where="title")
      actor actor_type  mentions  articles  share
    0  Kyiv      place         1         1    0.5
    """
    where = check_where(where)
    if _duck.is_out_of_core(ann):
        return _duck.entity_frequency(ann, by=by, types=types, top=top, where=where)
    top = check_top(top)
    keys = as_list(by)
    m = _actor_mentions(ann, types, where)
    n_total = len(ann.articles)
    if not keys:
        g = m.groupby("actor", sort=False)
        size = g.size()
        out = pd.DataFrame({"actor_type": _modal_type(m).reindex(size.index),
                            "mentions": size, "articles": g["article_id"].nunique()}).reset_index()
        out["share"] = out["articles"] / max(1, n_total)
        out = out.sort_values(["mentions", "actor"], ascending=[False, True]).reset_index(drop=True)
        return out.head(top) if top is not None else out
    arts = add_groups(ann.articles, keys, what="articles")
    m = m.merge(arts[["article_id"] + keys].assign(article_id=arts["article_id"].astype(str)),
                on="article_id", how="inner")
    if top is not None:
        keep = m["actor"].value_counts().head(top).index
        m = m[m["actor"].isin(keep)]
    types_map = _modal_type(m)
    g = m.groupby(keys + ["actor"], sort=True)
    out = pd.DataFrame({"mentions": g.size(), "articles": g["article_id"].nunique()}).reset_index()
    out.insert(len(keys) + 1, "actor_type", out["actor"].map(types_map))
    n_group = arts.groupby(keys).size().rename("n_articles").reset_index()
    out = out.merge(n_group, on=keys, how="left")
    out["n_articles"] = out["n_articles"].astype("int64")
    out["share"] = out["articles"] / out["n_articles"]
    return out.sort_values(keys + ["mentions", "actor"], ascending=[True] * len(keys) + [False, True]
                           ).reset_index(drop=True)


def cooccurrence(ann: Any, *, within: str = "sentence", top: int | None = 30,
                 types: Sequence[str] | str | None = None, min_count: int = 1, where: str = "body") -> pd.DataFrame:
    """Actor pairs that occur in the same sentence (or article), with association scores.

    Parameters
    ----------
    within : {"sentence", "article"}
        The unit of co-occurrence.
    top : int, optional
        Restrict to pairs among the ``top`` most frequent actors (by units mentioning them).
    types : str or list, optional
        Actor types to keep.
    min_count : int
        Minimum co-occurrence count.
    where : {"body", "title", "all"}
        Which mentions (and sentences) count: the article text's (default), the title's or both.

    Returns
    -------
    DataFrame
        ``actor_a, actor_b, count, count_a, count_b, pmi, npmi, jaccard`` (counts in units:
        sentences or articles; PMI = log2(P(a,b) / (P(a) P(b)))), sorted by count.

    Examples
    --------
    >>> from newskit.annotations import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["", ""]})
    >>> men = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [0, 0, 0], "start": [0, 9, 0],
    ...     "end": [4, 13, 4], "text": ["Kyiv", "Lviv", "Kyiv"], "label": ["GPE"] * 3,
    ...     "actor": ["Kyiv", "Lviv", "Kyiv"], "actor_type": ["place"] * 3})
    >>> cooccurrence(Annotations(articles=arts, mentions=men))[["actor_a", "actor_b", "count", "count_a"]]
      actor_a actor_b  count  count_a
    0    Kyiv    Lviv      1        2
    """
    where = check_where(where)
    if _duck.is_out_of_core(ann):
        return _duck.cooccurrence(ann, within=within, top=top, types=types, min_count=min_count, where=where)
    if within not in ("sentence", "article"):
        raise ValueError("within must be 'sentence' or 'article'")
    m = _actor_mentions(ann, types, where)
    unit_cols = ["article_id", "sent_id"] if within == "sentence" else ["article_id"]
    u = m[unit_cols + ["actor"]].drop_duplicates()
    if within == "sentence":
        n_sent = int(where_mask(ann.sentences, where).sum()) if len(ann.sentences) else 0
        n_units = max(1, n_sent) if n_sent else max(1, len(u[unit_cols].drop_duplicates()))
    else:
        n_units = max(1, len(ann.articles))
    counts = u["actor"].value_counts()
    if top is not None:
        keep = counts.head(top).index
        u = u[u["actor"].isin(keep)]
    unit_id = u.groupby(unit_cols, sort=False).ngroup()
    u = u.assign(_u=unit_id.values)[["_u", "actor"]]
    pairs = u.merge(u, on="_u", suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_a"] < pairs["actor_b"]]
    out = pairs.groupby(["actor_a", "actor_b"]).size().rename("count").reset_index()
    out = out[out["count"] >= min_count]
    out["count_a"] = out["actor_a"].map(counts).astype("int64")
    out["count_b"] = out["actor_b"].map(counts).astype("int64")
    p_ab = out["count"] / n_units
    p_a, p_b = out["count_a"] / n_units, out["count_b"] / n_units
    out["pmi"] = np.log2(p_ab / (p_a * p_b))
    out["npmi"] = np.where(p_ab < 1, out["pmi"] / -np.log2(p_ab.clip(upper=1 - 1e-12)), 1.0)
    out["jaccard"] = out["count"] / (out["count_a"] + out["count_b"] - out["count"])
    return out.sort_values(["count", "actor_a", "actor_b"], ascending=[False, True, True]).reset_index(drop=True)


def spread_key(seed: int, article_id: Any, start: Any) -> str:
    """The seeded sort key of a hit in :func:`kwic`'s ``spread`` sample: the MD5 of ``seed|article_id|start``
    (hex). A hash rather than a random stream, so DuckDB computes the same sample out of core
    (:func:`newskit.analysis.parquet.kwic_subset`) without reading every hit into memory."""
    return hashlib.md5(f"{seed}|{article_id}|{start}".encode()).hexdigest()


def _spread(sub: pd.DataFrame, articles: pd.DataFrame, top: int, seed: int) -> pd.DataFrame:
    """``top`` rows of ``sub`` drawn round robin over outlets, one per article per round (seeded): hits in
    the order of :func:`spread_key`; round ``k`` takes each article's ``k``-th hit, articles of an outlet
    in the order of their first hit, outlets interleaved."""
    if len(sub) <= top:
        return sub
    col = "outlet" if "outlet" in articles.columns else ("source" if "source" in articles.columns else None)
    outlet = (sub["article_id"].map(articles.drop_duplicates("article_id").set_index("article_id")[col])
              if col else pd.Series("", index=sub.index)).fillna("").astype(str)
    r = [spread_key(seed, aid, st) for aid, st in zip(sub["article_id"], sub["start"])]
    d = sub.assign(_o=outlet.to_numpy(), _r=r).sort_values("_r", kind="stable")
    d["_k"] = d.groupby("article_id", sort=False).cumcount()          # round within the article
    art_rank = d.drop_duplicates("article_id").assign(_a=lambda x: x.groupby("_o").cumcount())
    d["_a"] = d["article_id"].map(art_rank.set_index("article_id")["_a"])
    d = d.sort_values(["_k", "_a", "_o"], kind="stable").head(top)
    return d.drop(columns=["_o", "_r", "_k", "_a"]).sort_index()


@renamed(limit="top")
def kwic(ann: Any, actor: str, *, width: int = 60, top: int | None = None, spread: bool = False,
         seed: int = 0, where: str = "body") -> pd.DataFrame:
    """Keyword in context for an actor (any of its surface forms).

    Parameters
    ----------
    actor : str
        Canonical actor name, or a surface form of it (resolved by :func:`newskit.actors.lookup_actors`; an unknown name raises with the closest names).
    width : int
        Characters of context either side (within the sentence's article text, newlines flattened).
    top : int, optional
        At most this many rows (``limit=`` is the deprecated name).
    spread : bool
        With ``top``: a seeded sample spread across outlets and articles (round robin over outlets,
        one hit per article per round) instead of the first hits in article order — the first hits of a
        corpus often come from one or two long transcripts.
    seed : int
        Seed of the ``spread`` sample.
    where : {"body", "title", "all"}
        The article text's mentions (default), the headline's (their context is the title: offsets of
        title mentions index ``title``) or both.

    Returns
    -------
    DataFrame
        ``article_id, title, date, source, left, keyword, right, start, end`` in article order (+
        ``in_title`` with ``where="all"``).

    Examples
    --------
    >>> from newskit.annotations import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a"], "text": ["Talks in Kyiv ended."]})
    >>> men = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [9], "end": [13], "text": ["Kyiv"],
    ...                     "label": ["GPE"], "actor": ["Kyiv"], "actor_type": ["place"]})
    >>> kwic(Annotations(articles=arts, mentions=men), "Kyiv", width=9)[["left", "keyword", "right"]]
            left keyword   right
    0  Talks in     Kyiv   ended.
    """
    where = check_where(where)
    top = check_top(top)
    if _duck.is_out_of_core(ann):  # the rows shown (all with top=None) and their articles, read by DuckDB
        ann = _duck.kwic_subset(ann, actor, top=top, spread=spread, seed=seed, where=where)
    m = ann.mentions
    name = canonical_actors(ann, actor)[0]
    sub = m[(m["actor"] == name) & where_mask(m, where)]
    if top is not None:
        sub = _spread(sub, ann.articles, top, seed) if spread else sub.head(top)
    a = ann.articles.set_index("article_id")
    # out of core the texts are read for the rows shown only (``kwic_subset`` has no text column)
    texts = a["text"] if "text" in a.columns else ann.texts(sub["article_id"].unique())
    titles = a["title"] if "title" in a.columns else pd.Series(dtype=object)
    in_title = where_mask(sub, "title").to_numpy()
    rows = []
    for aid, s, e, ti in zip(sub["article_id"], sub["start"], sub["end"], in_title):
        t = (titles.get(aid, "") if ti else texts.get(aid, ""))  # a title mention's offsets index the title
        t = t if isinstance(t, str) else ""
        left = t[max(0, s - width):s].replace("\n", " ")
        right = t[e:e + width].replace("\n", " ")
        rows.append((aid, left, t[s:e], right, s, e))
    out = pd.DataFrame(rows, columns=["article_id", "left", "keyword", "right", "start", "end"])
    for col in ("title", "date", "source"):
        out.insert(len(out.columns) - 5, col, out["article_id"].map(a[col]) if col in a.columns else None)
    if where == "all":
        out["in_title"] = in_title
    return out
