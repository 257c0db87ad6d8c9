"""``annotate`` (all tables in memory) and ``annotate_to`` (a folder of Parquet parts, any corpus size):
the declared steps (:mod:`.steps`) run on chunks of articles (:mod:`.runner`), each step's output cached
per article (:mod:`.cache`), then actors resolved corpus-wide (:mod:`newskit.actors`).
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from newskit import _schema
from newskit.annotations import FORMAT, FORMAT_VERSION, Annotations
from newskit.pipeline.cache import StepCache, article_keys, default_cache_dir
from newskit.pipeline.runner import default_n_process, run_chunks, worker_pool
from newskit.pipeline.steps import (DEFAULT_SENTIMENT_MODEL, Step, annotate_partition, assemble, chain_hashes, describe_steps,
                                    run_options, steps_for)

__all__ = ["annotate", "annotate_to", "annotate_partition", "prepare_articles"]

_FLUSH_EVERY = 2000
_BASE = {"sentences": "sentences", "mentions": "mentions", "dates": "dates", "quotes": "quotes"}


def prepare_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """Check and copy the articles table (``article_id`` as str, unique; ``text`` as str)."""
    if not isinstance(articles, pd.DataFrame):
        raise TypeError("annotate() expects a DataFrame with 'article_id' and 'text' columns "
                        "(e.g. newskit.load_corpus(path))")
    missing = {"article_id", "text"} - set(articles.columns)
    if missing:
        raise ValueError(f"articles lack column(s) {sorted(missing)}")
    a = articles.reset_index(drop=True).copy()
    a["article_id"] = a["article_id"].astype(str)
    if a["article_id"].duplicated().any():
        dup = a.loc[a["article_id"].duplicated(), "article_id"].iloc[0]
        raise ValueError(f"duplicate article_id {dup!r}")
    a["text"] = a["text"].fillna("").astype(str)
    return a


class _Outputs:
    """Per-step outputs collected for a set of articles (keyed by the article key), cached as they come."""

    def __init__(self, steps: Sequence[Step], caches: Mapping[str, StepCache] | None):
        self.steps = list(steps)
        self.caches = caches or {}
        self.parts: dict[str, list[dict[str, pd.DataFrame]]] = {s.name: [] for s in steps}
        self.found: dict[str, set[str]] = {s.name: set() for s in steps}
        self._buf: dict[str, list] = {s.name: [] for s in steps}
        self._buf_keys: dict[str, list[str]] = {s.name: [] for s in steps}

    def read_cache(self, keys: Sequence[str]) -> None:
        for s in self.steps:
            cache = self.caches.get(s.name)
            if cache is None:
                continue
            data, found = cache.read(keys)
            if found:
                self.parts[s.name].append(data)
                self.found[s.name] = found

    def table(self, step: str, t: str, keys: set[str] | None = None) -> pd.DataFrame | None:
        dfs = [p[t] for p in self.parts[step] if t in p and len(p[t])]
        if not dfs:
            return None
        df = pd.concat(dfs, ignore_index=True) if len(dfs) > 1 else dfs[0]
        return df if keys is None else df[df["key"].isin(keys)]

    def upstream(self, run: Sequence[str], keys: set[str]) -> dict[str, pd.DataFrame]:
        """Assembled tables of the steps not in ``run``, for ``keys`` (article_id = key)."""
        up = [s for s in self.steps if s.name not in run]
        outs = {}
        for s in up:
            tabs = {t: self.table(s.name, t, keys) for t in s.outputs()}
            if all(v is not None for v in tabs.values()):
                outs[s.name] = tabs
            else:  # cached step without rows for these keys: an empty table of the right shape
                outs[s.name] = {t: (v if v is not None else _empty_output(s, t)) for t, v in tabs.items()}
        tables = assemble(up, outs, key="key")
        return {t: df.rename(columns={"key": "article_id"}) for t, df in tables.items()}

    def add(self, arts: pd.DataFrame, result: Mapping[str, Mapping[str, pd.DataFrame]]) -> None:
        keys = arts["article_id"].tolist()
        for name, tabs in result.items():
            self._buf[name].append({t: df.rename(columns={"article_id": "key"}) for t, df in tabs.items()})
            self._buf_keys[name].extend(keys)
            if len(self._buf_keys[name]) >= _FLUSH_EVERY:
                self.flush(name)

    def flush(self, name: str | None = None) -> None:
        for n in ([name] if name else list(self._buf)):
            if not self._buf_keys[n]:
                continue
            step = next(s for s in self.steps if s.name == n)
            tabs = {t: pd.concat([b[t] for b in self._buf[n]], ignore_index=True) for t in step.outputs()}
            if n in self.caches:
                self.caches[n].write(list(self._buf_keys[n]), tabs)
            self.parts[n].append(tabs)
            self._buf[n].clear()
            self._buf_keys[n].clear()

    def assembled(self) -> dict[str, pd.DataFrame]:
        outs = {}
        for s in self.steps:
            outs[s.name] = {t: (self.table(s.name, t) if self.table(s.name, t) is not None else _empty_output(s, t))
                            for t in s.outputs()}
        return assemble(self.steps, outs, key="key")


def _empty_output(step: Step, t: str) -> pd.DataFrame:
    cols = step.outputs()[t]
    if cols is None:
        return _schema.empty(t).rename(columns={"article_id": "key"}) if t in _schema.SCHEMAS else \
            pd.DataFrame({"key": pd.Series(dtype="object")})
    df = _schema.empty(t, extra=cols)[["article_id"] + cols].rename(columns={"article_id": "key"})
    return df.assign(_row=pd.Series(dtype="int64"))


def _annotate_tables(a: pd.DataFrame, *, steps: Sequence[Step], caches: Mapping[str, StepCache] | None,
                     run) -> tuple[dict[str, pd.DataFrame], dict[str, int], int]:
    """Tables for prepared articles ``a``: cached step outputs read back, the missing ones computed by
    ``run(chunks_source, on_result)`` and cached. Mentions are not resolved yet.

    Returns the tables (keyed by ``article_id``, in article order), per-step counts of articles run, and
    the number of articles that needed no work."""
    keys = article_keys(a)
    uniq = list(dict.fromkeys(keys))
    outs = _Outputs(steps, caches)
    outs.read_cache(uniq)
    todo: dict[tuple[str, ...], list[str]] = {}
    for k in uniq:
        names = tuple(s.name for s in steps if k not in outs.found[s.name])
        if names:
            todo.setdefault(names, []).append(k)
    ran = {s.name: 0 for s in steps}
    by_key = a.assign(_key=keys).drop_duplicates("_key").set_index("_key")
    cols = [c for c in ("text", "date", "title") if c in a.columns]
    for names, ks in todo.items():
        arts = by_key.loc[ks, cols].reset_index().rename(columns={"_key": "article_id"})
        upstream = outs.upstream(names, set(ks)) if len(names) < len(steps) else {}
        run(arts, upstream, names, outs.add)
        for n in names:
            ran[n] += len(ks)
    outs.flush()
    tables = outs.assembled()
    # keys → article ids (identical texts share a key), article order
    a_keys = pd.DataFrame({"key": keys, "article_id": a["article_id"]})
    order = {aid: i for i, aid in enumerate(a["article_id"])}
    out = {}
    for t in _BASE:
        df = tables.get(t)
        if df is None or not len(df):
            out[t] = _schema.empty(t, extra=[c for c in (df.columns if df is not None else []) if c not in ("key",)
                                             and c not in _schema.SCHEMAS[t]])
            continue
        df = df.merge(a_keys, on="key", how="inner", sort=False).drop(columns="key")
        df = df[["article_id"] + [c for c in df.columns if c != "article_id"]]
        # article order; a title's rows (offsets into the title) before the text's
        t_first = ~df["in_title"].fillna(False).to_numpy(dtype=bool) if "in_title" in df.columns else True
        df = df.assign(_o=df["article_id"].map(order), _t=t_first).sort_values(["_o", "_t", "start"], kind="stable")
        out[t] = df.drop(columns=["_o", "_t"]).reset_index(drop=True)
    busy = {k for ks in todo.values() for k in ks}
    n_idle = sum(1 for k in keys if k not in busy)
    return out, ran, n_idle


def _chunk_bounds(n: int, chunk: int, n_process: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the chunks of ``n`` articles: ``chunk`` articles each, but with several worker
    processes the last ``n_process * chunk`` articles go in chunks a quarter that size (at least 8), so the
    workers finish together instead of one idling while another runs a whole last chunk.

    >>> _chunk_bounds(300, 64, 1)[-2:]
    [(192, 256), (256, 300)]
    >>> _chunk_bounds(300, 64, 2)[2:5], _chunk_bounds(300, 64, 2)[-1]
    ([(128, 172), (172, 188), (188, 204)], (284, 300))
    """
    if n_process <= 1 or n <= chunk:
        return [(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    small = max(8, chunk // 4)
    tail = min(n, n_process * chunk)
    head = n - tail
    out = [(i, min(i + chunk, head)) for i in range(0, head, chunk)]
    return out + [(i, min(i + small, n)) for i in range(head, n, small)]


def _chunks(arts: pd.DataFrame, upstream: Mapping[str, pd.DataFrame], names, chunk: int,
            n_process: int = 1) -> Iterator:
    ids = arts["article_id"]
    for i, j in _chunk_bounds(len(arts), chunk, n_process):
        part = arts.iloc[i:j]
        sel = set(ids.iloc[i:j])
        up = {t: df[df["article_id"].isin(sel)] for t, df in upstream.items()}
        yield part, up, names


def _caches(steps: Sequence[Step], root: Path | None) -> dict[str, StepCache]:
    if root is None:
        return {}
    chains = chain_hashes(steps)
    return {s.name: StepCache(root, s.name, chains[s.name], list(s.outputs()),
                              settings={"version": s.version}) for s in steps}


def annotate(articles: pd.DataFrame, *, model: str | os.PathLike | None = None,
             sentiment_model: str | None = None, steps: Sequence[Step] | None = None,
             n_process: int | None = None, batch_size: int = 32, cache: bool = True,
             cache_dir: str | os.PathLike | None = None, actor_file: str | os.PathLike | None = None,
             keep_groups: bool = False, progress: bool = True, engine: str = "local",
             engine_options: Mapping[str, Any] | None = None) -> Annotations:
    """Annotate articles: sentences, entity mentions with actors, sentiment, event dates.

    Parameters
    ----------
    articles : DataFrame
        At least ``article_id`` and ``text``; other columns (``date``, ``source``, ``outlet``,
        ``title`` …) are carried along in ``Annotations.articles``.
    model : str or path, optional
        Installed spaCy package or model directory; default
        :func:`newskit.pipeline.model.default_model_name`.
    sentiment_model : {"transformer", "fast", "sentence"}, optional
        Target-sentiment model of the ``mention_sentiment`` step (default
        :data:`newskit.pipeline.steps.DEFAULT_SENTIMENT_MODEL`; see
        :func:`newskit.pipeline.steps.default_steps`). Switching it re-scores sentiment only.
    steps : list of Step, optional
        A custom pipeline (default :func:`newskit.pipeline.steps.default_steps`).
    n_process : int, optional
        Worker processes; default ``min(usable cores, 4)``; small inputs use one process.
    batch_size : int
        ``nlp.pipe`` batch size.
    cache : bool
        Read/write the per-step cache (only what is not cached yet is computed).
    cache_dir : str or path, optional
        Cache root; default :func:`newskit.pipeline.cache.default_cache_dir`.
    actor_file : str or path, optional
        YAML actor file extending/overriding the starter file (see :mod:`newskit.actors`).
    keep_groups : bool
        Keep NORP groups ("Russians") separate instead of merging them into their country.
    progress : bool
        Show a ``tqdm`` progress bar.
    engine : {"local", "dask"}
        ``"dask"`` maps :func:`annotate_partition` over a Dask DataFrame
        (:func:`newskit.pipeline.dask.annotate_dask`; current ``distributed`` client if any; no cache).
        ``engine_options`` go to it (``client``, ``npartitions``, ``out_dir``). See ``docs/scaling.md``.
    engine_options : dict, optional
        Options for the engine.

    Returns
    -------
    Annotations

    Examples
    --------
    >>> import tempfile, newskit
    >>> from newskit.datasets import demo_corpus
    >>> arts = newskit.load_corpus(demo_corpus()).head(2)
    >>> ann = annotate(arts, progress=False, cache_dir=tempfile.mkdtemp(), n_process=1)
    >>> [s["name"] for s in ann.meta["steps"]]
    ['sentences', 'entities', 'span_repair', 'terms', 'quotes', 'sentence_sentiment', 'mention_sentiment', 'dates']
    >>> {"actor", "score", "sentiment"} <= set(ann.mentions.columns)
    True
    """
    from tqdm.auto import tqdm

    from newskit.actors import check_actor_file, resolve_actors

    check_actor_file(actor_file)  # before any annotation work: a typo costs seconds, not a run
    if engine == "dask":
        return _annotate_dask(articles, model=model, batch_size=batch_size, actor_file=actor_file,
                              keep_groups=keep_groups, options=engine_options, sentiment_model=sentiment_model)
    if engine != "local":
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")
    t0 = time.perf_counter()
    a = prepare_articles(articles)
    custom = steps is not None
    steps = steps_for(steps, model=model, labels=None, sentiment_model=sentiment_model, actor_file=actor_file)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    options = run_options(model, None, batch_size)
    procs = n_process if n_process is not None else default_n_process()
    chunk = max(16, 2 * batch_size)
    bars: list = []  # the progress bar appears only when there is work (a warm run shows none)

    def run(arts, upstream, names, on_result):
        p = 1 if len(arts) < 4 * chunk else procs
        if not bars:
            bars.append(tqdm(total=0, unit="article", desc="annotate", disable=not progress, smoothing=0.1))
        bar = bars[0]
        bar.total = (bar.total or 0) + len(arts)
        bar.refresh()
        run_chunks(_chunks(arts, upstream, names, chunk, p), steps=steps, options=options, n_process=p,
                   on_result=on_result, bar=bar)

    try:
        tables, ran, n_idle = _annotate_tables(a, steps=steps, caches=_caches(steps, root) if cache else None,
                                               run=run)
    finally:
        for bar in bars:
            bar.close()
    tables["mentions"] = resolve_actors(tables["mentions"], actor_file=actor_file, keep_groups=keep_groups,
                                        cache_dir=root / "actors" if cache else None, articles=a)
    if "quotes" in tables:
        from newskit.quotes import resolve_speakers

        from newskit._options import where_mask

        m = tables["mentions"]  # speakers are mentions of the text (quotes are found in the text only)
        tables["quotes"] = resolve_speakers(tables["quotes"], m[where_mask(m, "body")])
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "steps": describe_steps(steps, ran),
            "sentiment_model": None if custom else (sentiment_model or DEFAULT_SENTIMENT_MODEL),
            "model": options["model"], "n_annotated": len(a) - n_idle, "n_cached": n_idle,
            "actor_file": str(actor_file) if actor_file else None, "keep_groups": keep_groups,
            "seconds": round(time.perf_counter() - t0, 3), "cache_dir": str(root) if cache else None}
    return Annotations(articles=a, meta=meta, **tables)


def _annotate_dask(articles: pd.DataFrame, *, model, batch_size: int, actor_file, keep_groups: bool,
                   options: Mapping[str, Any] | None, sentiment_model: str) -> Annotations:
    import tempfile

    from newskit.pipeline.dask import annotate_dask

    a = prepare_articles(articles)
    opts = dict(options or {})
    out = opts.pop("out_dir", None)
    with tempfile.TemporaryDirectory(prefix="newskit-dask-") as tmp:
        path = annotate_dask(a, out if out is not None else tmp, model=model, batch_size=batch_size,
                             actor_file=actor_file, keep_groups=keep_groups, sentiment_model=sentiment_model,
                             **opts)
        ann = Annotations.load(path)
    return ann.replace(articles=a)


def _article_batches(articles, part_size: int) -> tuple[Iterator[pd.DataFrame], int | None, list]:
    """Batches of at most ``part_size`` articles from a DataFrame, an iterable of DataFrames, a Parquet
    corpus (``newskit convert``; read batch by batch) or any corpus :func:`newskit.load_corpus` reads.
    Returns the batches, the number of articles when known, and the loader's rejects."""
    if isinstance(articles, (str, os.PathLike)):
        path = Path(articles)
        if path.suffix == ".parquet" or (path.is_dir() and next(path.glob("*.parquet"), None) is not None):
            import pyarrow.dataset as ds

            data = ds.dataset(str(path), format="parquet")
            batches = (b.to_pandas() for b in data.to_batches(batch_size=part_size) if b.num_rows)
            return batches, data.count_rows(), []
        from newskit.corpus import load_corpus

        articles = load_corpus(path)
    if isinstance(articles, pd.DataFrame):
        frame = articles
        return ((frame.iloc[i:i + part_size] for i in range(0, len(frame), part_size)), len(frame),
                list(frame.attrs.get("rejects", [])))
    return iter(articles), None, []


def annotate_to(articles, out_dir: str | os.PathLike, *, model: str | os.PathLike | None = None,
                sentiment_model: str | None = None, steps: Sequence[Step] | None = None,
                n_process: int | None = None, batch_size: int = 32, part_size: int = 2000,
                cache: bool = True, cache_dir: str | os.PathLike | None = None,
                actor_file: str | os.PathLike | None = None, keep_groups: bool = False,
                progress: bool = True) -> Path:
    """Annotate a corpus of any size into a folder of Parquet parts, in memory that does not grow with it.

    The same steps, cache and actor resolution as :func:`annotate`, but each part of ``part_size``
    articles is written to ``out_dir`` (layout: :mod:`newskit.pipeline.parts`) and dropped, and one pool
    of worker processes serves all parts. Actors are resolved corpus-wide from the surface forms of all
    parts, so ``Annotations.load(out_dir)`` equals ``annotate(articles)``.

    Parameters
    ----------
    articles : DataFrame, iterable of DataFrames, or path
        Articles (``article_id``, ``text``, optionally ``date`` …); an iterable is consumed one frame
        (one part) at a time; a path is a Parquet corpus (``newskit convert``, read in batches) or
        anything :func:`newskit.load_corpus` reads (its rejected files are listed in ``meta.json``).
    out_dir : str or path
        Output folder. The run writes into a hidden sibling (``.<name>.tmp-…``) and replaces
        ``out_dir`` only when complete: on an error or a kill the earlier output stays intact.
    part_size : int
        Articles per part (memory grows with it, not with the corpus).
    model, sentiment_model, steps, n_process, batch_size, cache, cache_dir, actor_file, keep_groups, progress
        As in :func:`annotate`.

    Returns
    -------
    Path
        ``out_dir``, for :meth:`Annotations.load`.

    Raises
    ------
    ValueError
        When an ``article_id`` occurs twice (naming it and the parts), or a part lacks a column.

    Examples
    --------
    >>> import tempfile, newskit
    >>> from newskit.datasets import demo_corpus
    >>> arts = newskit.load_corpus(demo_corpus()).head(3)
    >>> out = annotate_to(arts, tempfile.mkdtemp(), part_size=2, progress=False, n_process=1,
    ...                   cache_dir=tempfile.mkdtemp())
    >>> Annotations.load(out)
    Annotations(articles=3, ...)
    """
    from newskit.actors import check_actor_file
    from newskit.pipeline import parts as P

    if part_size < 1:
        raise ValueError(f"part_size must be ≥ 1, not {part_size}")
    check_actor_file(actor_file)  # before any annotation work (and before the output folder is touched)
    t0 = time.perf_counter()
    final = P.local_dir(out_dir)
    out = P.staging(final)  # written into a sibling, swapped in only when complete
    try:
        path = _annotate_to(articles, out, model=model, sentiment_model=sentiment_model, steps=steps,
                            n_process=n_process, batch_size=batch_size, part_size=part_size, cache=cache,
                            cache_dir=cache_dir, actor_file=actor_file, keep_groups=keep_groups,
                            progress=progress, t0=t0)
    except BaseException:
        P.discard(out, final)  # the previous output, if any, is left as it was
        raise
    P.swap_in(str(path), final)
    return Path(final)


def _annotate_to(articles, out: str, *, model, sentiment_model, steps, n_process, batch_size, part_size,
                 cache, cache_dir, actor_file, keep_groups, progress, t0) -> Path:
    from tqdm.auto import tqdm

    from newskit.pipeline import parts as P

    P.prepare(out)
    steps = steps_for(steps, model=model, labels=None, sentiment_model=sentiment_model, actor_file=actor_file)
    options = run_options(model, None, batch_size)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    caches = _caches(steps, root) if cache else None
    batches, total, rejected = _article_batches(articles, part_size)
    procs = n_process if n_process is not None else default_n_process()
    chunk = max(16, 2 * batch_size)
    seen: dict[str, int] = {}
    forms: list[pd.DataFrame] = []
    n_articles = n_idle = 0
    ran_total = {s.name: 0 for s in steps}
    bar = tqdm(total=total, unit="article", desc="annotate", disable=not progress, smoothing=0.1)
    try:
        with worker_pool(steps, options, procs) as pool:
            def run(arts, upstream, names, on_result):
                run_chunks(_chunks(arts, upstream, names, chunk, procs), steps=steps, options=options,
                           n_process=procs, on_result=on_result, bar=bar, pool=pool)

            for number, batch in enumerate(batches):
                try:
                    a = prepare_articles(batch)
                except ValueError as exc:
                    raise ValueError(f"part {number}: {exc}") from None
                for aid in a["article_id"]:
                    if aid in seen:
                        raise ValueError(f"duplicate article_id {aid!r} (parts {seen[aid]} and {number})")
                    seen[aid] = number
                tables, ran, idle = _annotate_tables(a, steps=steps, caches=caches, run=run)
                bar.update(idle)
                forms.append(P.write_part(number, a, tables, out))
                n_articles += len(a)
                n_idle += idle
                for k, v in ran.items():
                    ran_total[k] += v
    finally:
        bar.close()
    n_parts = len(forms)
    all_forms = pd.concat(forms, ignore_index=True) if forms else P.surface_forms(_schema.empty("mentions"), part=0)
    actors = P.resolve_forms(all_forms, actor_file=actor_file, keep_groups=keep_groups)
    n_mentions = sum(P.finish_mentions(i, out=out, actors=actors) for i in range(n_parts))
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "steps": describe_steps(steps, ran_total),
            "sentiment_model": sentiment_model or DEFAULT_SENTIMENT_MODEL, "engine": "local-stream", "partitions": n_parts, "model": options["model"],
            "n_articles": n_articles, "n_annotated": n_articles - n_idle, "n_cached": n_idle,
            "n_mentions": n_mentions, "rejected": rejected, "actor_file": str(actor_file) if actor_file else None,
            "keep_groups": keep_groups, "seconds": round(time.perf_counter() - t0, 3),
            "cache_dir": str(root) if cache else None, "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    P.finish(out, meta)
    return Path(out)
