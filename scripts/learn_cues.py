"""Cue phrases learned from PolNeAR **train** counts (the source of ``newskit.quotes.LEARNED_CUES``).

For every gold attribution of ``polnear/train`` whose cue is one contiguous span of 1–4 words, the
lower-cased cue text is a candidate. Each candidate is then searched in all train article bodies
(word boundaries, inside quotation marks too); its *precision* is the share of its
occurrences that are a gold cue span at that very position, and its *after share* the share of those
gold relations whose content starts after the cue (the layout a cue verb's rule handles:
``X <cue> <content>``). Candidates already covered by ``CUE_VERBS`` / ``CUE_PHRASES`` /
``according to`` (without ``LEARNED_CUES``, which this script lists) are left out. The dev and test
splits are not read.

Usage::

    .venv/bin/python scripts/learn_cues.py [--min-count 4] [--min-precision 0.4] [--min-after 0.8]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

POLNEAR = REPO.parent / "shared" / "data" / "polnear" / "train"


def main(argv: list[str]) -> int:
    from newskit.corpus import load_corpus
    from newskit.quotes import CUE_PHRASES, CUE_VERBS, LEARNED_CUES

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-count", type=int, default=4)
    ap.add_argument("--min-precision", type=float, default=0.4)
    ap.add_argument("--min-after", type=float, default=0.8)
    a = ap.parse_args(argv)
    if not POLNEAR.exists():
        print(f"{POLNEAR} is absent (../shared is not available here)", file=sys.stderr)
        return 2
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arts = load_corpus(POLNEAR / "native")
    text_of = {Path(str(p)).name: t for p, t in zip(arts["path"], arts["text"])}
    gold_at: dict[str, set] = defaultdict(set)  # cue key → {(file, start)}
    after: Counter = Counter()
    with open(POLNEAR / "attributions.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if len(r["cue"]) != 1 or r["file"] not in text_of:
                continue
            s, e, t = r["cue"][0]
            key = " ".join(t.lower().split())
            if not re.fullmatch(r"[a-z]+(?: [a-z]+){0,3}", key):
                continue
            gold_at[key].add((r["file"], s))
            if r["content"] and min(cs for cs, _, _ in r["content"]) >= e:
                after[key] += 1
    known = set(CUE_VERBS - LEARNED_CUES) | {f"{v} {p}" for v, ps in CUE_PHRASES.items() for p in ps} | {"according to"}
    from newskit.quotes import _AUX_WORDS

    def covered(key: str) -> bool:  # "has also said": auxiliaries / adverbs before a known cue
        w = key.split()
        for i in range(len(w)):
            if " ".join(w[i:]) in known and all(x in _AUX_WORDS for x in w[:i]):
                return True
        return False
    rows = []
    for key, pos in gold_at.items():
        if len(pos) < a.min_count or covered(key):
            continue
        pat = re.compile(r"\b" + r"\s+".join(map(re.escape, key.split())) + r"\b", re.I)
        n = sum(1 for file, t in text_of.items() for _ in pat.finditer(t))
        hits = sum(1 for file, t in text_of.items() for m in pat.finditer(t) if (file, m.start()) in pos)
        p = hits / n if n else 0.0
        aft = after[key] / len(pos)
        if p >= a.min_precision and aft >= a.min_after:
            rows.append((key, len(pos), n, p, aft))
    rows.sort(key=lambda r: (-r[1], r[0]))
    for key, g, n, p, aft in rows:
        print(f"{key!r:32s} gold {g:4d}  occurrences {n:5d}  precision {p:.2f}  content after {aft:.2f}")
    print(f"{len(rows)} cue phrases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
