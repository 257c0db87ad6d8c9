"""The shipped target-sentiment transformer (ONNX): shapes, calibration, de-duplication, batching.

Every sentence here was written for these tests.
"""
from __future__ import annotations

import json
import multiprocessing

import numpy as np
import pandas as pd
import pytest

from newskit.sentiment import transformer as tr


def span(sentence: str, target: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = sentence.index(target, i + 1)
    return i, i + len(target)


@pytest.fixture(scope="module")
def model() -> tr.TransformerTargetModel:
    return tr.load_model()


SENTENCES = [
    "The summit in Geneva ended without an agreement on the border.",
    "Critics accused Senator Hallworth of lying to voters about the budget.",
    "Mayor Okafor was praised for her calm leadership during the floods.",
    "The minister met the delegation from Norway on Tuesday.",
]
TARGETS = ["Geneva", "Senator Hallworth", "Mayor Okafor", "Norway"]


def test_shipped_files_and_metadata():
    meta = json.loads((tr.MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["negative", "neutral", "positive"]
    assert meta["temperature"] > 0 and meta["max_length"] >= 32
    assert (tr.MODEL_DIR / meta["onnx"]).stat().st_size <= 30e6
    assert (tr.MODEL_DIR / "tokenizer.json").exists()
    assert (tr.MODEL_DIR / "LICENSE.md").exists()
    assert not list(tr.MODEL_DIR.glob("*.pkl")) and not list(tr.MODEL_DIR.glob("*.pickle"))


def test_identity_is_stable(model):
    assert isinstance(model.identity, str) and len(model.identity) >= 16
    assert model.identity == tr.TransformerTargetModel().identity


def test_probabilities_sum_to_one(model):
    spans = [span(s, t) for s, t in zip(SENTENCES, TARGETS)]
    p = model.predict_proba(SENTENCES, spans)
    assert p.shape == (4, 3)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1.0)
    df = tr.score_spans(SENTENCES, spans)
    assert list(df.columns) == ["score", "sentiment", "p_negative", "p_neutral", "p_positive"]
    assert np.allclose(df["score"], p[:, 2] - p[:, 0])
    assert df["sentiment"].tolist() == [tr.LABELS[i] for i in p.argmax(1)]
    assert df.loc[1, "sentiment"] == "negative" and df.loc[2, "sentiment"] == "positive"


def test_identical_inputs_are_scored_once(model, monkeypatch):
    rows = []
    real = model._run

    def counting(ids, mask, target_row, target_mask):
        rows.append((len(ids), len(target_row)))
        return real(ids, mask, target_row, target_mask)

    monkeypatch.setattr(model, "_run", counting)
    s = SENTENCES[1]
    sents = [s, s, s, SENTENCES[2], SENTENCES[2], s]
    spans = [span(s, "Senator Hallworth"), span(s, "Senator Hallworth"), span(s, "voters"),
             span(SENTENCES[2], "Mayor Okafor"), span(SENTENCES[2], "Mayor Okafor"), span(s, "Critics")]
    p = model.predict_proba(sents, spans)
    n_sequences = sum(n for n, _ in rows)
    n_targets = sum(k for _, k in rows)
    assert n_targets == 4  # (Hallworth, voters, Critics) + Okafor
    assert n_sequences == (2 if model.mode == "span" else 4)  # span pooling: one pass per sentence
    assert np.allclose(p[0], p[1]) and np.allclose(p[3], p[4])
    assert not np.allclose(p[0], p[2])


@pytest.mark.parametrize(("sentence", "bad", "good"), [  # the actor portrayed badly, the actor portrayed well
    # missed by the 2026-12-02 distilled model (Valdoria -0.29, Ostmark -0.30); told apart again by the one
    # distilled on the larger transfer set
    ("The ministers strongly condemned the brutal aggression of Valdoria against Ostmark.", "Valdoria", "Ostmark"),
    ("Volunteers from Brenna rescued dozens of families after troops from Kessary shelled the town.",
     "Kessary", "Brenna"),
    ("Senator Ruiz praised the courage of the nurses, while Governor Blake was booed for cutting their pay.",
     "Governor Blake", "nurses"),
])
def test_targets_in_one_sentence_are_told_apart(model, sentence, bad, good):
    df = tr.score_spans([sentence, sentence], [span(sentence, bad), span(sentence, good)])
    assert df["score"].iloc[0] < df["score"].iloc[1], df


def test_batch_equals_one_by_one(model):
    sents = SENTENCES + ["Protesters blamed the police chief, Dana Moss, for the violence near the stadium."]
    spans = [span(s, t) for s, t in zip(sents, TARGETS + ["Dana Moss"])]
    batch = model.predict_proba(sents, spans)
    single = np.vstack([model.predict_proba([s], [sp]) for s, sp in zip(sents, spans)])
    # a sentence's score never depends on the other sentences it is scored with (the int8 model's
    # activation scales are computed per encoder call, so it runs one sentence per call)
    assert np.allclose(batch, single, atol=1e-6), np.abs(batch - single).max()
    assert np.allclose(model.predict_proba(sents[::-1], spans[::-1])[::-1], single, atol=1e-6)


def test_a_target_does_not_depend_on_the_other_targets_of_its_sentence(model):
    # one encoder pass serves every target of a sentence; the head sees all of them at once, so it must
    # not quantise its input per call (a wire copy in another article adds targets to the same pass:
    # a local and a Dask run of the same articles once disagreed in the 4th decimal)
    s = "Critics accused Senator Hallworth of lying to voters, while Mayor Okafor praised the nurses of Brenna."
    names = ["Critics", "Senator Hallworth", "voters", "Mayor Okafor", "nurses", "Brenna"]
    together = model.logits([s] * len(names), [span(s, n) for n in names])
    alone = np.vstack([model.logits([s], [span(s, n)]) for n in names])
    # equal up to float rounding (the fp32 head's GEMM may sum in another order for another number of rows:
    # ~1e-7); a head quantised per call differs by 7e-3 here (measured)
    assert np.allclose(together, alone, rtol=0, atol=1e-5), np.abs(together - alone).max()
    pairs = np.vstack([model.logits([s, s], [span(s, n), span(s, "Brenna")])[:1] for n in names])
    assert np.allclose(pairs, alone, rtol=0, atol=1e-5), np.abs(pairs - alone).max()


def test_dynamic_int8_is_run_one_sentence_per_call(model):
    from newskit.sentiment.transformer import TransformerTargetModel

    assert model.dynamic_quantisation and model.batch_size == 1
    assert TransformerTargetModel(batch_size=8).batch_size == 8
    with pytest.raises(ValueError, match="batch_size"):
        TransformerTargetModel(batch_size=0)


def test_long_sentence_is_windowed(model):
    filler = " ".join(["and the committee then discussed the agenda"] * 60)
    s = f"Observers said {filler}, before Minister Arden was cheered by the crowd."
    sp = span(s, "Minister Arden")
    enc = tr.encode(model.tokenizer, [s], [sp], mode=model.mode, max_length=model.max_length,
                    special=model.special)
    assert len(enc.sequences[0]) <= model.max_length
    assert model.predict_proba([s], [sp]).shape == (1, 3)


def test_empty_input(model):
    assert model.predict_proba([], []).shape == (0, 3)
    df = tr.score_spans([], [])
    assert len(df) == 0
    assert list(df.columns) == ["score", "sentiment", "p_negative", "p_neutral", "p_positive"]


def test_bad_input_names_the_row(model):
    with pytest.raises(ValueError, match="span 1"):
        model.predict_proba(["Anna met Ben.", "Anna met Ben."], [(0, 4), (9, 40)])
    with pytest.raises(ValueError, match="2 sentences but 1 spans"):
        model.predict_proba(["a b", "c d"], [(0, 1)])


def test_bad_model_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.json"):
        tr.TransformerTargetModel(tmp_path)
    (tmp_path / "model.json").write_text('{"labels": [', encoding="utf-8")
    with pytest.raises(ValueError, match=r"model.json:1"):
        tr.TransformerTargetModel(tmp_path)


def _threads_in_child(q):
    q.put(tr._default_threads())


def test_one_thread_inside_worker_processes(monkeypatch):
    monkeypatch.delenv("NEWSKIT_ORT_THREADS", raising=False)
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_threads_in_child, args=(q,))
    p.start()
    p.join(30)
    assert q.get(timeout=5) == 1
    monkeypatch.setenv("NEWSKIT_ORT_THREADS", "3")
    assert tr._default_threads() == 3


def test_score_spans_is_aligned_with_input(model):
    spans = [span(s, t) for s, t in zip(SENTENCES, TARGETS)]
    fwd = tr.score_spans(SENTENCES, spans)
    rev = tr.score_spans(SENTENCES[::-1], spans[::-1])
    pd.testing.assert_frame_equal(fwd, rev.iloc[::-1].reset_index(drop=True), atol=0.03)
