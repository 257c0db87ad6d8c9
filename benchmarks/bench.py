"""Benchmark the annotation pipeline on a corpus: `make bench CORPUS=...`.

Usage::

    .venv/bin/python benchmarks/bench.py [CORPUS] [--limit N] [--n-process N] [--batch-size N]
                                         [--skip-notebooks] [--skip-steps] [--ner-only]

Without CORPUS the fictional demo corpus (``newskit.datasets.demo_corpus()``) is used.

Every figure is measured in this run and printed with its unit:

* load time (``newskit.load_corpus``);
* per-step throughput, each step timed alone **in this process (1 core)**: sentence splitting,
  sentence sentiment, mention scoring, event dates, actor resolution — as words/s and as
  µs of CPU per word, so they can be compared with NER's cost per word per process;
* NER alone: spaCy with the components, ``batch_size`` and ``n_process`` that ``annotate()`` uses,
  ``nlp.pipe(texts, n_process=..., batch_size=...)``, consuming the docs and extracting the entities;
* the whole cold ``annotate()`` (fresh temporary cache), and the ratio whole / NER-alone;
* the warm ``annotate()`` (same cache);
* executing all notebooks warm (``newskit.report.build_report`` with ``$NEWSKIT_CACHE`` pointing at
  the warm cache);
* peak RSS: ``resource.getrusage`` (this process; largest child) and, sampled with psutil every
  0.1 s, the largest sum over this process and its children.

The 1-minute load average is printed next to each timed phase: on a shared machine a load above the
number of cores means the figures are lower bounds on what the pipeline can do.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- measuring
class RssSampler:
    """Samples the memory of this process and its children (psutil) in a thread.

    ``peak``: largest sum of RSS (double-counts pages that forked workers share with the parent);
    ``peak_pss``: largest sum of PSS (shared pages split between the processes sharing them: the
    honest total; Linux only, else equal to RSS).
    """

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak = self.peak_pss = 0
        self.phase_peak = self.phase_peak_pss = 0
        self._stop = threading.Event()
        try:
            import psutil
            self._proc = psutil.Process()
        except ImportError:  # pragma: no cover - psutil missing: getrusage only
            self._proc = None
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _one(proc) -> tuple[int, int]:
        """(RSS, PSS) of one process; PSS from /proc/PID/smaps_rollup (cheap: psutil's
        memory_full_info parses the whole smaps and, sampled often, slows the run down)."""
        try:
            rss = proc.memory_info().rss
        except Exception:  # noqa: BLE001 - exited
            return 0, 0
        try:
            with open(f"/proc/{proc.pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return rss, int(line.split()[1]) * 1024
        except OSError:
            pass
        return rss, rss

    def sample(self) -> tuple[int, int]:
        """(RSS sum, PSS sum) now, in bytes."""
        if self._proc is None:
            return 0, 0
        rss, pss = self._one(self._proc)
        try:
            children = self._proc.children(recursive=True)
        except Exception:  # noqa: BLE001
            children = []
        for c in children:
            r, p = self._one(c)
            rss, pss = rss + r, pss + p
        return rss, pss

    def _sample(self) -> int:
        return self.sample()[0]

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            r, p = self.sample()
            self.peak, self.peak_pss = max(self.peak, r), max(self.peak_pss, p)
            self.phase_peak, self.phase_peak_pss = max(self.phase_peak, r), max(self.phase_peak_pss, p)

    def start(self) -> "RssSampler":
        if self._proc is not None:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def reset_phase(self) -> None:
        self.phase_peak, self.phase_peak_pss = self.sample()


def loadavg() -> str:
    try:
        return "load %.2f" % os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return "load ?"


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its terminated (waited-for) children."""
    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def maxrss_mb(who: int) -> float:
    """ru_maxrss in MB (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


LINES: list[str] = []


def out(line: str) -> None:
    print(line, flush=True)
    LINES.append(line)


@contextmanager
def timed(label: str, words: int | None = None, *, articles: int | None = None, sampler=None,
          store: dict | None = None, key: str | None = None):
    """Time a block; print wall seconds, words/s, CPU seconds (self + children) and µs of CPU per word,
    load average. ``store[key]`` = wall seconds, ``store[key + "_cpu"]`` = CPU seconds."""
    if sampler is not None:
        sampler.reset_phase()
    la0 = loadavg()
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    yield
    dt = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    parts = [f"{label:<34} {dt:9.2f} s"]
    if words:
        parts.append(f"{words / dt:>10,.0f} words/s")
    if articles:
        parts.append(f"{articles / dt:>8,.1f} articles/s")
    parts.append(f"cpu {cpu:7.2f} s")
    if words:
        parts.append(f"{1e6 * cpu / words:7.2f} µs cpu/word")
    if sampler is not None and sampler.phase_peak:
        parts.append(f"peak PSS {sampler.phase_peak_pss / 2**20:,.0f} MB (RSS {sampler.phase_peak / 2**20:,.0f})")
    parts.append(f"[{la0} → {loadavg()[5:]}]")
    out("  ".join(parts))
    if store is not None:
        store[key or label] = dt
        store[(key or label) + "_cpu"] = cpu


def _slowest_cells(path: Path, n: int = 3) -> str:
    """The ``n`` slowest cells of an executed notebook (papermill's per-cell durations)."""
    import json

    try:
        cells = json.loads(path.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return "?"
    rows = []
    for i, c in enumerate(cells):
        d = c.get("metadata", {}).get("papermill", {}).get("duration")
        if c.get("cell_type") == "code" and d:
            first = next((ln.strip() for ln in "".join(c.get("source", "")).splitlines()
                          if ln.strip() and not ln.lstrip().startswith("#")), "")
            rows.append((d, i, first[:40]))
    rows.sort(reverse=True)
    return "; ".join(f"#{i} {d:.1f} s `{first}`" for d, i, first in rows[:n])


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="?", default=None, help="corpus (default: the demo corpus)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="first N articles only")
    p.add_argument("--n-process", type=int, default=None,
                   help="worker processes (default: annotate()'s default)")
    p.add_argument("--batch-size", type=int, default=None, help="nlp.pipe batch size (default: annotate()'s)")
    p.add_argument("--skip-notebooks", action="store_true", help="do not execute the notebooks")
    p.add_argument("--cell-timeout", type=float, default=300, metavar="S",
                   help="per-cell timeout when executing the notebooks (default 300 s)")
    p.add_argument("--skip-steps", action="store_true", help="do not time the steps one by one")
    p.add_argument("--ner-only", action="store_true",
                   help="of the steps, time NER alone only (the ratios need it; the other steps alone are "
                        "skipped, which saves the transformer's ≈ 4 minutes on corpus_ukraine)")
    p.add_argument("--sentiment-model", default=None,
                   help="mention sentiment model (default: the pipeline's, DEFAULT_SENTIMENT_MODEL)")
    p.add_argument("--no-fast", action="store_true",
                   help="do not also time a cold annotate() with sentiment_model='fast' (done by default "
                        "when the model timed is not 'fast')")
    p.add_argument("--keep", metavar="DIR", help="keep the cache (and report) in DIR instead of a temp dir")
    args = p.parse_args(argv)

    os.environ.setdefault("TQDM_MININTERVAL", "5")
    sampler = RssSampler().start()
    started = _dt.datetime.now()

    import newskit
    from newskit.pipeline import engine as E
    from newskit.pipeline.runner import usable_cores

    corpus = args.corpus
    if corpus is None:
        from newskit.datasets import demo_corpus
        corpus = demo_corpus()
    sig = inspect.signature(E.annotate).parameters
    batch_size = args.batch_size or sig["batch_size"].default
    if args.n_process is not None:
        n_process = args.n_process
    elif hasattr(E, "default_n_process"):
        n_process = E.default_n_process()
    else:
        n_process = min(usable_cores(), 4)

    out(f"newskit benchmark — {started:%Y-%m-%d %H:%M}; corpus {args.corpus or 'demo'}"
        f"{f' (first {args.limit})' if args.limit else ''}")
    out(f"machine: {os.cpu_count()} cores ({usable_cores()} usable), Python {platform.python_version()}, "
        f"{platform.machine()}; {loadavg()} at start")

    times: dict[str, float] = {}
    # ---- load
    with timed("load corpus", store=times, key="load", sampler=sampler):
        articles = newskit.load_corpus(corpus)
        if args.limit:
            articles = articles.head(args.limit).reset_index(drop=True)
    n_art = len(articles)
    words = int(articles["n_words"].sum()) if "n_words" in articles else \
        int(articles["text"].str.split().str.len().sum())
    out(f"{'  corpus size':<34} {n_art:,} articles, {words:,} words "
        f"({n_art / times['load']:,.0f} articles/s loaded)")
    texts = articles["text"].fillna("").astype(str).tolist()

    import spacy  # noqa: F401  (import cost outside the timings)
    from newskit.pipeline.model import load_model, model_identity
    from newskit.pipeline.steps import Batch, default_steps

    nlp = load_model()
    ident = model_identity()
    from newskit.pipeline.steps import DEFAULT_SENTIMENT_MODEL

    args.sentiment_model = args.sentiment_model or DEFAULT_SENTIMENT_MODEL
    steps = default_steps(sentiment_model=args.sentiment_model)
    out(f"settings: model {ident['model']} {ident['model_version']} (pipes {', '.join(nlp.pipe_names)}), "
        f"n_process {n_process}, batch_size {batch_size}, spaCy {spacy.__version__}, "
        f"sentiment model {args.sentiment_model}")

    # ---- steps, one by one (the declared steps of newskit.pipeline.steps, in order)
    step_us: dict[str, float] = {}
    if not args.skip_steps:
        out("-- steps alone (steps after NER run in this process; µs cpu/word = CPU time per word)")
        with timed(f"NER alone (n_process={n_process})", words, sampler=sampler, store=times, key="ner"):
            docs = list(nlp.pipe(texts, n_process=n_process, batch_size=batch_size))

        class _Parsed:  # the entities step reads the documents parsed above (NER is timed on its own)
            def pipe(self, _texts, batch_size=None):
                return iter(docs)

        batch = Batch(articles=articles[[c for c in ("article_id", "text", "date") if c in articles.columns]]
                      .assign(article_id=lambda d: d["article_id"].astype(str)),
                      resources={"nlp": _Parsed()}, options={"batch_size": batch_size})
        for st in ([] if args.ner_only else steps):
            label = "entities (after NER)" if st.name == "entities" else st.name
            with timed(label, words, sampler=sampler, store=times, key=st.name):
                st.fn(batch)
            step_us[st.name] = 1e6 * times[f"{st.name}_cpu"] / words
        del docs
        if not args.ner_only:
            from newskit.actors import resolve_actors
            with timed("actor resolution (corpus-level)", words, sampler=sampler, store=times, key="actors"):
                resolve_actors(batch.tables["mentions"])
            step_us["actor resolution"] = 1e6 * times["actors_cpu"] / words
            ner_us = 1e6 * times["ner_cpu"] / words
            extra = sum(v for k, v in step_us.items() if k != "actor resolution")
            out(f"{'  per-article steps after NER':<34} {extra:7.2f} µs/word on one core = "
                f"{100 * extra / ner_us:.1f}% of NER's {ner_us:.2f} µs cpu/word "
                f"→ expected ratio ≈ {ner_us / (ner_us + extra):.2f} (+ actors "
                f"{step_us['actor resolution']:.2f} µs/word once, in the parent)")
        del batch

    # ---- whole annotate, cold and warm
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="newskit-bench-"))
    cache_dir = tmp / "cache"
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    out("-- annotate()")
    with timed(f"annotate() cold (n_process={n_process})", words, articles=n_art, sampler=sampler,
               store=times, key="cold"):
        ann = E.annotate(articles, n_process=n_process, batch_size=batch_size, cache_dir=cache_dir,
                         sentiment_model=args.sentiment_model)
    peak_cold = sampler.phase_peak_pss
    out(f"{'  tables':<34} {len(ann.sentences):,} sentences, {len(ann.mentions):,} mentions, "
        f"{len(ann.dates):,} dates, {ann.mentions['actor'].nunique():,} actors")
    target = "target ≥ 0.90" if args.sentiment_model == "fast" else "target ≥ 0.33, i.e. whole ≤ 3× NER"
    if "ner" in times:
        ratio = times["ner"] / times["cold"]
        out(f"{'ratio whole / NER-alone':<34} {ratio:9.2f}   wall-clock throughput ({target}); "
            f"cpu-time ratio {times['ner_cpu'] / times['cold_cpu']:.2f}; whole = {1 / ratio:.2f}× NER")
    del ann
    with timed("annotate() warm (same cache)", words, articles=n_art, sampler=sampler, store=times, key="warm"):
        ann = E.annotate(articles, n_process=n_process, batch_size=batch_size, cache_dir=cache_dir,
                         progress=False, sentiment_model=args.sentiment_model)
    out(f"{'  warm target':<34} {'≤ 3 s on 2,936 articles':>20}")
    del ann
    if args.sentiment_model != "fast" and not args.no_fast:
        fast_cache = tmp / "cache-fast"
        shutil.rmtree(fast_cache, ignore_errors=True)
        with timed(f"annotate() cold, sentiment_model='fast'", words, articles=n_art, sampler=sampler,
                   store=times, key="cold_fast"):
            E.annotate(articles, n_process=n_process, batch_size=batch_size, cache_dir=fast_cache,
                       sentiment_model="fast")
        if "ner" in times:
            out(f"{'ratio whole / NER-alone (fast)':<34} {times['ner'] / times['cold_fast']:9.2f}   "
                f"wall-clock throughput (target ≥ 0.90); cpu-time ratio "
                f"{times['ner_cpu'] / times['cold_fast_cpu']:.2f}")
        shutil.rmtree(fast_cache, ignore_errors=True)

    # ---- notebooks, warm
    nb_line = None
    if not args.skip_notebooks:
        from newskit.report import build_report

        old = os.environ.get("NEWSKIT_CACHE")
        os.environ["NEWSKIT_CACHE"] = str(cache_dir)
        try:
            if args.limit:  # the notebooks read the corpus themselves: give them the same slice
                sl = tmp / "corpus.parquet"
                from newskit.corpus import to_parquet
                to_parquet(articles, sl)
                nb_corpus = sl
            else:
                nb_corpus = corpus
            with timed("notebooks warm (build_report)", sampler=sampler, store=times, key="nbs"):
                res = build_report(nb_corpus, tmp / "report", progress=False, assets=False,
                                   timeout=args.cell_timeout)
        finally:
            if old is None:
                os.environ.pop("NEWSKIT_CACHE", None)
            else:
                os.environ["NEWSKIT_CACHE"] = old
        for nb in res.notebooks:
            out(f"  {nb.name:<32} {nb.seconds:9.2f} s  {'ok' if nb.ok else 'FAILED: ' + nb.describe_error()}"
                f"{'  slowest cells: ' + _slowest_cells(nb.ipynb) if nb.ipynb.is_file() else ''}")
        exec_s = sum(nb.seconds for nb in res.notebooks)
        nb_line = (f"{len(res.notebooks)} notebooks warm: {times['nbs']:.1f} s total "
                   f"({exec_s:.1f} s executing), {'all ok' if res.ok else 'SOME FAILED'}")
        out(f"{'  notebooks':<34} {nb_line}  (target ≤ 60 s)")

    sampler.stop()
    self_mb, child_mb = maxrss_mb(resource.RUSAGE_SELF), maxrss_mb(resource.RUSAGE_CHILDREN)
    out(f"{'peak RSS':<34} self {self_mb:,.0f} MB, largest child {child_mb:,.0f} MB (getrusage); "
        f"process tree PSS {sampler.peak_pss / 2**20:,.0f} MB, RSS {sampler.peak / 2**20:,.0f} MB "
        f"(psutil, sampled every 0.25 s; RSS double-counts pages shared with forked workers); "
        f"cold annotate() tree PSS {peak_cold / 2**20:,.0f} MB")

    # ---- summary for the README
    print()
    print("```text")
    print(f"newskit {newskit.__version__} benchmark, {started:%Y-%m-%d}, corpus {args.corpus or 'demo'}"
          f"{f' (first {args.limit})' if args.limit else ''}: {n_art:,} articles, {words:,} words")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, spaCy {spacy.__version__}, "
          f"model {ident['model']} {ident['model_version']}, n_process {n_process}, "
          f"batch_size {batch_size}; load average at start {LINES[1].rsplit('load ', 1)[-1].split(' ')[0]}")
    print(f"load corpus              {times['load']:7.1f} s   {n_art / times['load']:>9,.0f} articles/s")
    if "ner" in times:
        print(f"NER alone                {times['ner']:7.1f} s   {words / times['ner']:>9,.0f} words/s  "
              f"{1e6 * times['ner_cpu'] / words:7.1f} µs cpu/word")
        for k, v in step_us.items():
            print(f"{k:<24} {'':>9}   {1e6 / v:>9,.0f} words/s  {v:7.1f} µs cpu/word (1 process)")
    print(f"annotate() cold          {times['cold']:7.1f} s   {words / times['cold']:>9,.0f} words/s  "
          f"{1e6 * times['cold_cpu'] / words:7.1f} µs cpu/word")
    if "ner" in times:
        print(f"whole / NER-alone        {times['ner'] / times['cold']:7.2f}     wall-clock throughput "
              f"({target}); cpu-time ratio {times['ner_cpu'] / times['cold_cpu']:.2f}; "
              f"sentiment model {args.sentiment_model}")
    if "cold_fast" in times:
        print(f"annotate() cold, fast    {times['cold_fast']:7.1f} s   {words / times['cold_fast']:>9,.0f} words/s")
        if "ner" in times:
            print(f"whole / NER-alone, fast  {times['ner'] / times['cold_fast']:7.2f}     wall-clock throughput "
                  f"(target ≥ 0.90); cpu-time ratio {times['ner_cpu'] / times['cold_fast_cpu']:.2f}")
    print(f"annotate() warm          {times['warm']:7.1f} s              (target ≤ 3 s)")
    if nb_line:
        print(f"notebooks warm           {times['nbs']:7.1f} s              (target ≤ 60 s) {nb_line}")
    print(f"peak memory              {sampler.peak_pss / 2**20:7,.0f} MB  PSS, process tree (RSS sum "
          f"{sampler.peak / 2**20:,.0f} MB; this process max RSS {self_mb:,.0f} MB)")
    print("```")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
