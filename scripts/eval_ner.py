#!/usr/bin/env python
"""Evaluate NER + actor typing against GUM news named mentions.

Usage: python scripts/eval_ner.py [GUM_DIR] [--model NAME] [--split all|train|dev|test]

Gold: ``named`` mentions of type person / place / organization in ``entities.jsonl``.
Each document's sentences are joined with newlines and run through ``newskit.annotate``
(whole-document NER, the same pipeline as for a corpus, no cache). Two predictions are scored:

* ``spacy``: spaCy labels PERSON→person, GPE/LOC/FAC→place, ORG→organization (NORP, EVENT, … ignored);
* ``actors``: the resolved ``actor_type`` (span repair and type repair of the pipeline, actor file) for
  the mentions after span repair (split / re-joined spans are scored as they are counted); ``TERM`` rows
  (text patterns) are not NER mentions and are left out; mentions
  labelled NORP are excluded (demonyms are merged into countries for counting, but a demonym is not a
  place mention in GUM).

Exact = same start, end and type; overlap = spans overlap and same type (one-to-one, greedy).
Prints a Markdown table of precision, recall and F1 per type and overall (micro).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

TYPES = ("person", "place", "organization")
SPACY = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "organization"}
ACTOR = {"person": "person", "place": "place", "organisation": "organization"}


def load_gold(folder: Path, split: str):
    docs: dict[str, list] = defaultdict(list)
    for line in (folder / "entities.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if split != "all" and rec["split"] != split:
            continue
        docs[rec["doc"]].append(rec)
    texts, gold = {}, []
    for doc, sents in docs.items():
        parts, off = [], 0
        for s in sents:
            for m in s["mentions"]:
                if m["named"] and m["type"] in TYPES:
                    gold.append((doc, off + m["char_start"], off + m["char_end"], m["type"]))
            parts.append(s["text"])
            off += len(s["text"]) + 1
        texts[doc] = "\n".join(parts)
    return texts, gold


def match(pred, gold, *, overlap: bool):
    """Greedy one-to-one matching per (doc, type); returns true positives per type."""
    tp = defaultdict(int)
    gold_by = defaultdict(list)
    for g in gold:
        gold_by[(g[0], g[3])].append(g)
    used = set()
    for p in sorted(pred):
        for g in gold_by[(p[0], p[3])]:
            if g in used:
                continue
            ok = (p[1] == g[1] and p[2] == g[2]) if not overlap else (p[1] < g[2] and g[1] < p[2])
            if ok:
                used.add(g)
                tp[p[3]] += 1
                break
    return tp


def scores(pred, gold):
    rows = []
    for mode in ("exact", "overlap"):
        tp = match(pred, gold, overlap=mode == "overlap")
        for t in TYPES + ("all",):
            n_p = sum(1 for p in pred if t in ("all", p[3]))
            n_g = sum(1 for g in gold if t in ("all", g[3]))
            k = sum(tp.values()) if t == "all" else tp[t]
            prec = k / n_p if n_p else 0.0
            rec = k / n_g if n_g else 0.0
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            rows.append({"match": mode, "type": t, "gold": n_g, "pred": n_p, "tp": k,
                         "precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3)})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gum", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data/ner_eval/gum_news"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--split", default="all", choices=["all", "train", "dev", "test"])
    args = ap.parse_args(argv)

    import newskit

    texts, gold = load_gold(Path(args.gum), args.split)
    arts = pd.DataFrame({"article_id": list(texts), "text": list(texts.values())})
    ann = newskit.annotate(arts, model=args.model, cache=False, progress=False, n_process=1)
    m = ann.mentions
    # the raw spaCy view: all mentions before non-entity filtering are not kept, so score spaCy labels
    # on the mentions table (non-entity filtering removes pronoun-like / numeric spans only)
    spacy_pred = [(a, s, e, SPACY[l]) for a, s, e, l in zip(m["article_id"], m["start"], m["end"], m["label"])
                  if l in SPACY]
    actor_pred = [(a, s, e, ACTOR[t]) for a, s, e, t, l in
                  zip(m["article_id"], m["start"], m["end"], m["actor_type"], m["label"])
                  if t in ACTOR and l != "NORP"]
    from newskit.pipeline.model import model_identity

    ident = model_identity(args.model)
    model = f"{ident['model']} {ident['model_version']}"
    print(f"GUM news ({args.split}): {len(texts)} documents, {len(gold)} gold named person/place/organization "
          f"mentions; model {model}\n")
    for name, pred in (("spacy labels", spacy_pred), ("actor types", actor_pred)):
        print(f"### {name}\n")
        df = scores(pred, gold)
        print(_markdown(df))
        print()
    return 0


def _markdown(df: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
