"""Who gets a voice: quote counts per speaker actor, who talks about whom, and a quote KWIC.

The three analyses read an annotations object ``ann`` with ``articles``, ``mentions`` (with ``actor``;
``score`` for target sentiment) and ``quotes`` (the :func:`newskit.quotes.quotes_table` table after
:func:`newskit.quotes.resolve_speakers`, i.e. with an ``actor`` column). A *quote* here is a statement:
rows sharing ``(article_id, statement_id)`` (the pieces of one quote around its attribution) count once.
Quotes whose speaker resolves to no actor (``actor == ""``: "officials said", "a source said") are not
counted per actor; :func:`quote_frequency` reports them in its ``n_quotes`` total.

>>> import pandas as pd
>>> from types import SimpleNamespace
>>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "text": ["", ""]})
>>> q = pd.DataFrame({"article_id": ["a", "a", "b"], "quote_id": [0, 1, 0], "statement_id": [0, 1, 0],
...                   "actor": ["Ann Lee", "Bo Ray", "Ann Lee"], "actor_type": ["person"] * 3})
>>> ann = SimpleNamespace(articles=arts, quotes=q, mentions=pd.DataFrame())
>>> quote_frequency(ann, by=None, n_boot=200)[["actor", "n", "n_articles", "share"]]
     actor  n  n_articles     share
0  Ann Lee  2           2  0.666667
1   Bo Ray  1           1  0.333333
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from newskit._options import as_list, check_top

from newskit.analysis._estimate import share_rows, share_table
from newskit.analysis.parquet import is_out_of_core
from newskit.analysis._frame import add_groups, with_articles

__all__ = ["quote_frequency", "who_talks_about_whom", "quotes_of"]


def _quotes(ann: Any) -> pd.DataFrame:
    q = getattr(ann, "quotes", None)
    if q is None:
        raise ValueError("these annotations have no quotes table (annotate with the 'quotes' step, or "
                         "build it with newskit.quotes.quotes_table)")
    if "actor" not in q.columns:
        raise ValueError("quotes have no 'actor' column: run newskit.quotes.resolve_speakers(quotes, mentions) "
                         "after actor resolution")
    return q


def _statements(q: pd.DataFrame) -> pd.DataFrame:
    """One row per statement (the first piece), ``actor`` as str ("" when unresolved)."""
    key = "statement_id" if "statement_id" in q.columns else "quote_id"
    st = q.sort_values(["article_id", "quote_id"]).drop_duplicates(["article_id", key])
    return st.assign(actor=st["actor"].fillna("").astype(str), article_id=st["article_id"].astype(str))


def quote_frequency(ann: Any, *, by: str | Sequence[str] | None = "outlet", top: int | None = 20,
                    n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Who gets a voice: quotes per speaker actor, their share of the group's quotes, with CIs.

    Parameters
    ----------
    ann : Annotations or PartsFolder
        With ``articles`` and ``quotes`` (speakers resolved to actors); an annotations folder is
        counted in DuckDB (the same table).
    by : str or list of str, optional
        Article columns (``"outlet"``, ``"source"`` …) and/or periods (``"day"``, ``"week"``,
        ``"month"``); ``None`` for the whole corpus.
    top : int, optional
        The ``top`` actors by quotes overall (the same actors in every group); ``None`` keeps all.
    n_boot : int
        Bootstrap resamples of the articles of each group (percentile 95 % interval of the share).
    seed : int
        Seed of the resampling (each group has its own generator derived from it): same input, same CIs.

    Returns
    -------
    DataFrame
        ``[by…], actor, actor_type, n`` (quotes = statements), ``n_articles`` (articles quoting the
        actor), ``share`` (``n`` / all quotes of the group, unresolved speakers included),
        ``ci_low, ci_high`` (article-level bootstrap of ``share``), ``n_quotes`` (all quotes of the
        group); sorted by group then ``n``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> arts = pd.DataFrame({"article_id": list("abc"), "outlet": ["X", "X", "Y"], "text": [""] * 3})
    >>> q = pd.DataFrame({"article_id": list("aabc"), "quote_id": [0, 1, 0, 0], "statement_id": [0, 1, 0, 0],
    ...                   "actor": ["Ann Lee", "", "Ann Lee", "Bo Ray"]})
    >>> t = quote_frequency(SimpleNamespace(articles=arts, quotes=q), n_boot=200)
    >>> t[["outlet", "actor", "n", "share", "n_quotes"]]
      outlet    actor  n     share  n_quotes
    0      X  Ann Lee  2  0.666667         3
    1      Y   Bo Ray  1  1.000000         1
    """
    if is_out_of_core(ann):  # an annotations folder: statements and counts in DuckDB, the same resampling
        from newskit.analysis import parquet

        return parquet.quote_frequency(ann, by=by, top=top, n_boot=n_boot, seed=seed)
    top = check_top(top)
    keys = as_list(by)
    st = _statements(_quotes(ann))
    arts = ann.articles.assign(article_id=ann.articles["article_id"].astype(str))
    if keys:
        arts = add_groups(arts, keys, what="articles")
        st = st.merge(arts[["article_id"] + keys], on="article_id", how="inner")
    named = st[st["actor"] != ""]
    order = named["actor"].value_counts()
    actors = list(order.index[:top] if top is not None else order.index)
    types = {}
    if "actor_type" in named.columns:
        types = named.groupby("actor")["actor_type"].agg(
            lambda s: s.mode().iloc[0] if len(s.mode()) else "").to_dict()
    rows = []
    groups = st.groupby(keys, sort=True) if keys else [((), st)]
    for gkey, g in groups:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        art_ids = pd.Index(sorted(g["article_id"].unique()))
        totals = g.groupby("article_id").size().reindex(art_ids, fill_value=0).to_numpy(float)
        gn = g[g["actor"].isin(actors)]
        pair = gn.groupby(["article_id", "actor"], sort=False).size()  # the non-zero article × actor counts
        r = art_ids.get_indexer(pair.index.get_level_values(0))
        c = pd.Index(actors).get_indexer(pair.index.get_level_values(1))
        v = pair.to_numpy(float)
        rows += share_rows(keys, gkey, actors, types, r, c, v, totals, n_boot=n_boot, seed=seed)
    return share_table(rows, keys)


def who_talks_about_whom(ann: Any, *, top: int | None = 30, min_n: int = 1,
                         include_self: bool = False) -> pd.DataFrame:
    """Speaker actor → actor mentioned inside their quotes: counts and mean target sentiment.

    A mention counts for a quote when it lies inside the quote's content (``in_quote_of`` of
    :func:`newskit.quotes.mark_mentions`; computed here when ``mentions`` lack it) and is not itself a
    speaker span. "What Zelensky says about Russia" is the row ``speaker="Volodymyr Zelensky",
    target="Russia"``.

    Parameters
    ----------
    ann : Annotations or PartsFolder
        ``quotes`` with ``actor``, ``mentions`` with ``actor`` (and ``score`` for ``mean_score``); an
        annotations folder is joined and counted in DuckDB (the same table).
    top : int, optional
        Keep the ``top`` pairs by ``n``.
    min_n : int
        Drop pairs with fewer mentions.
    include_self : bool
        Keep pairs where the speaker mentions themself.

    Returns
    -------
    DataFrame
        ``speaker, speaker_type, target, target_type, n`` (mentions of the target inside the speaker's
        quotes), ``n_quotes`` (statements), ``n_articles``, ``mean_score`` (mean target ``score`` of
        those mentions; NaN without scores), sorted by ``n``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> q = pd.DataFrame({"article_id": ["a"], "quote_id": [0], "statement_id": [0], "start": [0],
    ...                   "end": [30], "speaker_start": [32], "speaker_end": [39], "actor": ["Ann Lee"]})
    >>> m = pd.DataFrame({"article_id": ["a", "a"], "start": [5, 32], "end": [10, 39],
    ...                   "actor": ["Norland", "Ann Lee"], "score": [-0.5, 0.0]})
    >>> who_talks_about_whom(SimpleNamespace(quotes=q, mentions=m))[["speaker", "target", "n", "mean_score"]]
       speaker   target  n  mean_score
    0  Ann Lee  Norland  1        -0.5
    """
    from newskit.quotes import mark_mentions

    if is_out_of_core(ann):  # an annotations folder: joined and counted in DuckDB
        from newskit.analysis import parquet

        out = parquet.who_talks_about_whom(ann, top=top, min_n=min_n, include_self=include_self)
        if out is not None:
            return out
        ann = parquet.rows_of(ann, tables=["articles", "mentions", "quotes"])  # no in_quote_of: marked below
    top = check_top(top)
    q = _quotes(ann)
    m = ann.mentions
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
    if "in_quote_of" not in m.columns or "is_speaker" not in m.columns:
        m = mark_mentions(m, q)
    m = m[(m["in_quote_of"] >= 0) & ~m["is_speaker"]]
    key = "statement_id" if "statement_id" in q.columns else "quote_id"
    qq = q[["article_id", "quote_id", key, "actor"] + (["actor_type"] if "actor_type" in q.columns else [])]
    qq = qq.rename(columns={"actor": "speaker", "actor_type": "speaker_type", key: "_stmt"})
    if key == "quote_id":
        qq["quote_id"] = qq["_stmt"]
    j = m.assign(article_id=m["article_id"].astype(str)).merge(
        qq.assign(article_id=qq["article_id"].astype(str)), left_on=["article_id", "in_quote_of"],
        right_on=["article_id", "quote_id"], how="inner")
    j = j.assign(speaker=j["speaker"].fillna("").astype(str), target=j["actor"].fillna("").astype(str))
    j = j[(j["speaker"] != "") & (j["target"] != "")]
    if not include_self:
        j = j[j["speaker"] != j["target"]]
    if "speaker_type" not in j.columns:
        j["speaker_type"] = ""
    j["target_type"] = j["actor_type"] if "actor_type" in j.columns else ""
    if "score" not in j.columns:
        j["score"] = np.nan
    cols = ["speaker", "speaker_type", "target", "target_type", "n", "n_quotes", "n_articles", "mean_score"]
    if not len(j):
        return pd.DataFrame(columns=cols)
    g = j.groupby(["speaker", "target"], sort=False)
    out = pd.DataFrame({
        "speaker_type": g["speaker_type"].first(), "target_type": g["target_type"].first(), "n": g.size(),
        "n_quotes": g.apply(lambda d: d[["article_id", "_stmt"]].drop_duplicates().shape[0],
                            include_groups=False),
        "n_articles": g["article_id"].nunique(), "mean_score": g["score"].mean()}).reset_index()
    out = out[out["n"] >= min_n][cols]
    out = out.sort_values(["n", "speaker", "target"], ascending=[False, True, True]).reset_index(drop=True)
    return out.head(top) if top is not None else out


def quotes_of(ann: Any, actor: str, *, top: int | None = 50, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """A KWIC-like table of what ``actor`` is quoted saying, newest first.

    Parameters
    ----------
    ann : Annotations or PartsFolder
        ``articles`` (with ``text``; ``date``, ``outlet``, ``title`` when present) and ``quotes``; of an
        annotations folder only the speaker's quotes and the texts of the rows returned are read.
    actor : str
        Actor name (canonical, or a surface form / alias resolved by :func:`newskit.actors.lookup_actors`;
        an unknown name raises ``UnknownActorError``).
    top : int, optional
        At most this many statements.
    kinds : list of str, optional
        Keep only these kinds (``"direct"``, ``"indirect"``, …).

    Returns
    -------
    DataFrame
        ``article_id, date, outlet, title, speaker`` (as written), ``cue, kind, quote`` (the statement's
        text; pieces joined by " … "), ``start, end`` (of the first piece).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> t = '“We stay,” Ann Lee said. “We build.”'
    >>> arts = pd.DataFrame({"article_id": ["a"], "text": [t], "outlet": ["X"]})
    >>> q = pd.DataFrame({"article_id": ["a", "a"], "quote_id": [0, 1], "statement_id": [0, 0],
    ...     "start": [0, 25], "end": [10, 36], "speaker": ["Ann Lee", "Ann Lee"], "cue": ["said", ""],
    ...     "kind": ["direct", "direct"], "actor": ["Ann Lee", "Ann Lee"]})
    >>> quotes_of(SimpleNamespace(articles=arts, quotes=q), "Ann Lee")["quote"].tolist()
    ['“We stay,” … “We build.”']
    """
    if is_out_of_core(ann):  # an annotations folder: the speaker's quotes, texts of the rows shown only
        from types import SimpleNamespace

        from newskit.analysis import parquet

        # the rows in order without texts (the order does not depend on them), then the texts of those rows
        actor, q = parquet.quotes_rows(ann, actor)
        arts = ann.articles
        first = quotes_of(SimpleNamespace(articles=arts.assign(text=""), quotes=q), actor, top=top, kinds=kinds)
        if not len(first):
            return first
        ids = set(first["article_id"].astype(str))
        texts = ann.texts(sorted(ids))
        sub = arts[arts["article_id"].astype(str).isin(ids)]
        sub = sub.assign(text=sub["article_id"].astype(str).map(texts))
        return quotes_of(SimpleNamespace(articles=sub, quotes=q[q["article_id"].astype(str).isin(ids)]), actor,
                         top=top, kinds=kinds)
    top = check_top(top)
    q = _quotes(ann)
    if actor not in set(q["actor"].dropna().astype(str)):  # a surface form, spelling or alias → the actor
        from newskit.analysis._frame import canonical_actors

        actor = canonical_actors(ann, actor)[0]
    q = q[q["actor"].fillna("").astype(str) == actor]
    if kinds is not None:
        q = q[q["kind"].isin(list(kinds))]
    cols = ["article_id", "date", "outlet", "title", "speaker", "cue", "kind", "quote", "start", "end"]
    if not len(q):
        return pd.DataFrame(columns=cols)
    arts = ann.articles.assign(article_id=ann.articles["article_id"].astype(str))
    texts = dict(zip(arts["article_id"], arts["text"].fillna("").astype(str)))
    q = q.assign(article_id=q["article_id"].astype(str)).sort_values(["article_id", "quote_id"])
    key = "statement_id" if "statement_id" in q.columns else "quote_id"
    rows = []
    for (aid, _), g in q.groupby(["article_id", key], sort=False):
        t = texts.get(aid, "")
        first = g.iloc[0]
        cue = next((c for c in g["cue"] if c), "")
        rows.append({"article_id": aid, "speaker": first["speaker"], "cue": cue, "kind": first["kind"],
                     "quote": " … ".join(t[s:e] for s, e in zip(g["start"], g["end"])),
                     "start": int(first["start"]), "end": int(first["end"])})
    out = with_articles(pd.DataFrame(rows), arts, ("date", "outlet", "title"))
    for c in cols:
        if c not in out.columns:
            out[c] = pd.NaT if c == "date" else ""
    out = out[cols]
    if out["date"].notna().any():
        out = out.sort_values(["date", "article_id", "start"], ascending=[False, True, True], na_position="last")
    out = out.reset_index(drop=True)
    return out.head(top) if top is not None else out
