"""Save (or compare) every table and analysis output of a corpus, to check that a refactor changes
nothing but what it documents.

    python scripts/snapshot_outputs.py save DIR [--corpus PATH|demo] [--cache-dir C]
    python scripts/snapshot_outputs.py compare OLD NEW

``save`` annotates the corpus (through the public API) and writes one Parquet file per table and per
analysis call; ``compare`` lists, file by file, whether two snapshots are equal, and for the ones that
differ which columns differ and by how much.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def _calls(newskit, ann):
    top = newskit.entity_frequency(ann)["actor"].head(3).tolist()
    actor = top[0]
    yield "entity_frequency", lambda: newskit.entity_frequency(ann)
    yield "entity_frequency_outlet", lambda: newskit.entity_frequency(ann, by="outlet", top=20)
    yield "entity_frequency_month", lambda: newskit.entity_frequency(ann, by="month", top=20)
    yield "cooccurrence", lambda: newskit.cooccurrence(ann, top=30)
    yield "cooccurrence_article", lambda: newskit.cooccurrence(ann, within="article", top=20)
    yield "kwic", lambda: newskit.kwic(ann, actor).head(200)
    yield "timeline_articles_source", lambda: newskit.timeline(ann, freq="W", by="source")
    yield "timeline_mentions_actor", lambda: newskit.timeline(ann, freq="W", by="actor", metric="mentions")
    yield "timeline_articles_actor_share", lambda: newskit.timeline(ann, freq="M", by="actor", normalize="share")
    yield "timeline_sentiment", lambda: newskit.timeline(ann, freq="M", by="actor", metric="sentiment")
    yield "timeline_window", lambda: newskit.timeline(ann, freq="D", date_from=str(ann.articles["date"].min().date()),
                                                      date_to=str(ann.articles["date"].median().date()))
    yield "event_timeline", lambda: newskit.event_timeline(ann, actors=top)
    yield "actor_sentiment", lambda: newskit.actor_sentiment(ann, n_boot=200)
    yield "actor_sentiment_outlet", lambda: newskit.actor_sentiment(ann, by="outlet", actors=top, n_boot=200)
    yield "actor_sentiment_month", lambda: newskit.actor_sentiment(ann, by="month", actors=top, n_boot=200)
    yield "compare_sources", lambda: newskit.compare_sources(ann, actor, by="source", n_boot=200)
    yield "compare_sources_pairwise", lambda: newskit.compare_sources(ann, actor, by="source", pairwise=True,
                                                                      n_boot=200)


def save(out: Path, corpus: str, cache_dir: str | None) -> None:
    import newskit
    from newskit.datasets import demo_corpus

    out.mkdir(parents=True, exist_ok=True)
    path = demo_corpus() if corpus == "demo" else corpus
    arts = newskit.load_corpus(path)
    ann = newskit.annotate(arts, cache_dir=cache_dir)
    for t in ("articles", "sentences", "mentions", "dates"):
        getattr(ann, t).to_parquet(out / f"table_{t}.parquet", index=False)
    for name, fn in _calls(newskit, ann):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                df = fn()
            except Exception as exc:  # noqa: BLE001 - recorded, not hidden
                print(f"{name}: {type(exc).__name__}: {exc}")
                continue
        df = df.copy()
        df.attrs = {}
        df.to_parquet(out / f"{name}.parquet", index=False)
        print(f"{name}: {len(df)} rows")


def compare(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.glob("*.parquet")} | {p.name for p in new.glob("*.parquet")})
    n_diff = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'new' if b.exists() else 'old'}")
            n_diff += 1
            continue
        x, y = pd.read_parquet(a), pd.read_parquet(b)
        try:
            pd.testing.assert_frame_equal(x, y, check_dtype=False)
            print(f"{name}: equal ({len(x)} rows)")
            continue
        except AssertionError:
            pass
        n_diff += 1
        cols = [c for c in x.columns if c in y.columns]
        extra = sorted(set(x.columns) ^ set(y.columns))
        msg = [f"{name}: DIFFERS rows {len(x)} -> {len(y)}"]
        if extra:
            msg.append(f"columns only on one side {extra}")
        if len(x) == len(y):
            for c in cols:
                xs, ys = x[c].reset_index(drop=True), y[c].reset_index(drop=True)
                if xs.equals(ys):
                    continue
                if pd.api.types.is_numeric_dtype(xs) and pd.api.types.is_numeric_dtype(ys):
                    d = np.nanmax(np.abs(xs.to_numpy(float) - ys.to_numpy(float))) if len(xs) else 0.0
                    msg.append(f"{c}: max |diff| {d:.4g}")
                else:
                    msg.append(f"{c}: {int((xs.astype(str) != ys.astype(str)).sum())} cells differ")
        print("; ".join(msg))
    print(f"{n_diff} of {len(names)} outputs differ")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save")
    s.add_argument("out", type=Path)
    s.add_argument("--corpus", default="demo")
    s.add_argument("--cache-dir", default=None)
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "save":
        save(args.out, args.corpus, args.cache_dir)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
