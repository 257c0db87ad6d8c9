"""Sentence-boundary precision / recall / F1 of ``newskit.text.sentence_spans`` on GUM news.

Gold: ``../shared/data/ner_eval/gum_news/entities.jsonl`` (one gold sentence per line,
with its ``doc``). Text: the same articles in newskit's native format
(``native/*.txt``: line 1 title, line 2 date, line 3 URL, then one paragraph per line;
``native_index.tsv`` maps file <-> doc).

Method
------
1. Each native file becomes one document: the title and the body paragraphs joined by
   ``"\\n"`` (the GUM headline is a gold sentence, and the native title is that headline;
   when a body paragraph repeats the title the converter dropped it).
2. The gold sentences of the doc are aligned to the document in order: each is searched
   for (``str.find``) from the end of the previous one, first verbatim, then with
   whitespace runs normalised. Every gold sentence aligns (the script reports any that
   do not, and they then count as missed boundaries).
3. A boundary is a sentence **end offset** in the document. Gold boundaries are the ends
   of the aligned gold sentences; predicted ones are the span ends from
   ``sentence_spans(document)``. True positives are offsets in both sets; precision =
   TP / predicted, recall = TP / gold, F1 their harmonic mean. End offsets that are also
   paragraph ends are trivial (a sentence never crosses ``"\\n"``) but are included, as in
   the usual "sentences correct" reading; the script also prints the figures for
   paragraph-internal boundaries only, which is the harder, more honest number.

Then ``sentence_spans`` is timed on every body (lines 4+) of
``../shared/data/corpus_ukraine`` and characters per second are printed.

Usage::

    .venv/bin/python scripts/eval_sentences.py [--errors N] [--no-speed]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

from newskit.text import _sentence_tokenizer, sentence_spans  # noqa: E402


def _find(doc: str, sent: str, pos: int) -> tuple[int, int] | None:
    i = doc.find(sent, pos)
    if i >= 0:
        return i, i + len(sent)
    # whitespace-tolerant search
    pattern = r"\s+".join(re.escape(w) for w in sent.split())
    m = re.compile(pattern).search(doc, pos)
    return (m.start(), m.end()) if m else None


def load_gum(gum: Path) -> list[tuple[str, str, list[str]]]:
    """Return ``[(doc_id, document_text, gold_sentences)]``."""
    gold: dict[str, list[str]] = defaultdict(list)
    with open(gum / "entities.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            gold[rec["doc"]].append(rec["text"])
    docs = []
    rows = (gum / "native_index.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        fname, doc_id = row.split("\t")[:2]
        lines = (gum / "native" / fname).read_text(encoding="utf-8").splitlines()
        text = "\n".join([lines[0]] + [ln for ln in lines[3:] if ln.strip()])
        docs.append((doc_id, text, gold[doc_id]))
    return docs


def evaluate(docs, *, show_errors: int = 0) -> dict[str, float]:
    tp = n_pred = n_gold = 0
    tp_in = n_pred_in = n_gold_in = 0
    unaligned = 0
    errors: list[str] = []
    for doc_id, text, gold_sents in docs:
        gold_ends: set[int] = set()
        pos = 0
        for sent in gold_sents:
            hit = _find(text, sent, pos)
            if hit is None:
                unaligned += 1
                n_gold += 1
                continue
            gold_ends.add(hit[1])
            pos = hit[1]
        n_gold += len(gold_ends)
        pred = sentence_spans(text)
        pred_ends = {e for _, e in pred}
        n_pred += len(pred_ends)
        tp += len(pred_ends & gold_ends)
        para_ends = {m.end() for m in re.finditer(r"[^\n]+", text)}
        g_in, p_in = gold_ends - para_ends, pred_ends - para_ends
        n_gold_in += len(g_in)
        n_pred_in += len(p_in)
        tp_in += len(g_in & p_in)
        for e in sorted(pred_ends ^ gold_ends):
            kind = "FALSE SPLIT" if e in pred_ends else "MISSED    "
            ctx = text[max(0, e - 60) : e].replace("\n", "¶") + " ‖ " + text[e : e + 40].replace("\n", "¶")
            errors.append(f"{kind} {doc_id}: …{ctx}…")

    def prf(t: int, p: int, g: int) -> tuple[float, float, float]:
        prec = t / p if p else 0.0
        rec = t / g if g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return prec, rec, f1

    p, r, f = prf(tp, n_pred, n_gold)
    pi, ri, fi = prf(tp_in, n_pred_in, n_gold_in)
    if show_errors:
        print(f"--- {len(errors)} boundary errors (showing {min(show_errors, len(errors))}) ---")
        for line in errors[:show_errors]:
            print(line)
        print()
    return {
        "precision": p, "recall": r, "f1": f, "gold": n_gold, "predicted": n_pred, "unaligned": unaligned,
        "precision_internal": pi, "recall_internal": ri, "f1_internal": fi,
        "gold_internal": n_gold_in, "predicted_internal": n_pred_in,
    }


def time_corpus(corpus: Path) -> tuple[int, int, float]:
    bodies = []
    for path in sorted(corpus.rglob("*.txt")):
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        bodies.append("\n".join(lines[3:]))
    sentence_spans("Warm up. The tokenizer is built once.")
    t0 = time.perf_counter()
    n_sents = sum(len(sentence_spans(b)) for b in bodies)
    elapsed = time.perf_counter() - t0
    return sum(map(len, bodies)), n_sents, elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", type=int, default=0, help="print up to N boundary errors with context")
    ap.add_argument("--no-speed", action="store_true", help="skip the timing on corpus_ukraine")
    args = ap.parse_args(argv)

    gum = SHARED / "data" / "ner_eval" / "gum_news"
    if not gum.is_dir():
        print(f"error: {gum} not found: the shared test data must sit beside the repository at {SHARED}",
              file=sys.stderr)
        return 2
    _, source = _sentence_tokenizer()
    docs = load_gum(gum)
    res = evaluate(docs, show_errors=args.errors)
    print(f"Punkt model: {source}")
    print(f"GUM news: {len(docs)} documents, {res['gold']} gold sentences, {res['predicted']} predicted"
          f" ({res['unaligned']} gold sentences not aligned)")
    print(f"Sentence boundaries (end offsets):  P={res['precision']:.4f}  R={res['recall']:.4f}  F1={res['f1']:.4f}")
    print(f"  paragraph-internal only ({res['gold_internal']} gold, {res['predicted_internal']} predicted):"
          f"  P={res['precision_internal']:.4f}  R={res['recall_internal']:.4f}  F1={res['f1_internal']:.4f}")

    if not args.no_speed:
        corpus = SHARED / "data" / "corpus_ukraine"
        if corpus.is_dir():
            chars, n_sents, secs = time_corpus(corpus)
            print(f"Speed on corpus_ukraine bodies: {chars:,} chars, {n_sents:,} sentences in {secs:.2f} s"
                  f" = {chars / secs:,.0f} chars/s ({secs / chars * 1e6:.2f} s per 1M chars)")
        else:
            print(f"(speed skipped: {corpus} not found)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
