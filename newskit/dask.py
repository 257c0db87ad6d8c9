"""Annotate a Parquet corpus on a Dask cluster (one machine or many) with the same code as :func:`newskit.annotate`.

The per-partition work is :func:`newskit.entities.annotate_partition` (pandas in, tables out), run with
``dask.dataframe.map_partitions``. Each worker process loads the spaCy model once (the per-process model
cache of :func:`newskit.entities.load_model`) and writes its partition's tables straight to
``out_dir`` as Parquet parts, so nothing large travels back to the client::

    out_dir/
      articles/part-00000.parquet …     the input rows (text included: KWIC needs it)
      sentences/part-00000.parquet …
      mentions/part-00000.parquet …     with actor, actor_type (resolved corpus-wide, see below)
      dates/part-00000.parquet …
      meta.json

:meth:`newskit.Annotations.load` reads that folder. Actor resolution depends on the whole corpus (which
surface forms occur, how often), so it runs in two passes: the partitions return their distinct
``(text, label)`` forms with counts, the client resolves them (cheap: thousands of forms), and a second
pass maps the actors onto each partition's mentions. The result equals the local ``annotate()``.

Pointing it at a real cluster: see ``docs/scaling.md``.

>>> import newskit.dask
>>> callable(newskit.dask.annotate_dask)
True
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

__all__ = ["annotate_dask", "read_corpus"]

_LOCK = threading.Lock()  # one partition at a time per worker process (spaCy pipelines are not thread-safe)
_TABLES = ("sentences", "mentions", "dates")


# --------------------------------------------------------------------------- paths (local or fsspec URL)
def _is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def _mkdir(path: str) -> None:
    if _is_url(path):
        import fsspec

        fs, p = fsspec.core.url_to_fs(path)
        fs.makedirs(p, exist_ok=True)
    else:
        Path(path).mkdir(parents=True, exist_ok=True)


def _write(df: pd.DataFrame, path: str, storage_options: Mapping[str, Any] | None, *,
           skip_empty: bool = True) -> None:
    """Write a table. Empty tables are not written (their column types are guesses that would clash
    with the other parts' schema; :func:`annotate_dask` writes a typed empty part when a table has
    none), and all-null columns are typed as strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if skip_empty and not len(df):
        return
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, pa.field(f.name, pa.string()), table.column(i).cast(pa.string()))
    if _is_url(path):
        import fsspec

        with fsspec.open(path, "wb", **dict(storage_options or {})) as fh:
            pq.write_table(table, fh)
    else:
        pq.write_table(table, path)


def _exists(path: str, storage_options: Mapping[str, Any] | None) -> bool:
    if _is_url(path):  # pragma: no cover - object stores
        import fsspec

        fs, p = fsspec.core.url_to_fs(path, **dict(storage_options or {}))
        return fs.exists(p)
    return Path(path).exists()


def _read(path: str, storage_options: Mapping[str, Any] | None) -> pd.DataFrame:
    return pd.read_parquet(path, storage_options=dict(storage_options) if _is_url(path) and storage_options
                           else None)


# --------------------------------------------------------------------------- tasks (run on the workers)
def _annotate_part(df: pd.DataFrame, *, out: str, model: str | None, settings: dict, batch_size: int,
                   storage_options: Mapping[str, Any] | None, partition_info: dict | None = None) -> pd.DataFrame:
    """Annotate one partition, write its tables, return its distinct surface forms (with counts and the
    position of their first mention, to reproduce the local resolution order)."""
    from newskit.entities import annotate_partition, load_model

    number = partition_info["number"] if partition_info else 0
    name = f"part-{number:05d}.parquet"
    cols = [c for c in ("article_id", "text", "date") if c in df.columns]
    with _LOCK:
        nlp = load_model(model)  # cached per worker process: loaded once
        art = df.reset_index(drop=True)
        art["article_id"] = art["article_id"].astype(str)
        art["text"] = art["text"].fillna("").astype(str)
        tables = annotate_partition(art[cols], nlp=nlp, settings=settings, batch_size=batch_size)
    _write(art, _join(out, "articles", name), storage_options)
    for t in ("sentences", "dates"):
        _write(tables[t], _join(out, t, name), storage_options)
    m = tables["mentions"]
    _write(m, _join(out, "_raw_mentions", name), storage_options)
    if len(m):
        g = m.reset_index(drop=True).reset_index().groupby(["text", "label"], sort=False)
        forms = pd.DataFrame({"n": g.size(), "pos": g["index"].min()}).reset_index()
    else:
        forms = pd.DataFrame({"text": pd.Series(dtype=object), "label": pd.Series(dtype=object),
                              "n": pd.Series(dtype="int64"), "pos": pd.Series(dtype="int64")})
    forms.insert(0, "part", number)
    forms["n_articles"] = len(df)
    return forms[["part", "text", "label", "n", "pos", "n_articles"]]


def _finish_mentions(number: int, *, out: str, actors: pd.DataFrame,
                     storage_options: Mapping[str, Any] | None) -> int:
    """Map the corpus-wide actors onto one partition's mentions; drop non-entities (as resolve_actors)."""
    name = f"part-{number:05d}.parquet"
    raw = _join(out, "_raw_mentions", name)
    if not _exists(raw, storage_options):
        return 0
    m = _read(raw, storage_options)
    amap = dict(zip(actors["text"], actors["actor"]))
    tmap = dict(zip(actors["text"], actors["actor_type"]))
    m = m.drop(columns=[c for c in ("actor", "actor_type") if c in m.columns])
    m = m.assign(actor=m["text"].map(amap), actor_type=m["text"].map(tmap))
    m = m[m["actor"].notna()].reset_index(drop=True)
    _write(m, _join(out, "mentions", name), storage_options)
    return len(m)


def _empty_table(table: str, actors: pd.DataFrame) -> pd.DataFrame:
    from newskit.entities import DATE_COLUMNS, MENTION_COLUMNS, SENTENCE_COLUMNS, _empty

    if table == "articles":
        return _empty(["article_id", "text"])
    if table == "sentences":
        df = _empty(SENTENCE_COLUMNS)
        return df.assign(**{c: pd.Series(dtype="float64") for c in ("compound", "pos", "neg", "neu")})
    if table == "mentions":
        df = _empty(MENTION_COLUMNS)
        return df.assign(score=pd.Series(dtype="float64"), sentiment=pd.Series(dtype=object),
                         actor=pd.Series(dtype=object), actor_type=pd.Series(dtype=object))
    return _empty(DATE_COLUMNS)


# --------------------------------------------------------------------------- client side
def read_corpus(source, *, npartitions: int | None = None, storage_options: Mapping[str, Any] | None = None):
    """A Dask DataFrame of articles from a Parquet corpus path/URL (as written by ``newskit convert``),
    a Dask DataFrame, or a pandas DataFrame (split into ``npartitions``, default ~500 articles each).

    >>> import pandas as pd
    >>> read_corpus(pd.DataFrame({"article_id": ["a"], "text": ["Hi."]})).npartitions
    1
    """
    import dask.dataframe as dd

    if isinstance(source, pd.DataFrame):
        n = npartitions or max(1, -(-len(source) // 500))
        return dd.from_pandas(source.reset_index(drop=True), npartitions=n, sort=False)
    if isinstance(source, (str, os.PathLike)):
        ddf = dd.read_parquet(str(source), storage_options=dict(storage_options or {}) or None)
    else:
        ddf = source
    missing = {"article_id", "text"} - set(ddf.columns)
    if missing:
        raise ValueError(f"corpus lacks column(s) {sorted(missing)}")
    if npartitions is not None and npartitions != ddf.npartitions:
        ddf = ddf.repartition(npartitions=npartitions)
    return ddf


def annotate_dask(source, out_dir: str | os.PathLike, *, model: str | os.PathLike | None = None,
                  batch_size: int = 32, labels: Sequence[str] | None = None,
                  actor_file: str | os.PathLike | None = None, keep_groups: bool = False,
                  client=None, npartitions: int | None = None,
                  storage_options: Mapping[str, Any] | None = None) -> str | Path:
    """Annotate a corpus with Dask and write the tables as partitioned Parquet.

    Parameters
    ----------
    source : path, URL, dask DataFrame or pandas DataFrame
        A Parquet corpus (``newskit convert CORPUS out.parquet``; ``s3://…`` with s3fs installed),
        with at least ``article_id`` and ``text`` (``date`` resolves relative event dates).
    out_dir : path or URL
        Output folder, readable by every worker (shared storage or object store on a cluster).
        Existing parts are overwritten.
    model : str or path, optional
        spaCy model (installed on every worker); default :func:`newskit.entities.default_model_name`.
    batch_size : int
        ``nlp.pipe`` batch size.
    labels : list of str, optional
        Entity labels kept (default :data:`newskit.entities.ENTITY_LABELS`).
    actor_file : path, optional
        YAML actor file (read on the client; actor resolution runs there).
    keep_groups : bool
        As in :func:`newskit.annotate`.
    client : distributed.Client, optional
        Cluster to run on; default the current client if one exists, else Dask's default scheduler.
    npartitions : int, optional
        Repartition the input first (a partition is the unit of work: a few hundred articles each).
    storage_options : dict, optional
        fsspec options for URL inputs/outputs.

    Returns
    -------
    Path or str
        ``out_dir``; ``newskit.Annotations.load(out_dir)`` reads the result.

    Examples
    --------
    >>> import tempfile, newskit
    >>> from newskit.datasets import demo_corpus
    >>> arts = newskit.load_corpus(demo_corpus()).head(3)
    >>> out = annotate_dask(arts, tempfile.mkdtemp())        # doctest: +SKIP
    >>> newskit.Annotations.load(out)                         # doctest: +SKIP
    Annotations(articles=3, ...)
    """
    import dask

    from newskit.actors import resolve_surface_forms
    from newskit.entities import ENTITY_LABELS, pipeline_settings

    t0 = time.perf_counter()
    local = not _is_url(str(out_dir))
    out = str(Path(out_dir).expanduser().resolve()) if local else str(out_dir)
    settings = pipeline_settings(model, labels=list(labels) if labels is not None else ENTITY_LABELS)
    ddf = read_corpus(source, npartitions=npartitions, storage_options=storage_options)
    for sub in ("articles", *_TABLES, "_raw_mentions"):
        d = _join(out, sub)
        _mkdir(d)
        if local:
            for old in Path(d).glob("part-*.parquet"):
                old.unlink()
    meta_forms = pd.DataFrame({"part": pd.Series(dtype="int64"), "text": pd.Series(dtype=object),
                               "label": pd.Series(dtype=object), "n": pd.Series(dtype="int64"),
                               "pos": pd.Series(dtype="int64"), "n_articles": pd.Series(dtype="int64")})
    model_arg = None if model is None else str(model)
    forms_dd = ddf.map_partitions(_annotate_part, out=out, model=model_arg, settings=settings,
                                  batch_size=batch_size, storage_options=storage_options,
                                  meta=meta_forms, align_dataframes=False)
    compute = client.compute if client is not None else None
    if compute is not None:
        forms = compute(forms_dd, sync=True)
    else:
        forms = forms_dd.compute()
    n_parts = ddf.npartitions
    n_articles = int(forms.groupby("part")["n_articles"].first().sum()) if len(forms) else None

    # corpus-wide actor resolution on the client, in the order of first mention (as the local annotate)
    forms = forms[forms["n"] > 0] if len(forms) else forms
    if len(forms):
        agg = (forms.groupby(["text", "label"], sort=False)
               .agg(n=("n", "sum"), part=("part", "min"))
               .reset_index())
        first = forms.sort_values(["part", "pos"]).drop_duplicates(["text", "label"])[["text", "label", "part", "pos"]]
        agg = agg.drop(columns="part").merge(first, on=["text", "label"]).sort_values(["part", "pos"])
        actors = resolve_surface_forms(agg[["text", "label", "n"]].reset_index(drop=True),
                                       actor_file=actor_file, keep_groups=keep_groups)
        actors = actors[["text", "actor", "actor_type"]]
    else:
        actors = pd.DataFrame({"text": [], "actor": [], "actor_type": []}, dtype=object)

    actors_d = dask.delayed(actors)  # one copy shipped to the cluster, shared by the tasks
    tasks = [dask.delayed(_finish_mentions)(i, out=out, actors=actors_d, storage_options=storage_options)
             for i in range(n_parts)]
    if client is not None:
        counts = client.gather(client.compute(tasks))
    else:
        counts = dask.compute(*tasks)
    # a table without any row still gets one (typed, empty) part, so that Annotations.load finds it
    for t in ("articles", *_TABLES):
        d = _join(out, t)
        if local and not any(Path(d).glob("part-*.parquet")):
            _write(_empty_table(t, actors), _join(d, "part-00000.parquet"), storage_options,
                   skip_empty=False)
    if local:
        import shutil

        shutil.rmtree(_join(out, "_raw_mentions"), ignore_errors=True)
    else:  # pragma: no cover - object stores
        import fsspec

        fs, p = fsspec.core.url_to_fs(_join(out, "_raw_mentions"), **dict(storage_options or {}))
        fs.rm(p, recursive=True)
    meta = {"settings": settings, "engine": "dask", "partitions": n_parts, "n_articles": n_articles,
            "n_mentions": int(sum(counts)), "actor_file": str(actor_file) if actor_file else None,
            "keep_groups": keep_groups, "seconds": round(time.perf_counter() - t0, 3),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    text = json.dumps(meta, indent=2, default=str)
    if local:
        Path(out, "meta.json").write_text(text)
        return Path(out)
    import fsspec  # pragma: no cover

    with fsspec.open(_join(out, "meta.json"), "w", **dict(storage_options or {})) as fh:  # pragma: no cover
        fh.write(text)
    return out  # pragma: no cover
