"""Target-dependent sentiment with a fine-tuned transformer, run by onnxruntime on the CPU (or a GPU).

The shipped model (``newskit/data/target_transformer/``) is a MiniLM encoder fine-tuned on NewsMTSC
train by ``scripts/train_target_transformer.py``, exported to ONNX. It scores a *target* (a character
span) inside a sentence: how the sentence portrays that target, negative / neutral / positive.

Only ``onnxruntime``, ``tokenizers`` and ``numpy`` are needed at run time (imported lazily, on the
first call); torch is needed only to train. The model is loaded once per process.

The same input encoding (:func:`encode`) is used to train and to run the model, so the shipped
weights see exactly the inputs they were trained on:

- each distinct sentence is tokenized once (WordPiece, lower-cased, no special tokens);
- ``mode="span"``: one sequence ``[CLS] sentence [SEP]`` serves every target of the sentence; each
  target is the mean of the hidden states of its tokens (span pooling), concatenated with ``[CLS]``;
- ``mode="markers"``: one sequence per target with marker tokens around it
  (``[CLS] … [TGT] target [/TGT] … [SEP]``, the markers are the vocabulary's ``[unused0]`` /
  ``[unused1]``), pooled over the markers and the target;
- a sentence longer than ``max_length`` tokens is cut to a window of ``max_length`` tokens centred
  on the target.

>>> from newskit.sentiment.transformer import score_spans
>>> df = score_spans(["Rebels shelled the city of Lunaria.", "Doctors saved the child."],
...                  [(27, 34), (0, 7)])
>>> list(df.columns)
['score', 'sentiment', 'p_negative', 'p_neutral', 'p_positive']
>>> bool(((df["p_negative"] + df["p_neutral"] + df["p_positive"] - 1).abs() < 1e-6).all())
True
"""
from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ("negative", "neutral", "positive")
MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "target_transformer"
_GPU_PROVIDERS = ("CUDAExecutionProvider", "ROCMExecutionProvider", "DmlExecutionProvider")


# --------------------------------------------------------------------------- input encoding
@dataclass
class Encoded:
    """Token sequences and the targets that point into them.

    ``sequences[i]`` is a list of token ids with ``[CLS]``/``[SEP]``; target ``j`` reads sequence
    ``target_seq[j]`` and pools its tokens ``target_lo[j] <= t < target_hi[j]``.
    """

    sequences: list[list[int]] = field(default_factory=list)
    target_seq: list[int] = field(default_factory=list)
    target_lo: list[int] = field(default_factory=list)
    target_hi: list[int] = field(default_factory=list)


def _token_range(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Indices ``[lo, hi)`` of the tokens overlapping the characters ``[start, end)``.

    A span that covers no token (only spaces, or past the end) gets the nearest following token,
    or the last token.
    """
    lo = hi = None
    for i, (a, b) in enumerate(offsets):
        if b > start and a < end:
            if lo is None:
                lo = i
            hi = i + 1
    if lo is None:
        nxt = [i for i, (a, _) in enumerate(offsets) if a >= start]
        lo = nxt[0] if nxt else max(len(offsets) - 1, 0)
        hi = lo + 1
    return lo, hi


def encode(tokenizer: Any, sentences: Sequence[str], spans: Sequence[tuple[int, int]], *, mode: str,
           max_length: int, special: dict[str, int]) -> Encoded:
    """Encode targets ``(sentence, span)`` into token sequences (see the module docstring).

    Parameters
    ----------
    tokenizer : tokenizers.Tokenizer
        The model's tokenizer (``tokenizer.json``), without post-processor.
    sentences, spans : sequences of equal length
        One sentence and one ``(start, end)`` character span per target.
    mode : {"span", "markers"}
        Span pooling (one sequence per sentence window) or marker tokens (one sequence per target).
    max_length : int
        Maximum sequence length including ``[CLS]`` and ``[SEP]`` (and the markers).
    special : dict
        Token ids of ``cls``, ``sep`` and, for markers, ``open``, ``close``.

    Returns
    -------
    Encoded
        Identical sequences are stored once.

    Examples
    --------
    >>> from tokenizers import Tokenizer
    >>> tok = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    >>> sp = {"cls": 101, "sep": 102, "open": 1, "close": 2}
    >>> e = encode(tok, ["Alice met Bob.", "Alice met Bob."], [(0, 5), (10, 13)], mode="span",
    ...            max_length=64, special=sp)
    >>> len(e.sequences), e.target_seq, e.target_lo, e.target_hi
    (1, [0, 0], [1, 3], [2, 4])
    """
    if mode not in ("span", "markers"):
        raise ValueError(f"mode must be 'span' or 'markers', not {mode!r}")
    if len(sentences) != len(spans):
        raise ValueError(f"{len(sentences)} sentences but {len(spans)} spans")
    n_extra = 4 if mode == "markers" else 2
    window = max_length - n_extra
    if window < 1:
        raise ValueError(f"max_length={max_length} leaves no room for tokens")
    uniq = list(dict.fromkeys(sentences))
    toks = {s: e for s, e in zip(uniq, tokenizer.encode_batch(uniq, add_special_tokens=False))}
    out = Encoded()
    seq_index: dict[tuple, int] = {}
    cls, sep = special["cls"], special["sep"]
    for sent, (start, end) in zip(sentences, spans):
        enc = toks[sent]
        ids, offsets = enc.ids, enc.offsets
        lo, hi = _token_range(offsets, int(start), int(end))
        n = len(ids)
        w0 = 0
        if n > window:  # a window of `window` tokens centred on the target
            centre = (lo + hi) // 2
            w0 = min(max(centre - window // 2, 0), n - window)
        w1 = min(w0 + window, n)
        tlo, thi = max(lo, w0) - w0, max(min(hi, w1) - w0, max(lo, w0) - w0 + 1)
        body = ids[w0:w1]
        if mode == "span":
            key = (sent, w0)
            seq = [cls, *body, sep]
            tlo, thi = tlo + 1, thi + 1
        else:
            key = (sent, w0, tlo, thi)
            seq = [cls, *body[:tlo], special["open"], *body[tlo:thi], special["close"], *body[thi:], sep]
            tlo, thi = tlo + 1, thi + 3  # the markers are pooled with the target
        j = seq_index.get(key)
        if j is None:
            j = seq_index[key] = len(out.sequences)
            out.sequences.append(seq)
        out.target_seq.append(j)
        out.target_lo.append(tlo)
        out.target_hi.append(thi)
    return out


def batches(encoded: Encoded, *, batch_size: int, pad_id: int = 0, order: Sequence[int] | None = None,
            multiple: int = 1):
    """Yield padded batches ``(input_ids, attention_mask, target_row, target_mask, target_ids)``.

    Sequences are taken in ``order`` (default: sorted by length, so that padding is minimal);
    ``target_ids`` are the indices into the targets of ``encoded`` that each row of
    ``target_mask`` belongs to. Widths are rounded up to a ``multiple`` of tokens (fewer distinct
    shapes for kernels that are compiled per shape).
    """
    seqs = encoded.sequences
    if order is None:
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    by_seq: dict[int, list[int]] = {}
    for t, s in enumerate(encoded.target_seq):
        by_seq.setdefault(s, []).append(t)
    for b0 in range(0, len(order), batch_size):
        chunk = order[b0:b0 + batch_size]
        width = max(len(seqs[i]) for i in chunk)
        width = -(-width // multiple) * multiple
        ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        rows, tids = [], []
        for r, i in enumerate(chunk):
            ids[r, :len(seqs[i])] = seqs[i]
            mask[r, :len(seqs[i])] = 1
            for t in by_seq.get(i, ()):
                rows.append(r)
                tids.append(t)
        tmask = np.zeros((len(tids), width), dtype=np.float32)
        for k, t in enumerate(tids):
            tmask[k, encoded.target_lo[t]:encoded.target_hi[t]] = 1.0
        yield ids, mask, np.asarray(rows, dtype=np.int64), tmask, np.asarray(tids, dtype=np.int64)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``.

    >>> softmax(np.array([[0.0, 0.0, 0.0]])).round(3).tolist()
    [[0.333, 0.333, 0.333]]
    """
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def load_tokenizer(path: str | os.PathLike):
    """The model's ``tokenizers.Tokenizer`` without padding, truncation or post-processor."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


# --------------------------------------------------------------------------- run time
def _default_threads() -> int:
    """Intra-op threads: ``NEWSKIT_ORT_THREADS`` if set; 1 inside a worker process; else up to 4 cores."""
    env = os.environ.get("NEWSKIT_ORT_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"NEWSKIT_ORT_THREADS must be an integer, not {env!r}") from None
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class TransformerTargetModel:
    """A fine-tuned encoder that scores how a sentence portrays a target span (ONNX, no torch).

    Parameters
    ----------
    path : path, optional
        Folder with ``model.json``, ``tokenizer.json`` and the ONNX file (default: the shipped model).
    onnx_file : str, optional
        ONNX file inside ``path`` (default: ``model.json``'s ``onnx``).
    threads : int, optional
        onnxruntime intra-op threads (default: 1 inside a worker process, else up to 4;
        ``NEWSKIT_ORT_THREADS`` overrides).
    providers : list of str, optional
        onnxruntime execution providers (default: a GPU provider when one is available, then the CPU).
    batch_size : int, optional
        Sequences per encoder call (sequences are sorted by length first). Default: 1 for a model whose
        activations are quantised dynamically (the shipped int8 model: its activation scales are computed
        per call, so batching would make a sentence's score depend on the other sentences of its batch —
        measured up to 0.38 in a logit — and so on how a corpus is partitioned; batching gains only ~15 %
        on the CPU), else 32.

    Examples
    --------
    >>> m = load_model()
    >>> p = m.predict_proba(["Rebels shelled the city of Lunaria."], [(27, 34)])
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-6)
    ((1, 3), True)
    """

    def __init__(self, path: str | os.PathLike | None = None, *, onnx_file: str | None = None,
                 threads: int | None = None, providers: Sequence[str] | None = None,
                 batch_size: int | None = None) -> None:
        import onnxruntime as ort

        self.path = Path(path) if path is not None else MODEL_DIR
        meta_path = self.path / "model.json"
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{meta_path}: no model.json (is the target transformer installed?)") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{meta_path}:{e.lineno}: invalid JSON ({e.msg})") from None
        for key in ("labels", "temperature", "max_length", "mode", "special_tokens", "onnx"):
            if key not in self.meta:
                raise ValueError(f"{meta_path}: missing key {key!r}")
        if list(self.meta["labels"]) != list(LABELS):
            raise ValueError(f"{meta_path}: labels {self.meta['labels']} are not {list(LABELS)}")
        self.onnx_path = self.path / (onnx_file or self.meta["onnx"])
        self.temperature = float(self.meta["temperature"])
        self.max_length = int(self.meta["max_length"])
        self.mode = str(self.meta["mode"])
        self.special = {k: int(v) for k, v in self.meta["special_tokens"].items()}
        self.dynamic_quantisation = b"DynamicQuantizeLinear" in self.onnx_path.read_bytes()
        self.batch_size = int(batch_size) if batch_size is not None else (1 if self.dynamic_quantisation else 32)
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.tokenizer = load_tokenizer(self.path / "tokenizer.json")
        if providers is None:
            avail = ort.get_available_providers()
            providers = [p for p in _GPU_PROVIDERS if p in avail] + ["CPUExecutionProvider"]
        so = ort.SessionOptions()
        so.intra_op_num_threads = int(threads) if threads else _default_threads()
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.onnx_path), sess_options=so, providers=list(providers))
        self.providers = self.session.get_providers()
        if onnx_file is None and "identity" in self.meta:
            self.identity = str(self.meta["identity"])
        else:  # a variant file: its identity is its content hash
            h = hashlib.sha256(self.onnx_path.read_bytes()).hexdigest()[:16]
            self.identity = f"{self.mode}-{self.onnx_path.stem}-{h}"

    def _run(self, ids: np.ndarray, mask: np.ndarray, rows: np.ndarray, tmask: np.ndarray) -> np.ndarray:
        """Logits of one padded batch (the only place the ONNX session is called)."""
        return self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask, "target_row": rows,
                                             "target_mask": tmask})[0]

    def logits(self, sentences: Sequence[str], spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Uncalibrated logits, shape ``(n, 3)``; identical (sentence, span) pairs are scored once."""
        sentences, spans = _check(sentences, spans)
        keys = list(zip(sentences, (tuple(map(int, s)) for s in spans)))
        uniq = list(dict.fromkeys(keys))
        out = np.zeros((len(uniq), 3), dtype=np.float32)
        if uniq:
            enc = encode(self.tokenizer, [k[0] for k in uniq], [k[1] for k in uniq], mode=self.mode,
                         max_length=self.max_length, special=self.special)
            for ids, mask, rows, tmask, tids in batches(enc, batch_size=self.batch_size,
                                                        pad_id=self.special.get("pad", 0)):
                out[tids] = self._run(ids, mask, rows, tmask)
        where = {k: i for i, k in enumerate(uniq)}
        return out[[where[k] for k in keys]] if keys else out

    def predict_proba(self, sentences: Sequence[str], spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Calibrated probabilities (negative, neutral, positive) per target, shape ``(n, 3)``.

        Parameters
        ----------
        sentences : sequence of str
            One sentence per target (repeat a sentence for each of its targets).
        spans : sequence of (int, int)
            Character offsets ``(start, end)`` of each target in its sentence.

        Returns
        -------
        numpy.ndarray
            Rows sum to 1; the temperature fitted on held-out train data is applied.
        """
        return softmax(self.logits(sentences, spans), self.temperature)


def _check(sentences: Sequence[str], spans: Sequence[tuple[int, int]]):
    sentences, spans = list(sentences), list(spans)
    if len(sentences) != len(spans):
        raise ValueError(f"{len(sentences)} sentences but {len(spans)} spans")
    for i, (s, sp) in enumerate(zip(sentences, spans)):
        if not isinstance(s, str):
            raise TypeError(f"sentence {i} is {type(s).__name__}, not str")
        try:
            a, b = (int(x) for x in sp)
        except (TypeError, ValueError):
            raise ValueError(f"span {i} is {sp!r}, not (start, end)") from None
        if not 0 <= a < b <= len(s):
            raise ValueError(f"span {i} ({a}, {b}) is not inside sentence {i} of length {len(s)}")
    return sentences, spans


def model_identity(path: str | os.PathLike | None = None) -> str:
    """The shipped model's identity from its ``model.json``, without loading onnxruntime (cache keys).

    >>> model_identity() == load_model().identity
    True
    """
    meta_path = (Path(path) if path is not None else MODEL_DIR) / "model.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{meta_path}: no model.json (is the target transformer installed?)") from None
    if "identity" in meta:
        return str(meta["identity"])
    h = hashlib.sha256((meta_path.parent / meta["onnx"]).read_bytes()).hexdigest()[:16]
    return f"{meta.get('mode', 'x')}-{Path(meta['onnx']).stem}-{h}"


@functools.lru_cache(maxsize=4)
def load_model(path: str | None = None, *, onnx_file: str | None = None,
               threads: int | None = None) -> TransformerTargetModel:
    """The model at ``path`` (default: the shipped one), loaded once per process.

    >>> load_model() is load_model()
    True
    """
    return TransformerTargetModel(path, onnx_file=onnx_file, threads=threads)


def score_spans(sentences: Sequence[str], spans: Sequence[tuple[int, int]], *,
                model: TransformerTargetModel | None = None):
    """Score targets with the transformer: one row per ``(sentence, span)``, aligned with the input.

    Parameters
    ----------
    sentences : sequence of str
        One sentence per target.
    spans : sequence of (int, int)
        Character offsets of each target in its sentence.
    model : TransformerTargetModel, optional
        Default: the shipped model (:func:`load_model`).

    Returns
    -------
    pandas.DataFrame
        ``score`` (P(positive) − P(negative), in [-1, 1]), ``sentiment`` (the most probable of
        negative / neutral / positive), ``p_negative``, ``p_neutral``, ``p_positive``.

    Examples
    --------
    >>> s = "The invaders bombed the hospital, and the volunteers rescued the patients."
    >>> df = score_spans([s, s], [(4, 12), (42, 52)])
    >>> df.shape, bool(df["score"].between(-1, 1).all())
    ((2, 5), True)
    >>> len(score_spans([], []))
    0
    """
    import pandas as pd

    m = model if model is not None else load_model()
    p = m.predict_proba(sentences, spans) if len(sentences) else np.zeros((0, 3))
    return pd.DataFrame({
        "score": (p[:, 2] - p[:, 0]).astype(float),
        "sentiment": pd.Series(np.asarray(LABELS, dtype=object)[p.argmax(1)] if len(p) else [], dtype=object),
        "p_negative": p[:, 0].astype(float), "p_neutral": p[:, 1].astype(float),
        "p_positive": p[:, 2].astype(float),
    })
