"""NewsMTSC dev as "the user's labels": agreement and corrected estimates with newskit.validation.

The gold labels of NewsMTSC dev (``../shared/data/newsmtsc``, dev_mt + dev_rw, 785 targets) play the
human annotator; the shipped fast model (``newskit.score_targets``) plays the model. The script

1. builds an annotations-like object: one "article" per NewsMTSC source article (the first three
   fields of ``primary_gid``: sentences of one article are one cluster), one sentence per line,
   one mention per target; ``outlet`` is the dev set (``dev_mt`` / ``dev_rw``); ``actor`` is a
   coarse target group — ``Trump``, ``Obama``, ``Clinton`` (last word of the mention, possessive
   dropped; "Hillary" counts as Clinton), ``pronoun`` (he / she / his / him / her …) and ``other``;
2. checks that ``validation.agreement`` on every target reproduces ``scripts/eval_targets.py``'s
   macro-F1 and accuracy of the shipped model (same labels, same formula);
3. draws ``--n`` items with ``validation.sample`` (strata: group × dev set), takes the gold labels of
   the drawn items as the human answers, and compares, per group, the raw model mean and the
   corrected mean (``validation.corrected``) with the gold mean of *all* mentions of the group —
   once for ``--seed`` (table), then over ``--repeats`` seeds (mean absolute error, coverage).

    .venv/bin/python scripts/validate_newsmtsc.py [--n 200] [--seed 0] [--repeats 200]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "newsmtsc"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
PRONOUNS = {"he", "she", "his", "him", "her", "hers", "they", "them", "their", "i", "me", "we", "us",
            "you", "himself", "herself"}


def group_of(mention: str) -> str:
    words = mention.replace("\u2019s", "").replace("'s", "").split()
    last = words[-1].lower().strip(".,") if words else ""
    if last in PRONOUNS:
        return "pronoun"
    if last in ("trump",):
        return "Trump"
    if last in ("obama",):
        return "Obama"
    if last in ("clinton", "hillary"):
        return "Clinton"
    return "other"


def build(files=("dev_mt.jsonl", "dev_rw.jsonl")) -> SimpleNamespace:
    """Annotations-like tables (articles, sentences, mentions with the model's score) and gold labels."""
    from newskit.sentiment import score_targets

    arts, sents, ments = {}, [], []
    per_article: dict[str, int] = {}
    for name in files:
        outlet = name.split(".")[0]
        with open(DATA / name, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                aid = f"{outlet}:" + "_".join(d["primary_gid"].split("_")[:3])
                arts.setdefault(aid, outlet)
                sid = per_article.get(aid, 0)
                per_article[aid] = sid + 1
                text = d["sentence_normalized"]
                # sentences of one article laid end to end (offsets into an article text)
                start = sum(len(s["text"]) + 1 for s in sents if s["article_id"] == aid) if sid else 0
                sents.append({"article_id": aid, "sent_id": sid, "start": start, "end": start + len(text),
                              "text": text})
                spans = [(t["from"], t["to"]) for t in d["targets"]]
                sc = score_targets(text, spans)
                for t, (_, r) in zip(d["targets"], sc.iterrows()):
                    ments.append({"article_id": aid, "sent_id": sid, "start": start + t["from"],
                                  "end": start + t["to"], "text": t["mention"], "label": "PERSON",
                                  "actor": group_of(t["mention"]), "actor_type": "person",
                                  "score": float(r["score"]),
                                  "sentiment": r["sentiment"] if "sentiment" in r else r["label"],
                                  "gold": POLARITY[float(t["polarity"])], "target_id": t["Input.gid"],
                                  "set": outlet})
    articles = pd.DataFrame({"article_id": list(arts), "outlet": list(arts.values())})
    articles["source"] = articles["outlet"]
    mentions = pd.DataFrame(ments)
    return SimpleNamespace(articles=articles, sentences=pd.DataFrame(sents),
                           mentions=mentions.drop(columns=["gold", "target_id", "set"]), gold=mentions)


def eval_targets_figures() -> dict[str, float]:
    """Macro-F1 and accuracy of the shipped model as scripts/eval_targets.py computes them."""
    import eval_targets as E

    out = {}
    for name in ("dev_mt", "dev_rw"):
        rows = E.load(f"{name}.jsonl")
        y, p = E.labels_of(rows), E.model_predict(rows)
        out[f"{name}_macro_f1"] = E.macro_f1(y, p)
        out[f"{name}_acc"] = float(np.mean(y == p))
    return out


def gold_labels(ann, s: pd.DataFrame) -> pd.DataFrame:
    """The gold label of each sampled item's first mention plays the human answer."""
    g = ann.gold.assign(article_id=ann.gold["article_id"].astype(str))
    look = g.drop_duplicates(["article_id", "start", "end"]).set_index(["article_id", "start", "end"])["gold"]
    key = pd.MultiIndex.from_arrays([s["article_id"].astype(str), s["start"].astype(int), s["end"].astype(int)])
    return pd.DataFrame({"item_id": s["item_id"].to_numpy(), "label": look.reindex(key).to_numpy()})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="items to 'label' (default 200)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=200, help="seeds for the error summary (0: skip)")
    ap.add_argument("--allocation", default="equal", choices=["equal", "sqrt", "proportional"])
    args = ap.parse_args(argv)
    if not DATA.exists():
        print(f"{DATA} not found (../shared beside the checkout)", file=sys.stderr)
        return 1
    from newskit import validation as V

    ann = build()
    g = ann.gold
    print(f"NewsMTSC dev_mt + dev_rw: {len(g)} targets in {len(ann.sentences)} sentences, "
          f"{len(ann.articles)} source articles; groups: {g['actor'].value_counts().to_dict()}")

    # 1. agreement on every target = eval_targets.py
    print("\n## Agreement on every target (validation.agreement) vs scripts/eval_targets.py")
    ref = eval_targets_figures()
    for name in ("dev_mt", "dev_rw"):
        sub = g[g["set"] == name]
        res = V.agreement(sub[["target_id", "sentiment"]].rename(columns={"target_id": "item_id"}),
                          sub[["target_id", "gold"]].rename(columns={"target_id": "item_id", "gold": "label"}))
        s = res["summary"].iloc[0]
        print(f"{name}: n={int(s['n'])}  macro-F1 {s['macro_f1']:.4f} (eval_targets {ref[f'{name}_macro_f1']:.4f})  "
              f"accuracy {s['accuracy']:.4f} (eval_targets {ref[f'{name}_acc']:.4f})")
        assert abs(s["macro_f1"] - ref[f"{name}_macro_f1"]) < 1e-12 and abs(s["accuracy"] - ref[f"{name}_acc"]) < 1e-12
        print(res["per_class"].round(3).to_string(index=False))

    # 2. corrected means from a labelled sample
    gold_mean = g.assign(v=g["gold"].map(V.VALUES)).groupby("actor")["v"].mean()
    s = V.sample(ann, n=args.n, by=["actor", "outlet"], top=None, seed=args.seed, allocation=args.allocation)
    lab = gold_labels(ann, s)
    t = V.corrected(ann, lab, sample=s, by="actor")
    t["gold_mean"] = t["actor"].map(gold_mean)
    print(f"\n## Corrected vs raw mean per target group (n={args.n} labelled items, seed {args.seed}, "
          "strata group × dev set)")
    cols = ["actor", "n", "n_labelled", "gold_mean", "mean_raw", "ci_low_raw", "ci_high_raw", "mean", "ci_low",
            "ci_high"]
    print(t[cols].round(3).to_string(index=False))
    err_raw, err = (t["mean_raw"] - t["gold_mean"]).abs(), (t["mean"] - t["gold_mean"]).abs()
    print(f"mean |error| over the {len(t)} groups: raw {err_raw.mean():.3f}, corrected {err.mean():.3f}")
    ag = V.agreement(ann, lab.merge(s[["item_id", "article_id", "start", "end", "weight"]], on="item_id"))
    print(f"agreement on the sample: macro-F1 {ag['summary']['macro_f1'].iloc[0]:.3f}, "
          f"accuracy {ag['summary']['accuracy'].iloc[0]:.3f}")

    if args.repeats:
        errs_raw, errs, cover, cover_raw, width = [], [], [], [], []
        for seed in range(args.repeats):
            s = V.sample(ann, n=args.n, by=["actor", "outlet"], top=None, seed=1000 + seed, allocation=args.allocation)
            t = V.corrected(ann, gold_labels(ann, s), sample=s, by="actor")
            gm = t["actor"].map(gold_mean)
            errs_raw.append((t["mean_raw"] - gm).abs().to_numpy())
            errs.append((t["mean"] - gm).abs().to_numpy())
            cover.append(((t["ci_low"] <= gm) & (gm <= t["ci_high"])).to_numpy())
            cover_raw.append(((t["ci_low_raw"] <= gm) & (gm <= t["ci_high_raw"])).to_numpy())
            width.append((t["ci_high"] - t["ci_low"]).to_numpy())
        names = t["actor"].tolist()
        er, ec = np.vstack(errs_raw), np.vstack(errs)
        summary = pd.DataFrame({"actor": names, "gold_mean": gm.to_numpy(), "mean_abs_err_raw": er.mean(0),
                                "mean_abs_err_corrected": ec.mean(0),
                                "corrected_closer_share": (ec < er).mean(0),
                                "coverage_raw": np.vstack(cover_raw).mean(0), "coverage": np.vstack(cover).mean(0),
                                "ci_width": np.vstack(width).mean(0)})
        print(f"\n## Over {args.repeats} samples (seeds 1000…{999 + args.repeats}), n={args.n}: distance to the "
              "gold mean of all mentions, and how often the 95% CI contains it")
        print(summary.round(3).to_string(index=False))
        print(f"all groups: mean |error| raw {er.mean():.3f}, corrected {ec.mean():.3f}; corrected closer in "
              f"{(ec < er).mean():.1%} of group × sample cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
