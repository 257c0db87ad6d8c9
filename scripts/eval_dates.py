"""Accuracy of ``newskit.dates.resolve_dates`` on the hand-made test set ``tests/data/event_dates.tsv``.

Each gold row is one date expression of a sentence (sentences without a date have an empty
expression). A gold expression is *correct* when a predicted expression overlaps it with the same
date and granularity, *wrong* when it overlaps with another date, a *miss* when nothing overlaps.
Predicted expressions overlapping no gold expression are *false positives*.

Usage: ``.venv/bin/python scripts/eval_dates.py [path.tsv] [-v]``
"""
from __future__ import annotations

import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newskit.dates import _find, _to_date  # noqa: E402

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def pattern_type(expr: str, gran: str) -> str:
    e = expr.lower()
    if any(w in e for w in WEEKDAYS) and not any(c.isdigit() for c in e):
        return "weekday"
    if e in ("yesterday", "today", "tonight", "tomorrow", "last night") or e.endswith("ago"):
        return "relative day"
    if gran in ("week", "month", "year") and any(e.startswith(p) for p in ("last ", "this ", "next ")):
        return f"relative {gran}"
    if gran == "year":
        return "year"
    if gran == "month":
        return "month"
    if any(c.isdigit() for c in e) and any(str(y) in e for y in range(1900, 2100)):
        return "explicit date with year"
    return "explicit date without year"


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    path = Path(args[0]) if args else REPO / "tests" / "data" / "event_dates.tsv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_sent: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        by_sent[(r["sentence"], r["published"])].append(r)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # correct, wrong, miss, total
    false_pos = []
    negatives = 0
    t0 = time.perf_counter()
    for (sent, pub), gold in by_sent.items():
        pred = _find(sent, _to_date(pub))
        used = set()
        for g in gold:
            if not g["expression"]:
                negatives += 1
                continue
            gs = sent.index(g["expression"])
            ge = gs + len(g["expression"])
            ptype = pattern_type(g["expression"], g["granularity"])
            hit = [i for i, p in enumerate(pred) if p[0] < ge and gs < p[1]]
            for key in ("all", ptype):
                stats[key][3] += 1
            if not hit:
                status = "miss"
            else:
                used.update(hit)
                p = pred[hit[0]]
                ok = p[3].isoformat() == g["gold_date"] and p[4] == g["granularity"]
                status = "correct" if ok else "wrong"
            idx = {"correct": 0, "wrong": 1, "miss": 2}[status]
            for key in ("all", ptype):
                stats[key][idx] += 1
            if verbose and status != "correct":
                got = f"{pred[hit[0]][2]!r} → {pred[hit[0]][3]} {pred[hit[0]][4]}" if hit else "nothing"
                print(f"{status.upper():7} [{pub}] {sent}\n        gold {g['expression']!r} → "
                      f"{g['gold_date']} {g['granularity']}; got {got}")
        for i, p in enumerate(pred):
            if i not in used:
                false_pos.append((pub, sent, p))
    elapsed = time.perf_counter() - t0
    print(f"{len(rows)} rows, {len(by_sent)} sentences, {stats['all'][3]} gold expressions, "
          f"{negatives} sentences without a date\n")
    print(f"{'pattern':28} {'n':>4} {'correct':>8} {'wrong':>6} {'miss':>5} {'accuracy':>9}")
    order = ["all", "weekday"] + sorted(k for k in stats if k not in ("all", "weekday"))
    for k in order:
        c, w, m, n = stats[k]
        print(f"{k:28} {n:4d} {c:8d} {w:6d} {m:5d} {c / n:9.1%}")
    print(f"\nfalse positives: {len(false_pos)}")
    for pub, sent, p in false_pos:
        print(f"  [{pub}] {p[2]!r} → {p[3]} {p[4]}   in: {sent}")
    from newskit.dates import _far_past
    far = sum(_far_past(p[3], _to_date(pub)) for (sent, pub) in by_sent for p in _find(sent, _to_date(pub)))
    print(f"\nflagged far_past (more than 10 years before publication): {far}")
    print("\nThe set was written alongside the resolver: 100 % here is a regression check, not an estimate.")
    print(f"\n{elapsed * 1e6 / len(by_sent):.1f} µs per sentence")
    weekday_acc = stats["weekday"][0] / max(1, stats["weekday"][3])
    return 0 if weekday_acc >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
