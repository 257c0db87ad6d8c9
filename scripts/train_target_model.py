"""Train the target-sentiment model shipped as ``newskit/data/target_model.json``.

Multinomial logistic regression (scikit-learn, lbfgs) over ``newskit.sentiment.target_features``,
trained on NewsMTSC ``train.jsonl`` only. Hyperparameters (C, class weighting, minimum feature
count) are chosen by 5-fold cross-validation on train, grouped by sentence (macro-F1). The JSON
holds the feature vocabulary, a (n_features, 3) weight matrix and the bias; inference in
``newskit.sentiment`` needs only numpy. Deterministic: fixed folds, deterministic solver.

    .venv/bin/python scripts/train_target_model.py [--out newskit/data/target_model.json] [--quick]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_targets import load, macro_f1  # noqa: E402

from newskit.sentiment import target_features  # noqa: E402

SEED = 0


def featurize(rows):
    feats, y, groups = [], [], []
    for g, (text, spans, labels) in enumerate(rows):
        for f, lab in zip(target_features(text, spans), labels):
            feats.append(f)
            y.append(lab)
            groups.append(g)
    return feats, np.array(y), np.array(groups)


def matrix(feats, vocab):
    from scipy import sparse

    indptr, idx = [0], []
    for f in feats:
        idx.extend(vocab[x] for x in f if x in vocab)
        indptr.append(len(idx))
    data = np.ones(len(idx))
    X = sparse.csr_matrix((data, np.array(idx, dtype=np.int64), np.array(indptr)), shape=(len(feats), len(vocab)))
    X.sum_duplicates()
    return X


def make_vocab(feats, min_count):
    c = Counter(x for f in feats for x in set(f))
    return {k: i for i, k in enumerate(sorted(k for k, v in c.items() if v >= min_count))}


def fit(X, y, C, balanced):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced" if balanced else None,
                             random_state=SEED)
    return clf.fit(X, y)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(REPO / "newskit" / "data" / "target_model.json"))
    ap.add_argument("--quick", action="store_true", help="skip cross-validation, use the stored defaults")
    args = ap.parse_args(argv)
    t0 = time.time()
    feats, y, groups = featurize(load("train.jsonl"))
    print(f"train: {len(y)} targets, featurised in {time.time() - t0:.1f}s", file=sys.stderr)
    grid = [(2, 0.05, True), (2, 0.1, True), (2, 0.2, True), (2, 0.1, False), (3, 0.1, True)]
    best = (2, 0.1, True)  # the cross-validated choice (used by --quick)
    if not args.quick:
        from sklearn.model_selection import GroupKFold

        folds = list(GroupKFold(n_splits=5).split(np.zeros(len(y)), y, groups))
        scores = {}
        for mc, C, bal in grid:
            f1 = []
            for tr, te in folds:
                vocab = make_vocab([feats[i] for i in tr], mc)
                clf = fit(matrix([feats[i] for i in tr], vocab), y[tr], C, bal)
                f1.append(macro_f1(y[te], clf.predict(matrix([feats[i] for i in te], vocab))))
            scores[(mc, C, bal)] = float(np.mean(f1))
            print(f"cv min_count={mc} C={C} balanced={bal}: macro-F1 {scores[(mc, C, bal)]:.4f}", file=sys.stderr)
        best = max(scores, key=scores.get)
    mc, C, bal = best
    vocab = make_vocab(feats, mc)
    clf = fit(matrix(feats, vocab), y, C, bal)
    W = clf.coef_.T  # (n_features, 3): columns negative, neutral, positive
    keep = np.abs(W).max(axis=1) > 1e-4
    names = sorted(vocab, key=vocab.get)
    out = {
        "meta": {"model": "multinomial logistic regression over newskit.sentiment.target_features",
                 "data": "NewsMTSC train.jsonl (Hamborg & Donnay 2021, MIT)", "classes": ["negative", "neutral", "positive"],
                 "min_count": mc, "C": C, "class_weight": "balanced" if bal else None, "seed": SEED,
                 "n_train": int(len(y)), "script": "scripts/train_target_model.py"},
        "features": [n for n, k in zip(names, keep) if k],
        "weights": [[round(float(v), 4) for v in row] for row in W[keep]],
        "bias": [round(float(v), 4) for v in clf.intercept_],
    }
    Path(args.out).write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {int(keep.sum())} features, {Path(args.out).stat().st_size / 1e6:.2f} MB "
          f"(min_count={mc}, C={C}, balanced={bal}) in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
