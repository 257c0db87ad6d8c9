"""Reproduce VADER on the NYT editorial snippets (Hutto & Gilbert 2014, Table 3).

Reads ``../shared/data/vader_groundtruth/nytEditorialSnippets_GroundTruth.txt`` (CRLF; id, mean
human rating on -4..+4, sentence), scores each sentence with ``newskit.sentence_sentiment``
(NLTK's VADER with the vaderSentiment lexicon) and prints

* Pearson r between the compound score and the mean human rating (paper: 0.492);
* 3-class F1: support-weighted (the paper's "overall" figures are read as class-weighted
  averages; they report F1 0.55 for this set) and macro, plus accuracy. Classes use VADER's documented convention, applied to both
  sides: positive when the value >= 0.05, negative when <= -0.05, else neutral — for the
  compound score, and for the human mean rating (on its own -4..+4 scale).

    .venv/bin/python scripts/vader_nyt.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
sys.path.insert(0, str(REPO))


def classes(x, t: float = 0.05):
    x = np.asarray(x, dtype=float)
    return np.where(x >= t, 2, np.where(x <= -t, 0, 1))


def prf(y, p) -> dict:
    """Per-class precision/recall/F1 with macro and support-weighted averages."""
    P, R, F, n = [], [], [], []
    for c in (0, 1, 2):
        tp = np.sum((p == c) & (y == c))
        prec = tp / max(np.sum(p == c), 1)
        rec = tp / max(np.sum(y == c), 1)
        P.append(prec), R.append(rec), n.append(np.sum(y == c))
        F.append(0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec))
    w = np.array(n) / max(sum(n), 1)
    return {"f1": F, "macro_f1": float(np.mean(F)), "weighted_p": float(w @ P), "weighted_r": float(w @ R),
            "weighted_f1": float(w @ F)}


def main() -> int:
    from newskit.sentiment import sentence_sentiment

    path = SHARED / "data" / "vader_groundtruth" / "nytEditorialSnippets_GroundTruth.txt"
    if not path.exists():
        print(f"{path} not found (../shared beside the checkout)", file=sys.stderr)
        return 1
    ids, ratings, texts = [], [], []
    with open(path, encoding="utf-8", newline=None) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            i, r, t = line.split("\t", 2)
            ids.append(i), ratings.append(float(r)), texts.append(t)
    y = np.array(ratings)
    c = sentence_sentiment(texts)["compound"].to_numpy()
    r = float(np.corrcoef(c, y)[0, 1])
    yc, pc = classes(y), classes(c)
    m = prf(yc, pc)
    per = m["f1"]
    print(f"NYT editorial snippets: n = {len(y)}")
    print(f"Pearson r (compound vs mean human rating): {r:.4f}   (paper: 0.492)")
    print(f"3-class F1, support-weighted: {m['weighted_f1']:.3f} (precision {m['weighted_p']:.3f}, "
          f"recall {m['weighted_r']:.3f}); macro-F1 {m['macro_f1']:.3f}; accuracy {np.mean(yc == pc):.3f}")
    print(f"per-class F1 neg/neu/pos: {per[0]:.3f} / {per[1]:.3f} / {per[2]:.3f}")
    print("classes: value >= 0.05 positive, <= -0.05 negative, else neutral (compound; human mean rating)")
    print(f"class counts (human): neg {np.sum(yc == 0)}, neu {np.sum(yc == 1)}, pos {np.sum(yc == 2)}")
    return 0 if r >= 0.49 else 2


if __name__ == "__main__":
    raise SystemExit(main())
