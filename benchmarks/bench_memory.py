"""Memory check: annotate N articles (default 100,000) in batches and report peak RSS.

Usage::

    .venv/bin/python benchmarks/bench_memory.py [--articles 100000] [--corpus PATH] [--batch 1000]
        [--n-process N] [--mode stream|whole] [--out DIR] [--every 1000]

The articles are made by repeating the corpus (default ``../shared/data/corpus_ukraine``, else the demo
corpus) with new ids ``<id>~<copy>``. The per-article cache is keyed by the text, so identical texts
would be cache hits and measure nothing: every copy after the first gets one extra paragraph,
``"Copy <n>."``, which changes the key (and adds one short sentence; NER finds no entity in it). The
copies are built one batch at a time, never all at once.

``--mode stream`` (default): ``newskit.annotate_to`` fed one batch at a time (fresh cache under
``--out``): each batch is one part, its tables written as Parquet (``out/tables/<table>/part-NNNNN.parquet``,
the layout ``Annotations.load`` reads) and dropped, one worker pool for the whole run, actors resolved
corpus-wide at the end, so the memory should stay flat however many articles.

``--mode whole``: one ``annotate()`` call on all N articles, which returns every table in memory (the
in-memory API): its peak grows with N. Run it at a few sizes to get the slope.

Peak RSS: the sum over this process and its children, sampled with psutil every 0.1 s, and
``resource.getrusage`` (largest single process). Printed every ``--every`` articles, with throughput
and the 1-minute load average.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import RssSampler, loadavg  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "corpus_ukraine"


def copies(base, start: int, stop: int):
    """Articles ``start`` … ``stop - 1`` of the endless repetition of ``base`` (a DataFrame)."""
    n = len(base)
    idx = [i % n for i in range(start, stop)]
    df = base.iloc[idx].reset_index(drop=True).copy()
    rep = [i // n for i in range(start, stop)]
    df["article_id"] = [f"{a}~{r}" for a, r in zip(df["article_id"], rep)]
    df["text"] = [t if r == 0 else f"{t}\nCopy {i}." for t, r, i in zip(df["text"], rep, range(start, stop))]
    if "n_words" in df:
        df["n_words"] = df["n_words"] + [0 if r == 0 else 2 for r in rep]
    return df


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--corpus", default=None, help="corpus to repeat (default: corpus_ukraine, else demo)")
    p.add_argument("--batch", type=int, default=1000, help="articles per annotate() call (stream mode)")
    p.add_argument("--n-process", type=int, default=None)
    p.add_argument("--mode", choices=("stream", "whole"), default="stream")
    p.add_argument("--out", default=None, help="cache and Parquet output (default: a temp dir, removed)")
    p.add_argument("--every", type=int, default=None, help="print a line every N articles (default --batch)")
    args = p.parse_args(argv)

    sampler = RssSampler().start()
    import newskit
    from newskit.pipeline import engine as E

    corpus = args.corpus or (DEFAULT_CORPUS if DEFAULT_CORPUS.exists() else None)
    if corpus is None:
        from newskit.datasets import demo_corpus
        corpus = demo_corpus()
    base = newskit.load_corpus(corpus)
    base.attrs = {}
    n_process = args.n_process if args.n_process is not None else E.default_n_process()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="newskit-mem-"))
    cache = out / "cache"
    tables_dir = out / "tables"
    # model and step modules loaded before the workers fork: they inherit them (copy-on-write)
    from newskit.pipeline.model import load_model
    from newskit.pipeline.steps import default_steps

    load_model()
    default_steps()
    gc.collect()
    print(f"newskit memory benchmark — {_dt.datetime.now():%Y-%m-%d %H:%M}; mode {args.mode}; "
          f"{args.articles:,} articles from {corpus} ({len(base):,} articles repeated, 'Copy <n>.' appended "
          f"to every copy); batch {args.batch}, n_process {n_process}", flush=True)
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; {loadavg()}; "
          f"baseline PSS (model loaded, corpus in memory) {sampler.sample()[1] / 2**20:,.0f} MB", flush=True)
    t0 = time.perf_counter()
    words = 0
    every = args.every or args.batch
    next_print = every
    rows = []

    def report(done: int) -> None:
        dt = time.perf_counter() - t0
        cur, cur_pss = sampler.sample()
        rows.append((done, cur_pss, sampler.peak_pss))
        print(f"{done:>9,} articles  {dt:8.1f} s  {words / dt:>8,.0f} words/s  PSS now {cur_pss / 2**20:7,.0f} MB  "
              f"peak PSS {sampler.peak_pss / 2**20:7,.0f} MB, peak RSS sum {sampler.peak / 2**20:7,.0f} MB "
              f"(tree, sampled)  self max "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6,.0f} MB  [{loadavg()}]", flush=True)

    if args.mode == "whole":
        arts = copies(base, 0, args.articles)
        words = int(arts["n_words"].sum())
        ann = E.annotate(arts, n_process=n_process, cache_dir=cache, progress=False)
        print(f"tables: {ann}", flush=True)
        report(args.articles)
        del ann, arts
    else:
        def batches():
            nonlocal words, next_print
            for start in range(0, args.articles, args.batch):
                if start >= next_print:  # the parts before this one are written and dropped
                    report(start)
                    next_print = (start // every + 1) * every
                arts = copies(base, start, min(args.articles, start + args.batch))
                words += int(arts["n_words"].sum())
                yield arts
                del arts

        E.annotate_to(batches(), tables_dir, n_process=n_process, part_size=args.batch, cache_dir=cache,
                      progress=False)
        report(args.articles)
        meta = json.loads((tables_dir / "meta.json").read_text())
        print(f"annotate_to: {meta['partitions']} parts, {meta['n_articles']:,} articles, "
              f"{meta['n_mentions']:,} mentions (actors resolved corpus-wide), {meta['seconds']:,.0f} s",
              flush=True)
    sampler.stop()
    first = rows[0]
    last = rows[-1]
    print(f"peak PSS {sampler.peak_pss / 2**20:,.0f} MB, peak RSS sum {sampler.peak / 2**20:,.0f} MB "
          f"(process tree, sampled) for {last[0]:,} articles; largest child (getrusage) "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB; "
          f"PSS after the first report {first[1] / 2**20:,.0f} MB, after the last {last[1] / 2**20:,.0f} MB; "
          f"{time.perf_counter() - t0:,.0f} s", flush=True)
    if not args.out:
        import shutil
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
