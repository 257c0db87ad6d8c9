"""newskit.validation: sampling, label files, resume, agreement statistics, corrected estimates.

The simulation test (``test_corrected_intervals_cover_the_truth``) is described in docs/validation.md.
All sentences here are written for the tests.
"""
from __future__ import annotations

import csv
from pathlib import Path
from statistics import NormalDist
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from newskit import validation as V

ND = NormalDist()

# --------------------------------------------------------------------------- simulation
# Articles j = 1..J from two outlets (50/50); each has 1 + Poisson(4) mentions of one actor.
# Latent tone u = a_j + e_i, a_j ~ N(mu_outlet, 0.5²) (article effect: mentions cluster), e ~ N(0, 0.7²).
# Human label: positive if u > 0.5, negative if u < -0.5, else neutral (value +1 / -1 / 0).
# Model score: clip(0.45 tanh(u) + BIAS + N(0, 0.25²), -1, 1) — shrunk and shifted; model label by a
# ±0.33 band. The truth is the super-population mean of the human value (and the class shares),
# known in closed form. Strata = outlets; n labelled items drawn by stratified SRS without replacement.
MU = (0.4, -0.3)
SIG = float(np.sqrt(0.5 ** 2 + 0.7 ** 2))
BIAS = 0.12
BAND = 0.33


def _truth(mu: float) -> dict[str, float]:
    p_pos = 1 - ND.cdf((0.5 - mu) / SIG)
    p_neg = ND.cdf((-0.5 - mu) / SIG)
    return {"mean": p_pos - p_neg, "negative": p_neg, "neutral": 1 - p_pos - p_neg, "positive": p_pos}


TRUTH = {k: float(np.mean([_truth(m)[k] for m in MU])) for k in ("mean",) + V.CLASSES}


def _simulate(rng, *, J: int = 300, n: int = 200):
    outlet = rng.integers(0, 2, J)
    k = 1 + rng.poisson(4, J)
    art = np.repeat(np.arange(J), k)
    a = rng.normal(np.where(outlet == 0, MU[0], MU[1]), 0.5)
    u = a[art] + rng.normal(0, 0.7, len(art))
    y = np.where(u > 0.5, 1.0, np.where(u < -0.5, -1.0, 0.0))
    f = np.clip(0.45 * np.tanh(u) + BIAS + rng.normal(0, 0.25, len(art)), -1, 1)
    stratum = outlet[art]
    sizes = np.bincount(stratum, minlength=2)
    n_h = V._allocate(sizes, n)
    lab = np.concatenate([rng.choice(np.flatnonzero(stratum == h), n_h[h], replace=False) for h in (0, 1)])
    return dict(art=art, y=y, f=f, stratum=stratum, sizes=sizes, n_h=n_h, lab=lab, J=J, outlet=outlet)


def _estimates(d, what: str, estimator: str = "ppi++"):
    """Raw and corrected (estimate, se) for the whole group, through the estimator of corrected()."""
    if what == "mean":
        f, y = d["f"], d["y"]
    else:
        model = np.where(d["f"] >= BAND, "positive", np.where(d["f"] <= -BAND, "negative", "neutral"))
        human = np.where(d["y"] > 0, "positive", np.where(d["y"] < 0, "negative", "neutral"))
        f, y = (model == what).astype(float), (human == what).astype(float)
    art, st, lab, J = d["art"], d["stratum"], d["lab"], d["J"]
    sizes = {h: (int(d["sizes"][h]), int(d["n_h"][h]), np.bincount(art[st == h], minlength=J).astype(float))
             for h in (0, 1)}
    w = np.array([sizes[h][0] / sizes[h][1] for h in st[lab]])
    lam = 1.0 if estimator == "ppi" else V._tuned_lambda(y[lab], f[lab], w)
    return V._ppi_group_items(art, f, art[lab], st[lab], (y - lam * f)[lab], sizes, J, lam=lam)


@pytest.mark.parametrize("estimator", ["ppi++", "ppi"])
def test_corrected_intervals_cover_the_truth(estimator):
    reps = 1000
    rng = np.random.default_rng(20261201)
    z = ND.inv_cdf(0.975)
    cover = {w: [] for w in TRUTH}
    cover_raw = {w: [] for w in TRUTH}
    for _ in range(reps):
        d = _simulate(rng)
        for w, t in TRUTH.items():
            raw, se_raw, est, se = _estimates(d, w, estimator)
            cover[w].append(abs(est - t) <= z * se)
            cover_raw[w].append(abs(raw - t) <= z * se_raw)
    rates = {w: float(np.mean(v)) for w, v in cover.items()}
    raw_rates = {w: float(np.mean(v)) for w, v in cover_raw.items()}
    print(estimator, "coverage corrected", rates, "raw", raw_rates)
    for w in TRUTH:
        assert 0.93 <= rates[w] <= 0.97, (w, rates[w])
    assert raw_rates["mean"] < 0.5, raw_rates
    assert min(raw_rates.values()) < 0.5 and np.mean(list(raw_rates.values())) < 0.8, raw_rates


def _annotations_from(d) -> SimpleNamespace:
    """An annotations-like object from a simulated data set: one invented sentence per mention."""
    art_ids = [f"art{j:04d}" for j in range(d["J"])]
    sid = np.concatenate([np.arange(c) for c in np.bincount(d["art"], minlength=d["J"])])
    texts = [f"Report {j} line {i}: Ana said the plan would change." for j, i in zip(d["art"], sid)]
    starts = np.zeros(len(texts), dtype=int)
    for j in range(d["J"]):  # sentences of an article laid end to end
        ix = np.flatnonzero(d["art"] == j)
        lens = np.array([len(texts[i]) + 1 for i in ix])
        starts[ix] = np.concatenate([[0], np.cumsum(lens)[:-1]])
    sentences = pd.DataFrame({"article_id": [art_ids[j] for j in d["art"]], "sent_id": sid, "start": starts,
                              "end": starts + np.array([len(t) for t in texts]), "text": texts})
    off = np.array([t.index("Ana") for t in texts])
    f = d["f"]
    mentions = pd.DataFrame({"article_id": sentences["article_id"], "sent_id": sid, "start": starts + off,
                             "end": starts + off + 3, "text": "Ana", "actor": "A", "score": f,
                             "sentiment": np.where(f >= BAND, "positive", np.where(f <= -BAND, "negative", "neutral"))})
    articles = pd.DataFrame({"article_id": art_ids, "outlet": np.where(d["outlet"] == 0, "Daily X", "Y Times")})
    return SimpleNamespace(articles=articles, sentences=sentences, mentions=mentions)


def _human(y):
    return np.where(y > 0, "positive", np.where(y < 0, "negative", "neutral"))


def test_corrected_equals_the_simulated_estimator():
    """corrected() on annotations built from one simulated data set gives the estimator tested above."""
    d = _simulate(np.random.default_rng(5))
    ann = _annotations_from(d)
    s = V.sample(ann, n=200, by="outlet", actors=["A"], seed=3, allocation="proportional")
    assert len(s) == 200 and s["item_id"].is_unique
    # the simulated labels of the sampled mentions play the human
    key = pd.Series(np.arange(len(ann.mentions)), index=ann.mentions["article_id"] + ":" + ann.mentions["start"].astype(str))
    idx = key[s["article_id"] + ":" + s["start"].astype(str)].to_numpy()
    labels = s[["item_id"]].assign(label=_human(d["y"][idx]))
    t = V.corrected(ann, labels, sample=s, by="actor")
    assert t["n"].tolist() == [len(d["f"])] and t["n_labelled"].tolist() == [200]
    d2 = dict(d, lab=idx, n_h=np.array([int((s["stratum"] == h).sum()) for h in ("Daily X", "Y Times")]))
    raw, se_raw, est, se = _estimates(d2, "mean")
    z = ND.inv_cdf(0.975)
    assert t["mean_raw"].iloc[0] == pytest.approx(raw) and t["mean"].iloc[0] == pytest.approx(est)
    assert t["ci_high"].iloc[0] - t["mean"].iloc[0] == pytest.approx(z * se)
    assert t["ci_high_raw"].iloc[0] - t["mean_raw"].iloc[0] == pytest.approx(z * se_raw)
    r2 = _estimates(d2, "negative")
    assert t["share_negative"].iloc[0] == pytest.approx(r2[2])
    assert t["share_negative_raw"].iloc[0] == pytest.approx(r2[0])
    # per outlet: two rows, each from its own stratum; raw mean is the plain mean of scores
    t2 = V.corrected(ann, labels, sample=s, by=["actor", "outlet"])
    assert t2["outlet"].tolist() == ["Daily X", "Y Times"]
    m = ann.mentions.merge(ann.articles, on="article_id")
    assert t2["mean_raw"].tolist() == pytest.approx(m.groupby("outlet")["score"].mean().tolist())
    assert (t2["ci_low"] < t2["mean"]).all() and (t2["mean"] < t2["ci_high"]).all()


def test_corrected_is_nan_when_a_stratum_has_no_label():
    d = _simulate(np.random.default_rng(6), J=40, n=20)
    ann = _annotations_from(d)
    s = V.sample(ann, n=20, by="outlet", actors=["A"])
    y_items = s[s["outlet"] == "Daily X"][["item_id"]].assign(label="neutral")
    t = V.corrected(ann, y_items, sample=s, by=["actor", "outlet"])
    assert np.isfinite(t.loc[t["outlet"] == "Daily X", "mean"]).all()
    assert t.loc[t["outlet"] == "Y Times", "mean"].isna().all()
    assert np.isfinite(t["mean_raw"]).all()


def test_corrected_refuses_another_corpus():
    d = _simulate(np.random.default_rng(7), J=30, n=20)
    ann = _annotations_from(d)
    s = V.sample(ann, n=20, by="outlet", actors=["A"])
    other = SimpleNamespace(articles=ann.articles, sentences=ann.sentences, mentions=ann.mentions.iloc[1:])
    with pytest.raises(ValueError, match="another corpus"):
        V.corrected(other, s[["item_id"]].assign(label="neutral"), sample=s)


# --------------------------------------------------------------------------- sampling
def _dup_annotations() -> SimpleNamespace:
    """Three outlets; the same sentence about the same actor in several articles (syndicated copy),
    and one sentence naming the actor twice."""
    rows, sents, arts = [], [], []
    base = ["Mira Holt opened the new bridge.", "Critics said Mira Holt ignored the floods.",
            "Mira Holt thanked Mira Holt's team.", "The Sela council praised the budget.",
            "Sela voted against the plan.", "Nobody from Sela came."]
    for j in range(30):
        aid = f"a{j:02d}"
        arts.append({"article_id": aid, "outlet": ["North Post", "South Wire", "East Daily"][j % 3]})
        pos = 0
        for i, text in enumerate(base[(j % 2) * 1: (j % 2) * 1 + 4] + [f"Story {j} mentions Mira Holt once more."]):
            sents.append({"article_id": aid, "sent_id": i, "start": pos, "end": pos + len(text), "text": text})
            for name, actor in (("Mira Holt", "Holt"), ("Sela", "Sela")):
                k = text.find(name)
                while k >= 0:
                    rows.append({"article_id": aid, "sent_id": i, "start": pos + k, "end": pos + k + len(name),
                                 "text": name, "actor": actor, "score": 0.1, "sentiment": "neutral"})
                    k = text.find(name, k + 1)
            pos += len(text) + 1
    return SimpleNamespace(articles=pd.DataFrame(arts), sentences=pd.DataFrame(sents), mentions=pd.DataFrame(rows))


def test_sample_never_repeats_a_sentence_target_pair_and_records_weights():
    ann = _dup_annotations()
    s = V.sample(ann, n=20, by=["actor", "outlet"], top=None, seed=1)
    assert s[["sentence", "actor"]].apply(lambda r: (r["sentence"].lower(), r["actor"]), axis=1).is_unique
    assert s["item_id"].is_unique and s["sample_id"].nunique() == 1
    # weights are N_h / n_h and every stratum's items are counted once
    assert np.allclose(s["weight"], s["stratum_size"] / s["stratum_n"])
    assert np.allclose(s["inclusion_prob"] * s["weight"], 1)
    assert (s.groupby("stratum").size() == s.groupby("stratum")["stratum_n"].first()).all()
    strata = pd.DataFrame(s.attrs["strata"])
    m = ann.mentions.merge(ann.sentences.rename(columns={"text": "sentence"})[["article_id", "sent_id", "sentence"]])
    m = m.merge(ann.articles)
    items = m.drop_duplicates(["sentence", "actor"]).sort_values(["article_id", "start"])
    # syndicated sentences: fewer items than mentions; sizes sum to the number of distinct pairs
    assert strata["stratum_size"].sum() == len(m.drop_duplicates(["sentence", "actor"])) < len(m)
    assert s["n_mentions"].max() > 1
    assert strata["stratum_n"].sum() == len(s) == 20 < strata["stratum_size"].sum()
    # the target is highlighted at the right place, with context
    assert (s.apply(lambda r: r["sentence"][r["target_start"]:r["target_end"]], axis=1) == s["target"]).all()
    assert s["target"].isin(["Mira Holt", "Sela"]).all()
    assert (s["context_before"] != "").any() and (s["context_after"] != "").any()


def test_sample_is_reproducible_and_seeded():
    ann = _dup_annotations()
    a = V.sample(ann, n=20, by=["actor", "outlet"], top=None, seed=4)
    b = V.sample(ann, n=20, by=["actor", "outlet"], top=None, seed=4)
    c = V.sample(ann, n=20, by=["actor", "outlet"], top=None, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["sample_id"] == b.attrs["sample_id"] != c.attrs["sample_id"]
    assert set(a["item_id"]) != set(c["item_id"])
    full = V.sample(ann, n=10_000, by="actor", top=None)
    assert (full["weight"] == 1).all() and len(full) == pd.DataFrame(full.attrs["strata"])["stratum_size"].sum()


def test_sample_options_are_checked():
    ann = _dup_annotations()
    with pytest.raises(ValueError, match="not in the annotations"):
        V.sample(ann, actors=["Nobody"])
    with pytest.raises(ValueError, match="by='desk'"):
        V.sample(ann, by=["actor", "desk"])
    s = V.sample(ann, n=5, by="actor", top=1)
    assert set(s["actor"]) == {"Holt"}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_sample_roundtrip(tmp_path, suffix):
    ann = _dup_annotations()
    s = V.sample(ann, n=12, by=["actor", "outlet"], top=None)
    back = V.load_sample(V.save_sample(s, tmp_path / f"s{suffix}"))
    assert back.attrs["sample_id"] == s.attrs["sample_id"] and back.attrs["by"] == ["actor", "outlet"]
    pd.testing.assert_frame_equal(back.reset_index(drop=True), s.reset_index(drop=True), check_dtype=False)
    assert pd.DataFrame(back.attrs["strata"])["stratum_size"].tolist() == s.attrs["strata"]["stratum_size"]
    assert back.attrs["actors"] == ["Holt", "Sela"] and (tmp_path / "s.design.json").exists()
    lab = s[["item_id"]].assign(label="negative")
    pd.testing.assert_frame_equal(V.corrected(_dup_annotations(), lab, sample=back),
                                  V.corrected(_dup_annotations(), lab, sample=s))
    (tmp_path / "s.design.json").unlink()
    if suffix == ".csv":  # a CSV sample without its design file cannot be corrected
        with pytest.raises(ValueError, match="design.json"):
            V.corrected(_dup_annotations(), lab, sample=V.load_sample(tmp_path / f"s{suffix}"))
    else:  # Parquet keeps the design in its metadata as well
        assert V.load_sample(tmp_path / f"s{suffix}").attrs["strata"] == back.attrs["strata"]


def test_corrected_with_an_actor_that_got_no_draw():
    """A small sample may draw nothing for an actor of the population: that actor is still counted
    (raw figures, NaN corrected), and the others are corrected."""
    ann = _dup_annotations()
    s = V.sample(ann, n=2, by=["actor", "outlet"], top=None)
    assert s["actor"].nunique() == 1 and s.attrs["actors"] == ["Holt", "Sela"]
    t = V.corrected(ann, s[["item_id"]].assign(label="neutral"), sample=s, by="actor").set_index("actor")
    assert list(t.index) == ["Holt", "Sela"] and np.isfinite(t["mean_raw"]).all()
    assert t["mean"].isna().sum() == 2 or t["mean"].isna().sum() == 1
    drawn = s["actor"].iloc[0]
    other = "Sela" if drawn == "Holt" else "Holt"
    assert np.isnan(t.loc[other, "mean"])


# --------------------------------------------------------------------------- label files
@pytest.fixture()
def smp():
    return V.sample(_dup_annotations(), n=12, by=["actor", "outlet"], top=None)


def _write(path: Path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(V.LABEL_COLUMNS)
        w.writerows(rows)


def _row(s, seq, item, label, annotator="kim"):
    return [seq, s.attrs["sample_id"], s.attrs["corpus_fingerprint"], item, label, annotator, "2026-12-01T10:00:00+00:00"]


def test_read_labels_last_answer_wins_and_retractions(tmp_path, smp):
    it = smp["item_id"].tolist()
    _write(tmp_path / "labels_kim.csv", [_row(smp, 1, it[0], "negative"), _row(smp, 2, it[1], "neutral"),
                                         _row(smp, 3, it[0], "positive"), _row(smp, 4, it[1], "retract"),
                                         _row(smp, 5, it[2], "unsure")])
    lab = V.read_labels(tmp_path, sample=smp)
    assert dict(zip(lab["item_id"], lab["label"])) == {it[0]: "positive", it[2]: "unsure"}
    assert len(V.read_labels(tmp_path, sample=smp, history=True)) == 5
    assert {"actor", "stratum", "weight"} <= set(lab.columns)


@pytest.mark.parametrize("case, pattern", [
    ("other_sample", r"row 3: labels for another sample"),
    ("other_corpus", r"row 3: labels for another corpus"),
    ("unknown_label", r"row 3: unknown label 'great'"),
    ("unknown_item", r"row 3: item_id 'ffffffffffffffff' is not in the sample"),
    ("duplicate", r"row 4: duplicate row: seq 2 already on row 3"),
    ("order", r"row 4: seq 2 after 3"),
    ("fields", r"row 3: 5 fields"),
])
def test_label_file_errors_name_file_row_and_reason(tmp_path, smp, case, pattern):
    it = smp["item_id"].tolist()
    good = _row(smp, 1, it[0], "negative")
    second = _row(smp, 2, it[1], "neutral")
    bad = {"other_sample": [good, [2, "0123456789abcdef", smp.attrs["corpus_fingerprint"], it[1], "neutral", "kim", "t"]],
           "other_corpus": [good, [2, smp.attrs["sample_id"], "0123456789abcdef", it[1], "neutral", "kim", "t"]],
           "unknown_label": [good, _row(smp, 2, it[1], "great")],
           "unknown_item": [good, _row(smp, 2, "ffffffffffffffff", "neutral")],
           "duplicate": [good, second, second],
           "order": [good, _row(smp, 3, it[1], "neutral"), _row(smp, 2, it[2], "neutral")],
           "fields": [good, second[:5]]}[case]
    path = tmp_path / "labels_kim.csv"
    _write(path, bad)
    before = path.read_bytes()
    with pytest.raises(V.LabelError, match=pattern) as exc:
        V.read_labels(tmp_path, sample=smp)
    assert str(path) in str(exc.value)
    assert path.read_bytes() == before  # nothing rewritten, nothing dropped


def test_one_file_per_annotator(tmp_path, smp):
    it = smp["item_id"].tolist()
    _write(tmp_path / "labels_kim.csv", [_row(smp, 1, it[0], "negative")])
    _write(tmp_path / "labels_kim2.csv", [_row(smp, 1, it[1], "negative", annotator="kim")])
    with pytest.raises(V.LabelError, match=r"labels_kim2.csv: row 2: annotator 'kim' also labels in"):
        V.read_labels(tmp_path, sample=smp)


def test_session_resumes_and_undo_appends(tmp_path, smp):
    ses = V.LabelSession(smp, tmp_path, annotator="kim")
    assert ses.position == 0 and ses.progress() == "0 of 12"
    for lab in ("negative", "positive", "skip"):
        ses.answer(lab)
    assert ses.progress() == "3 of 12" and ses.position == 3
    ses.back()  # retracts item 3's answer and shows it again
    assert ses.position == 2 and ses.progress() == "2 of 12"
    lines = (tmp_path / "labels_kim.csv").read_text().splitlines()
    assert len(lines) == 5 and lines[-1].split(",")[4] == "retract"
    # a new session (the kernel died) resumes at the first item without an answer
    again = V.LabelSession(smp, tmp_path, annotator="kim")
    assert again.position == 2 and again.progress() == "2 of 12"
    again.answer("neutral")
    lab = V.read_labels(tmp_path, sample=smp)
    order = smp.sort_values("order")["item_id"].tolist()
    assert dict(zip(lab["item_id"], lab["label"])) == {order[0]: "negative", order[1]: "positive",
                                                        order[2]: "neutral"}
    # a second annotator labels into a second file
    V.LabelSession(smp, tmp_path, annotator="lee").answer("positive")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels_kim.csv", "labels_lee.csv"]
    assert V.read_labels(tmp_path, sample=smp)["annotator"].value_counts().to_dict() == {"kim": 3, "lee": 1}


def test_widget_keys_buttons_and_escaping(tmp_path):
    pytest.importorskip("ipywidgets")
    ann = _dup_annotations()
    ann.sentences.loc[0, "text"] = "<script>x</script>"  # context shown as text
    s = V.sample(ann, n=6, by="actor", top=None)
    box = V.label_widget(s, tmp_path, annotator="kim")
    progress = box.children[0]
    assert "0 of 6" in progress.value
    box.key_box.value = "1"
    assert box.key_box.value == "" and "1 of 6" in progress.value
    box.key_box.value = "3u"  # two keys in one update
    assert "3 of 6" in progress.value
    box.key_box.value = "b"
    assert "2 of 6" in progress.value
    box.key_box.value = "x"  # not a shortcut: ignored
    assert "2 of 6" in progress.value
    buttons = box.children[2].children
    buttons[1].click()  # neutral
    assert "3 of 6" in progress.value
    rows = V.read_labels(tmp_path, sample=s, history=True)["label"].tolist()
    assert rows == ["negative", "positive", "unsure", "retract", "neutral"]
    html_all = "".join(V.item_html(r) for _, r in s.iterrows())
    assert "<script>" not in html_all


# --------------------------------------------------------------------------- agreement
def test_kappa_and_alpha_hand_computed():
    a = ["negative", "negative", "neutral", "positive", "positive", "neutral"]
    b = ["negative", "neutral", "neutral", "positive", "negative", "neutral"]
    # p_o = 4/6; marginals a: 2,2,2 / b: 2,3,1 → p_e = (2*2 + 2*3 + 2*1) / 36 = 1/3
    assert V.cohen_kappa(a, b) == pytest.approx((4 / 6 - 1 / 3) / (1 - 1 / 3))
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example: 0.743
    data = ["1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3", ". 3 3 3 2 3 4 2 2 5 1 .",
            "1 2 3 3 2 4 4 1 2 5 1 ."]
    coders = [[None if v == "." else v for v in row.split()] for row in data]
    units = [list(u) for u in zip(*coders)]
    assert V.krippendorff_alpha(units, classes=("1", "2", "3", "4", "5")) == pytest.approx(0.743, abs=5e-4)
    # two coders, no missing: alpha = 1 - (n-1) D_o / D_e by hand
    alpha = V.krippendorff_alpha([list(p) for p in zip(a, b)])
    # coincidences: n = 12; off-diagonal o = 2 * 2 disagreements = 4; n_c = (4, 5, 3)
    assert alpha == pytest.approx(1 - 11 * 4 / (144 - (16 + 25 + 9)))


def test_agreement_tables(tmp_path):
    ann = _dup_annotations()
    s = V.sample(ann, n=8, by="actor", top=None, seed=2)
    model = ["negative", "neutral", "positive", "positive", "neutral", "neutral", "negative", "neutral"]
    human = ["negative", "neutral", "positive", "neutral", "neutral", "positive", "negative", "skip"]
    other = ["negative", "positive", "positive", "neutral", "neutral", "positive", "neutral", "neutral"]
    pred = s[["item_id"]].assign(sentiment=model)
    res = V.agreement(pred, s[["item_id", "weight"]].assign(label=human),
                      other=s[["item_id"]].assign(label=other))
    conf = res["confusion"]
    assert conf.loc["neutral", "positive"] == 1 and conf.to_numpy().sum() == 7  # skip left out
    pc = res["per_class"].set_index("class")
    assert pc.loc["positive", "precision"] == pytest.approx(1 / 2) and pc.loc["positive", "recall"] == pytest.approx(1 / 2)
    assert pc.loc["negative", "f1"] == 1.0
    summ = res["summary"].iloc[0]
    assert summ["n"] == 7 and summ["accuracy"] == pytest.approx(5 / 7)
    assert summ["macro_f1"] == pytest.approx(pc["f1"].mean())
    both_a, both_b = human[:7], other[:7]
    assert summ["n_both"] == 7 and summ["kappa"] == pytest.approx(V.cohen_kappa(both_a, both_b))
    # through Annotations: the model label of an item is its first mention's sentiment
    lab = s[["item_id", "article_id", "start", "end", "weight"]].assign(label="neutral")
    r2 = V.agreement(ann, lab)
    assert r2["summary"]["accuracy"].iloc[0] == 1.0


@pytest.mark.parametrize("allocation", ["equal", "sqrt", "proportional"])
def test_allocation_sums_and_caps(allocation):
    rng = np.random.default_rng(1)
    for _ in range(200):
        sizes = rng.integers(1, 60, rng.integers(1, 12))
        n = int(rng.integers(1, 300))
        a = V._allocate(sizes, n, allocation=allocation)
        assert a.sum() == min(n, sizes.sum()) and (a <= sizes).all() and (a >= 0).all()
        if n >= np.minimum(sizes, 2).sum():
            assert (a >= np.minimum(sizes, 2)).all()
    assert V._allocate(np.array([50, 50, 5]), 30, allocation="equal").tolist() == [13, 12, 5]
    with pytest.raises(ValueError, match="allocation="):
        V._allocate(np.array([3]), 2, allocation="neyman")
