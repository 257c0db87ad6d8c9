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


def speed(n_articles: int = 80, repeats: int = 3) -> dict:
    """CPU µs per word of spaCy NER vs sentence_sentiment + score_mentions on real news articles."""
    from newskit.entities import load_model
    from newskit.sentiment import score_mentions, sentence_sentiment
    from newskit.text import sentence_spans
    import pandas as pd

    files = sorted((SHARED / "data" / "corpus_ukraine").glob("*.txt"))[:: max(1, 2936 // n_articles)][:n_articles]
    texts = ["\n".join(f.read_text(encoding="utf-8").splitlines()[3:]) for f in files]
    n_words = sum(len(t.split()) for t in texts)
    nlp = load_model()
    docs = list(nlp.pipe(texts[:5]))  # warm-up
    batches = []
    for aid, (text, doc) in enumerate(zip(texts, nlp.pipe(texts))):
        spans = sentence_spans(text)
        sents = pd.DataFrame({"article_id": str(aid), "sent_id": range(len(spans)),
                              "start": [s for s, _ in spans], "end": [e for _, e in spans],
                              "text": [text[s:e] for s, e in spans]})
        import bisect

        starts = [s for s, _ in spans]
        rows = []
        for ent in doc.ents:
            i = bisect.bisect_right(starts, ent.start_char) - 1
            if i >= 0 and ent.end_char <= spans[i][1]:
                rows.append((str(aid), i, ent.start_char, ent.end_char))
        ments = pd.DataFrame(rows, columns=["article_id", "sent_id", "start", "end"])
        batches.append((sents, ments))
    t_ner = t_sent = t_ment = 0.0
    for _ in range(repeats):
        t = time.process_time()
        for doc in nlp.pipe(texts, batch_size=32):
            pass
        t_ner += time.process_time() - t
        for sents, ments in batches:
            t = time.process_time()
            sc = sentence_sentiment(sents["text"].tolist())
            t_sent += time.process_time() - t
            s2 = pd.concat([sents, sc], axis=1)
            t = time.process_time()
            score_mentions(s2, ments)
            t_ment += time.process_time() - t
    n_sent = sum(len(s) for s, _ in batches)
    n_ment = sum(len(m) for _, m in batches)
    r = repeats
    return {"articles": len(texts), "words": n_words, "sentences": n_sent, "mentions": n_ment,
            "ner_us_per_word": t_ner / r / n_words * 1e6,
            "sentiment_us_per_sentence": t_sent / r / n_sent * 1e6,
            "sentiment_us_per_word": t_sent / r / n_words * 1e6,
            "mention_us_per_mention": t_ment / r / max(n_ment, 1) * 1e6,
            "mention_us_per_word": t_ment / r / n_words * 1e6,
            "overhead_share_of_ner": (t_sent + t_ment) / t_ner}
