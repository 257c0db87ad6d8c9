#!/usr/bin/env python
"""Print the top-N actor table (Markdown) for a corpus, with cold/warm annotate timings.

Usage: python scripts/top_actors.py CORPUS [--top 30] [--cache-dir DIR] [--cold] [--n-process N]

``--cold`` annotates into a fresh temporary cache first (timed), then again from that cache (timed).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pandas as pd


def read_corpus(path: str) -> pd.DataFrame:
    try:
        from newskit import load_corpus
        return load_corpus(path)
    except (ImportError, AttributeError):
        rows = []
        for p in sorted(Path(path).glob("*.txt")):
            lines = p.read_text(encoding="utf-8").rstrip("\n").split("\n")
            host = urllib.parse.urlparse(lines[2]).netloc.removeprefix("www.")
            rows.append({"article_id": p.stem, "title": lines[0],
                         "date": pd.to_datetime(lines[1], format="%Y%m%d", errors="coerce"),
                         "url": lines[2], "source": host, "outlet": host, "text": "\n".join(lines[3:])})
        return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--cold", action="store_true", help="time a cold run in a fresh cache first")
    ap.add_argument("--n-process", type=int, default=None)
    ap.add_argument("--actor-file", default=None)
    args = ap.parse_args(argv)

    import newskit
    from newskit.analysis import entity_frequency

    t = time.perf_counter()
    arts = read_corpus(args.corpus)
    print(f"load: {len(arts)} articles in {time.perf_counter() - t:.2f} s", file=sys.stderr)
    cache_dir = args.cache_dir
    if args.cold:
        cache_dir = tempfile.mkdtemp(prefix="newskit-cold-")
        t = time.perf_counter()
        newskit.annotate(arts, cache_dir=cache_dir, n_process=args.n_process, actor_file=args.actor_file)
        cold = time.perf_counter() - t
        words = arts["text"].str.split().str.len().sum()
        print(f"cold annotate: {cold:.1f} s ({words / cold:,.0f} words/s)", file=sys.stderr)
    t = time.perf_counter()
    ann = newskit.annotate(arts, cache_dir=cache_dir, n_process=args.n_process, actor_file=args.actor_file,
                           progress=False)
    print(f"annotate (cache: {ann.meta['n_cached']} hits, {ann.meta['n_annotated']} annotated): "
          f"{time.perf_counter() - t:.2f} s", file=sys.stderr)
    top = entity_frequency(ann, top=args.top)
    top["share"] = top["share"].map(lambda x: f"{x:.1%}")
    top.index = range(1, len(top) + 1)
    print(top.to_markdown() if _has_tabulate() else _markdown(top))
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


def _markdown(df: pd.DataFrame) -> str:
    cols = ["#"] + list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for i, row in df.iterrows():
        lines.append("| " + " | ".join([str(i)] + [str(v) for v in row]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
