"""The annotation container: tidy tables for a corpus, and their one on-disk layout.

:class:`Annotations` holds ``articles``, ``sentences``, ``mentions`` and ``dates`` (see
DEVELOPERS.md for the columns). It is frozen — analyses return new tables, and :meth:`filter` /
:meth:`resolve` return new containers — and every table is checked against :mod:`newskit._schema`.

On disk (:meth:`save`, :func:`newskit.annotate_to`, the Dask helper) an annotations folder holds one
Parquet file or one folder of Parquet parts per table, and ``meta.json`` with
``format: "newskit-annotations"`` and ``format_version`` (:data:`FORMAT_VERSION`).

>>> import pandas as pd
>>> ann = Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": ["Hi."]}))
>>> ann
Annotations(articles=1, sentences=0, mentions=0, dates=0, actors=0)
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from newskit import _schema
from newskit._options import date_mask

__all__ = ["Annotations", "with_articles", "ARTICLE_COLUMNS", "TABLES", "FORMAT", "FORMAT_VERSION", "article_mask",
           "checksums", "AnnotationsError"]

#: tables below the articles, in pipeline order
TABLES = ("sentences", "mentions", "dates", "quotes")
FORMAT = "newskit-annotations"
#: 2: meta.json carries format/format_version; pipeline steps are declared (see newskit.pipeline)
#: 3: titles are annotated: sentences and mentions carry ``in_title`` (title rows: offsets into ``title``)
FORMAT_VERSION = 3


class AnnotationsError(ValueError):
    """An annotations folder does not match its ``meta.json`` (a part missing, extra, changed or short)."""


def _table_path(d: Path, name: str) -> Path | None:
    p = d / f"{name}.parquet"
    if not p.exists() and (d / name).is_dir():
        p = d / name
    return p if p.exists() else None


def _table_files(d: Path) -> list[Path]:
    files = []
    for name in ("articles", *TABLES):
        p = _table_path(d, name)
        if p is not None:
            files.extend(sorted(p.glob("*.parquet")) if p.is_dir() else [p])
    return files


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksums(directory: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Rows and sha256 of every table file of an annotations folder (recorded in ``meta.json``).

    >>> import tempfile
    >>> d = Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": ["Hi."]})).save(tempfile.mkdtemp())
    >>> checksums(d)["articles.parquet"]["rows"]
    1
    """
    import pyarrow.parquet as pq

    d = Path(directory)
    return {f.relative_to(d).as_posix(): {"rows": pq.ParquetFile(f).metadata.num_rows, "sha256": _sha256(f)}
            for f in _table_files(d)}


def _verify(d: Path, meta: dict) -> None:
    """Compare the table files with ``meta["checksums"]``; raise :class:`AnnotationsError` naming the part."""
    import pyarrow.parquet as pq

    listed = meta.get("checksums")
    if not isinstance(listed, dict):
        return  # written before checksums were recorded
    on_disk = {f.relative_to(d).as_posix(): f for f in _table_files(d)}
    for name in sorted(set(listed) - set(on_disk)):
        raise AnnotationsError(f"{d}: part {name} listed in meta.json is missing; the folder is incomplete "
                               "(annotate again)")
    for name in sorted(set(on_disk) - set(listed)):
        raise AnnotationsError(f"{d}: part {name} is not listed in meta.json (left by another run?)")
    for name, info in sorted(listed.items()):
        f = on_disk[name]
        try:
            rows = pq.ParquetFile(f).metadata.num_rows
        except Exception as exc:  # noqa: BLE001 - any unreadable part is the same error
            raise AnnotationsError(f"{d}: part {name} is unreadable ({type(exc).__name__})") from None
        if rows != info.get("rows"):
            raise AnnotationsError(f"{d}: part {name} has {rows} rows, meta.json says {info.get('rows')}")
        if _sha256(f) != info.get("sha256"):
            raise AnnotationsError(f"{d}: part {name} does not match its checksum in meta.json (changed "
                                   "or corrupt)")


def article_mask(a: pd.DataFrame, *, date_from: Any = None, date_to: Any = None,
                 sources: Sequence[str] | str | None = None) -> pd.Series:
    """Articles in a whole-day inclusive date window (undated ones out when a bound is given) and/or
    from some sources (``source`` or ``outlet`` column).

    >>> a = pd.DataFrame({"date": pd.to_datetime(["2022-03-01 14:00", "2022-03-02 09:00"]), "source": ["x", "y"]})
    >>> article_mask(a, date_to="2022-03-01").tolist(), article_mask(a, sources="y").tolist()
    ([True, False], [False, True])
    """
    keep = pd.Series(True, index=a.index)
    if date_from is not None or date_to is not None:
        if "date" not in a.columns:
            raise ValueError("articles have no 'date' column to filter on")
        keep &= date_mask(a["date"], date_from=date_from, date_to=date_to).to_numpy()
    if sources is not None:
        src = {sources} if isinstance(sources, str) else set(sources)
        m = pd.Series(False, index=a.index)
        for col in ("source", "outlet"):
            if col in a.columns:
                m |= a[col].isin(src)
        keep &= m
    return keep


#: article columns joined onto mentions by default
ARTICLE_COLUMNS = ("date", "source", "outlet", "title")


def with_articles(m: pd.DataFrame, articles: pd.DataFrame | None, cols: Sequence[str] = ARTICLE_COLUMNS
                  ) -> pd.DataFrame:
    """``m`` with article columns merged in by ``article_id`` (columns ``m`` already has are kept; the
    index of ``m`` is kept). The one join helper of newskit."""
    if articles is None or "article_id" not in m.columns:
        return m
    extra = [c for c in cols if c in articles.columns and c not in m.columns]
    if not extra:
        return m
    a = articles[["article_id"] + extra].drop_duplicates("article_id")
    a = a.assign(article_id=a["article_id"].astype(str))
    out = m.assign(article_id=m["article_id"].astype(str)).merge(a, on="article_id", how="left")
    out.index = m.index
    return out


def _empty_mentions() -> pd.DataFrame:
    return _schema.empty("mentions", extra=["actor", "actor_type"])


@dataclass(frozen=True)
class Annotations:
    """Tidy annotation tables for a corpus.

    Attributes
    ----------
    articles, sentences, mentions, dates : DataFrame
        See DEVELOPERS.md (data model). ``mentions`` carries ``actor`` and ``actor_type`` (and, from the
        quotes step, ``in_quote_of`` and ``is_speaker``).
    quotes : DataFrame
        Quotes and attributed statements (:mod:`newskit.quotes`), with the speaker's ``actor`` and
        ``actor_type`` once actors are resolved.
    meta : dict
        Model, steps, settings, cache statistics.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "date": pd.to_datetime(["2022-03-01", "2022-04-01"]),
    ...                      "text": ["Kyiv.", "Lviv."]})
    >>> ann = Annotations(articles=arts)
    >>> ann.filter(date_to="2022-03-31")
    Annotations(articles=1, sentences=0, mentions=0, dates=0, actors=0)
    """

    articles: pd.DataFrame
    sentences: pd.DataFrame = field(default_factory=lambda: _schema.empty("sentences"))
    mentions: pd.DataFrame = field(default_factory=_empty_mentions)
    dates: pd.DataFrame = field(default_factory=lambda: _schema.empty("dates"))
    quotes: pd.DataFrame = field(default_factory=lambda: _schema.empty("quotes"))
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _schema.check(self.articles, "articles")
        for t in TABLES:
            df = getattr(self, t)
            if len(df) or len(df.columns):
                _schema.check(df, t)

    def __repr__(self) -> str:
        n_act = self.mentions["actor"].nunique() if "actor" in self.mentions else 0
        return (f"Annotations(articles={len(self.articles)}, sentences={len(self.sentences)}, "
                f"mentions={len(self.mentions)}, dates={len(self.dates)}, actors={n_act})")

    def replace(self, **changes: Any) -> "Annotations":
        """A copy with some tables (or ``meta``) replaced."""
        return dataclasses.replace(self, **changes)

    # -- joins
    def mentions_with(self, *article_cols: str) -> pd.DataFrame:
        """Mentions with article columns merged in (default ``date, source, outlet, title``).

        >>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["X"]})
        >>> men = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0], "end": [1], "text": ["K"],
        ...                     "label": ["GPE"]})
        >>> Annotations(articles=arts, mentions=men).mentions_with("outlet")["outlet"].tolist()
        ['X']
        """
        return with_articles(self.mentions, self.articles, article_cols or ARTICLE_COLUMNS)

    # -- persistence
    def save(self, directory: str | os.PathLike) -> Path:
        """Write the tables as Parquet and ``meta.json`` (with the format version) into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name in ("articles",) + TABLES:
            getattr(self, name).to_parquet(d / f"{name}.parquet", index=False)
        meta = dict(self.meta, format=FORMAT, format_version=FORMAT_VERSION)
        meta["checksums"] = {k: v for k, v in checksums(d).items() if "/" not in k}
        (d / "meta.json").write_text(json.dumps(meta, indent=2, default=str))
        return d

    @classmethod
    def load(cls, directory: str | os.PathLike, *, date_from: Any = None, date_to: Any = None,
             sources: Sequence[str] | None = None, verify: bool = True) -> "Annotations":
        """Read tables written by :meth:`save`, :func:`newskit.annotate_to` or the Dask helper (a table may
        be one Parquet file or a folder of parts).

        With ``verify`` (the default) every table file is checked against the rows and sha256 that
        ``meta.json`` records; a missing, extra, short or changed part raises :class:`AnnotationsError`
        naming it, instead of returning part of the corpus.

        With ``date_from``/``date_to``/``sources`` (as in :meth:`filter`) only the rows of the selected
        articles are read from the other tables (a Parquet filter on ``article_id``), so a window of a
        large annotated archive fits in memory; the result equals ``Annotations.load(d).filter(...)``.
        """
        import pyarrow.dataset as ds

        d = Path(directory)

        def path_of(name: str) -> Path | None:
            p = d / f"{name}.parquet"
            if not p.exists() and (d / name).is_dir():
                p = d / name
            return p if p.exists() else None

        p = path_of("articles")
        if p is None:
            raise FileNotFoundError(f"{d}: no articles.parquet (not an annotations folder)")
        meta = json.loads((d / "meta.json").read_text()) if (d / "meta.json").exists() else {}
        version = meta.get("format_version", 1)
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise ValueError(f"{d}: annotations format version {version} is newer than this newskit "
                             f"reads ({FORMAT_VERSION}); upgrade newskit")
        if verify:
            _verify(d, meta)
        articles = pd.read_parquet(p)
        selected = date_from is not None or date_to is not None or sources is not None
        if selected:
            articles = articles[article_mask(articles, date_from=date_from, date_to=date_to,
                                             sources=sources)].reset_index(drop=True)
            ids = articles["article_id"].astype(str).tolist()
        kw = {}
        for name in TABLES:
            p = path_of(name)
            if p is None:
                continue
            if not selected:
                kw[name] = pd.read_parquet(p)
                continue
            data = ds.dataset(str(p), format="parquet")
            kw[name] = data.to_table(filter=ds.field("article_id").isin(ids)).to_pandas()
        return cls(articles=articles, meta=meta, **kw)

    # -- views
    def filter(self, *, date_from: Any = None, date_to: Any = None,
               sources: Sequence[str] | None = None) -> "Annotations":
        """A new Annotations restricted to articles in a date window and/or from some sources.

        ``sources`` matches the ``source`` (host) or ``outlet`` column. Dates are whole days, inclusive;
        articles without a date are dropped when a date bound is given.
        """
        a = self.articles
        keep = article_mask(a, date_from=date_from, date_to=date_to, sources=sources)
        ids = set(a.loc[keep, "article_id"].astype(str))
        sub = {t: getattr(self, t)[getattr(self, t)["article_id"].astype(str).isin(ids)].reset_index(drop=True)
               for t in TABLES}
        return self.replace(articles=a[keep].reset_index(drop=True), meta=dict(self.meta), **sub)

    def explain_actor(self, name: str) -> pd.DataFrame:
        """Surface forms merged into an actor (see :func:`newskit.actors.explain_actor`)."""
        from newskit.actors import explain_actor

        return explain_actor(self, name)

    def resolve(self, *, actor_file: str | os.PathLike | None = None, keep_groups: bool = False) -> "Annotations":
        """Re-run actor resolution (e.g. with another actor file); returns a new Annotations."""
        from newskit.actors import resolve_actors

        raw = self.mentions.drop(columns=[c for c in ("actor", "actor_type") if c in self.mentions])
        ment = resolve_actors(raw, actor_file=actor_file, keep_groups=keep_groups)
        meta = dict(self.meta, actor_file=str(actor_file) if actor_file else None, keep_groups=keep_groups)
        return self.replace(mentions=ment, meta=meta)
