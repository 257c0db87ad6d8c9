"""Target-dependent sentiment on NewsMTSC: the variants table (macro-F1 and accuracy on dev_mt, dev_rw).

Every threshold and model is fitted on ``train.jsonl`` only; dev is used for reporting.

    .venv/bin/python scripts/eval_targets.py            # Markdown table
    .venv/bin/python scripts/eval_targets.py --speed    # + µs per sentence / mention
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "newsmtsc"
sys.path.insert(0, str(REPO))

POLARITY = {2.0: 0, 4.0: 1, 6.0: 2}  # negative, neutral, positive


def load(name: str):
    """Rows (sentence, [(from, to)], [label 0/1/2]) of a nested NewsMTSC file."""
    rows = []
    with open(DATA / name, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            t = d["targets"]
            rows.append((d["sentence_normalized"], [(x["from"], x["to"]) for x in t],
                         [POLARITY[float(x["polarity"])] for x in t]))
    return rows


def macro_f1(y, p) -> float:
    y, p = np.asarray(y), np.asarray(p)
    f = []
    for c in (0, 1, 2):
        tp = np.sum((p == c) & (y == c))
        prec = tp / max(np.sum(p == c), 1)
        rec = tp / max(np.sum(y == c), 1)
        f.append(0 if prec + rec == 0 else 2 * prec * rec / (prec + rec))
    return float(np.mean(f))


def band_labels(scores, band):
    s = np.asarray(scores)
    return np.where(s >= band, 2, np.where(s <= -band, 0, 1))


def tune_band(scores, y):
    grid = np.round(np.arange(0.0, 0.96, 0.01), 2)
    f = [macro_f1(y, band_labels(scores, b)) for b in grid]
    return float(grid[int(np.argmax(f))])
