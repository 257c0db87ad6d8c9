"""Draw a transfer set for distilling the target-sentiment teacher: (sentence, target spans) from news.

The teacher (a larger encoder fine-tuned on NewsMTSC train, ``train_target_transformer.py``) labels
these unlabelled pairs with its calibrated probabilities (``--label-in`` / ``--label-out``); the
student (the shipped MiniLM) then learns from NewsMTSC's gold targets and from the teacher's
probabilities on these (``--distill``). Nothing here is gold: the set only carries the teacher's
function onto more news sentences and targets of the kinds newskit scores at run time (its own
mentions of persons, organisations, groups and places, speakers excluded as at run time).

Input: annotations folders written by ``newskit annotate`` / ``annotate_to`` (Parquet parts with
``sentences`` and ``mentions``), or folders holding ``sentences.parquet`` / ``mentions.parquet``.
The output is outside the repository (article text must not be committed)::

    python scripts/build_transfer_set.py /work/scale-data/base /work/transfer/polnear \\
        --per-source 12000 --out /work/transfer/transfer.jsonl

``--newsmtsc-fit TRAIN_JSONL`` draws in-domain rows instead: the fit part of NewsMTSC train (the
training script's split; the held-out part is never drawn) with its gold targets and newskit's
own mentions of the same sentences, for the teacher to label like any transfer row::

    python scripts/build_transfer_set.py --newsmtsc-fit ../shared/data/newsmtsc/train.jsonl \
        --out /work/transfer/fit.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = ("person", "organisation", "group", "place")


def read_table(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    for p in (folder / name, folder / f"{name}.parquet"):
        if p.exists():
            return pd.read_parquet(p, columns=columns)
    raise SystemExit(f"{folder}: no {name} table (expected {name}/ parts or {name}.parquet)")


def candidates(folder: Path, *, min_words: int, max_words: int, max_targets: int) -> pd.DataFrame:
    """One row per body sentence with at least one scoreable mention: sentence text and its spans."""
    s = read_table(folder, "sentences", ["article_id", "sent_id", "start", "text"])
    m = read_table(folder, "mentions", ["article_id", "sent_id", "start", "end", "text", "actor_type", "is_speaker"])
    s, m = s[s.sent_id >= 0], m[(m.sent_id >= 0) & m.actor_type.isin(TYPES) & ~m.is_speaker.astype(bool)]
    m = m.merge(s.rename(columns={"start": "s0", "text": "sentence"}), on=["article_id", "sent_id"])
    m["a"], m["b"] = m.start - m.s0, m.end - m.s0
    ok = [sent[a:b] == t for sent, a, b, t in zip(m.sentence, m.a, m.b, m.text)]
    if not all(ok):
        raise SystemExit(f"{folder}: {len(ok) - sum(ok)} mentions whose offsets do not match their sentence")
    g = (m.sort_values(["article_id", "sent_id", "a"]).groupby(["article_id", "sent_id"], sort=False)
         .agg(sentence=("sentence", "first"), spans=("a", lambda x: list(x)), ends=("b", lambda x: list(x))))
    g["spans"] = [list(zip(a, b))[:max_targets] for a, b in zip(g.spans, g.ends)]
    words = g.sentence.str.split().str.len()
    g = g[(words >= min_words) & (words <= max_words)].drop(columns="ends").reset_index()
    return g.drop_duplicates("sentence")


def newsmtsc_fit(train: Path, *, seed: int, holdout: float, max_targets: int) -> pd.DataFrame:
    """The fit sentences of NewsMTSC train (the training script's split) with their gold targets and newskit's.

    The gold target spans come first; newskit's own mentions of the sentence (``annotate`` on each
    sentence as an article, the run-time kinds: persons, organisations, groups, places, speakers
    excluded) are added when they overlap no span kept before, up to ``max_targets`` added spans.
    The held-out part of train is never drawn, so the training script's choice of epoch on it stays
    clean. Labels are not kept: the teacher labels every span (``--label-in``).
    """
    from train_target_transformer import load, split_fit_holdout

    import newskit as nk

    fit, _ = split_fit_holdout(load(train), seed=seed, holdout=holdout)
    arts = pd.DataFrame({"article_id": [f"fit{i:05d}" for i in range(len(fit))], "text": [s for s, _, _ in fit]})
    ann = nk.annotate(arts, sentiment_model="fast", cache=False)
    m = ann.mentions
    m = m[(m.sent_id >= 0) & m.actor_type.isin(TYPES) & ~m.is_speaker.astype(bool)].sort_values(["article_id", "start"])
    text = dict(zip(arts.article_id, arts.text))
    bad = [(a, i, j) for a, i, j, t in zip(m.article_id, m.start, m.end, m.text) if text[a][i:j] != t]
    if bad:
        raise SystemExit(f"{train}: {len(bad)} newskit mentions whose offsets do not match their sentence: {bad[:3]}")
    # a sentence that occurs twice in train is annotated once (annotate's progress counts 6,970 of 6,982): a copy
    # without mentions of its own keeps its gold targets only
    extra = m.groupby("article_id")[["start", "end"]].apply(lambda g: list(zip(g.start, g.end))).to_dict()
    rows = []
    for aid, (sent, gold, _) in zip(arts.article_id, fit):
        spans, added = list(gold), 0
        for a, b in extra.get(aid, []):
            if added < max_targets and all(b <= x or a >= y for x, y in spans):
                spans.append((int(a), int(b)))
                added += 1
        rows.append({"article_id": aid, "sentence": sent, "spans": spans, "added": added})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path, help="annotations folders (one per source corpus)")
    ap.add_argument("--newsmtsc-fit", type=Path, default=None, metavar="TRAIN_JSONL",
                    help="instead of folders: the fit part of NewsMTSC train (the training script's split, "
                         "--seed / --holdout) with its gold targets and newskit's own mentions, for the teacher to label")
    ap.add_argument("--holdout", type=float, default=0.1, help="with --newsmtsc-fit: the training script's --holdout")
    ap.add_argument("--per-source", type=int, default=10_000, help="sentences drawn from each folder")
    ap.add_argument("--per-article", type=int, default=8, help="at most this many sentences of one article")
    ap.add_argument("--min-words", type=int, default=6)
    ap.add_argument("--max-words", type=int, default=60)
    ap.add_argument("--max-targets", type=int, default=4, help="targets kept per sentence (the first ones)")
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="NewsMTSC or transfer-set JSONL files whose sentences must not be drawn (dev; a set drawn before)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    banned = set()
    for path in args.exclude:
        with open(path, encoding="utf-8") as fh:
            banned |= {(d.get("sentence_normalized") or d.get("sentence", "")).strip() for d in map(json.loads, fh)}
    if args.newsmtsc_fit:
        if args.folders:
            ap.error("--newsmtsc-fit takes no annotations folders")
        c = newsmtsc_fit(args.newsmtsc_fit, seed=args.seed, holdout=args.holdout, max_targets=args.max_targets)
        with open(args.out, "w", encoding="utf-8") as fh:
            for sent, spans in zip(c.sentence, c.spans):
                fh.write(json.dumps({"sentence": sent, "spans": [[int(a), int(b)] for a, b in spans]}) + "\n")
        print(f"{args.out}: {len(c)} fit sentences, {int(c.spans.str.len().sum())} targets "
              f"({int(c.added.sum())} of them newskit's, in {int((c.added > 0).sum())} sentences)", file=sys.stderr)
        return 0
    if not args.folders:
        ap.error("give annotations folders or --newsmtsc-fit")
    rng = np.random.default_rng(args.seed)
    n_sent = n_targets = 0
    with open(args.out, "w", encoding="utf-8") as fh:
        for folder in args.folders:
            c = candidates(folder, min_words=args.min_words, max_words=args.max_words, max_targets=args.max_targets)
            c = c[~c.sentence.str.strip().isin(banned)]
            c = c.iloc[rng.permutation(len(c))]
            c = c[c.groupby("article_id").cumcount() < args.per_article].head(args.per_source)
            for sent, spans in zip(c.sentence, c.spans):
                fh.write(json.dumps({"sentence": sent, "spans": [[int(a), int(b)] for a, b in spans]}) + "\n")
            n_sent += len(c)
            n_targets += int(c.spans.str.len().sum())
            print(f"{folder}: {len(c)} sentences, {int(c.spans.str.len().sum())} targets, "
                  f"{c.article_id.nunique()} articles", file=sys.stderr)
    print(f"{args.out}: {n_sent} sentences, {n_targets} targets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
