"""Target-dependent sentiment on NewsMTSC: the variants table (macro-F1 and accuracy on dev_mt, dev_rw).

Every threshold and model is fitted on ``train.jsonl`` only; dev is used for reporting.

    .venv/bin/python scripts/eval_targets.py            # Markdown table
    .venv/bin/python scripts/eval_targets.py --speed    # + µs per sentence / mention, transformer seq/s
    .venv/bin/python scripts/eval_targets.py --no-ablations --transformer /tmp/tt   # + every model_*.onnx there
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
    """CPU µs per word of spaCy NER vs sentence_sentiment + score_mentions on real news articles.

    The two sentiment steps are called once for the whole partition (all articles' sentences and
    mentions), as ``newskit.entities.annotate_partition`` does; NER and sentiment are timed in
    alternation so that machine load affects both alike.
    """
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
    all_sents = pd.concat([s for s, _ in batches], ignore_index=True)
    all_ments = pd.concat([m for _, m in batches], ignore_index=True)
    t_ner = t_sent = t_ment = 0.0
    for _ in range(repeats):
        t = time.process_time()
        for doc in nlp.pipe(texts, batch_size=32):
            pass
        t_ner += time.process_time() - t
        # one call per partition, as entities.annotate_partition does
        t = time.process_time()
        sc = sentence_sentiment(all_sents["text"].tolist())
        t_sent += time.process_time() - t
        s2 = pd.concat([all_sents, sc], axis=1)
        t = time.process_time()
        score_mentions(s2, all_ments)
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


def transformer_speed(n_articles: int = 80, threads: int = 1) -> dict:
    """Throughput of the shipped transformer on the mention-bearing sentences of corpus_ukraine.

    spaCy NER on a sample of ``n_articles`` articles (every 36th file) gives the sentences with at
    least one entity mention and their mentions; every (sentence, mention) is scored once with
    ``threads`` intra-op threads. The whole-corpus time is extrapolated from the corpus's sentence
    count (``sentence_spans`` over every article) times the sample's share of sentences with mentions.
    """
    import bisect

    from newskit.entities import load_model
    from newskit.text import sentence_spans
    from newskit.sentiment.transformer import TransformerTargetModel

    all_files = sorted((SHARED / "data" / "corpus_ukraine").glob("*.txt"))
    files = all_files[:: max(1, len(all_files) // n_articles)][:n_articles]
    texts = ["\n".join(f.read_text(encoding="utf-8").splitlines()[3:]) for f in files]
    nlp = load_model()
    n_sent_sample, sents, spans = 0, [], []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=32)):
        ss = sentence_spans(text)
        n_sent_sample += len(ss)
        starts = [a for a, _ in ss]
        for ent in doc.ents:
            i = bisect.bisect_right(starts, ent.start_char) - 1
            if i >= 0 and ent.end_char <= ss[i][1]:
                a = ss[i][0]
                sents.append(text[a:ss[i][1]])
                spans.append((ent.start_char - a, ent.end_char - a))
    n_with = len(set(sents))
    m = TransformerTargetModel(threads=threads)
    m.predict_proba(sents[:32], spans[:32])  # warm-up
    t, w = time.process_time(), time.perf_counter()
    m.predict_proba(sents, spans)
    cpu, wall = time.process_time() - t, time.perf_counter() - w
    n_corpus = sum(len(sentence_spans("\n".join(f.read_text(encoding="utf-8").splitlines()[3:])))
                   for f in all_files)
    share = n_with / max(n_sent_sample, 1)
    seq_per_cpu_s = (n_with if m.mode == "span" else len(sents)) / cpu
    return {"articles": len(texts), "sentences": n_sent_sample, "sentences_with_mentions": n_with,
            "mentions": len(sents), "mentions_per_sentence": len(sents) / max(n_with, 1),
            "cpu_seconds": cpu, "wall_seconds": wall, "threads": threads, "mode": m.mode,
            "sequences_per_cpu_s": seq_per_cpu_s, "mentions_per_cpu_s": len(sents) / cpu,
            "sentences_per_cpu_s": n_with / cpu, "corpus_articles": len(all_files),
            "corpus_sentences": n_corpus, "share_with_mentions": share,
            "corpus_estimate_cpu_s": n_corpus * share / (n_with / cpu)}


# --------------------------------------------------------------------------- variants
def thresholds(scores, y):
    """Two thresholds (negative <= lo, positive >= hi) maximising macro-F1 on train."""
    s = np.asarray(scores, dtype=float)
    grid = np.round(np.arange(-0.95, 0.96, 0.01), 2)
    best = (-1.0, 0.0, 0.0)
    for lo in grid:
        neg = s <= lo
        for hi in grid[grid > lo]:
            p = np.where(s >= hi, 2, np.where(neg, 0, 1))
            f = macro_f1(y, p)
            if f > best[0]:
                best = (f, float(lo), float(hi))
    return best[1], best[2]


def apply_thresholds(scores, lo, hi):
    s = np.asarray(scores, dtype=float)
    return np.where(s >= hi, 2, np.where(s <= lo, 0, 1))


_SPEECH = {"said", "says", "told", "tells", "say", "added", "wrote", "writes", "argued", "claimed", "stated",
           "explained", "insisted", "according", "announced", "tweeted", "asked"}
_VICTIM_CUES = {"against", "on", "attacked", "attacking", "attack", "targeted", "killed", "hit", "blamed",
                "accused", "criticized", "criticised", "slammed", "condemned", "sued", "charged", "investigate",
                "investigating", "fired", "impeach", "impeached", "targeting", "blasted"}


class Heuristics:
    """Lexicon scores per target (VADER compound of a part of the sentence) for the variants table."""

    def __init__(self):
        from newskit.sentiment.features import _clauses
        from newskit.sentiment.vader import _analyzer

        self.A = _analyzer()
        self.clauses = _clauses

    def prep(self, text):
        A = self.A
        words, starts, ends = A.tokens(text)
        (compound, *_), lows, vals = A.analyse(text, words)
        return words, starts, ends, lows, vals, compound

    @staticmethod
    def tok_range(starts, ends, a, b):
        import bisect

        i0 = bisect.bisect_right(ends, a)
        i1 = max(bisect.bisect_left(starts, b) - 1, i0 - 1)
        return i0, i1

    def sentence(self, text, spans):
        c = self.A.scores(text)[0]
        return [c] * len(spans)

    def window(self, text, spans, k=6):
        words, starts, ends, *_ = self.prep(text)
        out = []
        for a, b in spans:
            i0, i1 = self.tok_range(starts, ends, a, b)
            lo, hi = max(i0 - k, 0), min(i1 + k, len(words) - 1)
            seg = text[starts[lo]:ends[hi]] if words else text
            out.append(self.A.scores(seg)[0])
        return out

    def clause(self, text, spans, *, negation_scope=False, victim=False, speech=False, multi=False):
        words, starts, ends, lows, vals, compound = self.prep(text)
        n = len(words)
        if n == 0:
            return [0.0] * len(spans)
        cid = self.clauses(text, lows, starts, ends)
        ranges = [self.tok_range(starts, ends, a, b) for a, b in spans]
        out = []
        for j, (i0, i1) in enumerate(ranges):
            c = cid[min(max(i0, 0), n - 1)]
            ks = [k for k in range(n) if cid[k] == c]
            lo_k, hi_k = ks[0], ks[-1]
            if multi:  # stop at the midpoint to the neighbouring targets in the clause
                for (o0, o1) in ranges[:j] + ranges[j + 1:]:
                    if lo_k <= o1 < i0:
                        lo_k = max(lo_k, (o1 + i0) // 2 + 1)
                    if i1 < o0 <= hi_k:
                        hi_k = min(hi_k, (i1 + o0) // 2)
            if speech:  # "X said ...": the complement is X's voice, score only the frame
                nxt = [lows[k].strip(".,") for k in range(i1 + 1, min(i1 + 3, n))]
                prv = [lows[k] for k in range(max(i0 - 2, 0), i0)]
                if any(w in _SPEECH for w in nxt) or "according" in prv:
                    hi_k = min(hi_k, i1 + 2)
            seg = text[starts[lo_k]:ends[hi_k]]
            score = self.A.scores(seg)[0]
            if negation_scope:  # a negator anywhere before the sentiment words of the clause flips them
                seg_words = lows[lo_k:hi_k + 1]
                neg_at = [k for k, w in enumerate(seg_words) if w in ("not", "never", "no") or w.endswith("n't")]
                if neg_at and any(vals is not None and vals[lo_k + k] for k in range(neg_at[0] + 4, len(seg_words))):
                    score = -0.74 * score
            if victim:  # the target is the object of a negative act: the negativity is about the agent
                prev = [lows[k] for k in range(max(i0 - 3, 0), i0)]
                if any(w in _VICTIM_CUES for w in prev) and score < 0:
                    score = 0.3 * score
            out.append(score)
        return out


def model_predict(rows):
    """Labels from the public ``score_targets`` (texts > 600 characters are split into sentences first)."""
    from newskit.sentiment import score_targets

    lab = [x for t, s, _ in rows for x in score_targets(t, s)["sentiment"]]
    return np.array([{"negative": 0, "neutral": 1, "positive": 2}[x] for x in lab])


def labels_of(rows):
    return np.array([l for _, _, ls in rows for l in ls])


def transformer_models(extra_dirs=()):
    """(row name, model) for the shipped transformer and every ``model_*.onnx`` in ``extra_dirs``."""
    from newskit.sentiment.transformer import MODEL_DIR, TransformerTargetModel

    out = []
    if (MODEL_DIR / "model.json").exists():
        m = TransformerTargetModel()
        out.append((f"**transformer {m.meta.get('encoder', '').split(' (')[0]}, {m.mode} pooling, "
                    f"{m.meta.get('variant', '?')} (shipped, {m.onnx_path.stat().st_size / 1e6:.0f} MB)**", m))
    for d in extra_dirs:
        for f in sorted(Path(d).glob("model_*.onnx")):
            m = TransformerTargetModel(d, onnx_file=f.name)
            out.append((f"transformer {m.meta.get('encoder', '').split(' (')[0]}, {m.mode} pooling, "
                        f"{f.stem.split('_', 1)[1]} ({f.stat().st_size / 1e6:.0f} MB, {d})", m))
    return out


def transformer_predict(model, rows):
    sents = [t for t, s, _ in rows for _ in s]
    spans = [x for _, s, _ in rows for x in s]
    return model.predict_proba(sents, spans).argmax(1)


def variants_table(ablations: bool = True, transformer_dirs=()) -> str:
    train, dev_mt, dev_rw = load("train.jsonl"), load("dev_mt.jsonl"), load("dev_rw.jsonl")
    y_tr, y_mt, y_rw = labels_of(train), labels_of(dev_mt), labels_of(dev_rw)
    H = Heuristics()
    results = []

    def add(name, p_mt, p_rw, note=""):
        results.append((name, macro_f1(y_mt, p_mt), float(np.mean(y_mt == p_mt)),
                        macro_f1(y_rw, p_rw), float(np.mean(y_rw == p_rw)), note))

    def lexicon_variant(name, fn, note=""):
        sc = {k: np.array([x for t, s, _ in rows for x in fn(t, s)]) for k, rows in
              (("tr", train), ("mt", dev_mt), ("rw", dev_rw))}
        lo, hi = thresholds(sc["tr"], y_tr)
        add(name, apply_thresholds(sc["mt"], lo, hi), apply_thresholds(sc["rw"], lo, hi),
            f"thresholds {lo:+.2f} / {hi:+.2f}" + (f"; {note}" if note else ""))

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as VS

        vs = VS()
        lexicon_variant("sentence VADER (vaderSentiment package) + tuned band — issue baseline",
                        lambda t, s: [vs.polarity_scores(t)["compound"]] * len(s))
    except ImportError:  # pragma: no cover
        pass
    lexicon_variant("sentence VADER (NLTK, pipeline's `sentence_sentiment`) + tuned band", H.sentence)
    lexicon_variant("window ±6 words around the target, VADER", lambda t, s: H.window(t, s, 6))
    lexicon_variant("window ±3 words around the target, VADER", lambda t, s: H.window(t, s, 3))
    lexicon_variant("clause containing the target, VADER", H.clause)
    lexicon_variant("clause + clause-wide negation scope", lambda t, s: H.clause(t, s, negation_scope=True))
    lexicon_variant("clause + victim heuristic (after against/on/attacked… → damped)",
                    lambda t, s: H.clause(t, s, victim=True))
    lexicon_variant("clause + reported speech (\"X said …\": complement not scored for X)",
                    lambda t, s: H.clause(t, s, speech=True))
    lexicon_variant("clause + multi-target split (segment up to the midpoint to other targets)",
                    lambda t, s: H.clause(t, s, multi=True))
    lexicon_variant("clause + negation + victim + speech + multi-target",
                    lambda t, s: H.clause(t, s, negation_scope=True, victim=True, speech=True, multi=True))
    if ablations:
        import train_target_model as T

        feats, y, _ = T.featurize(train)
        dev_feats = {k: T.featurize(rows)[0] for k, rows in (("mt", dev_mt), ("rw", dev_rw))}
        groups = {
            "model ablation: VADER/position/quote features only (no words)":
                lambda f: not f.startswith(("B|", "S|", "N|", "A|", "KW|")),
            "model ablation: words only (bag, side, near, adjacent; target masked)":
                lambda f: f.startswith(("B|", "S|", "N|", "A|")),
            "model ablation: all but clause features":
                lambda f: not f.startswith(("KW|", "K|", "KX|")),
            "model ablation: all features, without the class offsets":
                lambda f: True,
        }
        from newskit.sentiment import _model

        meta = _model().meta
        for name, keep in groups.items():
            sel = lambda fs: [f for f in fs if keep(f)]  # noqa: E731
            tr = [sel(f) for f in feats]
            vocab = T.make_vocab(tr, meta.get("min_count", 2))
            clf = T.fit(T.matrix(tr, vocab), y, meta.get("C", 0.1), meta.get("class_weight") == "balanced")
            add(name, clf.predict(T.matrix([sel(f) for f in dev_feats["mt"]], vocab)),
                clf.predict(T.matrix([sel(f) for f in dev_feats["rw"]], vocab)),
                "same C and class weights, no class offsets")
    add("**target-aware logistic regression (shipped, `score_targets` default)**", model_predict(dev_mt),
        model_predict(dev_rw), "all features + class offsets tuned out-of-fold on train")
    for name, m in transformer_models(transformer_dirs):
        meta = m.meta
        add(name, transformer_predict(m, dev_mt), transformer_predict(m, dev_rw),
            f"fine-tuned on NewsMTSC train ({meta.get('training', {}).get('limit') or 'all'} sentences, "
            f"{meta.get('best_epoch', '?')} epoch(s)); argmax, temperature {m.temperature:.2f}")
    lines = ["| variant | dev_mt macro-F1 | dev_mt acc | dev_rw macro-F1 | dev_rw acc | note |",
             "|---|---|---|---|---|---|"]
    for name, f1m, accm, f1r, accr, note in results:
        lines.append(f"| {name} | {f1m:.3f} | {accm:.3f} | {f1r:.3f} | {accr:.3f} | {note} |")
    return "\n".join(lines)


# the sentences quoted in issue 12 (press releases), with the target scored
EXAMPLES = [
    ("The parties strongly condemn the ongoing armed aggression of the Russian Federation against Ukraine",
     "Ukraine", 0),
    ("The parties strongly condemn the ongoing armed aggression of the Russian Federation against Ukraine",
     "Russian Federation", 0),
    ("This shows that Ukraine has not just survived - Ukraine is winning", "Ukraine", 0),
    ("This shows that Ukraine has not just survived - Ukraine is winning", "Ukraine", 1),
    ("from the first hours of the full-scale invasion of Russia", "Russia", 0),
]


def examples_table() -> str:
    """Old (fast model, ``score_targets``) and new (shipped transformer) scores of the issue's examples."""
    from newskit.sentiment import score_targets
    from newskit.sentiment.transformer import score_spans

    rows = ["| sentence | target | fast model | transformer | transformer P(neg / neu / pos) |", "|---|---|---|---|---|"]
    spans = []
    for text, target, nth in EXAMPLES:
        i = -1
        for _ in range(nth + 1):
            i = text.index(target, i + 1)
        spans.append((i, i + len(target)))
    new = score_spans([t for t, _, _ in EXAMPLES], spans)
    for (text, target, nth), sp, (_, r) in zip(EXAMPLES, spans, new.iterrows()):
        old = score_targets(text, [sp])
        which = f"{target} ({nth + 1}st)" if text.count(target) > 1 and nth == 0 else (
            f"{target} (2nd)" if nth == 1 else target)
        rows.append(f"| {text} | {which} | {old['score'].iloc[0]:+.2f} {old['sentiment'].iloc[0]} | "
                    f"{r['score']:+.2f} {r['sentiment']} | {r['p_negative']:.2f} / {r['p_neutral']:.2f} / "
                    f"{r['p_positive']:.2f} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="NewsMTSC variants table (train for tuning, dev for reporting)")
    ap.add_argument("--no-ablations", action="store_true", help="skip retraining the model ablations")
    ap.add_argument("--speed", action="store_true", help="also measure µs per sentence / mention vs spaCy NER")
    ap.add_argument("--transformer", action="append", default=[], type=Path,
                    help="also score every model_*.onnx in this training output folder")
    ap.add_argument("--examples", action="store_true", help="only the issue-12 example sentences, old vs new")
    args = ap.parse_args(argv)
    if args.examples:
        print(examples_table())
        return 0
    if not DATA.exists():
        print(f"{DATA} not found (../shared beside the checkout)", file=sys.stderr)
        return 1
    print(variants_table(ablations=not args.no_ablations, transformer_dirs=args.transformer))
    print("\nmacro-F1 over negative/neutral/positive; dev_mt: 442 targets, dev_rw: 343; tuning on train only.")
    if args.speed:
        r = speed()
        print(f"\nspeed on {r['articles']} corpus_ukraine articles ({r['words']:,} words, {r['sentences']:,} "
              f"sentences, {r['mentions']:,} mentions; CPU time, 1 process):")
        print(f"- spaCy NER: {r['ner_us_per_word']:.1f} µs/word")
        print(f"- sentence_sentiment: {r['sentiment_us_per_sentence']:.1f} µs/sentence "
              f"({r['sentiment_us_per_word']:.2f} µs/word)")
        print(f"- score_mentions: {r['mention_us_per_mention']:.1f} µs/mention ({r['mention_us_per_word']:.2f} µs/word)")
        print(f"- both together: {100 * r['overhead_share_of_ner']:.1f}% of NER time")
        from newskit.sentiment.transformer import MODEL_DIR

        if (MODEL_DIR / "model.json").exists():
            t = transformer_speed()
            print(f"\ntransformer on {t['articles']} corpus_ukraine articles: {t['sentences_with_mentions']:,} of "
                  f"{t['sentences']:,} sentences have spaCy mentions ({t['mentions']:,} mentions, "
                  f"{t['mentions_per_sentence']:.2f} per such sentence); {t['threads']} thread, {t['mode']} pooling:")
            print(f"- {t['sequences_per_cpu_s']:.1f} encoder sequences per CPU second "
                  f"({t['sentences_per_cpu_s']:.1f} sentences/s, {t['mentions_per_cpu_s']:.1f} mentions/s); "
                  f"wall {t['wall_seconds']:.1f} s for {t['cpu_seconds']:.1f} s CPU")
            print(f"- whole corpus ({t['corpus_articles']:,} articles, {t['corpus_sentences']:,} sentences, "
                  f"{100 * t['share_with_mentions']:.0f}% with mentions): ≈ {t['corpus_estimate_cpu_s']:.0f} CPU s "
                  f"(extrapolated from the sample)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
