"""Analyses beyond memory: the same functions over an annotations folder of Parquet parts, with DuckDB.

:class:`PartsFolder` wraps a folder written by ``newskit annotate`` / :func:`newskit.annotate_to`
(``articles/ sentences/ mentions/ dates/`` of ``part-*.parquet``, or one ``<table>.parquet`` each).
The public analyses — :func:`~newskit.analysis.entity_frequency`, :func:`~newskit.analysis.cooccurrence`,
:func:`~newskit.analysis.kwic`, :func:`~newskit.analysis.timeline`,
:func:`~newskit.analysis.event_timeline`, :func:`~newskit.analysis.actor_sentiment`,
:func:`~newskit.analysis.compare_sources` — accept it in place of an in-memory ``Annotations``
(they dispatch at their top, by the ``__newskit_out_of_core__`` marker, so that this module may reuse
their helpers without an import cycle) and return the same tables: column names, dtypes, row order.

How it stays in bounded memory
------------------------------
DuckDB reads only the columns each query names and, with a date window, only the articles in it
(projection and filter pushdown into ``read_parquet``); joins and group-bys spill to disk
(``temp_directory``) under ``memory_limit`` (default 1 GB). Only results come back to pandas:

* counts (frequencies, co-occurrence pairs, timelines of articles/mentions) are aggregated in SQL;
* **intervals**: the estimator of newskit resamples *articles* (a cluster bootstrap of the ratio mean,
  :mod:`newskit.analysis._estimate`). Its sufficient statistics are one ``(sum, count)`` of the values
  per article per group, so SQL returns exactly those rows — ordered within each group as the pandas
  path meets the articles (by the first mention's position in the parts: file, row) — and the same
  numpy resampling runs on them with the same per-group generator. The result is therefore **identical**
  to the in-memory estimator for the same seed, not merely within Monte-Carlo tolerance (tested);
  memory is one row per article per group, never one per mention;
* row-level outputs (``event_timeline``, ``kwic``) select the rows they return in SQL (dates and their
  sentences; one actor's mentions and the texts of their articles) and finish with the pandas code.

>>> pf = PartsFolder.__new__(PartsFolder)
>>> getattr(pf, "__newskit_out_of_core__")
True
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from newskit._options import PERIOD_GROUPS, as_list, check_top, check_where, day_bounds, where_mask
from newskit.annotations import FORMAT_VERSION, TABLES, Annotations
from newskit.analysis._estimate import ESTIMATE_COLUMNS, check_errorbar, group_interval

__all__ = ["PartsFolder", "DaskParts", "open_annotations", "is_out_of_core", "rows_of"]

_SQL_TRUNC = {"D": "day", "W": "week", "M": "month"}


def is_out_of_core(ann: Any) -> bool:
    """True for objects the analyses hand to this module (a :class:`PartsFolder`).

    >>> is_out_of_core(pd.DataFrame())
    False
    """
    return bool(getattr(type(ann), "__newskit_out_of_core__", False))


def _q(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _ident(c: str) -> str:
    return '"' + str(c).replace('"', '""') + '"'


class PartsFolder:
    """An annotations folder read lazily by DuckDB (nothing is loaded when it is opened).

    Parameters
    ----------
    path : str or path
        Folder written by ``newskit annotate``, :func:`newskit.annotate_to`, the Dask engine or
        :meth:`Annotations.save`.
    memory_limit : str
        DuckDB's memory limit (beyond it joins and aggregations spill to ``temp_directory``).
    threads : int, optional
        DuckDB threads (default: DuckDB's, the number of cores).
    temp_directory : str, optional
        Where DuckDB spills (default: a new temporary folder — removed on :meth:`close`).

    Examples
    --------
    >>> import tempfile
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["Kyiv.", "Kyiv."], "outlet": ["X", "Y"],
    ...                      "date": pd.to_datetime(["2022-03-01", "2022-03-08"])})
    >>> men = pd.DataFrame({"article_id": ["a", "b"], "sent_id": [0, 0], "start": [0, 0], "end": [4, 4],
    ...     "text": ["Kyiv"] * 2, "label": ["GPE"] * 2, "actor": ["Kyiv"] * 2, "actor_type": ["place"] * 2})
    >>> d = Annotations(articles=arts, mentions=men).save(tempfile.mkdtemp())
    >>> pf = PartsFolder(d)
    >>> pf
    PartsFolder(articles=2, sentences=0, mentions=2, dates=0, quotes=0)
    >>> from newskit.analysis import entity_frequency
    >>> entity_frequency(pf, by="outlet")[["outlet", "actor", "mentions"]]
      outlet actor  mentions
    0      X  Kyiv         1
    1      Y  Kyiv         1
    """

    __newskit_out_of_core__ = True

    def __init__(self, path: str | os.PathLike, *, memory_limit: str = "1GB", threads: int | None = None,
                 temp_directory: str | os.PathLike | None = None) -> None:
        self.path = Path(path).expanduser().resolve()
        if not self.path.is_dir():
            raise FileNotFoundError(f"{self.path}: not an annotations folder (no such directory)")
        self._sources: dict[str, str | None] = {}
        for name in ("articles",) + TABLES:
            self._sources[name] = self._source(name)
        if self._sources["articles"] is None:
            raise FileNotFoundError(f"{self.path}: no articles/ parts or articles.parquet "
                                    f"(not an annotations folder)")
        meta_path = self.path / "meta.json"
        try:
            self.meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        except json.JSONDecodeError as e:
            raise ValueError(f"{meta_path}: line {e.lineno}: not valid JSON ({e.msg})") from None
        version = self.meta.get("format_version", 1)
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise ValueError(f"{self.path}: annotations format version {version} is newer than this "
                             f"newskit reads ({FORMAT_VERSION}); upgrade newskit")
        self.memory_limit = memory_limit
        self.threads = threads
        # a spill folder of its own (not inside the annotations folder, which may be read-only or read
        # by several kernels at once); made on first use, removed by close()
        self.temp_directory = str(temp_directory) if temp_directory else None
        self._con = None
        self._window: str | None = None
        self._dates: tuple[Any, Any] = (None, None)
        self._articles: pd.DataFrame | None = None

    # -- sources
    def _source(self, name: str) -> str | None:
        d = self.path / name
        if d.is_dir() and any(d.glob("*.parquet")):
            return str(d / "*.parquet")
        f = self.path / f"{name}.parquet"
        return str(f) if f.exists() else None

    def has(self, table: str) -> bool:
        """Whether the folder holds ``table`` (articles, sentences, mentions, dates)."""
        return self._sources.get(table) is not None

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` (from the Parquet schema; nothing is read)."""
        if not self.has(table):
            return []
        rel = self.con.execute(f"DESCRIBE SELECT * FROM {self.scan(table)}")
        return [r[0] for r in rel.fetchall()]

    def scan(self, table: str, *, position: bool = False) -> str:
        """The SQL ``read_parquet(...)`` of ``table``; ``position=True`` adds ``_pos`` (the row's
        place in the parts, i.e. in the in-memory table: file index, then row). In a date window
        (:meth:`filter`) only the rows of the articles dated in it."""
        raw = self._raw_scan(table, position=position)
        if not self._window:
            return raw
        if table == "articles":
            return f"(SELECT * FROM {raw} WHERE date IS NOT NULL AND {self._window})"
        ids = (f"(SELECT CAST(article_id AS VARCHAR) AS _wid FROM {self._raw_scan('articles')} "
               f"WHERE date IS NOT NULL AND {self._window})")
        return f"(SELECT t.* FROM {raw} t SEMI JOIN {ids} w ON CAST(t.article_id AS VARCHAR) = w._wid)"

    def _raw_scan(self, table: str, *, position: bool = False) -> str:
        src = self._sources.get(table)
        if src is None:
            raise ValueError(f"{self.path}: the annotations have no {table!r} table")
        if not position:
            return f"read_parquet({_q(src)}, union_by_name = true)"
        return (f"(SELECT *, CAST(file_index AS BIGINT) * 4294967296 + file_row_number AS _pos FROM "
                f"read_parquet({_q(src)}, union_by_name = true, file_row_number = true))")

    def filter(self, *, date_from: Any = None, date_to: Any = None) -> "PartsFolder":
        """The same folder seen through a date window (whole days, inclusive; undated articles left out),
        as :meth:`Annotations.filter`: every analysis and :attr:`articles` see only the articles
        published in it and their rows. Nothing is read; the view shares the connection.

        >>> import tempfile
        >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["x", "y"],
        ...                      "date": pd.to_datetime(["2022-03-01", "2022-04-01"])})
        >>> pf = PartsFolder(Annotations(articles=arts).save(tempfile.mkdtemp()))
        >>> pf.filter(date_from="2022-03-15").count("articles")
        1
        """
        import copy

        if isinstance(self, DaskParts):
            raise NotImplementedError("DaskParts.filter: use a PartsFolder for a date window")
        if date_from is None and date_to is None:
            return self
        view = copy.copy(self)
        cond = self.article_filter(date_from, date_to)
        view._window = f"({self._window}) AND ({cond})" if self._window else cond
        view._dates = (date_from or self._dates[0], date_to or self._dates[1])
        view._con = self.con
        view._known = None
        view._articles = None
        return view

    def texts(self, ids: Sequence[Any]) -> pd.Series:
        """The ``text`` of the articles ``ids`` (a Series indexed by ``article_id`` as str), read for
        those rows only.

        >>> import tempfile
        >>> pf = PartsFolder(Annotations(articles=pd.DataFrame({"article_id": ["a", "b"], "text": ["x", "y"]})
        ...                              ).save(tempfile.mkdtemp()))
        >>> pf.texts(["b"]).to_dict()
        {'b': 'y'}
        """
        ids = [str(i) for i in ids]
        if not ids:
            return pd.Series(dtype=object, name="text")
        self.con.execute("CREATE OR REPLACE TEMP TABLE _tx_ids AS SELECT unnest(?::VARCHAR[]) AS article_id", [ids])
        try:
            t = self.sql(f"SELECT CAST(article_id AS VARCHAR) AS article_id, text FROM {self.scan('articles')} "
                         f"WHERE CAST(article_id AS VARCHAR) IN (SELECT article_id FROM _tx_ids)")
        finally:
            self.con.execute("DROP TABLE IF EXISTS _tx_ids")
        return t.drop_duplicates("article_id").set_index("article_id")["text"]

    @property
    def articles(self) -> pd.DataFrame:
        """The articles (of the window) without their ``text`` — one small row per article, in the order
        of the in-memory table (read once, then kept). Texts: :func:`rows_of` with ``text=True``."""
        if getattr(self, "_articles", None) is None:
            cols = [c for c in self.columns("articles") if c != "text"]
            a = self.sql(f"SELECT {', '.join(_ident(c) for c in cols)} FROM {self.scan('articles', position=True)} "
                         f"ORDER BY _pos")
            self._articles = _fix_period(a, ["date"])
        return self._articles

    @property
    def con(self):
        """The DuckDB connection (opened on first use)."""
        if self._con is None:
            import duckdb

            if self.temp_directory is None:
                import tempfile

                self.temp_directory = tempfile.mkdtemp(prefix="newskit-duckdb-")
            Path(self.temp_directory).mkdir(parents=True, exist_ok=True)
            cfg = {"memory_limit": self.memory_limit, "temp_directory": self.temp_directory,
                   "preserve_insertion_order": True}
            if self.threads:
                cfg["threads"] = int(self.threads)
            self._con = duckdb.connect(":memory:", config=cfg)
        return self._con

    def sql(self, query: str) -> pd.DataFrame:
        """Run a query and return a DataFrame."""
        return self.con.execute(query).df()

    def close(self) -> None:
        """Close the connection and remove DuckDB's spill folder."""
        import shutil

        if self._con is not None:
            self._con.close()
            self._con = None
        if self.temp_directory is not None:
            shutil.rmtree(self.temp_directory, ignore_errors=True)

    def __enter__(self) -> "PartsFolder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def count(self, table: str) -> int:
        """Rows of ``table`` (0 when absent)."""
        if not self.has(table):
            return 0
        return int(self.con.execute(f"SELECT count(*) FROM {self.scan(table)}").fetchone()[0])

    def __repr__(self) -> str:
        return "PartsFolder(" + ", ".join(f"{t}={self.count(t)}" for t in ("articles",) + TABLES) + ")"

    def load(self, *, date_from: Any = None, date_to: Any = None,
             sources: Sequence[str] | None = None) -> Annotations:
        """The in-memory :class:`Annotations` (of a window), as :meth:`Annotations.load`."""
        return Annotations.load(self.path, date_from=date_from or self._dates[0], date_to=date_to or self._dates[1],
                                sources=sources)

    # -- shared SQL
    def article_filter(self, date_from: Any = None, date_to: Any = None, col: str = "date") -> str:
        """SQL condition of the whole-day inclusive window (``TRUE`` without bounds)."""
        lo, hi = day_bounds(date_from, date_to)
        cond = []
        if lo is not None:
            cond.append(f"{col} >= TIMESTAMP {_q(lo.isoformat(sep=' '))}")
        if hi is not None:
            cond.append(f"{col} < TIMESTAMP {_q(hi.isoformat(sep=' '))}")
        return " AND ".join(cond) if cond else "TRUE"


def open_annotations(annotations: str | os.PathLike | None, corpus: Any = None, **annotate_kwargs: Any
                     ) -> "PartsFolder | Annotations":
    """What the notebooks and ``newskit report`` analyse: an annotations folder read out of core, or the
    corpus annotated in memory.

    Parameters
    ----------
    annotations : str or path or None
        A folder written by ``newskit annotate`` / :func:`newskit.annotate_to` → a :class:`PartsFolder`
        (nothing is loaded); None → ``corpus`` is annotated with :func:`newskit.annotate`.
    corpus : path, DataFrame or None
        The corpus when ``annotations`` is None (None → the fictional demo corpus).
    **annotate_kwargs
        Passed to :func:`newskit.annotate` (``cache_dir``, ``actor_file`` …); with a folder only
        ``memory_limit``, ``threads``, ``temp_directory`` apply, the annotation options are ignored
        (the folder is annotated already) and a non-None ``actor_file`` raises ``ValueError``.

    Returns
    -------
    PartsFolder or Annotations

    Examples
    --------
    >>> import tempfile
    >>> d = Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": ["Hi."]})).save(tempfile.mkdtemp())
    >>> type(open_annotations(str(d))).__name__
    'PartsFolder'
    """
    if annotations is not None:
        if annotate_kwargs.get("actor_file") is not None:
            raise ValueError(f"open_annotations({annotations!r}): the actors of an annotations folder were "
                             f"resolved when it was written; re-run `newskit annotate` with that actor file")
        opts = {k: annotate_kwargs[k] for k in ("memory_limit", "threads", "temp_directory") if k in annotate_kwargs}
        return PartsFolder(annotations, **opts)
    import newskit
    from newskit.pipeline import annotate

    if corpus is None:
        from newskit.datasets import demo_corpus

        corpus = demo_corpus()
    articles = corpus if isinstance(corpus, pd.DataFrame) else newskit.load_corpus(corpus)
    return annotate(articles, **annotate_kwargs)


def rows_of(ann: Any, *, actors: Sequence[str] | str | None = None, actor_type: str | None = None,
            tables: Sequence[str] = ("articles", "mentions"), text: bool = False,
            quoted: bool = False, columns: dict[str, Sequence[str]] | None = None) -> Any:
    """The rows a page needs, in memory: ``ann`` itself for in-memory annotations, a small
    :class:`Annotations` read from a :class:`PartsFolder` otherwise (so that the same notebook code runs
    on both and gives the same tables, without loading a 100,000-article folder).

    Parameters
    ----------
    ann : Annotations or PartsFolder
    actors : list of str, optional
        Only these actors' mentions (names as :func:`~newskit.analysis.entity_frequency` gives them,
        or any surface form), their sentences and articles, and — with ``"quotes"`` — their quotes.
    actor_type : str, optional
        Only the mentions of actors that have a mention of this type (``"place"``: what
        :func:`newskit.plot.default_place` reads).
    tables : list of str
        Tables to read: ``articles``, ``mentions``, ``sentences`` (of the selected mentions),
        ``dates``, ``quotes``.
    text : bool
        Read the articles' ``text`` — then, when ``actors`` is given, only the articles of the selected
        quotes (with ``"quotes"``) or mentions (the texts of a page's examples, not of the corpus).
    quoted : bool
        Only mentions inside a quote or that are a quote's speaker (what the quote analyses read).
    columns : dict, optional
        ``{table: [columns]}``: read only these columns of a table (and the ones its schema requires,
        ``newskit._schema.REQUIRED``; default all).

    Returns
    -------
    Annotations (or ``ann`` unchanged when it is not out of core)

    Examples
    --------
    >>> import tempfile
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["Kyiv.", "Lviv."], "outlet": ["X", "Y"]})
    >>> men = pd.DataFrame({"article_id": ["a", "b"], "sent_id": [0, 0], "start": [0, 0], "end": [4, 4],
    ...     "text": ["Kyiv", "Lviv"], "label": ["GPE"] * 2, "actor": ["Kyiv", "Lviv"], "actor_type": ["place"] * 2})
    >>> mem = Annotations(articles=arts, mentions=men)
    >>> rows_of(mem) is mem
    True
    >>> sub = rows_of(PartsFolder(mem.save(tempfile.mkdtemp())), actors=["Lviv"], text=True)
    >>> sub.mentions["actor"].tolist(), sub.articles["text"].tolist()
    (['Lviv'], ['Lviv.'])
    """
    if not is_out_of_core(ann):
        return ann
    pf = ann
    tables = list(tables)
    columns = dict(columns or {})

    def sel(table: str, alias: str = "") -> str:
        if table not in columns:
            return f"{alias}* EXCLUDE (_pos, file_row_number)"
        from newskit._schema import REQUIRED

        have = set(pf.columns(table))
        # the schema's first; in_title always (where= — body / title / all — depends on it)
        want = list(dict.fromkeys(list(REQUIRED.get(table, ())) + list(columns[table]) + ["in_title"]))
        return ", ".join(alias + _ident(c) for c in want if c in have)

    con = pf.con
    names = canonical(pf, [actors] if isinstance(actors, str) else actors) if actors is not None else None
    out: dict[str, Any] = {"meta": dict(pf.meta)}
    need_m = bool({"mentions", "sentences"} & set(tables)) or (text and names is not None)
    con.execute("CREATE OR REPLACE TEMP TABLE _ro_m AS SELECT * EXCLUDE (file_row_number) FROM "
                f"{pf.scan('mentions', position=True)} WHERE FALSE" if not (need_m and pf.has("mentions")) else
                "CREATE OR REPLACE TEMP TABLE _ro_m AS SELECT * EXCLUDE (file_row_number) FROM "
                f"{pf.scan('mentions', position=True)} WHERE "
                + " AND ".join(["TRUE"]
                               + ([_in_list("actor", names)] if names is not None else [])
                               + ([f"actor IN (SELECT DISTINCT actor FROM {pf.scan('mentions')} WHERE "
                                   f"actor_type = {_q(actor_type)})"] if actor_type is not None else [])
                               + (["(in_quote_of >= 0 OR is_speaker)"] if quoted and
                                  "in_quote_of" in pf.columns("mentions") else [])))
    try:
        if "mentions" in tables:
            cols = "* EXCLUDE (_pos)" if "mentions" not in columns else sel("mentions")
            out["mentions"] = con.execute(f"SELECT {cols} FROM _ro_m ORDER BY _pos").df()
        if "sentences" in tables and pf.has("sentences"):
            out["sentences"] = con.execute(
                f"SELECT {sel('sentences', 's.')} FROM {pf.scan('sentences', position=True)} s SEMI JOIN "
                f"(SELECT DISTINCT CAST(article_id AS VARCHAR) AS aid, sent_id FROM _ro_m) k "
                f"ON CAST(s.article_id AS VARCHAR) = k.aid AND s.sent_id = k.sent_id ORDER BY s._pos").df()
        qwhere = _in_list("actor", names) if names is not None else "TRUE"
        if "quotes" in tables and pf.has("quotes"):
            out["quotes"] = con.execute(f"SELECT {sel('quotes')} FROM "
                                        f"{pf.scan('quotes', position=True)} WHERE {qwhere} ORDER BY _pos").df()
        if "dates" in tables and pf.has("dates"):
            d = con.execute(f"SELECT {sel('dates')} FROM {pf.scan('dates', position=True)} "
                            f"ORDER BY _pos").df()
            out["dates"] = _fix_period(d, ["date"])
        if text:
            if "quotes" in tables and pf.has("quotes"):  # the texts the quotes are cut from
                ids = [f"SELECT CAST(article_id AS VARCHAR) FROM {pf.scan('quotes')} WHERE {qwhere}"]
            else:
                ids = ["SELECT CAST(article_id AS VARCHAR) FROM _ro_m"]
            where = (f"CAST(article_id AS VARCHAR) IN ({' UNION '.join(ids)})" if names is not None else "TRUE")
            a = con.execute(f"SELECT * EXCLUDE (_pos, file_row_number) FROM {pf.scan('articles', position=True)} "
                            f"WHERE {where} ORDER BY _pos").df()
            out["articles"] = _fix_period(a, ["date"])
        else:
            out["articles"] = pf.articles
    finally:
        con.execute("DROP TABLE IF EXISTS _ro_m")
    return Annotations(**out)


# =========================================================================== helpers
def _types_list(types) -> list[str] | None:
    if types is None:
        return None
    types = [types] if isinstance(types, str) else list(types)
    return ["organisation" if t == "organization" else t for t in types]


def _in_list(col: str, values: Sequence[Any]) -> str:
    vals = ", ".join(_q(v) for v in values)
    return f"{col} IN ({vals})" if vals else "FALSE"


def _need_actor(pf: PartsFolder) -> None:
    if not pf.has("mentions") or "actor" not in pf.columns("mentions"):
        raise ValueError(f"{pf.path}: mentions have no 'actor' column (run annotate() or Annotations.resolve())")


def _value_counts(df: pd.DataFrame, key: str, n: str = "n", pos: str = "_pos") -> pd.Series:
    """Counts in first-occurrence order, then ``sort_values(ascending=False)`` — exactly what
    ``Series.value_counts`` does (so ties fall the same way)."""
    d = df.sort_values(pos, kind="stable")
    return pd.Series(d[n].to_numpy(dtype="int64"), index=pd.Index(d[key].to_numpy(), name=key),
                     name="count").sort_values(ascending=False)


def _group_expr(b: str) -> str:
    """SQL of a ``by=`` group over the articles (periods from ``date``)."""
    if b in PERIOD_GROUPS:
        return f"CAST(date_trunc('{_SQL_TRUNC[PERIOD_GROUPS[b]]}', date) AS TIMESTAMP)"
    return _ident(b)


def _article_groups(pf: PartsFolder, keys: list[str], *, what: str = "articles") -> str:
    """SQL of the articles with their ``by`` groups, rows without a group warned about and left out
    (as :func:`newskit.analysis._frame.add_groups`)."""
    cols = pf.columns("articles")
    for b in keys:
        if b in PERIOD_GROUPS:
            if "date" not in cols:
                raise ValueError(f"by={b!r} needs article dates: pass Annotations or a table with 'date'")
        elif b not in cols:
            raise ValueError(f"by={b!r}: no such column; use one of {sorted(set(cols) | set(PERIOD_GROUPS))}")
    sel = ", ".join(f"{_group_expr(b)} AS {_ident(b)}" for b in keys)
    base = f"(SELECT CAST(article_id AS VARCHAR) AS article_id, {sel} FROM {pf.scan('articles')})"
    n_all = None
    cond = []
    for b in keys:
        n_bad = int(pf.con.execute(f"SELECT count(*) FROM {base} WHERE {' AND '.join(cond) or 'TRUE'} "
                               f"AND {_ident(b)} IS NULL").fetchone()[0])
        if n_bad:
            if n_all is None:
                n_all = pf.count("articles")
            n_now = int(pf.con.execute(f"SELECT count(*) FROM {base} WHERE {' AND '.join(cond) or 'TRUE'}"
                                   ).fetchone()[0])
            why = "no date" if b in PERIOD_GROUPS else f"no {b!r}"
            warnings.warn(f"{n_bad} of {n_now} {what} have {why} and are left out of by={b!r}", stacklevel=4)
        cond.append(f"{_ident(b)} IS NOT NULL")
    return f"(SELECT * FROM {base} WHERE {' AND '.join(cond) or 'TRUE'})"


def _title_sql(pf: PartsFolder, table: str = "mentions") -> str:
    """SQL of a row's ``in_title`` (FALSE for folders annotated before titles were)."""
    return "coalesce(in_title, FALSE)" if "in_title" in pf.columns(table) else "FALSE"


def _where_sql(pf: PartsFolder, where: str = "body", table: str = "mentions") -> str:
    """SQL condition of ``where=`` (:func:`newskit._options.where_mask`)."""
    where = check_where(where)
    if where == "all":
        return "TRUE"
    return _title_sql(pf, table) if where == "title" else f"NOT {_title_sql(pf, table)}"


def _actor_mentions_sql(pf: PartsFolder, types, cols: Sequence[str], where: str = "body") -> str:
    _need_actor(pf)
    t = _types_list(types)
    cond = "actor IS NOT NULL" + (f" AND {_in_list('actor_type', t)}" if t is not None else "")
    cond += f" AND {_where_sql(pf, where)}"
    sel = ", ".join(["CAST(article_id AS VARCHAR) AS article_id" if c == "article_id" else _ident(c)
                     for c in cols])
    return f"(SELECT {sel}, _pos FROM {pf.scan('mentions', position=True)} WHERE {cond})"


def _fix_period(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


# =========================================================================== frequency
def entity_frequency(pf: PartsFolder, *, by=None, types=None, top=None, where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.entity_frequency` over a parts folder (aggregated in DuckDB)."""
    if isinstance(pf, DaskParts):
        return dask_entity_frequency(pf, by=by, types=types, top=top, where=where)
    top = check_top(top)
    keys = as_list(by)
    m = _actor_mentions_sql(pf, types, ["article_id", "actor", "actor_type"], where)
    con = pf.con
    if not keys:
        n_total = pf.count("articles")
        out = con.execute(f"""
            WITH m AS {m},
            t AS (SELECT actor, actor_type, count(*) AS n FROM m GROUP BY ALL),
            mt AS (SELECT actor, arg_min(actor_type, (-n, actor_type)) AS actor_type FROM t GROUP BY actor)
            SELECT a.actor, mt.actor_type, a.mentions, a.articles FROM
              (SELECT actor, count(*) AS mentions, count(DISTINCT article_id) AS articles FROM m GROUP BY actor) a
              JOIN mt USING (actor)""").df()
        out["mentions"] = out["mentions"].astype("int64")
        out["articles"] = out["articles"].astype("int64")
        out["share"] = out["articles"] / max(1, n_total)
        out = out.sort_values(["mentions", "actor"], ascending=[False, True]).reset_index(drop=True)
        return out.head(top) if top is not None else out
    arts = _article_groups(pf, keys, what="articles")
    kq = ", ".join(_ident(k) for k in keys)
    joined = (f"SELECT m.article_id, m.actor, m.actor_type, m._pos, {', '.join('a.' + _ident(k) for k in keys)} "
              f"FROM {m} m JOIN {arts} a USING (article_id)")
    # without top= one pass suffices: no materialised join (which spills at 1M articles)
    con.execute(f"CREATE OR REPLACE TEMP {'TABLE' if top is not None else 'VIEW'} _ef AS {joined}")
    try:
        where = "TRUE"
        if top is not None:
            vc = con.execute("SELECT actor, count(*) AS n, min(_pos) AS _pos FROM _ef GROUP BY actor").df()
            keep = _value_counts(vc, "actor").head(top).index.tolist()
            where = _in_list("actor", keep)
        out = con.execute(f"""
            WITH e AS (SELECT * FROM _ef WHERE {where}),
            t AS (SELECT actor, actor_type, count(*) AS n FROM e GROUP BY ALL),
            mt AS (SELECT actor, arg_min(actor_type, (-n, actor_type)) AS actor_type FROM t GROUP BY actor)
            SELECT {kq}, g.actor, mt.actor_type, g.mentions, g.articles FROM
              (SELECT {kq}, actor, count(*) AS mentions, count(DISTINCT article_id) AS articles FROM e GROUP BY ALL) g
              JOIN mt USING (actor)""").df()
        n_group = con.execute(f"SELECT {kq}, count(*) AS n_articles FROM {arts} GROUP BY ALL").df()
    finally:
        con.execute(f"DROP {'TABLE' if top is not None else 'VIEW'} IF EXISTS _ef")
    out = _fix_period(out, [k for k in keys if k in PERIOD_GROUPS])
    n_group = _fix_period(n_group, [k for k in keys if k in PERIOD_GROUPS])
    out["mentions"] = out["mentions"].astype("int64")
    out["articles"] = out["articles"].astype("int64")
    out = out.merge(n_group, on=keys, how="left")
    out["n_articles"] = out["n_articles"].astype("int64")
    out["share"] = out["articles"] / out["n_articles"]
    return out.sort_values(keys + ["mentions", "actor"], ascending=[True] * len(keys) + [False, True]
                           ).reset_index(drop=True)


def cooccurrence(pf: PartsFolder, *, within: str = "sentence", top: int | None = 30, types=None,
                 min_count: int = 1, where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.cooccurrence` over a parts folder (units and pairs counted in DuckDB)."""
    if within not in ("sentence", "article"):
        raise ValueError("within must be 'sentence' or 'article'")
    unit = ["article_id", "sent_id"] if within == "sentence" else ["article_id"]
    m = _actor_mentions_sql(pf, types, unit + ["actor"], where)
    ucols = ", ".join(unit)
    con = pf.con
    if within == "sentence":
        n_sent = int(con.execute(f"SELECT count(*) FROM {pf.scan('sentences')} WHERE "
                                 f"{_where_sql(pf, where, 'sentences')}").fetchone()[0]) if pf.has("sentences") else 0
        n_units = max(1, n_sent) if n_sent else None
    else:
        n_units = max(1, pf.count("articles"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cu AS SELECT {ucols}, actor, min(_pos) AS _pos "
            f"FROM {m} GROUP BY ALL")
    try:
        if n_units is None:
            n_units = max(1, int(con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {ucols} FROM _cu)").fetchone()[0]))
        vc = con.execute("SELECT actor, count(*) AS n, min(_pos) AS _pos FROM _cu GROUP BY actor").df()
        counts = _value_counts(vc, "actor")
        where = _in_list("actor", counts.head(top).index.tolist()) if top is not None else "TRUE"
        join = " AND ".join(f"a.{c} = b.{c}" for c in unit)
        out = con.execute(f"""WITH u AS (SELECT {ucols}, actor FROM _cu WHERE {where})
            SELECT a.actor AS actor_a, b.actor AS actor_b, count(*) AS count
            FROM u a JOIN u b ON {join} AND a.actor < b.actor GROUP BY ALL
            HAVING count(*) >= {int(min_count)}""").df()
    finally:
        con.execute("DROP TABLE IF EXISTS _cu")
    # DuckDB compares strings by bytes as Python does; keep pandas' order of the pair (a < b) anyway
    out = out.sort_values(["actor_a", "actor_b"], kind="stable").reset_index(drop=True)
    out["count"] = out["count"].astype("int64")
    out["count_a"] = out["actor_a"].map(counts).astype("int64")
    out["count_b"] = out["actor_b"].map(counts).astype("int64")
    p_ab = out["count"] / n_units
    p_a, p_b = out["count_a"] / n_units, out["count_b"] / n_units
    out["pmi"] = np.log2(p_ab / (p_a * p_b))
    out["npmi"] = np.where(p_ab < 1, out["pmi"] / -np.log2(p_ab.clip(upper=1 - 1e-12)), 1.0)
    out["jaccard"] = out["count"] / (out["count_a"] + out["count_b"] - out["count"])
    return out.sort_values(["count", "actor_a", "actor_b"], ascending=[False, True, True]).reset_index(drop=True)


def canonical(pf: PartsFolder, names):
    """User-given actor names → canonical actors with the one lookup of newskit
    (:func:`newskit.analysis._frame.canonical_actors`), over the surface forms of the parts: the
    distinct ``(text, actor)`` pairs in first-occurrence order with their counts (``WEIGHT``), so the
    alias table — counts and ties — is that of the in-memory mentions without one row per mention;
    built once per folder and only when names are given)."""
    from newskit.actors.lookup import WEIGHT
    from newskit.analysis._frame import canonical_actors

    if names is None:
        return None
    if getattr(pf, "_known", None) is None:
        _need_actor(pf)
        f = pf.sql(f"SELECT text, actor, count(*) AS n, min(_pos) AS _pos FROM {pf.scan('mentions', position=True)} "
                   f"WHERE actor IS NOT NULL GROUP BY ALL ORDER BY _pos")
        pf._known = pd.DataFrame({"text": f["text"].to_numpy(dtype=object), "actor": f["actor"].to_numpy(dtype=object),
                                  WEIGHT: f["n"].to_numpy()})
    return canonical_actors(SimpleNamespace(mentions=pf._known, meta=pf.meta), names)


def kwic_subset(pf: PartsFolder, actor: str, *, top: int | None = None, spread: bool = False, seed: int = 0,
                where: str = "all") -> SimpleNamespace:
    """The rows :func:`newskit.analysis.kwic` shows for ``actor`` — with ``top``, only those ``top`` hits
    (the first ones, or the ``spread`` sample computed in DuckDB with the same hash order as in memory,
    :func:`newskit.analysis.frequency.spread_key`), else all of them — in part order, and the articles they
    are in: a small in-memory stand-in for the annotations (texts read for the rows shown only)."""
    name = canonical(pf, actor)[0]
    con = pf.con
    keep = [c for c in ("article_id", "start", "end", "actor", "in_title")
            if c in pf.columns("mentions")]  # what kwic reads: at 1M articles the top actor has millions of rows
    hits = (f"SELECT {', '.join(_ident(c) for c in keep)}, _pos FROM {pf.scan('mentions', position=True)} "
            f"WHERE actor = {_q(name)} AND {_where_sql(pf, where)}")
    if top is not None and spread:
        acols = pf.columns("articles")
        col = "outlet" if "outlet" in acols else ("source" if "source" in acols else None)
        outlet = (f"(SELECT DISTINCT ON (article_id) CAST(article_id AS VARCHAR) AS _aid, "
                  f"coalesce(CAST({_ident(col)} AS VARCHAR), '') AS _o FROM {pf.scan('articles')})" if col else
                  f"(SELECT DISTINCT CAST(article_id AS VARCHAR) AS _aid, '' AS _o FROM {pf.scan('articles')})")
        n = int(con.execute(f"SELECT count(*) FROM ({hits})").fetchone()[0])
        if n > top:  # as frequency._spread: round k takes each article's k-th hit, articles of an outlet
            ranked = (f"SELECT h.*, coalesce(o._o, '') AS _o, md5({_q(str(seed))} || '|' || CAST(h.article_id AS VARCHAR) "
                      f"|| '|' || CAST(h.start AS VARCHAR)) AS _r FROM ({hits}) h "
                      f"LEFT JOIN {outlet} o ON CAST(h.article_id AS VARCHAR) = o._aid")
            ranked = (f"SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY _r) AS _k, "
                      f"min(_r) OVER (PARTITION BY article_id) AS _ar FROM ({ranked})")
            ranked = f"SELECT *, dense_rank() OVER (PARTITION BY _o ORDER BY _ar) AS _a FROM ({ranked})"
            hits = (f"SELECT {', '.join(_ident(c) for c in keep)}, _pos FROM ({ranked}) "
                    f"ORDER BY _k, _a, _o, _r LIMIT {int(top)}")
    elif top is not None:
        hits = f"{hits} ORDER BY _pos LIMIT {int(top)}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kw_hits AS {hits}")
    m = con.execute(f"SELECT {', '.join(_ident(c) for c in keep)} FROM _kw_hits ORDER BY _pos").df()
    cols = [c for c in ("article_id", "title", "date", "source", "outlet") if c in pf.columns("articles")]
    a = con.execute(f"SELECT {', '.join(_ident(c) for c in cols)} FROM {pf.scan('articles', position=True)} "
                    f"WHERE CAST(article_id AS VARCHAR) IN (SELECT CAST(article_id AS VARCHAR) FROM _kw_hits) "
                    f"ORDER BY _pos").df()
    con.execute("DROP TABLE IF EXISTS _kw_hits")
    if "date" in a.columns:
        a["date"] = pd.to_datetime(a["date"]).astype("datetime64[ns]")

    def texts(ids) -> pd.Series:
        ids = [str(i) for i in ids]
        if not ids:
            return pd.Series(dtype=object)
        con.execute("CREATE OR REPLACE TEMP TABLE _kw_ids AS SELECT unnest(?::VARCHAR[]) AS article_id", [ids])
        t = con.execute(f"SELECT CAST(article_id AS VARCHAR) AS article_id, text FROM {pf.scan('articles')} "
                        f"WHERE CAST(article_id AS VARCHAR) IN (SELECT article_id FROM _kw_ids)").df()
        con.execute("DROP TABLE IF EXISTS _kw_ids")
        return t.drop_duplicates("article_id").set_index("article_id")["text"]

    return SimpleNamespace(articles=a, mentions=m, meta=pf.meta, texts=texts)


# =========================================================================== events
def event_timeline(pf: PartsFolder, *, actors=None, horizon_days: int | None = 366) -> pd.DataFrame:
    """:func:`newskit.analysis.event_timeline` on a parts folder, joined, filtered and sorted in DuckDB:
    the event dates with their sentence's sorted actors, the sentence, the article's date / source /
    outlet / title, in one result fetched once (at 1M articles the table has millions of rows; the
    in-memory path's intermediate tables would hold several copies of it)."""
    if not pf.has("dates"):
        raise ValueError(f"{pf.path}: no dates table (annotate with the 'dates' step)")
    acols = pf.columns("articles")
    info = [c for c in ("date", "source", "outlet", "title") if c in acols]
    d = (f"(SELECT CAST(article_id AS VARCHAR) AS article_id, sent_id, date AS event_date, granularity, "
         f"text AS expression, _pos FROM {pf.scan('dates', position=True)})")
    if pf.has("mentions") and "actor" in pf.columns("mentions"):
        per_sent = (f"(SELECT CAST(article_id AS VARCHAR) AS article_id, sent_id, list_sort(list_distinct(list(actor))) "
                    f"AS actors FROM {pf.scan('mentions')} WHERE actor IS NOT NULL GROUP BY ALL)")
        d = (f"(SELECT d.*, coalesce(p.actors, []::VARCHAR[]) AS actors FROM {d} d LEFT JOIN {per_sent} p "
             f"USING (article_id, sent_id))")
    else:
        d = f"(SELECT d.*, []::VARCHAR[] AS actors FROM {d} d)"
    if actors is not None:
        d = f"(SELECT * FROM {d} WHERE list_has_any(actors, {_q_list(actors)}))"
    if pf.has("sentences"):
        sents = (f"(SELECT DISTINCT ON (article_id, sent_id) CAST(article_id AS VARCHAR) AS article_id, sent_id, "
                 f"text AS sentence FROM {pf.scan('sentences')})")
        d = f"(SELECT d.*, s.sentence FROM {d} d LEFT JOIN {sents} s USING (article_id, sent_id))"
    else:
        d = f"(SELECT d.*, CAST(NULL AS VARCHAR) AS sentence FROM {d} d)"
    sel = ", ".join(("CAST(date AS TIMESTAMP) AS published" if c == "date" else _ident(c)) for c in info)
    arts = f"(SELECT CAST(article_id AS VARCHAR) AS article_id{', ' + sel if sel else ''} FROM {pf.scan('articles')})"
    d = f"(SELECT d.*{''.join(', a.' + ('published' if c == 'date' else _ident(c)) for c in info)} FROM {d} d LEFT JOIN {arts} a USING (article_id))"
    pub = "published" if "date" in info else "CAST(NULL AS TIMESTAMP)"
    cols = ["event_date", "granularity", "expression", f"{pub} AS published",
            f"CAST(datediff('day', CAST(event_date AS TIMESTAMP), date_trunc('day', {pub})) AS DOUBLE) AS lag_days",
            "actors", "sentence", *(c if c in info else f"NULL AS {c}" for c in ("source", "title")),
            "article_id", "sent_id", *(["outlet"] if "outlet" in info else [])]
    pf.con.execute(f"CREATE OR REPLACE TEMP TABLE _ev AS SELECT {', '.join(cols)}, _pos FROM {d}")
    n_out, cond = 0, "TRUE"
    lo, hi = pf.con.execute("SELECT min(published), max(published) FROM _ev").fetchall()[0]
    if horizon_days is not None and lo is not None:
        cond = (f"CAST(event_date AS TIMESTAMP) BETWEEN date_trunc('day', TIMESTAMP '{pd.Timestamp(lo)}') - "
                f"INTERVAL {int(horizon_days)} DAY AND date_trunc('day', TIMESTAMP '{pd.Timestamp(hi)}') + "
                f"INTERVAL {int(horizon_days)} DAY")
        n_out = int(pf.con.execute(f"SELECT count(*) FROM _ev WHERE NOT ({cond})").fetchall()[0][0])
    out = fetch_compact(pf.con, f"SELECT * EXCLUDE (_pos) FROM _ev WHERE {cond} ORDER BY event_date NULLS LAST, "
                        f"published NULLS LAST, article_id, sent_id, _pos", keep=("sentence",))
    pf.con.execute("DROP TABLE IF EXISTS _ev")
    out = _fix_period(out, ["event_date", "published"])
    out.attrs["outside_horizon"] = n_out
    return out


def fetch_compact(con, sql: str, *, keep: Sequence[str] = (), batch_rows: int = 131_072) -> pd.DataFrame:
    """A query's result as pandas, fetched in Arrow batches, with repeated strings stored once.

    DuckDB's ``.df()`` makes one Python string per cell and, for a list column, one array per row holding
    new strings; at millions of rows (an event timeline over 1M articles: the title, source, outlet and
    article id repeated on every dated sentence of an article, the same few actor names in every list) those
    copies were most of the memory. Here each batch's text columns are factorised and their values mapped
    through one pool shared by all batches, so equal strings are one object; list columns become Python
    lists of pooled strings. Column names, dtypes (``object`` for text and lists) and values are those of
    ``.df()`` followed by ``list(x)`` on list cells. Columns in ``keep`` are converted as they are (text that
    is unique per row, like a sentence, gains nothing from the pool).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> df = fetch_compact(con, "SELECT 'a' || (i % 2) AS s, [('x' || (i % 2))] AS l, i FROM range(4) t(i)")
    >>> df.to_dict("list")
    {'s': ['a0', 'a1', 'a0', 'a1'], 'l': [['x0'], ['x1'], ['x0'], ['x1']], 'i': [0, 1, 2, 3]}
    >>> df["s"][0] is df["s"][2] and df["l"][0][0] is df["l"][2][0]
    True
    """
    import pyarrow as pa

    pool: dict = {}

    def pooled(values: np.ndarray) -> np.ndarray:
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        if not len(uniq):
            return values
        uniq = np.array([pool.setdefault(u, u) for u in uniq] + [None], dtype=object)
        out = uniq.take(codes)  # code -1 (missing) takes the trailing None
        missing = codes < 0
        if missing.any():  # keep the missing marker .df() gave (None or NaN)
            out[missing] = values[missing]
        return out

    reader = con.sql(sql).to_arrow_reader(batch_rows)
    frames = []
    for rb in reader:
        cols = {}
        for name, arr in zip(rb.schema.names, rb.columns):
            t = arr.type
            if name not in keep and (pa.types.is_list(t) or pa.types.is_large_list(t)) and \
                    (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
                flat = pooled(arr.flatten().to_numpy(zero_copy_only=False))
                offs = arr.offsets.to_numpy()
                valid = arr.is_valid().to_numpy(zero_copy_only=False)
                cols[name] = pd.Series([flat[offs[i]:offs[i + 1]].tolist() if valid[i] else None
                                        for i in range(len(arr))], dtype=object)
            elif name not in keep and (pa.types.is_string(t) or pa.types.is_large_string(t)):
                cols[name] = pd.Series(pooled(arr.to_numpy(zero_copy_only=False)), dtype=object)
            else:
                cols[name] = pa.chunked_array([arr]).to_pandas()
        frames.append(pd.DataFrame(cols))
    if not frames:  # an empty result keeps its columns and dtypes
        return con.execute(sql).df()
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return out


def _q_list(values) -> str:
    return "[" + ", ".join(_q(str(v)) for v in values) + "]::VARCHAR[]"


# =========================================================================== the estimator on per-article sums
def estimate_per_article(per: pd.DataFrame, groups: pd.DataFrame, keys: list[str], *, errorbar: Any,
                         n_boot: int, seed: int, classes: Sequence[str] | None = None,
                         min_n: int = 1) -> pd.DataFrame:
    """:func:`newskit.analysis.estimate` from its sufficient statistics.

    Parameters
    ----------
    per : DataFrame
        One row per article per group: the ``keys``, ``sum``, ``count`` of the values and ``_pos`` (the
        position of the article's first value in the table the pandas path would see; it fixes the
        order in which the bootstrap meets the articles, hence identical draws for the same seed).
    groups : DataFrame
        One row per group: the ``keys``, ``n`` and, for ``classes``, ``c_<class>`` (rows per class).
    keys : list of str
    errorbar, n_boot, seed, min_n
        As in :func:`newskit.analysis.estimate`.
    classes : list of str, optional
        Adds ``share_<class>`` = ``c_<class> / n``.

    Returns
    -------
    DataFrame
        As :func:`newskit.analysis.estimate`.

    Examples
    --------
    >>> per = pd.DataFrame({"g": ["x", "x"], "sum": [1.0, 0.0], "count": [1, 1], "_pos": [0, 1]})
    >>> estimate_per_article(per, pd.DataFrame({"g": ["x"], "n": [2]}), ["g"], errorbar=None, n_boot=0, seed=0)
       g  n  n_articles  mean  ci_low  ci_high
    0  x  2           2   0.5     NaN      NaN
    """
    eb = check_errorbar(errorbar)
    class_list = list(classes or [])
    cols = keys + ESTIMATE_COLUMNS + [f"share_{c}" for c in class_list]
    groups = groups[groups["n"] >= max(1, min_n)].sort_values(keys, kind="stable")
    per = per.sort_values("_pos", kind="stable")
    by_group = {(k if isinstance(k, tuple) else (k,)): g
                for k, g in per.groupby(keys, sort=False, dropna=True)} if len(per) else {}
    rows = []
    for g in groups.to_dict("records"):
        key = tuple(g[k] for k in keys)
        p = by_group.get(key)
        if p is None:
            continue
        mean, lo, hi = group_interval(p["sum"].to_numpy(dtype="float64"), p["count"].to_numpy(dtype="float64"),
                                      errorbar=eb, n_boot=n_boot, seed=seed, key=key)
        row = dict(zip(keys, key))
        row.update({"n": int(g["n"]), "n_articles": len(p), "mean": mean, "ci_low": lo, "ci_high": hi})
        for c in class_list:
            row[f"share_{c}"] = float(g.get(f"c_{c}", 0) or 0) / g["n"]
        rows.append(row)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("n", "n_articles") else "float64") for c in cols})
    return pd.DataFrame(rows, columns=cols).reset_index(drop=True)


def _sort_key_tuple(keys: list[str]) -> str:
    return ", ".join(_ident(k) for k in keys)


def _check_groups(pf: PartsFolder, keys: list[str]) -> None:
    cols = pf.columns("articles")
    for b in keys:
        if b in PERIOD_GROUPS:
            if "date" not in cols:
                raise ValueError(f"by={b!r} needs article dates: pass Annotations or a table with 'date'")
        elif b not in cols:
            raise ValueError(f"by={b!r}: no such column; use one of {sorted(set(cols) | set(PERIOD_GROUPS))}")


def _scored_sql(pf: PartsFolder, by_cols: list[str], actor_where: str = "TRUE", where: str = "all") -> str:
    """Scored actor mentions with their article groups (NULL when the article has none), as
    ``portrayal._scored`` + the columns ``add_groups`` adds."""
    _need_actor(pf)
    mcols = pf.columns("mentions")
    if "score" not in mcols:
        raise ValueError("mentions have no 'score' column: annotate with a sentiment step")
    sent = "sentiment" if "sentiment" in mcols else \
        "CASE WHEN score > 0.05 THEN 'positive' WHEN score < -0.05 THEN 'negative' ELSE 'neutral' END"
    m = (f"(SELECT CAST(article_id AS VARCHAR) AS article_id, actor, score, {sent} AS sentiment, "
         f"{_title_sql(pf)} AS in_title, _pos "
         f"FROM {pf.scan('mentions', position=True)} WHERE actor IS NOT NULL AND score IS NOT NULL "
         f"AND NOT isnan(score) AND {actor_where} AND {_where_sql(pf, where)})")
    if not by_cols:
        return m
    _check_groups(pf, by_cols)
    sel = ", ".join(f"{_group_expr(b)} AS {_ident(b)}" for b in by_cols)
    arts = f"(SELECT DISTINCT ON (article_id) CAST(article_id AS VARCHAR) AS article_id, {sel} FROM {pf.scan('articles')})"
    return f"(SELECT m.*, {', '.join('a.' + _ident(k) for k in by_cols)} FROM {m} m LEFT JOIN {arts} a USING (article_id))"


def _drop_null_groups(pf: PartsFolder, table: str, keys: list[str], *, what: str = "mentions") -> None:
    """Warn about and delete the rows of ``table`` without a group, one ``by`` entry after the other (the
    warnings of :func:`newskit.analysis._frame.add_groups`)."""
    for b in keys:
        n_all = int(pf.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        n_bad = int(pf.con.execute(f"SELECT count(*) FROM {table} WHERE {_ident(b)} IS NULL").fetchone()[0])
        if n_bad:
            why = "no date" if b in PERIOD_GROUPS else f"no {b!r}"
            warnings.warn(f"{n_bad} of {n_all} {what} have {why} and are left out of by={b!r}", stacklevel=4)
            pf.con.execute(f"DELETE FROM {table} WHERE {_ident(b)} IS NULL")


#: Per-article rows fetched from DuckDB at once by :func:`estimate_in_batches` (whole groups per batch).
BATCH_ROWS = 2_000_000


def estimate_in_batches(pf: PartsFolder, table: str, groups: pd.DataFrame, keys: list[str], *, errorbar: Any,
                        n_boot: int, seed: int, classes: Sequence[str] | None = None, min_n: int = 1,
                        batch_rows: int | None = None) -> pd.DataFrame:
    """:func:`estimate_per_article` over a DuckDB table of per-article rows, fetched a batch of whole groups
    at a time, so that memory is bounded by ``batch_rows`` (default :data:`BATCH_ROWS`) per-article rows
    rather than by all of them (tens of millions at 1M articles).

    Parameters
    ----------
    pf : PartsFolder
    table : str
        A table (or view) of ``pf.con`` with the ``keys``, ``sum``, ``count`` and ``_pos`` (one row per
        article per group, as the ``per`` argument of :func:`estimate_per_article`).
    groups : DataFrame
        One row per group: the ``keys``, ``n``, and ``c_<class>`` for ``classes``.
    keys, errorbar, n_boot, seed, classes, min_n
        As :func:`estimate_per_article`.
    batch_rows : int, optional
        Per-article rows per batch (a group larger than it is one batch on its own).

    Returns
    -------
    DataFrame
        Exactly :func:`estimate_per_article`'s table for the same rows: the groups are visited in key
        order and each group's articles in ``_pos`` order, each group with its own generator
        (:func:`newskit.analysis._estimate.group_rng`), so batching changes no number.

    Examples
    --------
    >>> import tempfile
    >>> pf = PartsFolder(Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": ["x"]})).save(tempfile.mkdtemp()))
    >>> per = pd.DataFrame({"g": ["x", "x", "y"], "sum": [1.0, 0.0, 2.0], "count": [1, 1, 2], "_pos": [0, 1, 2]})
    >>> pf.con.register("per_demo", per)  # doctest: +ELLIPSIS
    <...>
    >>> groups = pd.DataFrame({"g": ["x", "y"], "n": [2, 2]})
    >>> estimate_in_batches(pf, "per_demo", groups, ["g"], errorbar=None, n_boot=0, seed=0, batch_rows=1)
       g  n  n_articles  mean  ci_low  ci_high
    0  x  2           2   0.5     NaN      NaN
    1  y  2           1   1.0     NaN      NaN
    """
    eb = check_errorbar(errorbar)
    class_list = list(classes or [])
    cols = keys + ESTIMATE_COLUMNS + [f"share_{c}" for c in class_list]
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("n", "n_articles") else "float64") for c in cols})
    batch_rows = int(batch_rows or BATCH_ROWS)
    con = pf.con
    groups = groups[groups["n"] >= max(1, min_n)].sort_values(keys, kind="stable").reset_index(drop=True)
    if not len(groups):
        return empty
    kq = _sort_key_tuple(keys)
    g = groups[keys].copy()
    g["_g"] = np.arange(len(g), dtype="int64")
    con.register("_eb_groups", g)
    try:
        # one small table of the groups' article counts decides the batches (whole groups per batch)
        sizes = con.execute(f"SELECT g._g, count(*) AS k FROM {table} p JOIN _eb_groups g USING ({kq}) "
                            f"GROUP BY g._g").df().set_index("_g")["k"].reindex(g["_g"], fill_value=0).to_numpy()
        batch = np.zeros(len(g), dtype="int64")
        filled, b = 0, 0
        for i, k in enumerate(sizes):
            if filled and filled + k > batch_rows:
                b, filled = b + 1, 0
            batch[i] = b
            filled += int(k)
        g["_b"] = batch
        con.unregister("_eb_groups")
        con.register("_eb_groups", g)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _eb_per AS SELECT g._b, g._g, p.sum, p.count, p._pos "
                    f"FROM {table} p JOIN _eb_groups g USING ({kq}) ORDER BY g._b, g._g, p._pos")
        rows = []
        recs = groups.to_dict("records")
        for bi in range(int(batch.max()) + 1 if len(batch) else 0):
            arr = con.execute(f"SELECT _g, sum, count FROM _eb_per WHERE _b = {bi} ORDER BY _g, _pos").fetchnumpy()
            gid = np.asarray(arr["_g"], dtype="int64")
            sums = np.asarray(arr["sum"], dtype="float64")
            counts = np.asarray(arr["count"], dtype="float64")
            if not len(gid):
                continue
            starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
            ends = np.r_[starts[1:], len(gid)]
            for s, e in zip(starts, ends):
                rec = recs[int(gid[s])]
                key = tuple(rec[k] for k in keys)
                mean, lo, hi = group_interval(sums[s:e], counts[s:e], errorbar=eb, n_boot=n_boot, seed=seed, key=key)
                row = dict(zip(keys, key))
                row.update({"n": int(rec["n"]), "n_articles": int(e - s), "mean": mean, "ci_low": lo, "ci_high": hi})
                for c in class_list:
                    row[f"share_{c}"] = float(rec.get(f"c_{c}", 0) or 0) / rec["n"]
                rows.append((int(gid[s]), row))
    finally:
        con.execute("DROP TABLE IF EXISTS _eb_per")
        try:
            con.unregister("_eb_groups")
        except Exception:  # noqa: BLE001 - already gone
            pass
    if not rows:
        return empty
    rows.sort(key=lambda r: r[0])
    return pd.DataFrame([r for _, r in rows], columns=cols).reset_index(drop=True)


def actor_sentiment(pf: PartsFolder, *, by=None, actors=None, min_mentions: int = 5, errorbar: Any = ("ci", 95),
                    n_boot: int = 1000, seed: int = 0, where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.actor_sentiment` over a parts folder: per-article sums in DuckDB, the
    article bootstrap in numpy a batch of groups at a time (:func:`estimate_in_batches`)."""
    from newskit.sentiment.labels import LABELS

    keys = as_list(by)
    where_actor = _in_list("actor", canonical(pf, actors)) if actors is not None else "TRUE"
    m = _scored_sql(pf, keys, where_actor, where)
    gk = ["actor"] + keys
    kq = _sort_key_tuple(gk)
    con = pf.con
    # with groups, rows without one are warned about and deleted (a table); without, a view suffices
    con.execute(f"CREATE OR REPLACE TEMP {'TABLE' if keys else 'VIEW'} _as AS SELECT * FROM {m}")
    try:
        _drop_null_groups(pf, "_as", keys)
        cls = ", ".join(f"count(*) FILTER (WHERE sentiment = {_q(c)}) AS {_ident('c_' + c)}" for c in LABELS)
        groups = con.execute(f"SELECT {kq}, count(*) AS n, {cls} FROM _as GROUP BY ALL").df()
        groups = _fix_period(groups, [k for k in keys if k in PERIOD_GROUPS])
        # one row per article per group, kept in DuckDB (spilled beyond memory_limit) and read back in
        # batches of whole groups; the article id itself is not needed, only its order (_pos)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _as_per AS SELECT {kq}, sum(score) AS sum, count(*) AS count, "
                    f"min(_pos) AS _pos FROM _as GROUP BY {kq}, article_id")
        out = estimate_in_batches(pf, "_as_per", groups, gk, errorbar=errorbar, n_boot=n_boot, seed=seed,
                                  classes=LABELS, min_n=min_mentions)
    finally:
        con.execute("DROP TABLE IF EXISTS _as_per")
        con.execute(f"DROP {'TABLE' if keys else 'VIEW'} IF EXISTS _as")
    if not keys:
        out = out.sort_values(["mean", "actor"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def mention_examples(pf: PartsFolder, actor: str, *, top: int = 3, source: str | None = None,
                     where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.mention_examples` over a parts folder: the ``top`` most negative and most
    positive mentions of ``actor`` with their sentence, ranked in DuckDB (score, then the mention's
    position: pandas' stable sort), one per sentence text, as the pandas path keeps the first of each."""
    cols = ["kind", "score", "sentiment", "sentence", "m_start", "m_end", "article_id", "date", "source", "outlet"]
    name = canonical(pf, actor)[0]
    acols = pf.columns("articles")
    m = _scored_sql(pf, [], f"actor = {_q(name)}", where)
    m = m.replace("SELECT CAST(article_id AS VARCHAR) AS article_id, actor, score,",
                  "SELECT CAST(article_id AS VARCHAR) AS article_id, sent_id, start, \"end\", actor, score,", 1)
    extra = [c for c in ("date", "source", "outlet") if c in acols]
    arts = (f"(SELECT DISTINCT ON (article_id) CAST(article_id AS VARCHAR) AS article_id"
            f"{''.join(', ' + _ident(c) for c in extra)} FROM {pf.scan('articles')})")
    where = "TRUE"
    if source is not None:
        has_src = "source" in acols and bool(pf.con.execute(
            f"SELECT count(*) FROM {m} mm JOIN {arts} a USING (article_id) WHERE a.source = {_q(source)}").fetchone()[0])
        col = "source" if has_src else "outlet"
        where = f"a.{_ident(col)} = {_q(source)}" if col in acols else "FALSE"
    if not pf.has("sentences"):
        return pd.DataFrame(columns=cols)
    j = (f"SELECT m.*, s.start AS s_start, s.text AS sentence{''.join(', a.' + _ident(c) for c in extra)} "
         f"FROM {m} m JOIN (SELECT CAST(article_id AS VARCHAR) AS article_id, sent_id, start, text "
         f"FROM {pf.scan('sentences')}) s USING (article_id, sent_id) LEFT JOIN {arts} a USING (article_id) "
         f"WHERE {where}")
    parts = []
    for kind, order in (("most negative", "ASC"), ("most positive", "DESC")):
        part = pf.sql(f"WITH j AS ({j}) SELECT * FROM j QUALIFY row_number() OVER (PARTITION BY sentence "
                      f"ORDER BY score {order}, _pos) = 1 ORDER BY score {order}, _pos LIMIT {int(top)}")
        parts.append(part.assign(kind=kind))
    res = pd.concat(parts, ignore_index=True)
    if not len(res):
        return pd.DataFrame(columns=cols)
    res["m_start"] = (res["start"] - res["s_start"]).astype("int64")
    res["m_end"] = (res["end"] - res["s_start"]).astype("int64")
    res = _fix_period(res, ["date"])
    for c in cols:
        if c not in res.columns:
            res[c] = None
    return res[cols]


def compare_per_article(pf: PartsFolder, actor: str, *, by: str = "source", where: str = "body"
                        ) -> tuple[str, pd.DataFrame]:
    """What :func:`compare_sources` reads for ``actor``: one row per (group, article) with the ``sum`` and
    ``count`` of the actor's scores, in the order of the articles' first mention (as the in-memory
    groupby), the group NULL where the article has none — for a period ``by``, the article's ``date``.
    Summed in DuckDB, so memory is one row per article of the actor, not one per mention."""
    _need_actor(pf)
    actor = canonical(pf, actor)[0]
    gcol = "date" if by in PERIOD_GROUPS else by
    if gcol not in pf.columns("articles"):
        raise ValueError(f"by={by!r}: no such column; use one of {sorted(set(pf.columns('articles')) | set(PERIOD_GROUPS))}")
    m = _scored_sql(pf, [gcol], f"actor = {_q(actor)}", where)
    out = pf.sql(f"SELECT {_ident(gcol)}, article_id, sum(score) AS sum, count(*) AS count, min(_pos) AS _p "
                 f"FROM {m} GROUP BY {_ident(gcol)}, article_id ORDER BY _p").drop(columns="_p")
    out["count"] = out["count"].astype("int64")
    return actor, _fix_period(out, ["date"])


# =========================================================================== timeline
def timeline(pf: PartsFolder, *, freq: str, groups: list[str], metric: str, actors, normalize, rolling,
             date_from, date_to, top: int, errorbar, n_boot: int, seed: int, helpers: Any,
             _local: bool = False, where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.timeline` over a parts folder (counts and per-article sums in DuckDB)."""
    if isinstance(pf, DaskParts) and not _local:
        return dask_timeline(pf, freq=freq, groups=groups, metric=metric, actors=actors, normalize=normalize,
                             rolling=rolling, date_from=date_from, date_to=date_to, top=top, errorbar=errorbar,
                             n_boot=n_boot, seed=seed, helpers=helpers, where=where)
    con = pf.con
    acols = pf.columns("articles")
    if "date" not in acols:
        raise ValueError(f"{pf.path}: articles have no 'date' column; a timeline needs publication dates")
    undated = int(con.execute(f"SELECT count(*) FROM {pf.scan('articles')} WHERE date IS NULL").fetchone()[0])
    if undated:
        warnings.warn(f"{undated} article(s) have no date and are not on the timeline "
                      f"(see df.attrs['undated'])", stacklevel=4)
    agroups = [g for g in groups if g != "actor"]
    for g in agroups:
        if g == "source" and "source" not in acols and "outlet" in acols:
            raise ValueError("by='source': the articles have no 'source' column (use by='outlet')")
        if g not in acols:
            raise ValueError(f"by={g!r}: no such article column; use 'actor' or one of {sorted(acols + ['period'])}")
    trunc = _SQL_TRUNC[freq]
    gsel = "".join(f", coalesce(CAST({_ident(g)} AS VARCHAR), 'None') AS {_ident(g)}" for g in agroups)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ta AS SELECT CAST(article_id AS VARCHAR) AS article_id, "
            f"CAST(date_trunc('{trunc}', date) AS TIMESTAMP) AS period{gsel} FROM {pf.scan('articles')} "
            f"WHERE date IS NOT NULL AND {pf.article_filter(date_from, date_to)}")
    try:
        pr = con.execute("SELECT DISTINCT period FROM _ta").df()
        periods = helpers._period_range(_fix_period(pr, ["period"])["period"], freq, date_from, date_to)
        levels = {g: con.execute(f"SELECT DISTINCT {_ident(g)} FROM _ta").df() for g in agroups}
        akeys = ["period"] + agroups
        per = grp = cnt = None
        need_mentions = metric != "articles" or "actor" in groups or actors is not None
        keys = ["period"] + groups
        kq = _sort_key_tuple(keys)
        if need_mentions:
            _need_actor(pf)
            mcols = pf.columns("mentions")
            if metric == "sentiment" and "score" not in mcols:
                raise ValueError("metric='sentiment' needs a 'score' column in mentions")
            score = "score" if "score" in mcols else "NULL::DOUBLE AS score"
            # a view, not a table: at 1M articles materialising the join of every mention (48 M rows with
            # their ids) cost more than the two scans of the parts it replaces
            con.execute(f"CREATE OR REPLACE TEMP VIEW _tm AS SELECT m.article_id, m.actor, m.score, m._pos, "
                    f"{', '.join('a.' + _ident(k) for k in akeys)} FROM (SELECT CAST(article_id AS VARCHAR) AS "
                    f"article_id, actor, {score}, _pos FROM {pf.scan('mentions', position=True)} "
                    f"WHERE actor IS NOT NULL AND {_where_sql(pf, where)}) m JOIN _ta a USING (article_id)")
            if "actor" in groups and actors is None:
                vc = con.execute("SELECT actor, count(*) AS n, min(_pos) AS _pos FROM _tm GROUP BY actor").df()
                actors = _value_counts(vc, "actor").head(top).index.tolist()
            elif actors is not None:
                actors = canonical(pf, actors)
            if actors is not None:  # the chosen actors' mentions only: a small table read by what follows
                con.execute(f"CREATE OR REPLACE TEMP TABLE _tmf AS SELECT * FROM _tm WHERE "
                            f"{_in_list('actor', list(actors))}")
                con.execute("DROP VIEW IF EXISTS _tm")
                con.execute("CREATE OR REPLACE TEMP VIEW _tm AS SELECT * FROM _tmf")
            where = "TRUE"
            if metric == "articles":
                cnt = con.execute(f"SELECT {kq}, count(DISTINCT article_id) AS value FROM _tm WHERE {where} GROUP BY ALL").df()
            elif metric == "mentions":
                cnt = con.execute(f"SELECT {kq}, count(*) AS value FROM _tm WHERE {where} GROUP BY ALL").df()
            else:
                cnt = None
                per = con.execute(f"SELECT {kq}, sum(score) AS sum, count(score) AS count, "
                                  f"min(_pos) AS _pos FROM _tm WHERE {where} AND score IS NOT NULL "
                                  f"AND NOT isnan(score) GROUP BY {kq}, article_id").df()
                grp = con.execute(f"SELECT {kq}, count(score) AS n FROM _tm WHERE {where} AND score IS NOT NULL "
                              f"AND NOT isnan(score) GROUP BY ALL").df()
        else:
            cnt = con.execute(f"SELECT {kq}, count(*) AS value FROM _ta GROUP BY ALL").df()
        denom = con.execute(f"SELECT {_sort_key_tuple(akeys)}, count(*) AS _n FROM _ta GROUP BY ALL").df() \
            if normalize == "per_article" else None
    finally:
        con.execute("DROP VIEW IF EXISTS _tm")
        con.execute("DROP TABLE IF EXISTS _tmf")
        con.execute("DROP TABLE IF EXISTS _ta")
    return _finish_timeline(cnt=cnt if metric != "sentiment" else None, per=per if metric == "sentiment" else None,
                            grp=grp if metric == "sentiment" else None, denom=denom, periods=periods,
                            levels={g: levels[g][g].to_numpy() for g in agroups}, freq=freq, groups=groups,
                            metric=metric, actors=actors, normalize=normalize, rolling=rolling, undated=undated,
                            errorbar=errorbar, n_boot=n_boot, seed=seed, helpers=helpers)


def _finish_timeline(*, cnt, per, grp, denom, periods, levels, freq, groups, metric, actors, normalize, rolling,
                     undated, errorbar, n_boot, seed, helpers) -> pd.DataFrame:
    """Zero-filled period × group index, estimator, normalisation and rolling (as the pandas path)."""
    keys = ["period"] + groups
    akeys = ["period"] + [g for g in groups if g != "actor"]
    if not groups:
        index = periods
    else:
        lv = [periods] + [list(actors) if g == "actor" else sorted(pd.Series(levels[g]).dropna().unique()) for g in groups]
        index = pd.MultiIndex.from_product(lv, names=["period"] + groups)
    if metric != "sentiment":
        cnt = _fix_period(cnt, ["period"])
        out = cnt.set_index(keys)["value"].reindex(index, fill_value=0).astype("int64").rename("value").reset_index()
    else:
        per = _fix_period(per, ["period"])
        grp = _fix_period(grp, ["period"])
        est = estimate_per_article(per, grp, keys, errorbar=errorbar, n_boot=n_boot, seed=seed)
        est = est.set_index(keys).reindex(index)
        est["n"] = est["n"].fillna(0).astype("int64")
        est["n_articles"] = est["n_articles"].fillna(0).astype("int64")
        out = est.rename(columns={"mean": "value"})[["value", "n", "n_articles", "ci_low", "ci_high"]].reset_index()
    if normalize == "per_article":
        denom = _fix_period(denom, ["period"])
        out = out.merge(denom, on=akeys, how="left")
        out["value"] = out["value"] / out["_n"].where(out["_n"] > 0)
        out = out.drop(columns="_n")
    elif normalize == "share":
        out = helpers._normalize(out, "share", None, groups)
    out = helpers._rolling(out, rolling, groups)
    if metric != "sentiment" and normalize is None:
        out["value"] = out["value"].astype("int64")
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs.update({"undated": undated, "freq": freq, "metric": metric,
                      "by": (groups[0] if len(groups) == 1 else (groups or None)),
                      "actors": list(actors) if actors is not None else None})
    return out


# =========================================================================== Dask (beyond one machine)
class DaskParts(PartsFolder):
    """A parts folder analysed on a Dask cluster (``dask.distributed``): each worker reduces whole parts
    to counts, the client adds them up. Exact because an article and all its rows live in one part
    (the layout of ``annotate_to`` and ``annotate_dask``), so distinct-article counts of parts add up.

    Supported on the cluster: :func:`entity_frequency` (any ``by``/``types``/``top``) and
    :func:`timeline` with ``metric="articles"`` or ``"mentions"``; the other analyses run with DuckDB on
    the client machine, as for :class:`PartsFolder`.

    Parameters
    ----------
    path : str or path
        Annotations folder with ``articles/`` and ``mentions/`` parts of the same names, readable by
        the workers (a shared file system or an fsspec URL the workers can open).
    client : distributed.Client
    """

    def __init__(self, path: str | os.PathLike, *, client: Any, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.client = client
        names = sorted(p.name for p in (self.path / "articles").glob("part-*.parquet"))
        if not names:
            raise ValueError(f"{self.path}: DaskParts needs articles/part-*.parquet parts")
        self.parts = [(i, str(self.path / "articles" / n), str(self.path / "mentions" / n)) for i, n in enumerate(names)]

    def map_parts(self, fn, **kwargs: Any) -> list:
        """``fn(index, articles_path, mentions_path, **kwargs)`` on every part, on the workers."""
        futures = self.client.map(lambda p: fn(*p, **kwargs), self.parts, pure=False)
        return self.client.gather(futures)


def _read_part(path: str, columns: list[str]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if not Path(path).exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    have = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in columns if c in have])


def _part_groups(a: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    from newskit._options import period_start

    a = a.assign(article_id=a["article_id"].astype(str))
    bad = []
    for b in keys:
        if b in PERIOD_GROUPS:
            a = a.assign(**{b: period_start(a["date"], PERIOD_GROUPS[b]).to_numpy()})
        miss = a[b].isna()
        bad.append((int(miss.sum()), len(a)))
        a = a[~miss]
    return a, bad


def _ef_part(index: int, art_path: str, men_path: str, *, keys: list[str], types, where: str = "body") -> dict:
    a = _read_part(art_path, ["article_id", "date"] + [k for k in keys if k not in PERIOD_GROUPS])
    a, bad = _part_groups(a, keys)
    m = _read_part(men_path, ["article_id", "actor", "actor_type", "in_title"])
    m = m.assign(article_id=m["article_id"].astype(str), _pos=index * 4294967296 + np.arange(len(m)))
    m = m[m["actor"].notna() & where_mask(m, where)]
    t = _types_list(types)
    if t is not None:
        m = m[m["actor_type"].isin(t)]
    m = m.merge(a[["article_id"] + keys], on="article_id", how="inner")
    g = m.groupby(keys + ["actor"], sort=False)
    counts = pd.DataFrame({"mentions": g.size(), "articles": g["article_id"].nunique(), "_pos": g["_pos"].min()})
    types_n = m.groupby(["actor", "actor_type"], sort=False).size().rename("n")
    return {"counts": counts.reset_index(), "types": types_n.reset_index(), "bad": bad,
            "n_group": a.groupby(keys).size().rename("n_articles").reset_index() if keys else None}


def dask_entity_frequency(pf: DaskParts, *, by=None, types=None, top=None, where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.entity_frequency` on a Dask cluster (see :class:`DaskParts`)."""
    top = check_top(top)
    keys = as_list(by)
    _need_actor(pf)
    if keys:
        _check_groups(pf, keys)
    res = pf.map_parts(_ef_part, keys=keys, types=types, where=where)
    remaining = sum(r["bad"][0][1] for r in res) if keys else 0
    for j, b in enumerate(keys):
        n_bad = sum(r["bad"][j][0] for r in res)
        if n_bad:
            why = "no date" if b in PERIOD_GROUPS else f"no {b!r}"
            warnings.warn(f"{n_bad} of {remaining} articles have {why} and are left out of by={b!r}", stacklevel=4)
        remaining -= n_bad
    counts = pd.concat([r["counts"] for r in res], ignore_index=True)
    tk = keys + ["actor"]
    counts = counts.groupby(tk, sort=False).agg(mentions=("mentions", "sum"), articles=("articles", "sum"),
                                                 _pos=("_pos", "min")).reset_index()
    tn = pd.concat([r["types"] for r in res], ignore_index=True).groupby(["actor", "actor_type"], sort=False)["n"].sum()
    if top is not None and keys:  # with groups: the top actors overall, as value_counts() ranks them
        vc = counts.groupby("actor").agg(n=("mentions", "sum"), _pos=("_pos", "min")).reset_index()
        keep = _value_counts(vc, "actor").head(top).index
        counts = counts[counts["actor"].isin(keep)]
        tn = tn[tn.index.get_level_values("actor").isin(keep)]
    tt = tn.rename("n").reset_index().sort_values(["actor", "n", "actor_type"], ascending=[True, False, True])
    tmap = tt.drop_duplicates("actor").set_index("actor")["actor_type"]
    out = counts.drop(columns="_pos")
    out["mentions"] = out["mentions"].astype("int64")
    out["articles"] = out["articles"].astype("int64")
    if not keys:
        out.insert(1, "actor_type", out["actor"].map(tmap))
        out["share"] = out["articles"] / max(1, pf.count("articles"))
        out = out.sort_values(["mentions", "actor"], ascending=[False, True]).reset_index(drop=True)
        return out.head(top) if top is not None else out
    out.insert(len(keys) + 1, "actor_type", out["actor"].map(tmap))
    n_group = pd.concat([r["n_group"] for r in res], ignore_index=True).groupby(keys)["n_articles"].sum().reset_index()
    out = out.merge(n_group, on=keys, how="left")
    out["n_articles"] = out["n_articles"].astype("int64")
    out["share"] = out["articles"] / out["n_articles"]
    return out.sort_values(keys + ["mentions", "actor"], ascending=[True] * len(keys) + [False, True]
                           ).reset_index(drop=True)


def _tl_part(index: int, art_path: str, men_path: str, *, freq, agroups, date_from, date_to, need_mentions,
             actors, count_actors: bool, where: str = "body") -> dict:
    from newskit._options import date_mask, period_start

    a = _read_part(art_path, ["article_id", "date"] + agroups)
    a = a.assign(article_id=a["article_id"].astype(str))
    d = pd.to_datetime(a["date"], errors="coerce")
    undated = int(d.isna().sum())
    a = a[date_mask(d, date_from=date_from, date_to=date_to) & d.notna()]
    a = a.assign(period=period_start(a["date"], freq).to_numpy())
    for g in agroups:
        a[g] = a[g].astype(str)
    akeys = ["period"] + agroups
    out = {"undated": undated, "periods": a["period"].drop_duplicates(),
           "levels": {g: a[g].drop_duplicates().to_numpy() for g in agroups},
           "denom": a.groupby(akeys).size().rename("_n").reset_index(),
           "articles": a.groupby(akeys).size().rename("value").reset_index()}
    if need_mentions:
        m = _read_part(men_path, ["article_id", "actor", "in_title"])
        m = m.assign(article_id=m["article_id"].astype(str), _pos=index * 4294967296 + np.arange(len(m)))
        m = m[m["actor"].notna() & where_mask(m, where)].drop(columns=["in_title"], errors="ignore").merge(a[["article_id"] + akeys], on="article_id", how="inner")
        if count_actors:
            g = m.groupby("actor", sort=False)
            out["actor_counts"] = pd.DataFrame({"n": g.size(), "_pos": g["_pos"].min()}).reset_index()
        elif actors is not None:
            m = m[m["actor"].isin(list(actors))]
        out["m"] = m
    return out


def dask_timeline(pf: DaskParts, *, freq: str, groups: list[str], metric: str, actors, normalize, rolling,
                  date_from, date_to, top: int, errorbar, n_boot: int, seed: int, helpers: Any,
                  where: str = "body") -> pd.DataFrame:
    """:func:`newskit.analysis.timeline` (counts) on a Dask cluster (see :class:`DaskParts`)."""
    if metric == "sentiment":
        return timeline(pf, freq=freq, groups=groups, metric=metric, actors=actors, normalize=normalize,
                        rolling=rolling, date_from=date_from, date_to=date_to, top=top, errorbar=errorbar,
                        n_boot=n_boot, seed=seed, helpers=helpers, _local=True, where=where)
    acols = pf.columns("articles")
    agroups = [g for g in groups if g != "actor"]
    for g in agroups:
        if g not in acols:
            raise ValueError(f"by={g!r}: no such article column; use 'actor' or one of {sorted(acols + ['period'])}")
    need_mentions = metric != "articles" or "actor" in groups or actors is not None
    if need_mentions:
        _need_actor(pf)
    kw = dict(freq=freq, agroups=agroups, date_from=date_from, date_to=date_to, need_mentions=False,
              actors=None, count_actors=False, where=where)
    if need_mentions and "actor" in groups and actors is None:
        first = pf.map_parts(_tl_part, **dict(kw, need_mentions=True, count_actors=True))
        vc = pd.concat([r["actor_counts"] for r in first], ignore_index=True).groupby("actor").agg(
            n=("n", "sum"), _pos=("_pos", "min")).reset_index()
        actors = _value_counts(vc, "actor").head(top).index.tolist()
    elif need_mentions and actors is not None:
        actors = canonical(pf, actors)
    # the reduction per part: counts of (period, groups) — distinct articles add up across parts
    keys = ["period"] + groups

    def reduce_part(index, art_path, men_path, **k):
        r = _tl_part(index, art_path, men_path, **k)
        if "m" in r:
            m = r.pop("m")
            src = m.drop_duplicates(keys + ["article_id"]) if metric == "articles" else m
            r["counts"] = src.groupby(keys).size().rename("value").reset_index()
        else:
            r["counts"] = r["articles"]
        return r

    res = pf.map_parts(reduce_part, **dict(kw, need_mentions=need_mentions, actors=actors))
    undated = sum(r["undated"] for r in res)
    if undated:
        warnings.warn(f"{undated} article(s) have no date and are not on the timeline "
                      f"(see df.attrs['undated'])", stacklevel=4)
    periods = helpers._period_range(pd.concat([r["periods"] for r in res], ignore_index=True), freq, date_from, date_to)
    levels = {g: np.unique(np.concatenate([r["levels"][g] for r in res])) for g in agroups}
    cnt = pd.concat([r["counts"] for r in res], ignore_index=True)
    cnt = cnt.groupby(keys, sort=False)["value"].sum().reset_index() if len(cnt) else \
        pd.DataFrame({**{k: [] for k in keys}, "value": []})
    denom = pd.concat([r["denom"] for r in res], ignore_index=True)
    akeys = ["period"] + agroups
    denom = denom.groupby(akeys, sort=False)["_n"].sum().reset_index() if len(denom) else denom
    return _finish_timeline(cnt=cnt, per=None, grp=None, denom=denom, periods=periods, levels=levels, freq=freq,
                            groups=groups, metric=metric, actors=actors, normalize=normalize, rolling=rolling,
                            undated=undated, errorbar=errorbar, n_boot=n_boot, seed=seed, helpers=helpers)


# =========================================================================== quotes
def _quote_statements_sql(pf: PartsFolder) -> tuple[str, str]:
    """SQL of one row per statement (its first piece, as ``_statements``): ``article_id`` (str), ``_stmt``,
    ``_qid``, ``actor`` ("" when unresolved), ``actor_type``, ``_r`` (its place in the pandas path's
    (article, quote) order); and the statement key column."""
    cols = pf.columns("quotes")
    if "actor" not in cols:
        raise ValueError("quotes have no 'actor' column: run newskit.quotes.resolve_speakers(quotes, mentions) "
                         "after actor resolution")
    key = "statement_id" if "statement_id" in cols else "quote_id"
    atype = "actor_type" if "actor_type" in cols else "CAST(NULL AS VARCHAR)"
    sql = (f"(SELECT article_id, _stmt, _qid, actor, actor_type, row_number() OVER (ORDER BY article_id, _qid) AS _r "
           f"FROM (SELECT CAST(article_id AS VARCHAR) AS article_id, {_ident(key)} AS _stmt, quote_id AS _qid, "
           f"coalesce(CAST(actor AS VARCHAR), '') AS actor, {atype} AS actor_type, row_number() OVER "
           f"(PARTITION BY CAST(article_id AS VARCHAR), {_ident(key)} ORDER BY quote_id) AS _first "
           f"FROM {pf.scan('quotes')}) WHERE _first = 1)")
    return sql, key


def quote_frequency(pf: PartsFolder, *, by=None, top=None, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """:func:`newskit.analysis.quote_frequency` on a folder: the statements, their groups and the non-zero
    article × actor counts in SQL; the same resampling (:func:`newskit.analysis._estimate._bootstrap_shares`)
    with the same per-group generators, so the table is the in-memory one."""
    from newskit.analysis._estimate import share_rows, share_table
    from newskit.analysis._frame import add_groups

    top = check_top(top)
    keys = as_list(by)
    if not pf.has("quotes"):
        raise ValueError("these annotations have no quotes table (annotate with the 'quotes' step, or "
                         "build it with newskit.quotes.quotes_table)")
    st, _ = _quote_statements_sql(pf)
    con = pf.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE _qf_st AS SELECT * FROM {st}")
    try:
        if keys:
            arts = pf.articles.assign(article_id=pf.articles["article_id"].astype(str))
            arts = add_groups(arts, keys, what="articles")
            grp = arts[keys].drop_duplicates().sort_values(keys, kind="mergesort").reset_index(drop=True)
            grp["_g"] = np.arange(len(grp))
            con.register("_qf_grp", grp)
            con.register("_qf_arts", arts[["article_id"] + keys])
            on = " AND ".join(f"g.{_ident(k)} = a.{_ident(k)}" for k in keys)
            con.execute("CREATE OR REPLACE TEMP TABLE _qf_sg AS SELECT s.*, g._g FROM _qf_st s JOIN _qf_arts a "
                        f"ON a.article_id = s.article_id JOIN _qf_grp g ON {on}")
        else:
            grp = pd.DataFrame({"_g": [0]})
            con.execute("CREATE OR REPLACE TEMP TABLE _qf_sg AS SELECT *, 0 AS _g FROM _qf_st")
        # value_counts: by count, ties in first-occurrence order (the statements' (article, quote) order)
        order = pf.sql("SELECT actor, count(*) AS n FROM _qf_sg WHERE actor <> '' GROUP BY actor "
                       "ORDER BY n DESC, min(_r)" + (f" LIMIT {int(top)}" if top is not None else ""))
        actors = order["actor"].tolist()
        types = {}
        if "actor_type" in pf.columns("quotes"):
            tt = pf.sql("SELECT actor, actor_type, count(*) AS c FROM _qf_sg WHERE actor <> '' AND actor_type "
                        "IS NOT NULL GROUP BY ALL")
            tt = tt.sort_values(["actor", "c", "actor_type"], ascending=[True, False, True], kind="mergesort")
            types = tt.drop_duplicates("actor").set_index("actor")["actor_type"].to_dict()
        con.register("_qf_act", pd.DataFrame({"actor": actors, "_j": np.arange(len(actors))}))
        con.execute("CREATE OR REPLACE TEMP TABLE _qf_art AS SELECT _g, article_id, count(*) AS n, "
                    "dense_rank() OVER (PARTITION BY _g ORDER BY article_id) - 1 AS _a FROM _qf_sg GROUP BY _g, article_id")
        tot = pf.sql("SELECT _g, n FROM _qf_art ORDER BY _g, _a")
        pairs = pf.sql("SELECT s._g, a._a, k._j, count(*) AS n FROM _qf_sg s JOIN _qf_act k ON k.actor = s.actor "
                       "JOIN _qf_art a ON a._g = s._g AND a.article_id = s.article_id GROUP BY ALL ORDER BY s._g")
    finally:
        for t in ("_qf_st", "_qf_sg", "_qf_art"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for v in ("_qf_grp", "_qf_arts", "_qf_act"):
            try:
                con.unregister(v)
            except Exception:
                pass
    t_g, t_n = tot["_g"].to_numpy(), tot["n"].to_numpy(float)
    p_g = pairs["_g"].to_numpy()
    t_cut = np.searchsorted(t_g, np.arange(len(grp) + 1))
    p_cut = np.searchsorted(p_g, np.arange(len(grp) + 1))
    rows = []
    for gi, gkey in enumerate(grp[keys].itertuples(index=False, name=None) if keys else [()]):
        totals = t_n[t_cut[gi]:t_cut[gi + 1]]
        if not len(totals):  # a group without statements: pandas' groupby never meets it
            continue
        sl = slice(p_cut[gi], p_cut[gi + 1])
        r, c = pairs["_a"].to_numpy()[sl], pairs["_j"].to_numpy()[sl]
        v = pairs["n"].to_numpy(float)[sl]
        rows += share_rows(keys, gkey, actors, types, r, c, v, totals, n_boot=n_boot, seed=seed)
    return share_table(rows, keys)


def who_talks_about_whom(pf: PartsFolder, *, top=None, min_n: int = 1, include_self: bool = False) -> pd.DataFrame:
    """:func:`newskit.analysis.who_talks_about_whom` on a folder: the mentions inside quotes joined with their
    quotes and counted in SQL (first types in the mentions' order, as ``groupby.first``)."""
    top = check_top(top)
    if not pf.has("quotes"):
        raise ValueError("these annotations have no quotes table (annotate with the 'quotes' step, or "
                         "build it with newskit.quotes.quotes_table)")
    mcols, qcols = pf.columns("mentions"), pf.columns("quotes")
    if "actor" not in qcols:
        raise ValueError("quotes have no 'actor' column: run newskit.quotes.resolve_speakers(quotes, mentions) "
                         "after actor resolution")
    if "actor" not in mcols:
        raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
    if "in_quote_of" not in mcols or "is_speaker" not in mcols:  # older folders: marked in pandas by the caller
        return None
    key = "statement_id" if "statement_id" in qcols else "quote_id"
    stype = "q.actor_type" if "actor_type" in qcols else "''"
    ttype = "m.actor_type" if "actor_type" in mcols else "''"
    score = "m.score" if "score" in mcols else "CAST(NULL AS DOUBLE)"
    cols = ["speaker", "speaker_type", "target", "target_type", "n", "n_quotes", "n_articles", "mean_score"]
    out = pf.sql(
        f"WITH j AS (SELECT CAST(m.article_id AS VARCHAR) AS article_id, m._pos, "
        f"coalesce(CAST(q.actor AS VARCHAR), '') AS speaker, coalesce(CAST(m.actor AS VARCHAR), '') AS target, "
        f"{stype} AS speaker_type, {ttype} AS target_type, CAST({score} AS DOUBLE) AS score, q.{_ident(key)} AS _stmt "
        f"FROM {pf.scan('mentions', position=True)} m JOIN {pf.scan('quotes')} q "
        f"ON CAST(q.article_id AS VARCHAR) = CAST(m.article_id AS VARCHAR) AND q.quote_id = m.in_quote_of "
        f"WHERE m.in_quote_of >= 0 AND NOT coalesce(m.is_speaker, FALSE)) "
        f"SELECT speaker, arg_min(speaker_type, _pos) FILTER (WHERE speaker_type IS NOT NULL) AS speaker_type, "
        f"target, arg_min(target_type, _pos) FILTER (WHERE target_type IS NOT NULL) AS target_type, "
        f"count(*) AS n, count(DISTINCT (article_id, _stmt)) AS n_quotes, count(DISTINCT article_id) AS n_articles, "
        f"avg(score) FILTER (WHERE score IS NOT NULL AND NOT isnan(score)) AS mean_score FROM j "
        f"WHERE speaker <> '' AND target <> ''{'' if include_self else ' AND speaker <> target'} "
        f"GROUP BY speaker, target HAVING count(*) >= {int(min_n)} ORDER BY n DESC, speaker, target"
        + (f" LIMIT {int(top)}" if top is not None else ""))
    if not len(out):
        return pd.DataFrame(columns=cols)
    out["mean_score"] = out["mean_score"].astype(float)
    for c in ("n", "n_quotes", "n_articles"):
        out[c] = out[c].astype("int64")
    return out[cols].reset_index(drop=True)


def quotes_rows(pf: PartsFolder, actor: str) -> tuple[str, pd.DataFrame]:
    """What :func:`newskit.analysis.quotes_of` reads of a folder: the canonical ``actor`` (a surface form or
    alias resolved as in memory) and that speaker's quote pieces (in the parts' order)."""
    if not pf.has("quotes"):
        raise ValueError("these annotations have no quotes table (annotate with the 'quotes' step, or "
                         "build it with newskit.quotes.quotes_table)")
    if "actor" not in pf.columns("quotes"):
        raise ValueError("quotes have no 'actor' column: run newskit.quotes.resolve_speakers(quotes, mentions) "
                         "after actor resolution")
    known = pf.con.execute(f"SELECT count(*) FROM {pf.scan('quotes')} WHERE CAST(actor AS VARCHAR) = ?",
                           [str(actor)]).fetchall()[0][0]
    if not known:  # a surface form, spelling or alias → the actor (as the in-memory path)
        actor = canonical(pf, [actor])[0]
    q = pf.con.execute(f"SELECT * EXCLUDE (_pos, file_row_number) FROM {pf.scan('quotes', position=True)} "
                       f"WHERE CAST(actor AS VARCHAR) = ? ORDER BY _pos", [str(actor)]).df()
    return actor, q
