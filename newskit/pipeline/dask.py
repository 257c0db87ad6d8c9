"""Annotate a Parquet corpus on a Dask cluster (one machine or many) with the same code as :func:`newskit.annotate`.

The per-partition work is :func:`newskit.pipeline.steps.annotate_partition` (pandas in, tables out), run with
``dask.dataframe.map_partitions``. Each worker process loads the spaCy model once (the per-process model
cache of :func:`newskit.pipeline.model.load_model`) and writes its partition's tables straight to
``out_dir`` as Parquet parts, so nothing large travels back to the client. The folder layout and the
two-pass, corpus-wide actor resolution are those of :mod:`newskit.pipeline.parts` (shared with the streaming
:func:`newskit.annotate_to`); :meth:`newskit.Annotations.load` reads the folder, and the result
equals the local ``annotate()``.

Pointing it at a real cluster: see ``docs/scaling.md``.

>>> import newskit.pipeline.dask
>>> callable(newskit.pipeline.dask.annotate_dask)
True
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from newskit.pipeline import parts as P

__all__ = ["annotate_dask", "read_corpus"]

_LOCK = threading.Lock()  # one partition at a time per worker process (spaCy pipelines are not thread-safe)


# --------------------------------------------------------------------------- tasks (run on the workers)
def _annotate_part(df: pd.DataFrame, *, out: str, model: str | None, steps: list, batch_size: int,
                   storage_options: Mapping[str, Any] | None, partition_info: dict | None = None) -> pd.DataFrame:
    """Annotate one partition, write its tables, return its distinct surface forms (with counts and the
    position of their first mention, to reproduce the local resolution order)."""
    from newskit.pipeline.steps import annotate_partition

    number = partition_info["number"] if partition_info else 0
    cols = [c for c in ("article_id", "text", "date", "title") if c in df.columns]
    with _LOCK:
        art = df.reset_index(drop=True)
        art["article_id"] = art["article_id"].astype(str)
        art["text"] = art["text"].fillna("").astype(str)
        # the spaCy model is cached per worker process (newskit.pipeline.model.load_model): loaded once
        tables = annotate_partition(art[cols], steps=steps, model=model, batch_size=batch_size)
    forms = P.write_part(number, art, tables, out, storage_options)
    return forms[["part", "text", "label", "n", "pos", "n_articles"]]


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
                  batch_size: int = 32, labels: Sequence[str] | None = None, sentiment_model: str | None = None,
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
        spaCy model (installed on every worker); default :func:`newskit.pipeline.model.default_model_name`.
    batch_size : int
        ``nlp.pipe`` batch size.
    labels : list of str, optional
        Entity labels kept (default :data:`newskit.pipeline.model.ENTITY_LABELS`).
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

    from newskit.pipeline.steps import default_steps, describe_steps

    t0 = time.perf_counter()
    out = P.local_dir(out_dir)
    model_arg = None if model is None else str(model)
    steps = default_steps(model=model_arg, labels=labels, sentiment_model=sentiment_model)
    ddf = read_corpus(source, npartitions=npartitions, storage_options=storage_options)
    P.prepare(out, storage_options)
    meta_forms = pd.DataFrame({"part": pd.Series(dtype="int64"), "text": pd.Series(dtype=object),
                               "label": pd.Series(dtype=object), "n": pd.Series(dtype="int64"),
                               "pos": pd.Series(dtype="int64"), "n_articles": pd.Series(dtype="int64")})
    forms_dd = ddf.map_partitions(_annotate_part, out=out, model=model_arg, steps=steps,
                                  batch_size=batch_size, storage_options=storage_options,
                                  meta=meta_forms, align_dataframes=False)
    if client is not None:
        forms = client.compute(forms_dd, sync=True)
    else:
        forms = forms_dd.compute()
    n_parts = ddf.npartitions
    n_articles = int(forms.groupby("part")["n_articles"].first().sum()) if len(forms) else None

    # corpus-wide actor resolution on the client, in the order of first mention (as the local annotate)
    actors = P.resolve_forms(forms, actor_file=actor_file, keep_groups=keep_groups)
    actors_d = dask.delayed(actors)  # one copy shipped to the cluster, shared by the tasks
    tasks = [dask.delayed(P.finish_mentions)(i, out=out, actors=actors_d, storage_options=storage_options)
             for i in range(n_parts)]
    if client is not None:
        counts = client.gather(client.compute(tasks))
    else:
        counts = dask.compute(*tasks)
    from newskit.annotations import FORMAT, FORMAT_VERSION

    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "steps": describe_steps(steps),
            "sentiment_model": sentiment_model, "model": model_arg, "engine": "dask", "partitions": n_parts, "n_articles": n_articles,
            "n_mentions": int(sum(counts)), "actor_file": str(actor_file) if actor_file else None,
            "keep_groups": keep_groups, "seconds": round(time.perf_counter() - t0, 3),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    P.finish(out, meta, storage_options)
    return out if P.is_url(out) else Path(out)
