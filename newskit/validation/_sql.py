"""The validation loop on an annotations folder (:class:`newskit.analysis.parquet.PartsFolder`), in DuckDB.

The sample is drawn with the in-memory method, step for step, but only the drawn items' rows reach
pandas: the population (scored body mentions of the sampled actors, with their ``item_id``) is a DuckDB
table of ids and offsets (no sentence text), its items are ranked in SQL in the order the pandas path
meets them (article id, offsets, then the row's place in the parts — the in-memory order), the strata
sizes come back as one small table, :func:`~newskit.validation._common._allocate` and the same seeded
generators choose *positions* within each stratum, and the rows at those positions are read with their
sentences. ``item_id`` is computed by the same Python function (a DuckDB UDF), so the items — and
therefore the sample — are those of the in-memory annotations of the folder.

>>> from newskit.analysis.parquet import is_out_of_core
>>> is_out_of_core(None)
False
"""
from __future__ import annotations

import hashlib
import zlib
from typing import Sequence

import numpy as np
import pandas as pd

from newskit.analysis.parquet import _ident, _in_list, _q, _where_sql
from newskit.validation._common import _allocate, _item_ids, _stratum_key

_ART_COLS = ("date", "source", "outlet")  # what _mentions_with_context takes from the articles
_UDF = "_nk_item_id"


def _register_item_udf(con) -> None:
    import pyarrow as pa

    def ids(texts, actors):
        return pa.array(_item_ids(texts.to_pylist(), actors.to_pylist()).tolist(), pa.string())

    try:
        con.create_function(_UDF, ids, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow")
    except Exception as e:  # already registered on this connection (a second sample)
        if "already" not in str(e).lower():
            raise


def _scored_sql(pf) -> str:
    cols = pf.columns("mentions")
    if "actor" not in cols:
        raise ValueError("mentions have no 'actor' column: resolve actors first (annotate does)")
    cond = f"actor IS NOT NULL AND {_where_sql(pf, 'body')}"
    if "score" in cols:
        cond += " AND score IS NOT NULL AND NOT isnan(score)"
    return cond


def _sources(pf, by: list[str]) -> tuple[list[str], list[str]]:
    """Which ``by`` columns come from the mentions and which from the articles (as the pandas merge)."""
    mcols, acols = pf.columns("mentions"), pf.columns("articles")
    from_m, from_a = [], []
    for c in by:
        if c in mcols:
            from_m.append(c)
        elif c in _ART_COLS and c in acols:
            from_a.append(c)
        else:
            raise ValueError(f"by={c!r}: no such column in the mentions or articles")
    return from_m, from_a


def population_actors(pf, *, actors: Sequence[str] | None, top: int | None) -> list[str] | None:
    """The actors of the sample (``actors`` checked, or the ``top`` by scored body mentions, ties by name);
    None: every actor."""
    scored = _scored_sql(pf)
    if actors is not None:
        actors = [str(a) for a in actors]
        have = set(pf.sql(f"SELECT DISTINCT actor FROM {pf.scan('mentions')} WHERE {scored} AND "
                          f"{_in_list('actor', actors)}")["actor"])
        unknown = sorted(set(actors) - have)
        if unknown:
            raise ValueError(f"actors not in the annotations: {unknown}")
        return actors
    if top is None:
        return None
    return pf.sql(f"SELECT actor, count(*) AS n FROM {pf.scan('mentions')} WHERE {scored} GROUP BY actor "
                  f"ORDER BY n DESC, actor LIMIT {int(top)}")["actor"].tolist()


def draw(pf, *, n: int, by: list[str], actors, top, seed: int, allocation: str, min_per_stratum: int):
    """The drawn items of :func:`newskit.validation.sample` on a folder.

    Returns ``(s, strata, population, lookup)``: the drawn rows in the pandas path's order (columns
    ``item_id, article_id, sent_id, start, end, sentence, sent_start, actor``, the ``by`` columns,
    ``stratum, n_mentions``), the strata table, the sorted actors of the population and the
    ``{(article_id, sent_id): text}`` of the sentences around the drawn ones.
    """
    con = pf.con
    cand = population_actors(pf, actors=actors, top=top)
    from_m, from_a = _sources(pf, by)
    _register_item_udf(con)
    base = ("article_id", "sent_id", "start", "end", "actor")  # selected anyway
    by_sel = [f"m.{_ident(c)}" for c in from_m if c not in base] + [f"a.{_ident(c)}" for c in from_a]
    arts = ""
    if from_a:
        a = pf.articles[["article_id"] + from_a].drop_duplicates("article_id")
        con.register("_vs_arts", a.assign(article_id=a["article_id"].astype(str)))
        arts = "LEFT JOIN _vs_arts a ON a.article_id = CAST(m.article_id AS VARCHAR)"
    where = [_scored_sql(pf).replace("actor", "m.actor", 1)]
    if cand is not None:
        where.append(_in_list("m.actor", cand))
    where += [f"{s} IS NOT NULL" for s in by_sel]
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _vs_pop AS SELECT CAST(m.article_id AS VARCHAR) AS article_id, m.sent_id, "
            f"m.start, m.\"end\", m.actor, m._pos{''.join(', ' + s for s in by_sel)}, s.start AS sent_start, "
            f"s.text IS NULL AS _nosent, {_UDF}(s.text, m.actor) AS item_id "
            f"FROM {pf.scan('mentions', position=True)} m {arts} LEFT JOIN "
            f"(SELECT CAST(article_id AS VARCHAR) AS aid, sent_id, start, text FROM {pf.scan('sentences')}) s "
            f"ON s.aid = CAST(m.article_id AS VARCHAR) AND s.sent_id = m.sent_id WHERE {' AND '.join(where)}")
        miss = con.execute("SELECT count(*), arg_min(article_id, _pos), arg_min(sent_id, _pos) FROM _vs_pop "
                           "WHERE _nosent").fetchall()[0]
        if miss[0]:
            raise ValueError(f"{miss[0]} mentions have no sentence (first: article {miss[1]!r}, sent_id {miss[2]}): "
                             f"the sentences table does not match the mentions")
        if con.execute("SELECT count(*) FROM _vs_pop").fetchall()[0][0] == 0:
            raise ValueError("no mentions to sample from (check actors / top / by)")
        population = sorted(str(a) for a in pf.sql("SELECT DISTINCT actor FROM _vs_pop")["actor"])
        order = 'article_id, start, "end", _pos'
        # one row per item: its first mention (the pandas path's drop_duplicates after the stable sort)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _vs_items AS SELECT * EXCLUDE (_r, _nosent) FROM "
                    f"(SELECT *, row_number() OVER (PARTITION BY item_id ORDER BY {order}) AS _r, "
                    f"count(*) OVER (PARTITION BY item_id) AS n_mentions FROM _vs_pop) WHERE _r = 1")
        con.execute("DROP TABLE IF EXISTS _vs_pop")
        by_id = [_ident(c) for c in by]
        if by:
            combos = pf.sql(f"SELECT {', '.join(by_id)}, count(*) AS _n FROM _vs_items GROUP BY ALL")
            combos["stratum"] = _stratum_key(combos, by).to_numpy()
        else:
            combos = pd.DataFrame({"_n": [con.execute("SELECT count(*) FROM _vs_items").fetchall()[0][0]],
                                   "stratum": ["(all)"]})
        strata = (combos.groupby("stratum", sort=True)["_n"].sum().astype("int64").rename("stratum_size")
                  .reset_index())
        strata["stratum_n"] = _allocate(strata["stratum_size"].to_numpy(), n, minimum=min_per_stratum,
                                        allocation=allocation)
        picks = []
        for h, size, k in strata[["stratum", "stratum_size", "stratum_n"]].itertuples(index=False):
            if k == 0:
                continue
            rng = np.random.default_rng([int(seed), zlib.crc32(str(h).encode("utf-8"))])
            # the pandas path chooses among the stratum's rows in their order: the same draw as positions
            picks.append(pd.DataFrame({"stratum": h, "_k": np.sort(rng.choice(int(size), size=int(k), replace=False))}))
        picks = pd.concat(picks, ignore_index=True)
        picks["_ord"] = np.arange(len(picks))
        con.register("_vs_picks", picks)
        if by:
            con.register("_vs_combos", combos[by + ["stratum"]])
            join = "JOIN _vs_combos c ON " + " AND ".join(f"i.{b} IS NOT DISTINCT FROM c.{b}" for b in by_id)
            strat = "c.stratum"
        else:
            join, strat = "", "'(all)'"
        s = pf.sql(
            f"WITH r AS (SELECT i.*, {strat} AS stratum, row_number() OVER (PARTITION BY {strat} ORDER BY "
            f"{', '.join('i.' + o.strip() for o in order.split(','))}) - 1 AS _k FROM _vs_items i {join}) "
            f"SELECT r.* EXCLUDE (_pos, _k), t.text AS sentence FROM r JOIN _vs_picks p "
            f"ON p.stratum = r.stratum AND p._k = r._k LEFT JOIN "
            f"(SELECT CAST(article_id AS VARCHAR) AS aid, sent_id, text FROM {pf.scan('sentences')}) t "
            f"ON t.aid = r.article_id AND t.sent_id = r.sent_id ORDER BY p._ord")
        con.register("_vs_ctx", pd.DataFrame({"aid": np.concatenate([s["article_id"].to_numpy(dtype=object)] * 2),
                                              "sid": np.concatenate([s["sent_id"].to_numpy() - 1,
                                                                     s["sent_id"].to_numpy() + 1])}))
        ctx = pf.sql(f"SELECT CAST(t.article_id AS VARCHAR) AS article_id, t.sent_id, t.text FROM "
                     f"{pf.scan('sentences')} t SEMI JOIN _vs_ctx c ON CAST(t.article_id AS VARCHAR) = c.aid "
                     f"AND t.sent_id = c.sid")
    finally:
        for t in ("_vs_pop", "_vs_items"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for v in ("_vs_arts", "_vs_picks", "_vs_combos", "_vs_ctx"):
            try:
                con.unregister(v)
            except Exception:
                pass
    s["n_mentions"] = s["n_mentions"].astype("int64")
    # the sentence of each (article, sent_id): the first row's (the pandas dict keeps the last; ids are unique)
    lookup = dict(zip(zip(ctx["article_id"], ctx["sent_id"].astype(int)), ctx["text"]))
    return s, strata, population, lookup


def model_labels(pf, labels: pd.DataFrame) -> pd.Series:
    """The model's ``sentiment`` of the first mention at each label's (article_id, start, end)."""
    q = pd.DataFrame({"aid": labels["article_id"].astype(str).to_numpy(), "s": labels["start"].astype("int64").to_numpy(),
                      "e": labels["end"].astype("int64").to_numpy()}).drop_duplicates()
    pf.con.register("_vs_lab", q)
    try:
        look = pf.sql(f"SELECT aid, s, e, arg_min(m.sentiment, m._pos) AS sentiment FROM _vs_lab q JOIN "
                      f"{pf.scan('mentions', position=True)} m ON CAST(m.article_id AS VARCHAR) = q.aid "
                      f"AND m.start = q.s AND m.\"end\" = q.e GROUP BY ALL")
    finally:
        pf.con.unregister("_vs_lab")
    look = look.set_index(["aid", "s", "e"])["sentiment"]
    key = pd.MultiIndex.from_arrays([labels["article_id"].astype(str), labels["start"].astype("int64"),
                                     labels["end"].astype("int64")])
    return pd.Series(look.reindex(key).to_numpy(), index=labels.index)


def subset(pf, actors: Sequence[str]):
    """In-memory annotations of the ``actors``' mentions, their sentences and the articles (no text):
    what :func:`newskit.validation.corrected` reads of a folder (its estimator needs every mention of
    the sampled actors)."""
    from newskit.annotations import Annotations

    have = pf.columns("mentions")
    mcols = [c for c in ("article_id", "sent_id", "start", "end", "text", "label", "actor", "actor_type", "score",
                         "sentiment", "in_title", "in_quote_of", "is_speaker") if c in have]
    m = pf.sql(f"SELECT {', '.join(_ident(c) for c in mcols)} FROM {pf.scan('mentions', position=True)} "
               f"WHERE {_in_list('actor', list(actors))} ORDER BY _pos")
    pf.con.execute("CREATE OR REPLACE TEMP TABLE _vs_keys AS SELECT DISTINCT CAST(article_id AS VARCHAR) AS aid, "
                   f"sent_id FROM {pf.scan('mentions')} WHERE {_in_list('actor', list(actors))}")
    try:
        s = pf.sql(f"SELECT s.article_id, s.sent_id, s.start, s.\"end\", s.text FROM "
                   f"{pf.scan('sentences', position=True)} s SEMI JOIN _vs_keys k ON "
                   f"CAST(s.article_id AS VARCHAR) = k.aid AND s.sent_id = k.sent_id ORDER BY s._pos")
    finally:
        pf.con.execute("DROP TABLE IF EXISTS _vs_keys")
    return Annotations(articles=pf.articles, mentions=m, sentences=s, meta=dict(pf.meta))
