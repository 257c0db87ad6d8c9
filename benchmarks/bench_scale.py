"""Analyses at 100k–1M articles: synthetic parts built by repeating real annotations, each analysis timed
in its own process with its peak memory.

    python benchmarks/bench_scale.py --base ANNOTATIONS --out /work/scale-data/p1m --articles 1000000

``--base`` is an annotations folder (``newskit annotate CORPUS DIR``, e.g. of corpus_ukraine). Copy ``k``
of it gets article ids ``<id>~<k>`` and publication dates shifted by ``7·(k mod 52)`` days (no NER is
run: the tables are rewritten with new ids, so building is fast); copies are written as parts of
``--part-size`` articles. Each analysis then runs in a fresh Python process (``--run NAME``) on a
:class:`newskit.analysis.parquet.PartsFolder`; the peak RSS printed is that process's ``VmHWM`` plus the
largest ``VmHWM`` of its children (DuckDB runs in-process; there are none unless Dask is used).
Nothing of the data is written into the repository; delete ``--out`` when done.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ANALYSES = {
    "entity_frequency(by='outlet')": ("entity_frequency", {"by": "outlet"}),
    "entity_frequency()": ("entity_frequency", {}),
    "timeline(freq='W', by='actor')": ("timeline", {"freq": "W", "by": "actor", "metric": "mentions"}),
    "timeline(freq='D', by='outlet')": ("timeline", {"freq": "D", "by": "outlet"}),
    "timeline(metric='sentiment', by='actor', freq='W')": ("timeline", {"freq": "W", "by": "actor", "metric": "sentiment"}),
    "cooccurrence()": ("cooccurrence", {}),
    "actor_sentiment()": ("actor_sentiment", {}),
    "actor_sentiment(by='outlet')": ("actor_sentiment", {"by": "outlet"}),
    "compare_sources(TOP, by='outlet')": ("compare_sources", {"by": "outlet"}),
    "kwic(TOP, top=20, spread=True)": ("kwic", {"top": 20, "spread": True}),
    "event_timeline(actors=[TOP])": ("event_timeline", {}),
    "quote_frequency(by='outlet')": ("quote_frequency", {"by": "outlet"}),
    "who_talks_about_whom()": ("who_talks_about_whom", {}),
}


def vmhwm_kb(pid: int | str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def build(base: Path, out: Path, n_articles: int, part_size: int) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = {t: pd.read_parquet(base / t) for t in ("articles", "sentences", "mentions", "dates", "quotes")
              if (base / t).is_dir()}
    n0 = len(tables["articles"])
    copies = -(-n_articles // n0)
    for t in tables:
        (out / t).mkdir(parents=True, exist_ok=True)
    per_part = max(1, part_size // n0)
    part, k = 0, 0
    t0 = time.time()
    while k < copies:
        ks = list(range(k, min(copies, k + per_part)))
        for t, df in tables.items():
            frames = []
            for c in ks:
                d = df if t != "articles" else df
                if t == "articles" and c == copies - 1:  # the last copy fills up to n_articles exactly
                    d = df.head(n_articles - c * n0)
                elif t != "articles" and c == copies - 1:
                    keep = set(tables["articles"].head(n_articles - c * n0)["article_id"])
                    d = df[df["article_id"].isin(keep)]
                d = d.assign(article_id=d["article_id"].astype(str) + f"~{c}")
                shift = pd.Timedelta(days=7 * (c % 52))
                if "date" in d.columns:
                    d = d.assign(date=d["date"] + shift)
                frames.append(d)
            pq.write_table(pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False),
                           out / t / f"part-{part:05d}.parquet")
        part += 1
        k += len(ks)
        print(f"\rbuilt {min(k * n0, n_articles):,} / {n_articles:,} articles ({time.time() - t0:.0f} s)",
              end="", file=sys.stderr)
    print(file=sys.stderr)
    meta = json.loads((base / "meta.json").read_text()) if (base / "meta.json").exists() else {}
    meta.update({"synthetic": f"{copies} copies of {base}", "n_articles": n_articles})
    (out / "meta.json").write_text(json.dumps(meta, indent=2, default=str))


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants (kernels included), summed."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for t in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (t / "children").read_text().split())
        except OSError:
            pass
    return total


def run_report(folder: Path, out: Path, jobs: int | None, notebooks: list[str] | None = None) -> dict:
    """``newskit report --annotations FOLDER``: wall time and the peak of the process tree's summed RSS
    (sampled every 0.5 s: the command, its kernels and their children)."""
    cmd = [sys.executable, "-m", "newskit.cli", "report", "--annotations", str(folder), "-o", str(out),
           "--no-widgets", "--quiet", "--overwrite",
           "--notebooks-dir", str(Path(__file__).resolve().parents[1] / "notebooks")] + (["--jobs", str(jobs)] if jobs else []) \
        + (["--notebooks", *notebooks] if notebooks else [])
    t0 = time.time()
    proc = subprocess.Popen(cmd)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.5)
    return {"analysis": "newskit report --annotations", "seconds": round(time.time() - t0, 1),
            "exit": proc.returncode, "peak_rss_tree_mb": round(peak / 1024)}


def run_one(folder: Path, name: str) -> dict:
    import newskit.analysis as na
    from newskit.analysis.parquet import PartsFolder

    fn_name, kw = ANALYSES[name]
    pf = PartsFolder(folder, memory_limit=os.environ.get("NEWSKIT_DUCKDB_MEMORY", "1GB"))
    t0 = time.perf_counter()
    if fn_name in ("compare_sources", "kwic", "event_timeline"):
        top = na.entity_frequency(pf, top=1)["actor"].iloc[0]
        if fn_name == "event_timeline":
            kw = dict(kw, actors=[top])
        out = getattr(na, fn_name)(pf, top, **kw) if fn_name != "event_timeline" else na.event_timeline(pf, **kw)
    else:
        out = getattr(na, fn_name)(pf, **kw)
    secs = time.perf_counter() - t0
    pf.close()
    return {"analysis": name, "seconds": round(secs, 2), "rows": len(out), "peak_rss_mb": round(vmhwm_kb() / 1024)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, help="annotations folder to repeat (newskit annotate CORPUS DIR)")
    ap.add_argument("--out", type=Path, required=True, help="where the synthetic parts go (not the repository)")
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--part-size", type=int, default=20_000)
    ap.add_argument("--only", nargs="*", help="names of analyses to time (default: all)")
    ap.add_argument("--report", type=Path, metavar="DIR",
                    help="also time `newskit report --annotations OUT -o DIR` (whole report, process-tree RSS)")
    ap.add_argument("--jobs", type=int, default=None, help="notebooks at once for --report (default: the report's)")
    ap.add_argument("--notebooks", nargs="+", default=None, help="notebooks of --report (default: all)")
    ap.add_argument("--run", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_one(args.out, args.run)))
        return 0
    if not (args.out / "articles").is_dir():
        if args.base is None:
            ap.error("--base is needed to build --out")
        t0 = time.time()
        build(args.base, args.out, args.articles, args.part_size)
        print(f"built {args.articles:,} articles in {time.time() - t0:.0f} s", flush=True)
    size = sum(f.stat().st_size for f in args.out.rglob("*.parquet"))
    print(f"{args.out}: {size / 1e9:.2f} GB of Parquet", flush=True)
    results = []
    for name in (args.only if args.only is not None else ANALYSES):
        t0 = time.time()
        proc = subprocess.Popen([sys.executable, __file__, "--out", str(args.out), "--run", name],
                                stdout=subprocess.PIPE, text=True)
        peak_children = 0
        while proc.poll() is None:
            time.sleep(0.2)
            try:  # children of the analysis process (none with DuckDB; workers with Dask)
                kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
                peak_children = max([peak_children] + [vmhwm_kb(k) for k in kids])
            except OSError:
                pass
        out = proc.stdout.read()
        if proc.returncode != 0:
            print(f"{name}: FAILED (exit {proc.returncode})", flush=True)
            results.append({"analysis": name, "failed": proc.returncode})
            continue
        r = json.loads(out.strip().splitlines()[-1])
        r["peak_rss_tree_mb"] = r["peak_rss_mb"] + round(peak_children / 1024)
        r["wall_s"] = round(time.time() - t0, 1)
        results.append(r)
        print(f"{name:55s} {r['seconds']:8.1f} s  peak RSS {r['peak_rss_tree_mb']:6,} MB  ({r['rows']:,} rows)",
              flush=True)
    if args.report:
        r = run_report(args.out, args.report, args.jobs, args.notebooks)
        results.append(r)
        print(f"{r['analysis']:55s} {r['seconds']:8.1f} s  peak RSS {r['peak_rss_tree_mb']:6,} MB  (exit {r['exit']})",
              flush=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
