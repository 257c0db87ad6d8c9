"""Acceptance check on ../shared/data/corpus_ukraine (issue 5).

1. The weekly articles-per-outlet timeline equals the counts from the corpus's ``index.tsv``.
2. At least 90% of the mentions of Lysychansk fall between May and July 2022.
3. Weekly mention counts of Lysychansk agree with a plain text count of the name within 10%
   (over the weeks of the peak; the total too).
Also prints the peak weeks with their top headline and the most frequent event dates of Lysychansk.

Needs a full ``annotate`` of the corpus (~3–4 minutes on 2 cores the first time; cached afterwards).

Usage: ``.venv/bin/python scripts/check_lysychansk.py [corpus_dir] [--cache-dir DIR]``
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

import newskit  # noqa: E402
from newskit.analysis import event_timeline, peaks, timeline  # noqa: E402
from newskit._options import period_start  # noqa: E402

NAME = "Lysychansk"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "data" / "corpus_ukraine"))
    ap.add_argument("--cache-dir", default=None)
    args = ap.parse_args(argv)
    folder = Path(args.corpus)
    ok = True

    articles = newskit.load_corpus(folder)
    idx = pd.read_csv(folder / "index.tsv", sep="\t", dtype=str)
    idx["date"] = pd.to_datetime(idx["date"], format="%Y%m%d")
    idx["source"] = idx["url"].str.extract(r"https?://(?:www\.)?([^/:]+)", expand=False).str.lower()
    expected = idx.groupby([period_start(idx["date"], "W"), "source"]).size()
    t = timeline(articles, freq="W", by="source")
    got = t[t["value"] > 0].set_index(["period", "source"])["value"]
    expected.index.names = got.index.names
    same = got.sort_index().astype(int).equals(expected.sort_index().astype(int))
    print(f"[1] weekly articles per outlet: {len(got)} non-empty (week, outlet) cells, {int(got.sum())} articles; "
          f"index.tsv: {len(expected)} cells, {int(expected.sum())} rows — "
          f"{'identical' if same else 'DIFFERENT'}")
    ok &= same

    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ann = newskit.annotate(articles, cache_dir=args.cache_dir)
    print(f"    annotate: {time.time() - t0:.0f} s, {ann}")
    m = ann.mentions[ann.mentions["actor"] == NAME].merge(
        articles[["article_id", "date"]], on="article_id", how="left")
    in_window = m["date"].between("2022-05-01", "2022-07-31 23:59:59")
    share = in_window.mean() if len(m) else float("nan")
    print(f"[2] mentions of {NAME}: {len(m)}; May–July 2022: {int(in_window.sum())} ({share:.1%}) "
          f"— {'ok' if share >= 0.9 else 'FAIL'} (≥ 90%)")
    ok &= bool(share >= 0.9)

    weekly = timeline(ann, freq="W", metric="mentions", actors=[NAME])
    pat = re.compile(NAME)
    plain = articles.assign(n=articles["text"].map(lambda s: len(pat.findall(s)) if isinstance(s, str) else 0))
    plain = plain[plain["n"] > 0]
    pw = plain.groupby(period_start(plain["date"], "W"))["n"].sum()
    cmp = weekly.set_index("period")["value"].to_frame("annotated").join(pw.rename("plain"), how="outer").fillna(0)
    cmp = cmp[(cmp["annotated"] > 0) | (cmp["plain"] > 0)].astype(int)
    cmp["diff"] = (cmp["annotated"] - cmp["plain"]) / cmp["plain"].where(cmp["plain"] > 0)
    big = cmp[cmp["plain"] >= 10]
    worst = big["diff"].abs().max() if len(big) else 0.0
    total_diff = (cmp["annotated"].sum() - cmp["plain"].sum()) / max(1, cmp["plain"].sum())
    print(f"[3] weekly mentions vs plain text count of {NAME!r} (weeks with ≥ 10 plain hits: {len(big)}):")
    print(cmp.to_string(formatters={"diff": lambda v: "" if pd.isna(v) else f"{v:+.1%}"}))
    within = bool(worst <= 0.10 and abs(total_diff) <= 0.10)
    print(f"    total: annotated {cmp['annotated'].sum()}, plain {cmp['plain'].sum()} ({total_diff:+.1%}); "
          f"worst week (≥ 10 hits) {worst:+.1%} — {'ok' if within else 'FAIL'} (within 10%)")
    ok &= within

    pk = peaks(timeline(ann, freq="W", metric="mentions", actors=[NAME]), top=3, articles=ann)
    print("\nPeak weeks of", NAME)
    print(pk.to_string(index=False))
    by_src = timeline(ann, freq="W", by="source", metric="mentions", actors=[NAME])
    top_week = pk["period"].iloc[0]
    print("\nWho drove the peak week:")
    print(by_src[by_src["period"] == top_week].sort_values("value", ascending=False).to_string(index=False))
    ev = event_timeline(ann, actors=[NAME])
    day = ev[ev["granularity"] == "day"]
    print(f"\nEvent dates in sentences naming {NAME}: {len(ev)} ({len(day)} day-level); "
          f"median lag {day['lag_days'].median():.0f} days; most frequent event days:")
    print(day["event_date"].value_counts().head(5).to_string())
    print("\nALL OK" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
